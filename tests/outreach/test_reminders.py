"""The morning digest (once per volunteer and local day, from 07:00 in their zone, no name, number or
group in the subject) and the escalations (unassigned after four hours; a step two days overdue)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from groupadmin.extensions import db
from groupadmin.outreach import jobs, services
from tests import factories
from tests.conftest import NOW
from tests.outreach.helpers import outbox


def _run(when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        jobs.reminders(when)
        db.session.commit()


def test_one_digest_per_volunteer_and_day_from_seven_in_the_morning(setup):
    factories.newcomer(setup.group, name="Jo", phone="555-0101", volunteer=setup.sponsor)
    factories.newcomer(setup.group, name="Al", phone="555-0102", volunteer=setup.sponsor)
    # 06:45 in New York on the next day: too early.
    _run(datetime(2026, 11, 22, 11, 45, tzinfo=UTC))
    assert [m.template for m in outbox("outreach/digest")] == []
    _run(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # 07:00
    _run(datetime(2026, 11, 22, 15, 0, tzinfo=UTC))  # the job again the same day
    (digest,) = outbox("outreach/digest")
    assert digest.idempotency_key == f"outreach-digest:{setup.sponsor.id}:2026-11-22"
    assert digest.recipient == "sponsor@example.org" and digest.subject == "Your follow-ups for today"
    assert "2 follow-ups due today" in digest.text_body and "/outreach/" in digest.text_body
    for secret in ("Jo", "Al", "555", setup.group.name):
        assert secret not in digest.text_body and secret not in digest.subject
    _run(datetime(2026, 11, 23, 12, 5, tzinfo=UTC))
    assert [m.idempotency_key.rsplit(":", 1)[1] for m in outbox("outreach/digest")] == [
        "2026-11-22",
        "2026-11-23",
    ]


def test_no_digest_without_anything_due(setup):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    services.record(
        n, n.follow_ups[0], outcome="reached", note=None, confirmed=False, actor=setup.sponsor, now=NOW
    )
    db.session.commit()
    _run(datetime(2026, 11, 22, 13, 0, tzinfo=UTC))
    assert outbox("outreach/digest") == []


def test_an_unassigned_request_is_escalated_to_the_secretaries_after_four_hours_once(setup):
    n = factories.newcomer(setup.group, name="Jo")
    _run(NOW + timedelta(hours=3, minutes=59))
    assert outbox("outreach/escalation") == []
    _run(NOW + timedelta(hours=4))
    _run(NOW + timedelta(hours=5))
    (message,) = outbox("outreach/escalation")
    assert message.recipient == "sec@example.org"
    assert message.idempotency_key == f"outreach-escalation:{n.id}:unassigned:{setup.secretary.id}"
    assert "Jo" not in message.subject and setup.group.name not in message.subject


def test_an_organisation_request_is_escalated_to_its_outreach_volunteers(setup):
    factories.newcomer(setup.org, name="Jo")
    _run(NOW + timedelta(hours=4))
    assert [m.recipient for m in outbox("outreach/escalation")] == ["outreach@example.org"]


def test_a_step_two_days_overdue_is_escalated_once(setup):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    _run(datetime(2026, 11, 22, 18, 0, tzinfo=UTC))
    assert outbox("outreach/escalation") == []
    _run(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    _run(datetime(2026, 11, 24, 18, 0, tzinfo=UTC))
    (message,) = outbox("outreach/escalation")
    assert message.idempotency_key == f"outreach-escalation:{n.id}:overdue-0:{setup.secretary.id}"
    assert "two days overdue" in message.text_body
