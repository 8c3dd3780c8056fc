"""Browser: a secretary reorders a section of a meeting's format, saves a new version, and prints the
script of the meeting's next date (the PDF of the print view is kept as a test artifact)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_secretary_reorders_saves_and_prints_next_weeks_script(page, artifacts):
    log_in(page, "secretary@example.org")
    page.get_by_role("link", name="Tuesday Night Lakeside Group").first.click()
    page.get_by_role("link", name="Formats and scripts").click()
    page.get_by_role("link", name="Tuesday Night Big Book format").click()
    page.wait_for_url("**/formats/*/")

    headings = page.locator(".format-section h3")
    before = headings.all_inner_texts()
    moved = before[1]
    page.get_by_role("button", name=f"Move “{moved}” down").click()
    page.wait_for_load_state()
    after = page.locator(".format-section h3").all_inner_texts()
    assert after[1] == before[2] and after[2] == moved
    assert page.get_by_role("heading", name="Unsaved changes").is_visible()

    saved_as = page.get_by_role("button", name="Save as version").inner_text()
    page.get_by_label("What changed (optional)").fill(f"{moved} after {before[2]}")
    page.get_by_role("button", name="Save as version").click()
    page.wait_for_load_state()
    number = saved_as.rsplit(" ", 1)[-1]
    assert f"Version {number} is saved" in page.locator(".flashes").inner_text()
    page.screenshot(path=str(artifacts / "formats-saved.png"), full_page=True)

    # The meeting's next date uses the new version.
    page.get_by_role("link", name="Tuesday Night Big Book", exact=True).first.click()
    row = page.locator("table.dates tbody tr").first
    assert f"version {number}" in row.inner_text()
    row.get_by_role("link", name="Script", exact=True).click()
    page.wait_for_url("**/script")
    body = page.locator(".script").inner_text()
    assert "Tuesday Night Big Book" in body and f"version {number}" in body
    titles = page.locator(".script-section h2").all_inner_texts()
    assert titles.index(before[2]) < titles.index(moved)

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator(".script-toolbar").is_visible()
    page.pdf(path=str(artifacts / "formats-script.pdf"), format="Letter", print_background=False)
    assert (artifacts / "formats-script.pdf").read_bytes().startswith(b"%PDF")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Large print").click()
    assert "script-large" in (page.locator(".script").get_attribute("class") or "")
    page.pdf(path=str(artifacts / "formats-script-large.pdf"), format="Letter")
