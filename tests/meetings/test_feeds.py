"""The public feeds: Meeting Guide JSON (validated against the reference rules) and iCalendar (parsed
with icalendar and expanded with recurring-ical-events across daylight-saving changes)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa
import time_machine

from groupadmin.extensions import db
from groupadmin.meetings import services
from groupadmin.meetings.models import Occurrence
from tests import factories
from tests.conftest import NOW
from tests.meetings.feed_validator import problems

SECRET = "key under the blue flowerpot"


@pytest.fixture
def org(app):
    org = factories.organisation(slug="lakes", name="Lakes Intergroup")
    org.website_url, org.contact_email, org.phone = (
        "https://lakes.example.org",
        "info@lakes.example.org",
        "+1-555-0100",
    )
    db.session.commit()
    return org


def listing(org):
    aa = factories.group(org, "tuesday-group", name="Tuesday Group", fellowship="aa")
    na = factories.group(org, "harbour", name="Harbour Group", fellowship="na")
    hybrid = factories.meeting(
        aa,
        "Tuesday Night Big Book",
        slug="tuesday-big-book",
        attendance="hybrid",
        conference_url="https://zoom.us/j/123",
        conference_phone="+1 646 558 8656,,123#",
        types=["O", "B"],
        private_notes=SECRET,
        latitude=40.712776,
        longitude=-74.005974,
    )
    online = factories.meeting(
        na,
        "Sunday Online",
        slug="sunday-online",
        weekday=6,
        attendance="online",
        formatted_address=None,
        location=None,
        conference_url="https://meet.jit.si/sunday",
        city="Lakeside",
        state="NY",
        country="USA",
    )
    unlisted = factories.meeting(aa, "Business meeting", slug="business", listed=False)
    monthly = factories.meeting(
        aa, "First Sunday", slug="first-sunday", recurrence="monthly", weekday=6, month_week=1
    )
    paused = factories.meeting(aa, "Paused one", slug="paused-one")
    services.set_status(paused, "paused", actor=None, now=NOW, weeks=12)
    db.session.commit()
    return {"hybrid": hybrid, "online": online, "unlisted": unlisted, "monthly": monthly, "paused": paused}


def get_json(client, url="/feeds/lakes/meeting-guide.json", **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, headers=headers)


def test_meeting_guide_feed_is_valid_and_publishes_only_listed_weekly_meetings(client, org):
    meetings = listing(org)
    response = get_json(client)
    assert response.status_code == 200
    feed = response.get_json()
    assert problems(feed) == []
    assert sorted(m["slug"] for m in feed) == ["sunday-online", "tuesday-big-book"]
    assert SECRET not in response.get_data(as_text=True)
    hybrid = next(m for m in feed if m["slug"] == "tuesday-big-book")
    assert hybrid | {"updated": "x"} == hybrid | {
        "name": "Tuesday Night Big Book",
        "day": 2,
        "time": "19:00",
        "end_time": "20:00",
        "timezone": "America/New_York",
        "types": ["B", "O"],
        "group": "Tuesday Group",
        "formatted_address": "1 Main Street, Springfield, IL 62701, USA",
        "approximate": "no",
        "conference_url": "https://zoom.us/j/123",
        "conference_phone": "+16465588656,,123#",
        "latitude": 40.71278,
        "longitude": -74.00597,
        "entity": "Lakes Intergroup",
        "entity_email": "info@lakes.example.org",
        "entity_phone": "+1-555-0100",
        "entity_website_url": "https://lakes.example.org",
        "entity_url": "https://lakes.example.org",
        "updated": "x",
        "url": "http://localhost/meetings/lakes/tuesday-big-book",
    }
    online = next(m for m in feed if m["slug"] == "sunday-online")
    assert online["day"] == 0 and online["approximate"] == "yes"
    assert online["formatted_address"] == "Lakeside, NY, USA" and "location" not in online
    assert online["conference_url"] == "https://meet.jit.si/sunday"
    assert meetings["paused"].slug not in {m["slug"] for m in feed}


def test_feed_publishes_what_finders_read(client, org):
    """TSML UI reads `entity_url` and `city`, recognises a provider by a case-sensitive host, and reads
    `end_time` on the start's day."""
    group = factories.group(org, "night-owls", name="Night Owls")
    factories.meeting(
        group,
        "Late Night",
        slug="late-night",
        weekday=4,
        start="23:00",
        duration=90,
        formatted_address=None,
        address="12 Harbour Road",
        city="Lakeside",
        state="NY",
        postal_code="12345",
        country="USA",
    )
    factories.meeting(group, "Ten O'Clock", slug="ten", start="22:00", duration=60)
    factories.meeting(group, "Eleven O'Clock", slug="eleven", start="23:00", duration=60)
    shouting = factories.meeting(
        group,
        "Shouting Link",
        slug="shouting-link",
        attendance="online",
        formatted_address=None,
        location=None,
        city="Lakeside",
        conference_url="https://US02WEB.ZOOM.US/j/81234567?pwd=AbCd",
    )
    assert (
        shouting.conference_url == "https://us02web.zoom.us/j/81234567?pwd=AbCd"
    )  # saved as finders read it
    old = factories.meeting(
        group,
        "Old Link",
        slug="old-link",
        attendance="online",
        formatted_address=None,
        location=None,
        region="Harbour",
        conference_url="https://zoom.us/j/1",
    )
    old.conference_url = "HTTPS://Zoom.US/j/1?pwd=XyZ"  # saved before links were normalised
    db.session.commit()
    feed = {m["slug"]: m for m in get_json(client).get_json()}
    assert problems(list(feed.values())) == []
    late = feed["late-night"]
    assert late["entity_url"] == late["entity_website_url"] == "https://lakes.example.org"
    assert late["city"] == "Lakeside" and late["time"] == "23:00"
    assert "end_time" not in late  # "00:30" would end before the start; finders take their default
    assert feed["ten"]["end_time"] == "23:00" and "end_time" not in feed["eleven"]
    assert feed["shouting-link"]["conference_url"] == "https://us02web.zoom.us/j/81234567?pwd=AbCd"
    assert feed["shouting-link"]["city"] == "Lakeside"
    assert feed["old-link"]["conference_url"] == "https://zoom.us/j/1?pwd=XyZ"
    assert feed["old-link"]["formatted_address"] == "Harbour" and "city" not in feed["old-link"]


def test_feed_validator_catches_what_finders_misread():
    """The validator the feed tests rely on fails on each thing a finder drops or misreads."""
    good = {
        "name": "Late",
        "slug": "late",
        "day": 1,
        "time": "23:00",
        "formatted_address": "Lakeside, NY, USA",
        "approximate": "yes",
        "conference_url": "https://zoom.us/j/1",
        "types": [],
    }
    assert problems([good]) == []
    for change, complaint in [
        ({"end_time": "00:30"}, "end_time is not after time"),
        ({"conference_url": "https://US02WEB.ZOOM.US/j/1"}, "not one finders recognise"),
        ({"conference_phone": "+16465588656,,123#,,*456#"}, "characters finders drop"),
        ({"conference_phone": "+15550100"}, "shorter than 10"),
        ({"paypal": "Tuesday.Group"}, "paypal must be"),
        ({"venmo": "TuesdayGroup"}, "venmo must start with @"),
    ]:
        found = problems([good | change])
        assert any(complaint in p for p in found), (change, found)


def test_fellowship_filter(client, org):
    listing(org)
    feed = get_json(client, "/feeds/lakes/meeting-guide.json?fellowship=aa").get_json()
    assert [m["slug"] for m in feed] == ["tuesday-big-book"]
    assert get_json(client, "/feeds/lakes/meeting-guide.json?fellowship=xx").status_code == 400
    assert get_json(client, "/feeds/nowhere/meeting-guide.json").status_code == 404


def test_a_week_online_only_carries_tc(client, org):
    meetings = listing(org)
    next_tuesday = db.session.scalars(
        sa.select(Occurrence)
        .where(Occurrence.meeting_id == meetings["hybrid"].id)
        .order_by(Occurrence.starts_at)
    ).first()
    services.update_occurrence(
        next_tuesday,
        actor=None,
        now=NOW,
        cancelled=False,
        online_only=True,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    db.session.commit()
    feed = get_json(client).get_json()
    assert problems(feed) == []
    hybrid = next(m for m in feed if m["slug"] == "tuesday-big-book")
    assert "TC" in hybrid["types"] and "Online only on 2026-11-24." in hybrid["notes"]
    # Two weeks on, that week is past: TC is gone.
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        later = client.get("/feeds/lakes/meeting-guide.json").get_json()
    assert "TC" not in next(m for m in later if m["slug"] == "tuesday-big-book")["types"]


def test_feed_caching_headers_and_304(client, org):
    meetings = listing(org)
    first = get_json(client)
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get_json(client, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert get_json(client, **{"If-Modified-Since": modified}).status_code == 304
    # Any change a feed shows gives a new ETag: the meeting, a date, the group's name.
    services.update_meeting(
        meetings["hybrid"],
        actor=None,
        now=NOW + timedelta(minutes=1),
        values={"conference_url": "https://zoom.us/j/999"},
    )
    db.session.commit()
    changed = get_json(client, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    etag = changed.headers["ETag"]
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        meetings["hybrid"].group.name = "Renamed Group"
        db.session.commit()
    renamed = get_json(client, **{"If-None-Match": etag})
    assert renamed.status_code == 200 and "Renamed Group" in renamed.get_data(as_text=True)


def test_feed_round_trips_through_our_import(client, org):
    listing(org)
    original = get_json(client).get_json()
    other_org = factories.organisation(slug="elsewhere")
    other_org.website_url, other_org.contact_email, other_org.phone = (
        org.website_url,
        org.contact_email,
        org.phone,
    )
    other_org.name = org.name
    target = factories.group(other_org, "target", name="Tuesday Group")
    from groupadmin.meetings import importer

    plan = importer.apply_import(target, "feed.json", json.dumps(original), actor=None, now=NOW, weeks=12)
    db.session.commit()
    assert plan.count("create") == 2
    again = get_json(client, "/feeds/elsewhere/meeting-guide.json").get_json()
    volatile = {"updated", "url", "edit_url", "group"}
    assert [{k: v for k, v in m.items() if k not in volatile} for m in again] == [
        {k: v for k, v in m.items() if k not in volatile} for m in original
    ]


def test_feed_query_count_does_not_grow_with_meetings(client, org, count_queries):
    group = factories.group(org, "big")
    for _ in range(10):
        factories.meeting(group, weeks=1)
    with count_queries() as small:
        assert get_json(client).status_code == 200
    with count_queries() as small_ics:
        assert client.get("/feeds/lakes/meetings.ics").status_code == 200
    for _ in range(490):
        factories.meeting(group, weeks=1)
    with count_queries() as large:
        assert len(get_json(client).get_json()) == 500
    with count_queries() as large_ics:
        assert client.get("/feeds/lakes/meetings.ics").status_code == 200
    assert small.count == large.count
    assert small_ics.count == large_ics.count


# ---------------------------------------------------------------------------------------------------
# iCalendar


def expand(body: bytes, start: date, end: date) -> list:
    calendar = icalendar.Calendar.from_ical(body)
    return sorted(
        recurring_ical_events.of(calendar).between(start, end), key=lambda event: event["DTSTART"].dt
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("zone", "dst_end", "dst_start"),
    [
        ("America/New_York", date(2026, 11, 1), date(2027, 3, 14)),
        ("Europe/London", date(2026, 10, 25), date(2027, 3, 28)),
    ],
)
def test_ics_gives_the_right_local_times_across_both_dst_changes(client, zone, dst_end, dst_start):
    org = factories.organisation(slug="dst")
    org.timezone = zone
    group = factories.group(org, "dst-group", name="Evening Group")
    group.timezone = zone
    db.session.commit()
    created = datetime(2026, 9, 1, 12, tzinfo=UTC)
    factories.meeting(group, "Evening", weekday=1, start="19:00", now=created, weeks=40)
    factories.meeting(
        group, "Business", recurrence="monthly", weekday=6, month_week=1, start="11:00", now=created, weeks=40
    )
    with time_machine.travel(created, tick=False):
        response = client.get("/feeds/dst/meetings.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = expand(response.data, date(2026, 9, 1), date(2027, 5, 1))
    tz = ZoneInfo(zone)
    weekly = [e for e in events if str(e["SUMMARY"]) == "Evening"]
    monthly = [e for e in events if str(e["SUMMARY"]) == "Business"]
    assert len(weekly) == 35 and len(monthly) == 8
    for event in weekly:
        local = event["DTSTART"].dt.astimezone(tz)
        assert (local.weekday(), local.time()) == (1, time(19, 0))
        assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(hours=1)
    for event in monthly:
        local = event["DTSTART"].dt.astimezone(tz)
        assert local.weekday() == 6 and local.day <= 7 and local.time() == time(11, 0)
    offsets = {e["DTSTART"].dt.astimezone(UTC).time() for e in weekly}
    assert len(offsets) == 2  # the same wall-clock time is two UTC times across the year
    before = next(e for e in weekly if e["DTSTART"].dt.date() < dst_end)
    after = next(e for e in weekly if dst_end < e["DTSTART"].dt.date() < dst_start)
    spring = next(e for e in weekly if e["DTSTART"].dt.date() > dst_start)
    assert (
        before["DTSTART"].dt.utcoffset()
        != after["DTSTART"].dt.utcoffset()
        == (datetime.combine(after["DTSTART"].dt.date(), time(19), tz).utcoffset())
    )
    assert spring["DTSTART"].dt.utcoffset() == before["DTSTART"].dt.utcoffset()


def test_ics_excludes_cancelled_dates_and_overrides_changed_ones(client, org):
    meetings = listing(org)
    first, second, third = db.session.scalars(
        sa.select(Occurrence)
        .where(Occurrence.meeting_id == meetings["hybrid"].id)
        .order_by(Occurrence.starts_at)
    ).all()[:3]
    services.update_occurrence(
        first,
        actor=None,
        now=NOW,
        cancelled=True,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note="Thanksgiving",
    )
    services.update_occurrence(
        second,
        actor=None,
        now=NOW,
        cancelled=False,
        online_only=False,
        venue_location="Library",
        venue_address="2 Elm Street, Springfield",
        note=None,
    )
    services.update_occurrence(
        third,
        actor=None,
        now=NOW,
        cancelled=False,
        online_only=True,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        body = client.get("/feeds/lakes/tuesday-group/meetings.ics").data
    assert SECRET.encode() not in body
    events = [
        e
        for e in expand(body, date(2026, 11, 21), date(2027, 1, 1))
        if str(e["SUMMARY"]) == "Tuesday Night Big Book"
    ]
    dates = [e["DTSTART"].dt.date() for e in events]
    assert first.local_date not in dates and second.local_date in dates
    by_date = {e["DTSTART"].dt.date(): e for e in events}
    assert "Library" in str(by_date[second.local_date]["LOCATION"])
    assert str(by_date[third.local_date]["LOCATION"]) == "https://zoom.us/j/123"
    assert "St" not in str(by_date[third.local_date]["LOCATION"])
    # Stable UIDs: the same meeting's events share one.
    assert len({str(e["UID"]) for e in events}) == 1
    calendar = icalendar.Calendar.from_ical(body)
    assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries == {"Tuesday Night Big Book", "First Sunday"}  # unlisted and paused ones are absent
    assert get_json(client, "/feeds/lakes/harbour-na/meetings.ics").status_code == 404
    assert get_json(client, "/feeds/elsewhere/tuesday-group/meetings.ics").status_code == 404


def test_ics_titles_follow_the_discretion_rule(client, org):
    listing(org)
    body = get_json(client, "/feeds/lakes/meetings.ics").get_data(as_text=True)
    assert "SUMMARY:Tuesday Night Big Book\r\n" in body and "(AA)" not in body
    group = factories.group(org, "open-group", name="Open Group", fellowship="aa")
    group.mail_naming = "fellowship"
    factories.meeting(group, "Open Speaker")
    db.session.commit()
    body = get_json(client, "/feeds/lakes/meetings.ics").get_data(as_text=True)
    assert "SUMMARY:Open Speaker (AA)" in body


def test_a_schedule_change_ends_one_series_and_starts_another(client, org):
    meetings = listing(org)
    from groupadmin.meetings.schedule import Rule

    services.change_schedule(
        meetings["hybrid"],
        Rule("weekly", 2, None, None, time(19, 30), 60, "America/New_York"),
        date(2027, 1, 1),
        actor=None,
        now=NOW,
        weeks=12,
    )
    db.session.commit()
    body = get_json(client, "/feeds/lakes/meetings.ics").data
    events = [
        e
        for e in expand(body, date(2026, 11, 21), date(2027, 2, 1))
        if str(e["SUMMARY"]) == "Tuesday Night Big Book"
    ]
    tz = ZoneInfo("America/New_York")
    assert all(
        e["DTSTART"].dt.astimezone(tz).weekday() == 1
        for e in events
        if e["DTSTART"].dt.date() < date(2027, 1, 1)
    )
    later = [e for e in events if e["DTSTART"].dt.date() >= date(2027, 1, 1)]
    assert later and all(e["DTSTART"].dt.astimezone(tz).weekday() == 2 for e in later)
    assert all(e["DTSTART"].dt.astimezone(tz).time() == time(19, 30) for e in later)


def test_ics_and_our_dates_agree_on_a_time_in_a_daylight_saving_gap(client):
    """02:30 on the night New York's clocks jump from 02:00 to 03:00 is 03:30 EDT, in our occurrences and
    in calendar apps (RFC 5545), so the feed and the pages never disagree."""
    org = factories.organisation(slug="owls")
    group = factories.group(org, "owls", name="Night Owls")
    created = datetime(2027, 2, 20, 12, tzinfo=UTC)
    meeting = factories.meeting(group, "Night Owls", weekday=6, start="02:30", now=created, weeks=6)
    ours = db.session.scalar(
        sa.select(Occurrence.starts_at).where(
            Occurrence.meeting_id == meeting.id, Occurrence.local_date == date(2027, 3, 14)
        )
    )
    assert ours.replace(tzinfo=UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    with time_machine.travel(created, tick=False):
        response = client.get("/feeds/owls/meetings.ics")
    events = expand(response.data, date(2027, 3, 1), date(2027, 4, 1))
    starts = {e["DTSTART"].dt.date(): e["DTSTART"].dt.astimezone(UTC) for e in events}
    assert starts[date(2027, 3, 14)] == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert starts[date(2027, 3, 7)] == datetime(2027, 3, 7, 7, 30, tzinfo=UTC)  # 02:30 EST
    assert starts[date(2027, 3, 21)] == datetime(2027, 3, 21, 6, 30, tzinfo=UTC)  # 02:30 EDT


# Weekly Tuesday 19:00 meetings, on the Tuesdays either side of each daylight-saving switch of
# 2026-2027, and in 2045 (beyond the 2038 where our zones used to stop): local date → UTC start.
SWITCH_TUESDAYS = {
    "America/New_York": {  # clocks back on 1 November, forward on 14 March
        date(2026, 10, 27): datetime(2026, 10, 27, 23, tzinfo=UTC),
        date(2026, 11, 3): datetime(2026, 11, 4, 0, tzinfo=UTC),
        date(2027, 3, 9): datetime(2027, 3, 10, 0, tzinfo=UTC),
        date(2027, 3, 16): datetime(2027, 3, 16, 23, tzinfo=UTC),
        date(2045, 3, 7): datetime(2045, 3, 8, 0, tzinfo=UTC),
        date(2045, 3, 14): datetime(2045, 3, 14, 23, tzinfo=UTC),
    },
    "Europe/London": {  # clocks back on 25 October, forward on 28 March
        date(2026, 10, 20): datetime(2026, 10, 20, 18, tzinfo=UTC),
        date(2026, 10, 27): datetime(2026, 10, 27, 19, tzinfo=UTC),
        date(2027, 3, 23): datetime(2027, 3, 23, 19, tzinfo=UTC),
        date(2027, 3, 30): datetime(2027, 3, 30, 18, tzinfo=UTC),
        date(2045, 3, 21): datetime(2045, 3, 21, 19, tzinfo=UTC),
        date(2045, 3, 28): datetime(2045, 3, 28, 18, tzinfo=UTC),
    },
}


def test_two_independent_parsers_read_our_calendar_the_same_across_both_dst_switches(client):
    """icalendar + recurring-ical-events (zones by TZID from their own database) and ical.js (zones
    only from our VTIMEZONEs) give a weekly 19:00 meeting at 19:00 local on both sides of the March
    and November switches in New York and London, now and beyond 2038."""
    from tests import ical_js

    org = factories.organisation(slug="two-zones")
    created = datetime(2026, 9, 1, 12, tzinfo=UTC)
    for zone, slug in (("America/New_York", "new-york"), ("Europe/London", "london")):
        group = factories.group(org, slug, name=f"Group {slug}")
        group.timezone = zone
        db.session.commit()
        factories.meeting(group, f"Evening {slug}", weekday=1, start="19:00", now=created, weeks=40)
    with time_machine.travel(created, tick=False):
        body = client.get("/feeds/two-zones/meetings.ics").data
    text = body.decode()
    assert "RRULE:FREQ=YEARLY" in text and not any(
        line.startswith("RDATE") and "," in line for line in text.splitlines()
    )
    for start, end in ((date(2026, 9, 1), date(2027, 5, 1)), (date(2045, 1, 1), date(2045, 5, 1))):
        python = expand(body, start, end)
        javascript = ical_js.expand(body, start, end)
        assert len(javascript) == len(python) > 0
        assert sorted(e["utc"] for e in javascript) == sorted(
            e["DTSTART"].dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z") for e in python
        )
        for event in javascript:
            assert event["local"].endswith("T19:00:00"), event
    for zone, tuesdays in SWITCH_TUESDAYS.items():
        slug = "new-york" if zone.startswith("America") else "london"
        for day, utc_start in tuesdays.items():
            window = (day, day + timedelta(days=1))
            [python] = [e for e in expand(body, *window) if str(e["SUMMARY"]) == f"Evening {slug}"]
            [javascript] = [e for e in ical_js.expand(body, *window) if e["summary"] == f"Evening {slug}"]
            assert python["DTSTART"].dt.astimezone(UTC) == utc_start, (zone, day)
            assert python["DTSTART"].dt.astimezone(ZoneInfo(zone)).time() == time(19)
            assert javascript["utc"] == utc_start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), (zone, day)
            assert javascript["local"] == f"{day.isoformat()}T19:00:00" and javascript["zone"] == zone


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",
        "America/Los_Angeles",
        "America/Sao_Paulo",
        "Europe/London",
        "Europe/Dublin",
        "Europe/Berlin",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Pacific/Auckland",
        "America/Nuuk",
        "Asia/Jerusalem",
        "Asia/Tokyo",
        "Asia/Kolkata",
    ],
)
def test_our_vtimezones_give_the_zones_offsets_from_2000_to_2100(zone):
    """Read as a client without a zone database reads them (icalendar told not to look the TZID up),
    our VTIMEZONEs give zoneinfo's offset either side of every transition from 2000 to 2060, and each
    month of 2045, 2070 and 2100."""
    from icalendar import Timezone

    from groupadmin.ical import vtimezone, zone_transitions

    ours = Timezone.from_ical(vtimezone(zone).to_ical()).to_tz(lookup_tzid=False)
    real = ZoneInfo(zone)
    instants = [datetime(y, m, 15, 12, tzinfo=UTC) for y in (2045, 2070, 2100) for m in range(1, 13)]
    for change in zone_transitions(zone, datetime(2000, 1, 2, tzinfo=UTC), datetime(2060, 1, 1, tzinfo=UTC)):
        instants += [change.at - timedelta(hours=3), change.at + timedelta(hours=3)]
    for instant in instants:
        local = instant.astimezone(real)
        assert local.replace(tzinfo=None).replace(tzinfo=ours).utcoffset() == local.utcoffset(), instant


def test_a_rebuilt_calendar_shows_the_change_and_equals_a_build_from_scratch(client, org):
    """The iCalendar feed keeps each event's text for the next build: a rebuild after one meeting's
    change shows it and is byte for byte what a build from scratch writes."""
    from groupadmin import ical
    from groupadmin.meetings import views

    meetings = listing(org)
    before = get_json(client, "/feeds/lakes/meetings.ics").data
    services.update_meeting(
        meetings["hybrid"], actor=None, now=NOW + timedelta(minutes=1), values={"location": "Crypt"}
    )
    db.session.commit()
    rebuilt = get_json(client, "/feeds/lakes/meetings.ics").data
    assert b"Crypt" in rebuilt and b"Crypt" not in before
    views._BODY_CACHE.clear()
    ical._cached_event.cache_clear()
    assert get_json(client, "/feeds/lakes/meetings.ics").data == rebuilt


def test_a_groups_calendar_answers_like_a_missing_one_until_it_lists_a_meeting(client):
    """Whether a group exists is not public: only a group that lists a meeting has a public calendar."""
    org = factories.organisation(slug="quiet")
    group = factories.group(org, "quiet-group", name="Quiet Group")
    business = factories.meeting(group, "Business meeting", listed=False)
    missing = client.get("/feeds/quiet/no-such-group/meetings.ics")
    unlisted = client.get("/feeds/quiet/quiet-group/meetings.ics")
    assert missing.status_code == unlisted.status_code == 404
    assert "Quiet Group" not in unlisted.text and unlisted.text == missing.text
    business.listed = True
    db.session.commit()
    listed = client.get("/feeds/quiet/quiet-group/meetings.ics")
    assert listed.status_code == 200 and "Business meeting" in listed.text
