"""Import: the choices made in the preview. A file without zones is read in the zone the person picks
(shown in local times before anything changes); rows with problems are skipped only when chosen; a slug
another group uses is renamed with a suffix or skipped; a second import of the same file updates in
place."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting
from tests import factories
from tests.conftest import login
from tests.meetings.import_helpers import form_fields

ADDRESS = "1 Main St, Lakeside, NY 12345, USA"
FILE = [
    {"name": "Evening", "slug": "evening", "day": 2, "time": "19:00", "formatted_address": ADDRESS},
    {"name": "Theirs too", "slug": "theirs", "day": 3, "time": "19:00", "formatted_address": ADDRESS},
    {"name": "", "slug": "unnamed", "day": 4, "time": "19:00", "formatted_address": ADDRESS},
    {"name": "Odd day", "slug": "odd", "day": "Someday", "time": "19:00", "formatted_address": ADDRESS},
]


@pytest.fixture
def page(client, app):
    org = factories.organisation(slug="lakes")
    org.timezone = "America/New_York"
    group = factories.group(org, "lakeside", name="Lakeside Group")
    other = factories.group(org, "other", name="Other Group")
    factories.meeting(other, "Theirs", slug="theirs")
    factories.member(group, "secretary", email="sec@example.org")
    db.session.commit()
    login(client, "sec@example.org")
    upload = {"file": (io.BytesIO(json.dumps(FILE).encode()), "feed.json")}
    response = client.post(
        "/groups/lakeside/meetings/import", data=upload, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    return plain(response.get_data(as_text=True))


def plain(text: str) -> str:
    """The page's text with the narrow spaces of formatted times as plain ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def apply(client, data):
    return client.post("/groups/lakeside/meetings/import/apply", data=data)


def slugs() -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Meeting.slug).join(Meeting.group).where(Meeting.group.has(slug="lakeside"))
        )
    )


def test_the_preview_summarises_problems_by_kind_and_asks_for_the_zone(page):
    assert "3 rows have problems" in page
    assert "Rows without a name</strong>: row 3" in page
    assert "Day or time missing or not understood</strong>: row 4" in page
    assert "meetings</strong>: row 2" in page and "Slugs used by another group" in page
    assert "Time zone of the meetings that name none" in page
    assert "Every Tuesday at 7:00 PM (America/New York)" in page
    assert "Import 1 meeting" not in page  # not until the rows with problems are skipped
    assert slugs() == set()


def test_text_from_the_file_is_shown_as_text(client, page):
    hostile = [{"name": "<b>x</b>", "slug": "<script>alert(1)</script>", "day": "<i>Someday</i>"}]
    upload = {"file": (io.BytesIO(json.dumps(hostile).encode()), "feed.json")}
    response = client.post(
        "/groups/lakeside/meetings/import", data=upload, content_type="multipart/form-data"
    )
    text = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_choosing_a_zone_shows_the_times_again_before_anything_changes(client, page):
    response = apply(client, form_fields(page, timezone="America/Chicago"))
    text = plain(response.get_data(as_text=True))
    assert response.status_code == 200 and "Every Tuesday at 7:00 PM (America/Chicago)" in text
    assert slugs() == set()


def test_skip_the_bad_rows_and_rename_the_taken_slug(client, page):
    preview = apply(client, form_fields(page, skip_bad="y", on_conflict="rename")).get_data(as_text=True)
    assert "Import 2 meetings" in preview and "imported as &#39;theirs-2&#39;" in preview
    assert slugs() == set()
    done = apply(client, form_fields(preview))
    assert done.status_code == 302
    assert slugs() == {"evening", "theirs-2"}
    assert db.session.scalar(sa.select(Meeting.name).where(Meeting.slug == "theirs")) == "Theirs"
    zone = db.session.scalar(sa.select(Meeting).where(Meeting.slug == "evening")).latest_schedule.timezone
    assert zone == "America/New_York"
    # The same file again, the same choices: updated in place (here unchanged), nothing added.
    upload = {"file": (io.BytesIO(json.dumps(FILE).encode()), "feed.json")}
    again = client.post("/groups/lakeside/meetings/import", data=upload, content_type="multipart/form-data")
    chosen = apply(client, form_fields(again.get_data(as_text=True), skip_bad="y", on_conflict="rename"))
    text = chosen.get_data(as_text=True)
    assert "2 meetings read" not in text and "0 new, 0 to update, 2 unchanged" in text
    apply(client, form_fields(text))
    assert slugs() == {"evening", "theirs-2"}


def test_skipping_leaves_the_taken_slug_out(client, page):
    preview = apply(client, form_fields(page, skip_bad="y")).get_data(as_text=True)
    assert "Import 1 meeting" in preview
    assert apply(client, form_fields(preview)).status_code == 302
    assert slugs() == {"evening"}


def test_import_without_choosing_to_skip_changes_nothing(client, page):
    response = apply(client, form_fields(page))  # the choices as shown: nothing to skip chosen
    assert response.status_code == 302
    assert slugs() == set()


def test_a_large_file_goes_through_preview_and_confirm(client, page):
    """The preview carries the file's text back in its form: a file of thousands of meetings (over a
    megabyte) must not be refused on confirming."""
    rows = [
        {
            "name": f"Meeting {n}",
            "slug": f"big-{n}",
            "day": n % 7,
            "time": "19:00",
            "formatted_address": ADDRESS,
        }
        | {"notes": "Side door, ring the bell. " * 10}
        for n in range(3000)
    ]
    content = json.dumps(rows).encode()
    assert len(content) > 1_000_000
    upload = {"file": (io.BytesIO(content), "big.json")}
    preview = client.post("/groups/lakeside/meetings/import", data=upload, content_type="multipart/form-data")
    assert preview.status_code == 200 and "Import 3000 meetings" in preview.get_data(as_text=True)
    done = apply(client, form_fields(preview.get_data(as_text=True)))
    assert done.status_code == 302
    assert len(slugs()) == 3000


def test_the_preview_shows_what_finders_would_do_beside_each_row_as_warnings(client, page):
    rows = [
        {"name": "Nowhere Online", "slug": "nowhere", "day": 1, "time": "07:00",
         "conference_url": "https://zoom.us/j/1", "types": ["ONL"]},
        {"name": "Own Server", "slug": "own-server", "day": 2, "time": "07:00", "city": "Lakeside",
         "conference_url": "https://video.example.org/room", "types": ["ONL"]},
        {"name": "Old Link", "slug": "old-link", "day": 3, "time": "07:00", "city": "Lakeside",
         "conference_url": "http://zoom.us/j/3", "types": ["ONL"]},
    ]  # fmt: skip
    upload = {"file": (io.BytesIO(json.dumps(rows).encode()), "feed.json")}
    response = client.post(
        "/groups/lakeside/meetings/import", data=upload, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert "rows have problems" not in html and "Import 3 meetings" in html
    warnings = {
        number: row for number, row in re.findall(r'<tr class="" data-row="(\d+)">(.*?)</tr>', html, re.S)
    }
    assert "leave out an online meeting without a place" in warnings["1"]
    assert "not on a provider they recognise" in warnings["2"]
    assert "starts with http://" in warnings["3"]
    assert "without a place" not in warnings["2"] + warnings["3"]
    assert all('class="warnings"' in row and 'class="error"' not in row for row in warnings.values())
    apply(client, form_fields(html))
    assert slugs() == {"nowhere", "own-server", "old-link"}
    kept = db.session.scalar(sa.select(Meeting.conference_url).where(Meeting.slug == "old-link"))
    assert kept == "http://zoom.us/j/3"
