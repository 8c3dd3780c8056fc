"""Reminders and nudges with the clock moved (time-machine), the weekly summary, and the jobs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import services as meetings
from groupadmin.rota import jobs, services
from groupadmin.scheduler.registry import load_jobs
from tests import factories
from tests.conftest import NOW
from tests.rota import helpers


def _run_clock(start: datetime, end: datetime, step=timedelta(minutes=15)) -> None:
    """Tick the reminder job as the scheduler would, with the clock moved to each tick."""
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            jobs.reminders(utcnow())
            db.session.commit()
        moment += step


def _reminders():
    return [(m.recipient, m.idempotency_key.rsplit(":", 1)[1], m) for m in helpers.outbox("rota/reminder")]


@pytest.mark.postgres
def test_each_commitment_is_reminded_once_at_each_lead_time(setup):
    s = setup
    ann, cal, eve = s.people
    dec1, dec8 = s.occurrences[1], s.occurrences[2]
    assert dec1.local_date.isoformat() == "2026-12-01"
    helpers.assign(dec1, s.chair, ann, confirmed=True, notify=False)
    helpers.assign(dec1, s.speaker, cal, notify=False)  # asked, no answer: nudged instead
    declined = helpers.assign(dec8, s.chair, eve, notify=False)
    services.decline(declined, now=NOW)
    db.session.commit()

    _run_clock(NOW, datetime(2026, 12, 9, 6, 0, tzinfo=UTC), step=timedelta(minutes=30))
    sent = _reminders()
    by_person = Counter(recipient for recipient, _day, _m in sent)
    assert by_person == {ann.email: 2, cal.email: 2}  # 3 days and 1 day before; nothing for Eve
    assert {day for r, day, _m in sent if r == ann.email} == {"2026-11-28", "2026-11-30"}
    for recipient, _day, message in sent:
        assert message.created_at.astimezone(ZoneInfo("America/New_York")).hour == 10
        if recipient == ann.email:
            assert message.subject.startswith("Reminder: Chair")
            assert "/r/rota-accept/" not in message.text_body and "/r/rota-decline/" in message.text_body
        else:
            assert message.subject.startswith("Please confirm: Speaker")
            assert "/r/rota-accept/" in message.text_body
        assert "AA" not in message.subject and "Alcoholics" not in message.text_body

    # A second pass over the same days (a restart, a second scheduler) adds nothing.
    _run_clock(NOW, datetime(2026, 12, 9, 6, 0, tzinfo=UTC), step=timedelta(hours=1))
    assert len(_reminders()) == 4


def test_one_message_per_person_per_day_gathers_several_commitments(setup):
    s = setup
    ann = s.people[0]
    lunch = factories.meeting(s.group, "Lunchtime Group", start="12:00")
    lunch_dec1 = helpers.occurrences(lunch)[1]
    helpers.assign(s.occurrences[1], s.chair, ann, confirmed=True, notify=False)
    helpers.assign(lunch_dec1, s.speaker, ann, confirmed=True, notify=False)
    _run_clock(datetime(2026, 11, 28, 14, 0, tzinfo=UTC), datetime(2026, 11, 28, 20, 0, tzinfo=UTC))
    (message,) = helpers.outbox("rota/reminder")
    assert "Lunchtime Group" in message.text_body and "Tuesday Night Group" in message.text_body
    assert message.subject.startswith("Reminder: your turns")


def test_reminders_follow_the_role_settings_and_skip_cancelled_dates(setup):
    s = setup
    ann, cal, eve = s.people
    quiet = helpers.role(s.group, "Coffee", remind_days=())
    helpers.assign(s.occurrences[1], quiet, ann, confirmed=True, notify=False)
    helpers.assign(s.occurrences[1], s.chair, eve, confirmed=True, notify=False)  # due: 3 and 1 days before
    helpers.assign(s.occurrences[2], s.chair, cal, confirmed=True, notify=False)
    meetings.update_occurrence(
        s.occurrences[2],
        actor=None,
        now=NOW,
        cancelled=True,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    db.session.commit()
    _run_clock(NOW, datetime(2026, 12, 9, tzinfo=UTC), step=timedelta(hours=1))
    sent = _reminders()
    assert sorted(day for _r, day, _m in sent) == ["2026-11-28", "2026-11-30"]
    assert {recipient for recipient, _day, _m in sent} == {eve.email}  # not Ann (no reminders), not Cal
    for _recipient, _day, message in sent:
        assert message.subject.startswith("Reminder: Chair")
        assert "Coffee" not in message.text_body


def test_a_scheduler_that_was_down_catches_up_within_a_day(setup):
    s = setup
    helpers.assign(s.occurrences[1], s.chair, s.people[0], confirmed=True, notify=False)
    # Down from Friday to Saturday 14:00 local: the 10:00 reminder still goes, late.
    _run_clock(datetime(2026, 11, 28, 19, 0, tzinfo=UTC), datetime(2026, 11, 28, 19, 0, tzinfo=UTC))
    assert len(_reminders()) == 1


@pytest.mark.postgres
def test_weekly_summary_goes_to_secretaries_once_with_gaps_first(setup):
    s = setup
    helpers.assign(s.occurrences[0], s.chair, s.people[0], confirmed=True, notify=False)
    monday_morning = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # 08:30 in New York
    for hours in (-2, 0, 1, 5):
        with time_machine.travel(monday_morning + timedelta(hours=hours), tick=False):
            jobs.weekly_summary(utcnow())
            db.session.commit()
    (summary,) = helpers.outbox("rota/summary")
    assert summary.recipient == "sec@example.org"  # secretaries only, not the leader
    body = summary.text_body
    assert body.index("OPEN PLACES") < body.index("CONFIRMED")
    assert "3 open places" in summary.subject  # two weeks: two meetings × two roles, one filled
    # Turned off in the settings: nothing the next week.
    services.update_settings(s.group, actor=None, now=NOW, min_gap_days=14, weekly_summary=False)
    db.session.commit()
    with time_machine.travel(monday_morning + timedelta(weeks=1), tick=False):
        jobs.weekly_summary(utcnow())
    assert len(helpers.outbox("rota/summary")) == 1


def test_the_jobs_are_registered():
    ids = {job.id for job in load_jobs()}
    assert {"rota-reminders", "rota-weekly-summary", "rota-retention"} <= ids
