"""Browser journey: an organisation admin imports a three-group feed (one group known, two new), picks
the time zone the file does not give, skips the one bad row, and finds the three groups' meetings on the
public page."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

HEADING = "Name,Slug,Day,Time,End Time,Address,City,State,Postal Code,Country,Types,Group"
ROWS = [
    "Lakeside Import Evening,e2e-lakeside-evening,Tuesday,7:30 PM,8:30 PM,120 Lake Street,Lakeside,NY,12345,"
    "US,Open,Tuesday Night Lakeside Group",
    "Hilltop Import Morning,e2e-hilltop-morning,Lundi,7h00,8h00,1 Hill Road,Hilltown,NY,12346,US,Speaker,"
    "Hilltop Group",
    "Hilltop Import Never,e2e-hilltop-never,Someday,10:00 AM,11:00 AM,1 Hill Road,Hilltown,NY,12346,US,,"
    "Hilltop Group",
    "Valley Import Women,e2e-valley-women,Wednesday,6:00 PM,7:00 PM,3 Valley Way,Valley,NY,12347,US,"
    '"Women, Step Meeting",Valley Group',
]
FEED = "\n".join([HEADING, *ROWS]) + "\n"


def test_an_org_admin_imports_three_groups_and_sees_them_listed(page, artifacts):
    log_in(page, "admin@example.org")
    page.goto("/orgs/lakeside/meetings/import")
    page.get_by_label("Meeting Guide JSON or CSV file").set_input_files(
        {"name": "intergroup.csv", "mimeType": "text/csv", "buffer": FEED.encode()}
    )
    page.get_by_role("button", name="Preview the import").click()
    summary = page.locator("#import-problems")
    assert "1 row has problems" in summary.inner_text()
    assert "Day or time missing or not understood" in summary.inner_text()
    headings = page.locator("section h3").all_inner_texts()
    assert headings == ["Hilltop Group", "Tuesday Night Lakeside Group", "Valley Group"]
    assert "2 new groups will be created" in page.inner_text("fieldset.new-groups")
    assert page.get_by_role("button", name="Import 3 meetings").count() == 0

    page.get_by_label("Time zone of the meetings that name none").select_option("America/Chicago")
    page.get_by_label("Import the rows without problems and skip the others").check()
    page.get_by_role("button", name="Update the preview").click()
    assert "(America/Chicago)" in page.locator("tr", has_text="Hilltop Import Morning").inner_text()
    page.screenshot(path=str(artifacts / "import-organisation-preview.png"), full_page=True)
    page.get_by_role("button", name="Import 3 meetings").click()
    page.wait_for_url("**/orgs/lakeside/")
    assert "3 new" in page.inner_text("body") and "1 row skipped" in page.inner_text("body")

    page.goto("/meetings/lakeside")
    listing = page.inner_text("body")
    for name in ("Lakeside Import Evening", "Hilltop Import Morning", "Valley Import Women"):
        assert name in listing
    assert "Hilltop Import Never" not in listing
    page.screenshot(path=str(artifacts / "import-organisation-public.png"), full_page=True)
