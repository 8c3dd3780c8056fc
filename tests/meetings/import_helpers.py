"""Reading the import preview as a browser would: the fields of its choices form."""

from __future__ import annotations

from html.parser import HTMLParser


class _Fields(HTMLParser):
    def __init__(self, form_class: str):
        super().__init__()
        self.form_class, self.inside, self.fields, self.select = form_class, False, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_class in (attrs.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[attrs["name"]] = attrs.get("value", "y")
            elif kind != "submit":
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.fields):
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def form_fields(html: str, form_class: str = "import-choices", **changes) -> dict:
    """The values the preview's choices form would send, with `changes` (None: unticked)."""
    parser = _Fields(form_class)
    parser.feed(html)
    fields = parser.fields | changes
    return {k: v for k, v in fields.items() if v is not None}
