"""A secretary enters last night's head count from a phone-sized window, then sees it in the trends."""

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_secretary_enters_last_nights_count_from_a_phone(phone, artifacts):
    problems = []
    # The 422 of a refused form is logged by the browser too; what must not appear is a CSP refusal.
    phone.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    log_in(phone, "secretary@example.org")

    # The dashboard lists the recent dates without a count, the latest first.
    to_enter = phone.get_by_role("region", name="Counts to enter")
    first = to_enter.get_by_role("link").first
    meeting = first.locator(".count-todo-meeting").inner_text()
    when = first.locator(".count-todo-when").inner_text()
    before = to_enter.get_by_role("link").count()
    first.click()
    phone.wait_for_url("**/counts/*?back=dashboard")
    assert phone.locator("h1").inner_text() == meeting

    # A hybrid date asks for the split; an online or in-person one for the total.
    if phone.locator("#in_person").count():
        phone.get_by_label("In the room").fill("18")
        phone.get_by_label("Online", exact=True).fill("7")
        expected = "25 people, 2 newcomers, 7 online"
    else:
        phone.locator("#total").fill("25")
        expected = "25 people, 2 newcomers"
    phone.get_by_label("Newcomers").fill("2")
    phone.get_by_label("Digital").fill("31.50")
    # A slip of the thumb first: the message says why and nothing typed is lost.
    phone.get_by_label("Newcomers").fill("30")
    phone.get_by_role("button", name="Save").click()
    assert "Newcomers are part of the total" in phone.locator("#newcomers-error").inner_text()
    assert phone.get_by_label("Digital").input_value() == "31.50"
    phone.get_by_label("Newcomers").fill("2")
    phone.wait_for_load_state()  # the click returns before the stylesheet is in
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "attendance-phone-entry.png"), full_page=True)
    phone.get_by_role("button", name="Save").click()

    phone.wait_for_url("**/")
    flash = phone.locator(".flashes").inner_text()
    assert f"Saved for {meeting}, {when}: {expected}" in flash and "$31.50" in flash
    assert phone.get_by_role("region", name="Counts to enter").get_by_role("link").count() == before - 1 or (
        before == 1 and phone.get_by_role("region", name="Counts to enter").count() == 0
    )
    phone.screenshot(path=str(artifacts / "attendance-phone-saved.png"), full_page=True)

    # The group's page shows the trends as SVG charts with a table, within our Content-Security-Policy.
    phone.goto("/groups/lakeside-aa/")
    assert phone.locator("svg.chart-svg").count() == 6
    assert phone.locator("table.trend-table").count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "attendance-phone-trends.png"), full_page=True)
    assert problems == []
