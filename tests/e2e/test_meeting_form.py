"""The meeting form (issue 15 item 5): with JavaScript it shows only the "when" fields that "how often"
needs and the online part only for online and hybrid meetings, and the types filter; without JavaScript
every field shows and the form works the same. Heights are printed for the record."""

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

NEW = "/groups/lakeside-aa/meetings/new"


def _height(page) -> int:
    return page.evaluate(
        "Math.round(document.querySelector('form.meeting-form').getBoundingClientRect().height)"
    )


def test_the_form_shows_what_how_often_needs_and_filters_types(page, phone, artifacts):
    log_in(page, "secretary@example.org")
    page.goto(NEW)
    day, week, date = (page.locator(f"[data-when] #{name}") for name in ("weekday", "month_week", "on_date"))
    assert day.is_visible() and not week.is_visible() and not date.is_visible()
    assert not page.get_by_label("Conference link", exact=True).is_visible()  # in person by default
    page.get_by_label("Once a month (e.g. the business meeting)").check()
    assert day.is_visible() and week.is_visible() and not date.is_visible()
    page.get_by_label("Once, on a date").check()
    assert not day.is_visible() and date.is_visible()
    page.get_by_label("By appointment (no fixed day or time)").check()
    assert not date.is_visible() and not page.get_by_label("Starts at").is_visible()
    page.get_by_label("Hybrid (in person and online)").check()
    assert page.get_by_label("Conference link", exact=True).is_visible()
    # Types: grouped, languages folded; the filter finds one in a folded group.
    assert page.locator("fieldset.type-group legend", has_text="Who it is for").is_visible()
    assert not page.get_by_label("Polish", exact=True).is_visible()
    page.get_by_label("Find a type").fill("polish")
    assert page.get_by_label("Polish", exact=True).is_visible()
    assert not page.get_by_label("Speaker", exact=True).is_visible()
    assert "Types shown: 1" in page.locator("[data-type-filter-status]").inner_text()
    page.goto(NEW)  # as a new meeting's form first opens
    desktop = _height(page)
    page.screenshot(path=str(artifacts / "meeting-form-desktop.png"), full_page=True)

    log_in(phone, "secretary@example.org")
    phone.goto(NEW)
    phone_height = _height(phone)
    phone.screenshot(path=str(artifacts / "meeting-form-phone.png"), full_page=True)
    # Measured when built: desktop 3,168 px, phone 4,238 px (without JavaScript: 3,658 px).
    assert desktop < 3600 and phone_height < 4800  # it was 4,312 and 6,402 px


def test_an_online_meeting_hides_the_venue_and_by_appointment_hides_the_length(page):
    log_in(page, "secretary@example.org")
    page.goto(NEW)
    venue = [page.get_by_label(label, exact=True) for label in ("Location name", "Address (one line)")]
    length = page.get_by_label("Length in minutes")
    assert all(f.is_visible() for f in venue) and length.is_visible()
    page.get_by_label("Online", exact=True).check()
    assert not any(f.is_visible() for f in venue)
    assert not page.get_by_label("Location notes").is_visible()
    # A place for meeting finders stays: the region (and the city, among the address parts).
    assert page.get_by_label("Region or neighbourhood").is_visible()
    assert page.get_by_label("Conference link", exact=True).is_visible()
    page.get_by_label("Hybrid (in person and online)").check()
    assert all(f.is_visible() for f in venue)
    page.get_by_label("By appointment (no fixed day or time)").check()
    assert not length.is_visible()
    page.get_by_label("Every week").check()
    assert length.is_visible()
    # A venue already typed stays visible when "Online" is chosen: nothing typed is hidden.
    page.get_by_label("Location name").fill("St Mark's Hall")
    page.get_by_label("Online", exact=True).check()
    assert page.get_by_label("Location name").is_visible()
    # A length with an error stays visible by appointment.
    page.get_by_label("Every week").check()
    length.fill("2")
    page.get_by_label("By appointment (no fixed day or time)").check()
    page.get_by_role("button", name="Add the meeting").click()
    assert page.get_by_label("By appointment (no fixed day or time)").is_checked()
    assert page.locator(".field.has-error", has=page.get_by_label("Length in minutes")).is_visible()


def test_without_javascript_every_field_shows_and_all_errors_come_at_once(browser, live_server, artifacts):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    try:
        log_in(page, "secretary@example.org")
        page.goto(NEW)
        for label in (
            "Day",
            "Which week of the month",
            "Date",
            "Starts at",
            "Length in minutes",
            "Location name",
        ):
            assert page.get_by_label(label, exact=True).is_visible()
        assert page.get_by_label("Conference link", exact=True).is_visible()
        assert not page.get_by_label("Find a type").is_visible()  # the filter needs JavaScript
        # Every problem at once: a bad length and no start time, no day, no name.
        page.get_by_label("Once a month (e.g. the business meeting)").check()
        page.get_by_label("Length in minutes").fill("2")
        page.get_by_role("button", name="Add the meeting").click()
        errors = page.locator(".field.has-error").all_inner_texts()
        text = " ".join(errors)
        for expected in (
            "Give the meeting a name.",
            "Choose the day of the week.",
            "Choose which week of the month.",
            "Give the start time.",
        ):
            assert expected in text
        assert (
            "between 5 and 720" in text or "Number must be between 5 and 720" in text or "5 minutes" in text
        )
        assert "duration_minutes" not in text
    finally:
        context.close()
