"""The morning-after reminder (once; not when counted; not for cancelled dates; to the chair from the rota,
else the secretaries) and the chair's signed link (bound to one date, expiring, GET changes nothing)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from groupadmin import redact_path
from groupadmin.attendance import jobs, services
from groupadmin.attendance.models import AttendanceSettings, HeadCount
from groupadmin.audit.models import AuditEvent
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.scheduler.registry import load_jobs
from tests import factories
from tests.attendance import helpers
from tests.conftest import NOW
from tests.rota import helpers as rota

# Tuesday 17 Nov 2026, 7 pm in New York; its reminder is due at 9 am the next morning (14:00 UTC).
DUE = helpers.at("2026-11-18 14:00")


def _tick_through(start, end, step=timedelta(minutes=15)) -> None:
    """Run the job as the scheduler would, with the clock moved to each tick, committing after each."""
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            jobs.reminders(utcnow())
            db.session.commit()
        moment += step


def _reminders():
    return helpers.outbox("attendance/reminder_secretary") + helpers.outbox("attendance/reminder_chair")


def test_the_job_is_registered():
    assert "attendance-reminders" in {j.id for j in load_jobs()}


@pytest.mark.postgres
def test_one_reminder_the_morning_after_to_the_secretary(setup):
    s = setup
    _tick_through(helpers.at("2026-11-18 00:00"), DUE - timedelta(minutes=1))
    assert _reminders() == []
    _tick_through(DUE, helpers.at("2026-11-19 06:00"))
    _tick_through(DUE, helpers.at("2026-11-19 06:00"), step=timedelta(hours=1))  # a restart, a second pass
    (message,) = _reminders()
    assert message.recipient == "sec@example.org" and message.idempotency_key.startswith("count-reminder:")
    assert message.subject == "How many came to Tuesday Night Group on Tuesday 17 November?"
    assert f"/groups/{s.group.slug}/counts/{s.past[-1].id}" in message.text_body
    assert message.created_at == DUE
    assert "AA" not in message.subject and "Alcoholics" not in message.text_body


def test_no_reminder_when_the_count_is_in_or_the_date_cancelled(setup):
    s = setup
    helpers.record(s.past[-1], total="12")  # Tuesday 17 Nov: counted
    s.hybrid_past[-1].status = "cancelled"  # Thursday 19 Nov: cancelled
    db.session.commit()
    _tick_through(DUE - timedelta(hours=1), helpers.at("2026-11-21 06:00"), step=timedelta(hours=1))
    assert _reminders() == []


def test_no_reminder_when_the_group_turned_them_off(setup):
    db.session.add(AttendanceSettings(group_id=setup.group.id, currency="USD", reminders=False))
    db.session.commit()
    _tick_through(DUE, DUE + timedelta(hours=2), step=timedelta(hours=1))
    assert _reminders() == []


def test_a_stopped_scheduler_does_not_send_stale_reminders(setup):
    # Down from before Tuesday's reminder until the next day: Tuesday's is not sent a day late...
    _tick_through(DUE + timedelta(days=1), DUE + timedelta(days=1, hours=2), step=timedelta(hours=1))
    assert _reminders() == []
    # ... and Thursday's goes out on time the morning after.
    _tick_through(DUE + timedelta(days=2), DUE + timedelta(days=2, hours=2), step=timedelta(hours=1))
    assert [m.subject for m in _reminders()] == ["How many came to Thursday Hybrid on Thursday 19 November?"]


def test_every_secretary_gets_one_message_for_the_dates_of_a_morning(setup):
    s = setup
    second = factories.member(s.group, "secretary", email="sec2@example.org")
    factories.meeting(s.group, "Tuesday Early", start="07:00", now=helpers.START)
    _tick_through(DUE, DUE + timedelta(hours=1))
    messages = _reminders()
    assert sorted(m.recipient for m in messages) == ["sec2@example.org", "sec@example.org"]
    assert all(m.subject == "Head counts to enter for Tuesday 17 November" for m in messages)
    assert all("Tuesday Early" in m.text_body and "Tuesday Night Group" in m.text_body for m in messages)
    assert second.id


def _chair(s, occurrence, email="chair@example.org"):
    role = rota.role(s.group, "Chair", kind="chair")
    person = rota.person(s.group, "Ann B.", roles=[role], email=email)
    rota.assign(occurrence, role, person, confirmed=True, notify=False, now=helpers.START)
    return person


def _link_of(message) -> str:
    return re.search(r"http://localhost(/r/count/[^\s]+)", message.text_body).group(1)


def test_the_chair_gets_the_reminder_with_a_link_and_enters_the_count_without_an_account(setup, client):
    s = setup
    _chair(s, s.past[-1])
    _tick_through(DUE, DUE + timedelta(hours=3))
    (message,) = _reminders()
    assert message.recipient == "chair@example.org" and message.template == "attendance/reminder_chair"
    assert message.idempotency_key == f"count-reminder:{s.past[-1].id}"
    assert "Hello Ann B.," in message.text_body and "4 days" in message.text_body
    link = _link_of(message)
    assert redact_path(link) == "/r/count/[redacted]"

    with time_machine.travel(DUE + timedelta(hours=1), tick=False):
        page = client.get(link)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        assert "Tuesday Night Group" in page.get_data(as_text=True)
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) == 0
        )  # GET changes nothing
        response = client.post(link, data={"total": "17", "newcomers": "1", "cash": "22.50"})
        assert response.status_code == 302
        assert "Thank you! Saved: 17 people, 1 newcomer · $22.50." in client.get(
            response.headers["Location"]
        ).get_data(as_text=True)
        # A correction through the same link.
        assert client.post(link, data={"total": "18", "newcomers": "1", "cash": "22.50"}).status_code == 302
        bad = client.post(link, data={"total": "3", "newcomers": "5"})
        assert bad.status_code == 422 and 'value="5"' in bad.get_data(as_text=True)
    count = db.session.scalar(sa.select(HeadCount))
    assert (count.total, count.recorded_via, count.recorded_by_id, count.updated_by_id) == (
        18,
        "link",
        None,
        None,
    )
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("headcount.%"))).all()
    assert [(e.action, e.actor_id, e.details["via"]) for e in events] == [
        ("headcount.recorded", None, "link"),
        ("headcount.changed", None, "link"),
    ]
    assert "Ann" not in str([e.details for e in events])


def test_a_chair_without_an_address_leaves_the_reminder_to_the_secretary(setup):
    _chair(setup, setup.past[-1], email=None)
    _tick_through(DUE, DUE + timedelta(hours=1))
    assert [m.recipient for m in _reminders()] == ["sec@example.org"]


@pytest.fixture
def link(setup):
    return f"/r/count/{services.link_token(setup.past[-1])}"


def test_a_tampered_link_changes_nothing(setup, client, link):
    with time_machine.travel(NOW, tick=False):
        for bad in (link[:-3] + "abc", "/r/count/nonsense", link + "x"):
            response = client.post(bad, data={"total": "5"})
            assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) == 0


def test_an_expired_link_changes_nothing(setup, client):
    with time_machine.travel(NOW, tick=False):
        link = f"/r/count/{services.link_token(setup.past[-1])}"
    with time_machine.travel(NOW + timedelta(days=4, minutes=1), tick=False):
        response = client.post(link, data={"total": "5"})
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) == 0


def test_a_link_for_one_date_never_reaches_another(setup, client):
    s = setup
    with time_machine.travel(NOW, tick=False):
        link = f"/r/count/{services.link_token(s.past[-1])}"
        # The token names its date: a date that was removed and whose id came back elsewhere is refused.
        s.past[-1].local_date = s.past[-1].local_date - timedelta(days=1)
        db.session.commit()
        response = client.post(link, data={"total": "5"})
    assert response.status_code == 410 and "no longer" in response.get_data(as_text=True)


def test_a_count_the_secretary_entered_is_shown_not_changed(setup, client, link):
    s = setup
    helpers.record(s.past[-1], actor=s.secretary, total="30")
    with time_machine.travel(NOW, tick=False):
        page = client.get(link).get_data(as_text=True)
        assert (
            "The count is in" in page
            and "30 people" in page
            and "<input" not in page.split("<main")[1].replace('type="hidden"', "")
        )
        assert client.post(link, data={"total": "5"}).status_code == 302
    assert db.session.scalar(sa.select(HeadCount.total)) == 30


def test_a_link_to_a_cancelled_date_says_so(setup, client, link):
    setup.past[-1].status = "cancelled"
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        assert "cancelled" in client.get(link).get_data(as_text=True)
        assert client.post(link, data={"total": "5"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) == 0
