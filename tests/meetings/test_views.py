"""The meetings pages: permissions for every route, forms with messages beside their fields, the
schedule-change preview, per-date changes, pausing, listing-change notices and query counts."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence
from tests import factories
from tests.conftest import NOW, login


@pytest.fixture
def setup(app):
    org = factories.organisation(slug="lakes")
    group = factories.group(org, "tuesday-group", name="Tuesday Group")
    other = factories.group(org, "other-group", name="Other Group")
    people = {
        "secretary": factories.member(group, "secretary", email="sec@example.org"),
        "leader": factories.member(group, "leader", email="leader@example.org"),
        "sponsor": factories.member(group, "sponsor", email="sponsor@example.org"),
        "co_secretary": factories.member(group, "secretary", email="co@example.org"),
        "admin": factories.org_member(org, "admin", email="admin@example.org"),
        "outsider": factories.member(other, "secretary", email="out@example.org"),
    }
    meeting = factories.meeting(group, "Tuesday Night", slug="tuesday-night", private_notes="Key in the box")
    theirs = factories.meeting(other, "Their Meeting", slug="theirs")
    return SimpleNamespace(org=org, group=group, other=other, meeting=meeting, theirs=theirs, **people)


def fresh() -> None:
    """Requests run in their own session: end the test's transaction to see what they committed."""
    db.session.rollback()


def form_data(**overrides) -> dict:
    data = {
        "name": "Friday Speaker",
        "recurrence": "weekly",
        "weekday": "4",
        "month_week": "None",
        "on_date": "",
        "start_time": "20:00",
        "duration_minutes": "60",
        "timezone": "America/New_York",
        "listed": "y",
        "attendance": "in_person",
        "location": "Hall",
        "formatted_address": "1 Main Street, Springfield, IL 62701, USA",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_routes_for_each_role(client, setup):
    m, theirs = setup.meeting, setup.theirs
    fresh()
    occ = db.session.scalars(sa.select(Occurrence).where(Occurrence.meeting_id == m.id)).first()
    base = f"/groups/tuesday-group/meetings/{m.id}"
    views = ["/groups/tuesday-group/meetings/", f"{base}/", f"{base}/past"]
    manage = [
        "/groups/tuesday-group/meetings/new",
        f"{base}/edit",
        f"{base}/status?to=paused",
        f"{base}/dates/{occ.id}",
        "/groups/tuesday-group/meetings/import",
    ]
    posts = [f"{base}/status", "/groups/tuesday-group/meetings/import/apply"]
    expected = {"secretary": 200, "co_secretary": 200, "admin": 200, "leader": 403, "sponsor": 403}
    for role, code in expected.items():
        client.post("/logout")
        login(client, f"{getattr(setup, role).email}")
        for url in views:
            assert client.get(url).status_code == 200, (role, url)
        for url in manage:
            assert client.get(url).status_code == code, (role, url)
        if code == 403:
            for url in posts:
                assert client.post(url, data={"status": "paused"}).status_code == 403, (role, url)
    client.post("/logout")
    login(client, "out@example.org")
    for url in views + manage:
        assert client.get(url).status_code == 404, url
    # Another group's meeting and dates under one's own group's address: 404.
    client.post("/logout")
    login(client, "sec@example.org")
    fresh()
    their_occ = db.session.scalars(sa.select(Occurrence).where(Occurrence.meeting_id == theirs.id)).first()
    for url in (
        f"/groups/tuesday-group/meetings/{theirs.id}/",
        f"/groups/tuesday-group/meetings/{theirs.id}/edit",
        f"{base}/dates/{their_occ.id}",
        f"/groups/tuesday-group/meetings/{theirs.id}/dates/{their_occ.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/groups/tuesday-group/meetings/{theirs.id}/status", data={"status": "paused"}
        ).status_code
        == 404
    )


def test_private_notes_show_to_trusted_servants_only(client, setup):
    """Private notes (passcodes, key-holder instructions) are for the group.leader rule: secretaries and
    leaders. A sponsor or an organisation's admin sees the meeting but never the notes, on any page."""
    m = setup.meeting
    fresh()
    occ = db.session.scalars(sa.select(Occurrence).where(Occurrence.meeting_id == m.id)).first()
    base = f"/groups/tuesday-group/meetings/{m.id}"
    for email in ("sec@example.org", "leader@example.org"):
        client.post("/logout")
        login(client, email)
        page = client.get(f"{base}/").get_data(as_text=True)
        assert "Private notes" in page and "Key in the box" in page, email
    client.post("/logout")
    login(client, "sponsor@example.org")
    for url in (f"{base}/", f"{base}/past", "/groups/tuesday-group/meetings/", "/groups/tuesday-group/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Key in the box" not in html and "Private notes" not in html, url
    # The organisation's admin manages the meeting but is not one of the group's trusted servants.
    client.post("/logout")
    login(client, "admin@example.org")
    for url in (f"{base}/", f"{base}/edit", f"{base}/dates/{occ.id}", "/groups/tuesday-group/meetings/new"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Key in the box" not in html and 'name="private_notes"' not in html, url
    # Saving the form without the field keeps the notes, and a forged field changes nothing.
    data = form_data(
        name="Tuesday Night",
        weekday="1",
        start_time="19:00",
        effective_from="2026-11-21",
        location="Church hall",
        private_notes="Changed by someone who cannot read them",
    )
    assert client.post(f"{base}/edit", data=data).status_code == 302
    fresh()
    assert db.session.get(Meeting, m.id).private_notes == "Key in the box"
    client.post("/logout")
    page = client.get("/meetings/lakes/tuesday-night")
    assert page.status_code == 200 and "Key in the box" not in page.get_data(as_text=True)


def test_create_validates_beside_each_field_and_keeps_what_was_typed(client, setup):
    login(client, "sec@example.org")
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(
            attendance="hybrid",
            conference_url="zoom.us/j/1",
            start_time="25:61",
            formatted_address="",
            venmo="TuesdayGroup",
            latitude="91",
            longitude="10",
        ),
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    for field, message in [
        ("conference_url", "Use a full https:// link"),
        ("start_time", "Not a valid time"),
        ("formatted_address", "needs an address"),
        ("venmo", "A Venmo handle is @"),
    ]:
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html), field
    assert 'value="Friday Speaker"' in html and 'value="zoom.us/j/1"' in html
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 2
    page = client.post(
        "/groups/tuesday-group/meetings/new", data=form_data(recurrence="monthly", month_week="None")
    )
    assert page.status_code == 422 and "Choose which week of the month." in page.get_data(as_text=True)


def test_create_a_hybrid_meeting_generates_its_dates(client, setup):
    login(client, "sec@example.org")
    response = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(
            attendance="hybrid",
            conference_url="https://example.com/room",
            types=["O", "SP"],
        ),
    )
    assert response.status_code == 302
    fresh()
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.name == "Friday Speaker"))
    assert meeting.slug == "friday-speaker" and meeting.types == ["O", "SP"]
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).where(Occurrence.meeting_id == meeting.id)) > 10
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "may show this meeting as inactive" in page  # example.com is not a known provider
    # The slug stays when the name changes.
    data = form_data(
        name="Friday Night Speaker",
        attendance="hybrid",
        conference_url="https://zoom.us/j/5",
        effective_from="2026-11-21",
    )
    assert client.post(f"/groups/tuesday-group/meetings/{meeting.id}/edit", data=data).status_code == 302
    fresh()
    assert db.session.get(Meeting, meeting.id).slug == "friday-speaker"


def test_schedule_change_shows_the_dates_before_saving(client, setup):
    m = setup.meeting
    login(client, "sec@example.org")
    url = f"/groups/tuesday-group/meetings/{m.id}/edit"
    data = form_data(
        name="Tuesday Night",
        weekday="2",
        start_time="19:00",
        effective_from="2027-01-01",
        timezone=setup.group.timezone,
    )
    page = client.post(url, data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check the dates before saving" in html
    assert "These dates will be removed" in html and "These dates will be added" in html
    fresh()
    assert len(db.session.get(Meeting, m.id).schedules) == 1  # nothing saved yet
    token = re.search(r'name="schedule_token" type="hidden" value="([^"]+)"', html).group(1)
    saved = client.post(url, data={**data, "schedule_token": token})
    assert saved.status_code == 302
    fresh()
    meeting = db.session.get(Meeting, m.id)
    assert [s.effective_from for s in meeting.schedules][-1] == date(2027, 1, 1)
    fresh()
    dates = db.session.scalars(sa.select(Occurrence.local_date).where(Occurrence.meeting_id == m.id)).all()
    assert all(d.weekday() == (1 if d < date(2027, 1, 1) else 2) for d in dates)
    # A date in the past is refused beside the field.
    page = client.post(url, data={**data, "weekday": "3", "effective_from": "2026-01-01"})
    assert page.status_code == 422 and 'id="effective_from-error"' in page.get_data(as_text=True)


def test_change_one_date_and_pause(client, setup):
    m = setup.meeting
    fresh()
    occ = db.session.scalars(
        sa.select(Occurrence).where(Occurrence.meeting_id == m.id).order_by(Occurrence.starts_at)
    ).first()
    login(client, "sec@example.org")
    url = f"/groups/tuesday-group/meetings/{m.id}/dates/{occ.id}"
    page = client.post(url, data={"online_only": "y"})
    assert page.status_code == 422 and "Add a conference link" in page.get_data(as_text=True)
    assert client.post(url, data={"cancelled": "y", "note": "Thanksgiving"}).status_code == 302
    fresh()
    occ = db.session.get(Occurrence, occ.id)
    assert occ.status == "cancelled" and occ.note == "Thanksgiving"
    public = client.get("/meetings/lakes/tuesday-night").get_data(as_text=True)
    assert "Thanksgiving" in public and "cancelled" in public
    confirm = client.get(f"/groups/tuesday-group/meetings/{m.id}/status?to=paused")
    assert "Pause Tuesday Night?" in confirm.get_data(as_text=True)
    fresh()
    assert db.session.get(Meeting, m.id).status == "active"
    assert (
        client.post(f"/groups/tuesday-group/meetings/{m.id}/status", data={"status": "paused"}).status_code
        == 302
    )
    fresh()
    assert db.session.get(Meeting, m.id).status == "paused"
    assert "Tuesday Night" not in client.get("/meetings/lakes").get_data(as_text=True)


def test_listing_changes_are_audited_and_mailed_to_other_secretaries_and_admins(client, setup):
    m = setup.meeting
    login(client, "sec@example.org")
    data = form_data(
        name="Tuesday Night",
        weekday="1",
        start_time="19:00",
        timezone=setup.group.timezone,
        attendance="hybrid",
        conference_url="https://zoom.us/j/666",
        effective_from="2026-11-21",
        location="Church hall",
    )
    assert client.post(f"/groups/tuesday-group/meetings/{m.id}/edit", data=data).status_code == 302
    fresh()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meeting.listing_changed"))
    assert event.details == {"fields": ["conference_url"]} and event.actor_id == setup.secretary.id
    fresh()
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted(msg.recipient for msg in messages) == ["admin@example.org", "co@example.org"]
    assert all(msg.idempotency_key.startswith(f"listing-change:{event.id}:") for msg in messages)
    assert "https://zoom.us/j/666" in messages[0].text_body and "Tuesday Group" in messages[0].subject
    # Notes are not watched; an unlisted meeting's changes are not mailed.
    before = len(messages)
    client.post(f"/groups/tuesday-group/meetings/{m.id}/edit", data={**data, "notes": "Bring a friend"})
    unlisted = {k: v for k, v in data.items() if k != "listed"}
    client.post(f"/groups/tuesday-group/meetings/{m.id}/edit", data=unlisted)
    client.post(
        f"/groups/tuesday-group/meetings/{m.id}/edit",
        data={**unlisted, "conference_url": "https://zoom.us/j/7"},
    )
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before


def test_public_page_filters_and_links(client, setup):
    group = setup.group
    factories.meeting(
        group,
        "Online Thursday",
        weekday=3,
        attendance="online",
        formatted_address=None,
        conference_url="https://zoom.us/j/1",
        types=["O"],
    )
    factories.meeting(group, "Business", listed=False)
    page = client.get("/meetings/lakes").get_data(as_text=True)
    assert "Online Thursday" in page and "Tuesday Night" in page and "Business" not in page
    assert '<link rel="alternate" type="application/json"' in page
    assert "America/New York" in page  # times are shown with their zone
    only = client.get("/meetings/lakes?day=3&attendance=online&type=O").get_data(as_text=True)
    assert "Online Thursday" in only and "Tuesday Night" not in only
    odd = client.get("/meetings/lakes?day=nine&type=<script>&page=-4")
    assert odd.status_code == 200 and "<script>" not in odd.get_data(as_text=True)
    assert client.get("/meetings/nowhere").status_code == 404
    assert client.get("/meetings/lakes/no-such-meeting").status_code == 404


@pytest.mark.parametrize("url", ["/meetings/lakes", "/groups/tuesday-group/meetings/"])
def test_query_count_does_not_grow_with_meetings(client, setup, count_queries, url):
    group = setup.group
    login(client, "sec@example.org")
    for _ in range(9):
        factories.meeting(group, weeks=1)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for _ in range(490):
        factories.meeting(group, weeks=1)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert small.count == large.count


# ---------------------------------------------------------------------------------------------------
# Times that do not exist, and one-off meetings in the past (NOW is 13:00 on 21 November 2026 in New York)


def test_a_one_off_in_a_daylight_saving_gap_is_refused_beside_the_time(client, setup):
    login(client, "sec@example.org")
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(recurrence="once", weekday="None", on_date="2027-03-14", start_time="02:30"),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert re.search(
        r'id="start_time-error">[^<]*02:30 does not exist on 2027-03-14 in America/New York', html
    )
    assert "e.g. 03:30" in html
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 2
    # The same time on a date without a change of the clocks is fine.
    saved = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(recurrence="once", weekday="None", on_date="2027-03-21", start_time="02:30"),
        follow_redirects=True,
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "The meeting is saved for March 21, 2027." in html
    assert "its dates for the coming weeks are set" not in html


@pytest.mark.parametrize(
    ("on_date", "start_time", "field", "message"),
    [
        ("2020-01-01", "19:00", "on_date", "That date has passed"),
        ("2026-11-21", "12:00", "start_time", "That time has passed today"),
    ],
)
def test_a_new_one_off_in_the_past_is_refused(client, setup, on_date, start_time, field, message):
    login(client, "sec@example.org")
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(recurrence="once", weekday="None", on_date=on_date, start_time=start_time),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{message}', html)
    assert "are set" not in html
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 2


def test_changing_to_a_one_off_in_the_past_is_refused(client, setup):
    m = setup.meeting
    login(client, "sec@example.org")
    data = form_data(
        name="Tuesday Night",
        recurrence="once",
        weekday="None",
        on_date="2026-11-21",
        start_time="09:00",
        effective_from="2026-11-21",
        location="Church hall",
    )
    page = client.post(f"/groups/tuesday-group/meetings/{m.id}/edit", data=data)
    assert page.status_code == 422
    assert re.search(r'id="start_time-error">[^<]*That time has passed today', page.get_data(as_text=True))


def test_a_weekly_time_in_a_gap_is_saved_with_a_warning_of_the_shifted_date(client, setup):
    login(client, "sec@example.org")
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(name="Night Owls", weekday="6", start_time="02:30"),
        follow_redirects=True,
    )
    html = page.get_data(as_text=True).replace("\u202f", " ")  # Babel's narrow space before AM/PM
    assert page.status_code == 200
    assert (
        "On March 14, 2027 the clocks go forward over 2:30 AM in America/New York, so that day the "
        "meeting starts at 3:30 AM (as calendar apps show it)." in html
    )
    # A time that always exists gets no warning.
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(name="Early Birds", weekday="6", start_time="07:00"),
        follow_redirects=True,
    )
    assert "the clocks go forward" not in page.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------------
# Wording


def test_date_page_goes_back_to_the_meeting_and_names_the_group(client, setup):
    m = setup.meeting
    fresh()
    occ = db.session.scalars(sa.select(Occurrence).where(Occurrence.meeting_id == m.id)).first()
    login(client, "sec@example.org")
    html = client.get(f"/groups/tuesday-group/meetings/{m.id}/dates/{occ.id}").get_data(as_text=True)
    breadcrumb = re.search(r'<p class="breadcrumb">(.*?)</p>', html, re.S).group(1)
    assert 'href="/groups/tuesday-group/">Tuesday Group</a>' in breadcrumb
    assert "Meetings" in breadcrumb and "Tuesday Night" in breadcrumb
    assert f'href="/groups/tuesday-group/meetings/{m.id}/">Back to the meeting</a>' in html
    assert ">Cancel</a>" not in html  # never beside the "Cancelled on this date" box


def test_group_page_offers_date_changes_only_to_those_who_can_make_them(client, setup):
    promise = "cancel a date, move it online for a week"
    for email, offered in [
        ("sec@example.org", True),
        ("admin@example.org", True),
        ("leader@example.org", False),
        ("sponsor@example.org", False),
    ]:
        client.post("/logout")
        login(client, email)
        html = client.get("/groups/tuesday-group/").get_data(as_text=True)
        assert (promise in html) is offered, email
        assert "The group's meetings and their coming dates" in html, email


def test_public_type_filter_offers_only_the_types_of_listed_meetings(client, setup):
    group = setup.group
    factories.meeting(group, "Speaker", slug="speaker", types=["SP", "O"])
    factories.meeting(group, "Business", slug="business", listed=False, types=["C"])
    paused = factories.meeting(group, "Paused", slug="paused", types=["LGBTQ"])
    from groupadmin.meetings import services

    services.set_status(paused, "paused", actor=None, now=NOW, weeks=12)
    db.session.commit()
    html = client.get("/meetings/lakes").get_data(as_text=True)
    select = re.search(r'<select id="type" name="type">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option[^>]*value="([^"]*)"', select) == ["", "O", "SP"]  # sorted by name
    # A code from an old link stays chosen (and finds nothing) rather than being silently dropped.
    html = client.get("/meetings/lakes?type=C").get_data(as_text=True)
    select = re.search(r'<select id="type" name="type">(.*?)</select>', html, re.S).group(1)
    assert 'selected value="C"' in select or 'value="C" selected' in select
    assert "No meeting matches these filters." in html and "Business" not in html


def test_the_form_and_the_import_accept_the_same_phones_and_handles(client, setup):
    """The form's own example number (with spaces) is accepted by both; what finders drop or hide is
    refused by both, with the reason beside the field."""
    from groupadmin.meetings import importer

    login(client, "sec@example.org")
    cases = [
        ("+1 646 558 8656,,81234567#", None),  # the form's own example
        ("(646) 558-8656,,81234567#", None),
        ("+1 646.558.8656", None),
        ("+1 555 0100", "fewer than 10 digits"),
        ("+1 646 558 8656,,81234567#,,,,*123456#", "remove * from dial-in numbers"),
        ("+1 646 558 8656 ext 5", "Use digits"),
    ]
    for number, (phone, reason) in enumerate(cases):
        page = client.post(
            "/groups/tuesday-group/meetings/new",
            data=form_data(name=f"Dial {number}", attendance="hybrid", conference_phone=phone),
        )
        record = {
            "name": f"Dial {number}",
            "slug": f"dial-{number}",
            "day": 5,
            "time": "20:00",
            "timezone": "America/New_York",
            "formatted_address": "1 Main Street, Springfield, IL 62701, USA",
            "conference_phone": phone,
        }
        plan = importer.plan_import(setup.group, "feed.json", json.dumps([record]), now=NOW)
        row_errors = " ".join(str(e) for row in plan.rows for e in row.errors)
        if reason is None:
            assert page.status_code == 302, phone
            assert row_errors == "", phone
        else:
            assert page.status_code == 422, phone
            assert re.search(
                rf'id="conference_phone-error">[^<]*{re.escape(reason)}', page.get_data(as_text=True)
            )
            assert reason in row_errors, phone
    fresh()
    saved = db.session.scalar(sa.select(Meeting).where(Meeting.name == "Dial 0"))
    assert saved.conference_phone == "+16465588656,,81234567#"


def test_payment_handles_are_reduced_to_what_finders_link_or_refused_with_the_reason(client, setup):
    login(client, "sec@example.org")
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(
            venmo="https://venmo.com/u/LakesideTuesday",
            square="https://cash.app/$LakesideTuesday",
            paypal="https://www.paypal.me/LakesideTuesday",
        ),
    )
    assert page.status_code == 302
    fresh()
    saved = db.session.scalar(sa.select(Meeting).where(Meeting.name == "Friday Speaker"))
    assert (saved.venmo, saved.square, saved.paypal) == (
        "@LakesideTuesday",
        "$LakesideTuesday",
        "LakesideTuesday",
    )
    page = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(name="Bad handles", venmo="@Lake side", square="$123", paypal="Lakeside.Tuesday"),
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    for field, reason in [
        ("venmo", "up to 30 letters, digits, - or _"),
        ("square", "with at least one letter"),
        ("paypal", "1 to 20 letters or digits only"),
    ]:
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(reason)}', html), field


def test_an_online_meeting_without_a_place_is_saved_with_a_warning(client, setup):
    login(client, "sec@example.org")
    online = form_data(
        name="Online Anywhere",
        attendance="online",
        location="",
        formatted_address="",
        conference_url="https://zoom.us/j/1",
    )
    response = client.post("/groups/tuesday-group/meetings/new", data=online)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Meeting finders leave out an online meeting without a place" in page
    response = client.post(
        "/groups/tuesday-group/meetings/new", data={**online, "name": "Online Lakeside", "city": "Lakeside"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "without a place" not in page and "is saved" in page


def test_an_http_conference_link_is_kept_as_given_with_a_warning(client, setup):
    login(client, "sec@example.org")
    response = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(attendance="hybrid", conference_url="http://zoom.us/j/98765"),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "starts with http://, not https://" in page
    fresh()
    saved = db.session.scalar(sa.select(Meeting).where(Meeting.name == "Friday Speaker"))
    assert saved.conference_url == "http://zoom.us/j/98765"
    feed = client.get("/feeds/lakes/meeting-guide.json").get_json()
    assert [m["conference_url"] for m in feed if m["name"] == "Friday Speaker"] == ["http://zoom.us/j/98765"]


def test_public_page_shows_each_fellowship_filters_by_it_and_offers_its_own_feed(client, setup):
    na = factories.group(setup.org, "harbour", name="Harbour Group", fellowship="na")
    factories.meeting(na, "Clean Time", slug="clean-time", weekday=3)
    html = client.get("/meetings/lakes").get_data(as_text=True)
    cards = re.findall(r'<li class="card meeting-card">(.*?)</li>', html, re.S)
    fellowship_of = {
        re.search(r'">([^<]+)</a></h2>', card).group(1): re.search(
            r'class="fellowship">([^<]*)<', card
        ).group(1)
        for card in cards
    }
    assert fellowship_of == {
        "Tuesday Night": "Alcoholics Anonymous (AA)",
        "Their Meeting": "Alcoholics Anonymous (AA)",
        "Clean Time": "Narcotics Anonymous (NA)",
    }
    feeds = re.search(r'<section class="feeds".*?</section>', html, re.S).group(0)
    links = dict((text, href) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', feeds))
    assert links["Alcoholics Anonymous (AA)"] == "/feeds/lakes/meeting-guide.json?fellowship=aa"
    assert links["Narcotics Anonymous (NA)"] == "/feeds/lakes/meeting-guide.json?fellowship=na"
    assert links["All fellowships together"] == "/feeds/lakes/meeting-guide.json"
    # Each advertised feed holds only its fellowship's meetings.
    na_feed = client.get(links["Narcotics Anonymous (NA)"]).get_json()
    assert [m["slug"] for m in na_feed] == ["clean-time"]
    select = re.search(r'<select id="fellowship" name="fellowship">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option[^>]*value="([^"]*)"', select) == ["", "aa", "na"]
    only_na = client.get("/meetings/lakes?fellowship=na").get_data(as_text=True)
    assert "Clean Time" in only_na and "Tuesday Night" not in only_na and "Their Meeting" not in only_na
    # An organisation of one fellowship: no such filter, and only that fellowship's feed.
    solo = factories.organisation(slug="solo")
    factories.meeting(factories.group(solo, "solo-group", name="Solo Group", fellowship="smart"), "Solo")
    html = client.get("/meetings/solo").get_data(as_text=True)
    feeds = re.search(r'<section class="feeds".*?</section>', html, re.S).group(0)
    assert re.findall(r'href="(/feeds/solo/meeting-guide[^"]*)"', feeds) == [
        "/feeds/solo/meeting-guide.json?fellowship=smart"
    ]
    assert 'name="fellowship"' not in html


def _new_meeting_form(client) -> dict:
    page = client.get("/groups/tuesday-group/meetings/new").text
    token = re.search(r'name="once_token" type="hidden" value="([^"]+)"', page).group(1)
    return form_data(name="Friday Speaker", once_token=token)


def _meetings_named(name: str) -> int:
    fresh()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Meeting).where(Meeting.name == name))


def test_the_back_button_or_a_double_click_creates_one_meeting(client, setup):
    login(client, "sec@example.org")
    data = _new_meeting_form(client)
    assert client.post("/groups/tuesday-group/meetings/new", data=data).status_code == 302
    again = client.post("/groups/tuesday-group/meetings/new", data=data)
    assert again.status_code == 422 and "This form was sent already" in again.text
    assert 'value="Friday Speaker"' in again.text  # what was typed is still there
    assert _meetings_named("Friday Speaker") == 1
    # A refused first try claims nothing: fixed and sent again, the same form creates the meeting.
    data = _new_meeting_form(client)
    assert client.post("/groups/tuesday-group/meetings/new", data={**data, "name": ""}).status_code == 422
    data["name"] = "Saturday Steps"
    assert client.post("/groups/tuesday-group/meetings/new", data=data).status_code == 302
    assert _meetings_named("Saturday Steps") == 1


def test_twelve_identical_posts_at_once_create_one_meeting_and_no_500(app, setup):
    clients = [app.test_client() for _ in range(12)]
    for c in clients:
        login(c, "sec@example.org")
    data = _new_meeting_form(clients[0])
    barrier = threading.Barrier(len(clients))

    def send(c):
        barrier.wait()
        with app.app_context():
            return c.post("/groups/tuesday-group/meetings/new", data=data).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = sorted(pool.map(send, clients))
    assert statuses == [302] + [422] * 11
    assert _meetings_named("Friday Speaker") == 1


def test_a_temporarily_closed_meeting_keeps_tc_for_finders_and_only_in_person(client, setup):
    login(client, "sec@example.org")
    closed = client.post("/groups/tuesday-group/meetings/new", data=form_data(types=["O", "TC"]))
    assert closed.status_code == 302
    feed = client.get("/feeds/lakes/meeting-guide.json").get_json()
    assert next(m for m in feed if m["name"] == "Friday Speaker")["types"] == ["O", "TC"]
    hybrid = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(
            name="Hybrid Closed", attendance="hybrid", conference_url="https://zoom.us/j/1", types=["TC"]
        ),
    )
    assert hybrid.status_code == 422
    assert re.search(r'id="types-error">[^<]*temporarily closed', hybrid.get_data(as_text=True))


def test_a_meeting_by_appointment_has_no_dates_and_is_listed_so(client, setup):
    login(client, "sec@example.org")
    # Refused without a time unless it is by appointment.
    no_time = client.post("/groups/tuesday-group/meetings/new", data=form_data(start_time=""))
    assert no_time.status_code == 422
    assert re.search(r'id="start_time-error">[^<]*Give the start time', no_time.get_data(as_text=True))
    response = client.post(
        "/groups/tuesday-group/meetings/new",
        data=form_data(name="Sponsorship Talks", recurrence="appointment", weekday="None", start_time=""),
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "listed as by appointment" in page and "By appointment" in page and "60 minutes" not in page
    fresh()
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.name == "Sponsorship Talks"))
    assert meeting.latest_schedule.start_time is None
    assert db.session.scalar(sa.select(sa.func.count()).where(Occurrence.meeting_id == meeting.id)) == 0
    group_list = client.get("/groups/tuesday-group/meetings/").get_data(as_text=True)
    assert re.search(r"Sponsorship Talks.*?By appointment", group_list, re.S)
    edit = client.get(f"/groups/tuesday-group/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="appointment"', edit)
    client.post("/logout")
    public = client.get("/meetings/lakes").get_data(as_text=True)
    card = re.search(
        r'<li class="card meeting-card">((?:(?!</li>).)*Sponsorship Talks.*?)</li>', public, re.S
    )
    assert card and "By appointment" in card.group(1)
    listed = client.get(f"/meetings/lakes/{meeting.slug}").get_data(as_text=True)
    assert "By appointment" in listed
    feed = {m["name"]: m for m in client.get("/feeds/lakes/meeting-guide.json").get_json()}
    assert feed["Sponsorship Talks"]["slug"] == meeting.slug
    assert not {"day", "time", "end_time"} & set(feed["Sponsorship Talks"])
    assert {"day", "time"} <= set(feed["Tuesday Night"])
    calendar = client.get("/feeds/lakes/meetings.ics").get_data(as_text=True)
    assert "Sponsorship Talks" not in calendar and "Tuesday Night" in calendar


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("recurrence", "weekday", "start", "allowed"),
    [("appointment", None, None, True), ("weekly", 2, None, False), ("appointment", 2, None, False)],
)
def test_the_database_keeps_a_time_for_every_kind_but_by_appointment(
    setup, recurrence, weekday, start, allowed
):
    schedule = MeetingSchedule(
        meeting_id=setup.meeting.id,
        effective_from=date(2027, 3, 1),
        recurrence=recurrence,
        weekday=weekday,
        start_time=start,
        duration_minutes=60,
        timezone="America/New_York",
    )
    db.session.add(schedule)
    if allowed:
        db.session.flush()
        assert schedule.id is not None
    else:
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
    db.session.rollback()


def test_the_meeting_name_says_its_limit_before_the_browser_cuts_it(client, setup):
    login(client, "sec@example.org")
    page = client.get("/groups/tuesday-group/meetings/new").get_data(as_text=True)
    assert re.search(r'id="name"[^>]*maxlength="255"|maxlength="255"[^>]*id="name"', page)
    assert re.search(r'id="name-help"[^>]*>[^<]*Up to 255 characters.', page)
