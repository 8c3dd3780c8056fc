// The little JavaScript we need; every page works without it.
// Forms marked data-confirm ask before a destructive action.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Buttons marked data-print print the page (they stay hidden where JavaScript does not run).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

// The meeting form: show only the "when" fields that "how often" needs, and filter the meeting types.
// Without JavaScript every field shows and the form works the same.
(function () {
  var form = document.querySelector("form.meeting-form");
  if (!form) { return; }
  var parts = form.querySelectorAll("[data-when]");
  function showWhen() {
    var checked = form.querySelector("input[name=recurrence]:checked");
    var value = checked ? checked.value : "";
    parts.forEach(function (part) {
      // A part with an error stays visible whatever the choice, so nothing said is hidden.
      var needed = part.getAttribute("data-when").split(" ").indexOf(value) !== -1;
      part.hidden = !needed && !part.querySelector(".has-error");
    });
  }
  if (parts.length) {
    form.querySelectorAll("input[name=recurrence]").forEach(function (radio) {
      radio.addEventListener("change", showWhen);
    });
    form.querySelectorAll("[data-when-help]").forEach(function (help) { help.hidden = false; });
    showWhen();
  }

  // The "Online" part only for online and hybrid meetings (kept when it holds an error or a value).
  var onlineParts = form.querySelectorAll("[data-attend]");
  function showAttend() {
    var checked = form.querySelector("input[name=attendance]:checked");
    var value = checked ? checked.value : "";
    onlineParts.forEach(function (part) {
      var needed = part.getAttribute("data-attend").split(" ").indexOf(value) !== -1;
      var filled = Array.prototype.some.call(part.querySelectorAll("input, textarea"), function (el) {
        return el.value.trim() !== "";
      });
      part.hidden = !needed && !filled && !part.querySelector(".has-error");
    });
  }
  if (onlineParts.length) {
    form.querySelectorAll("input[name=attendance]").forEach(function (radio) {
      radio.addEventListener("change", showAttend);
    });
    showAttend();
  }

  var filterBox = form.querySelector("[data-type-filter]");
  if (!filterBox) { return; }
  var input = filterBox.querySelector("input");
  var status = filterBox.querySelector("[data-type-filter-status]");
  var initialStatus = status ? status.textContent : "";
  var groups = form.querySelectorAll("[data-type-group]");
  filterBox.hidden = false;
  input.addEventListener("input", function () {
    var words = input.value.trim().toLowerCase();
    var shown = 0;
    groups.forEach(function (group) {
      var inGroup = 0;
      group.querySelectorAll("li[data-type-name]").forEach(function (item) {
        var match = !words || item.getAttribute("data-type-name").indexOf(words) !== -1;
        item.hidden = !match;
        if (match) { inGroup += 1; }
      });
      group.hidden = inGroup === 0;
      if (group.tagName === "DETAILS" && words && inGroup) { group.open = true; }
      shown += inGroup;
    });
    if (status) {
      status.textContent = words ? filterBox.getAttribute("data-count-label") + ": " + shown : initialStatus;
    }
  });
})();

// A pasted text longer than a field's limit: the browser keeps only its start without a word, so say
// so beside the field (the words come from the page, in its language: body's data-too-long).
document.addEventListener("paste", function (event) {
  var field = event.target;
  var max = field.maxLength;
  var words = document.body.getAttribute("data-too-long");
  if (!(max > 0) || !words || !event.clipboardData || typeof field.selectionStart !== "number") { return; }
  var pasted = event.clipboardData.getData("text");
  var after = field.value.length - (field.selectionEnd - field.selectionStart) + pasted.length;
  var notice = document.getElementById(field.id + "-too-long");
  if (after <= max) {
    if (notice) { notice.remove(); }
    return;
  }
  if (!notice) {
    notice = document.createElement("p");
    notice.id = field.id + "-too-long";
    notice.className = "error";
    notice.setAttribute("role", "status");
    field.insertAdjacentElement("afterend", notice);
  }
  notice.textContent = words.replace("{n}", String(max));
});
