"""Round trip: a TSML-style feed with hybrid, online and temporarily closed meetings (and one by
appointment) imported, then our Meeting Guide feed read as a meeting finder reads it (TSML UI's rules:
a link plus an approximate address or TC is online, a link at a street address is hybrid, TC without a
link is a closed building): the same attendance, place, day, time and types."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from groupadmin.extensions import db
from groupadmin.meetings import importer
from tests import factories
from tests.conftest import NOW

SOURCE = json.loads((Path(__file__).parent / "data" / "roundtrip_feed.json").read_text())
DERIVED = {"ONL", "TC"}


def finder_reading(meeting: dict) -> dict:
    """What a finder shows of a meeting."""
    has_link = bool(meeting.get("conference_url") or meeting.get("conference_phone"))
    types = set(meeting.get("types") or [])
    if "TC" in types:
        attendance = "online" if has_link else "closed for now"
    elif has_link:
        attendance = "online" if meeting.get("approximate") == "yes" else "hybrid"
    else:
        attendance = "in person"
    place = meeting.get("formatted_address") or ""
    if attendance == "online":  # shown by town only
        place = ", ".join(part.strip() for part in place.split(",")[-3:])
        place = re.sub(r"\s+\d[\d-]*(?=,|$)", "", place)  # without the postal code
    return {
        "attendance": attendance,
        "place": place,
        "day": meeting.get("day"),
        "time": meeting.get("time"),
        "end_time": meeting.get("end_time"),
        "types": sorted(types - DERIVED),
        "link": meeting.get("conference_url"),
    }


@pytest.fixture
def group(app):
    org = factories.organisation(slug="lakes")
    org.timezone = "America/New_York"
    return factories.group(org, "lakeside", name="Lakeside Group")


def test_our_feed_means_to_a_finder_what_the_imported_feed_meant(client, group):
    plan = importer.apply_import(group, "feed.json", json.dumps(SOURCE), actor=None, now=NOW, weeks=4)
    db.session.commit()
    assert plan.bad_rows == []
    ours = {m["slug"]: m for m in client.get("/feeds/lakes/meeting-guide.json").get_json()}
    assert set(ours) == {m["slug"] for m in SOURCE}
    for source in SOURCE:
        theirs, mine = finder_reading(source), finder_reading(ours[source["slug"]])
        assert mine == theirs, source["slug"]
    # The closed building without a link is republished with TC: finders list it as temporarily closed.
    assert finder_reading(ours["closed-no-link"])["attendance"] == "closed for now"
    assert "TC" in ours["closed-no-link"]["types"] and "conference_url" not in ours["closed-no-link"]
    # By appointment: published without day and time, as the spec allows (finders list it so).
    assert finder_reading(ours["by-appointment"])["day"] is None
    assert "time" not in ours["by-appointment"] and "end_time" not in ours["by-appointment"]
    assert ours["hybrid-big-book"]["location"] == "St Mark's Hall"
    assert ours["hybrid-big-book"]["timezone"] == "America/New_York"
