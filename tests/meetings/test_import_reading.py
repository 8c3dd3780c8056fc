"""Import: what real meeting lists mean is what we import. Our own fixtures reproduce what the 12 Step
Meeting List plugin (TSML) and other Meeting Guide feeds write: attendance_option, TC, hybrid meetings,
region hierarchies, HTML notes, day arrays, slugs of every shape the spec allows, payment links, the
plugin's exports in other languages."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.meetings import importer
from groupadmin.meetings.models import Meeting, Occurrence
from tests import factories
from tests.conftest import NOW

DATA = Path(__file__).parent / "data"
FEED = (DATA / "tsml_feed.json").read_text()


@pytest.fixture
def group(app):
    return factories.group(factories.organisation(slug="lakes"), "lakeside", name="Lakeside Group")


def rows_by_slug(plan) -> dict:
    return {row.slug: row for row in plan.rows}


def test_a_tsml_feed_means_what_it_says(group):
    plan = importer.plan_import(group, "feed.json", FEED, now=NOW)
    rows = rows_by_slug(plan)
    hybrid = rows["4-d-Sunday-19:00"]
    assert hybrid.errors == []
    assert hybrid.values["attendance"] == "hybrid"
    assert hybrid.values["formatted_address"] == "120 Lake Street, Lakeside, NY 12345, USA"
    assert hybrid.values["location"] == "St Mark's Hall"
    assert hybrid.values["region"] == "Lake County > Lakeside > North Shore"
    assert hybrid.values["types"] == ["B", "O", "X"]
    assert hybrid.values["notes"] == 'Discussion\n2nd Sunday: Speaker & potluck\nBring "Living Sober"'
    assert hybrid.values["location_notes"] == "Side door <ring bell>"
    assert hybrid.values["paypal"] == "LakesideGroup" and hybrid.values["venmo"] == "@Lakeside-Group"
    # One meeting per day: the first day keeps the slug (favourites), the others get the day after it.
    early = [r for r in plan.rows if r.name == "Online Early Birds"]
    assert [(r.slug, r.rule.weekday) for r in early] == [
        ("%e2%80%8bonline-early-birds", 0),
        ("%e2%80%8bonline-early-birds-wed", 2),
        ("%e2%80%8bonline-early-birds-fri", 4),
    ]
    online = early[0]
    assert online.errors == [] and online.values["attendance"] == "online"
    assert online.values["city"] == "Chicago" and online.values["formatted_address"] is None
    assert online.values["types"] == ["12x12", "ASL", "ST"]
    assert online.values["notes"] == "Meeting ID 222\nPasscode: <none>"
    assert online.values["square"] == "$EarlyBirds"
    long_slug = (
        "downtown-closed-with-a-very-long-wordpress-slug-that-goes-on-and-on-past-sixty-four-characters"
    )
    closed = rows[long_slug]
    assert closed.errors == [] and closed.values["attendance"] == "in_person"
    assert closed.values["notes"] == "<none>"  # the notes as given; the closure is the TC type
    assert closed.values["types"] == ["C", "OUT", "TC"]
    zoom_for_now = rows["closed-zoom"]
    assert zoom_for_now.values["attendance"] == "online"
    # The link the group gave is kept as given, with a warning beside the row (not a problem).
    assert zoom_for_now.values["conference_url"] == "http://zoom.us/j/333"
    assert zoom_for_now.errors == []
    assert any("starts with http://" in str(w) for w in zoom_for_now.warnings)
    assert zoom_for_now.values["formatted_address"] == "7 Elm Street, Lakeside, NY 12345, USA"
    assert [str(p) for p in rows["nameless"].errors] == [
        "Name: missing (a meeting needs a name to be listed)."
    ]
    plugin_online = rows["plugin-online"]
    assert plugin_online.values["attendance"] == "online" and plugin_online.values["city"] == "Lakeside"
    assert plugin_online.values["region"] == "Lake County > Lakeside"
    assert any("Custom Thing" in str(w) for w in plugin_online.warnings)
    assert (
        dict(plan.columns)["regions"] == "region" and dict(plan.columns)["attendance_option"] == "attendance"
    )


def test_the_good_rows_import_and_keep_their_slugs_exactly(group):
    choices = importer.Choices(skip_bad=True)
    plan = importer.apply_import(group, "feed.json", FEED, actor=None, now=NOW, weeks=4, choices=choices)
    db.session.commit()
    assert plan.count("create") == 7 and plan.count("skip") == 1
    slugs = set(db.session.scalars(sa.select(Meeting.slug)))
    assert "4-d-Sunday-19:00" in slugs and "%e2%80%8bonline-early-birds-fri" in slugs
    assert any(len(slug) > 64 for slug in slugs) and "nameless" not in slugs
    hybrid = db.session.scalar(sa.select(Meeting).where(Meeting.slug == "4-d-Sunday-19:00"))
    assert hybrid.attendance == "hybrid" and hybrid.location == "St Mark's Hall"
    # The same file again: every meeting unchanged, none added.
    again = importer.plan_import(group, "feed.json", FEED, now=NOW, choices=choices)
    assert again.count("unchanged") == 7 and again.count("create") == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("no", False),
        (True, True),
        (False, False),
        ("true", True),
        ("0", False),
    ],
)
def test_approximate_is_read_as_yes_no_or_boolean(group, value, expected):
    record = {
        "name": "M",
        "slug": "m",
        "day": 1,
        "time": "19:00",
        "formatted_address": "Lakeside, NY, USA" if expected else "1 Main St, Lakeside, NY 12345, USA",
        "address": None,
        "approximate": value,
        "conference_url": "https://zoom.us/j/1",
    }
    plan = importer.plan_import(group, "f.json", json.dumps([record]), now=NOW)
    assert plan.rows[0].values["attendance"] == ("online" if expected else "hybrid")


def test_the_plugin_exports_in_other_languages_are_understood(group):
    plan = importer.plan_import(group, "export.csv", (DATA / "tsml_languages.csv").read_text(), now=NOW)
    assert plan.error_count == 0, [(r.number, [str(e) for e in r.errors]) for r in plan.rows]
    for row in plan.rows:
        assert row.rule.weekday == 0, row.slug  # Monday
        assert row.rule.start_time == time(19, 30), row.slug
        assert "O" in row.values["types"], row.slug
    rows = rows_by_slug(plan)
    assert rows["fr-lundi"].rule.duration_minutes == 60 and rows["de-montag"].rule.duration_minutes == 90
    assert rows["fr-lundi"].values["types"] == ["B", "O"] and rows["de-montag"].values["types"] == ["O", "SP"]
    assert rows["pt-segunda"].values["types"] == ["O", "ST"] and rows["en-monday"].values["types"] == [
        "O",
        "OUT",
    ]


@pytest.mark.parametrize(
    ("zone", "suggested"),
    [("EST", "America/New_York"), ("PST", "America/Los_Angeles"), ("GMT+5", None), ("Etc/GMT-2", None)],
)
def test_fixed_offset_zones_are_refused_with_the_zone_to_use(group, zone, suggested):
    record = {"name": "M", "slug": "m", "day": 1, "time": "19:00", "timezone": zone}
    record["formatted_address"] = "1 Main St, Lakeside, NY 12345, USA"
    plan = importer.plan_import(group, "f.json", json.dumps([record]), now=NOW)
    problems = " ".join(str(p) for p in plan.rows[0].errors)
    assert zone in problems and [p.kind for p in plan.rows[0].errors] == ["timezone"]
    if suggested:
        assert suggested in problems


def test_a_row_without_day_and_time_is_a_meeting_by_appointment(group):
    where = {"formatted_address": "1 Main St, Lakeside, NY 1, USA"}
    records = [
        {"name": "By appointment", "slug": "appt", **where},
        {"name": "Day only", "slug": "day-only", "day": 2, **where},
        {"name": "Time only", "slug": "time-only", "time": "19:00", **where},
    ]
    plan = importer.plan_import(group, "f.json", json.dumps(records), now=NOW)
    appt, day_only, time_only = plan.rows
    assert appt.errors == [] and appt.rule.recurrence == "appointment" and appt.rule.start_time is None
    # A day without a time (or a time without a day) is still a problem: half a schedule is a mistake.
    assert [p.kind for p in day_only.errors] == ["when"] and [p.kind for p in time_only.errors] == ["when"]
    importer.apply_import(group, "f.json", json.dumps(records[:1]), actor=None, now=NOW, weeks=4)
    db.session.commit()
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.slug == "appt"))
    assert meeting.latest_schedule.recurrence == "appointment"
    assert db.session.scalar(sa.select(sa.func.count()).where(Occurrence.meeting_id == meeting.id)) == 0
