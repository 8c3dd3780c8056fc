"""A secretary creates a hybrid meeting, marks next week online only, and sees it on the public page."""

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_secretary_creates_a_hybrid_meeting_and_moves_next_week_online(page, phone, artifacts):
    log_in(page, "secretary@example.org")
    page.get_by_role("link", name="Meetings").first.click()
    page.wait_for_url("**/groups/lakeside-aa/meetings/")
    page.get_by_role("link", name="Add a meeting").click()

    page.get_by_label("Name", exact=True).fill("Saturday Morning Hybrid")
    page.get_by_label("Every week").check()
    page.get_by_label("Day", exact=True).select_option(label="Saturday")
    page.get_by_label("Starts at").fill("09:30")
    page.get_by_label("Hybrid (in person and online)").check()
    page.get_by_label("Location name").fill("St Mark's Church Hall")
    page.get_by_label("Address (one line)").fill("120 Lake Street, Lakeside, NY 12345, USA")
    page.get_by_label("Conference link", exact=True).fill("https://zoom.us/j/81230000000")
    page.get_by_label("Open", exact=True).check()
    page.get_by_role("button", name="Add the meeting").click()

    page.wait_for_url("**/groups/lakeside-aa/meetings/*/")
    assert page.locator("h1").inner_text() == "Saturday Morning Hybrid"
    assert "The meeting is saved" in page.locator(".flashes").inner_text()
    rows = page.locator("table.dates tbody tr")
    assert rows.count() >= 10
    # Next week's date: the second coming Saturday.
    next_week = rows.nth(1)
    next_week_date = next_week.locator("td").first.inner_text()
    next_week.get_by_role("link", name=f"Change {next_week_date}").click()
    page.get_by_label("Online only this time").check()
    page.get_by_label("Note for this date (public)").fill("The hall is being painted.")
    page.get_by_role("button", name="Save this date").click()
    page.wait_for_url("**/groups/lakeside-aa/meetings/*/")
    assert "Online only" in page.locator("table.dates tbody tr").nth(1).inner_text()
    page.screenshot(path=str(artifacts / "meetings-secretary-detail.png"), full_page=True)

    # The public page, as anyone sees it (on a phone, too).
    phone.goto("/meetings/lakeside")
    card = phone.locator("li.meeting-card", has_text="Saturday Morning Hybrid")
    assert "Hybrid" in card.inner_text()
    card.get_by_role("link", name="Saturday Morning Hybrid").click()
    phone.wait_for_url("**/meetings/lakeside/saturday-morning-hybrid")
    dates = phone.locator(".dates-list").inner_text()
    assert next_week_date in dates and "online only" in dates and "The hall is being painted." in dates
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "meetings-public-phone.png"), full_page=True)
    page.goto("/meetings/lakeside")
    page.screenshot(path=str(artifacts / "meetings-public.png"), full_page=True)
