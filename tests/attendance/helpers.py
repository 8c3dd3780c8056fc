"""Builders for head-count tests: past dates and counts through the real services, and a bulk history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from groupadmin.attendance import services
from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.meetings.models import Occurrence
from groupadmin.meetings.schedule import Rule, dates_between
from tests.conftest import NOW

# Meetings are built with `factories.meeting(group, name, now=START)`: their dates start five weeks before
# NOW, so Tuesdays 20 Oct … 17 Nov 2026 are past (NOW is Saturday 21 Nov 2026, 13:00 in New York), 24 Nov
# onwards are to come.
START = NOW - timedelta(weeks=5)


def occurrences(meeting, *, past: bool | None = None) -> list[Occurrence]:
    query = sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id).order_by(Occurrence.starts_at)
    if past is True:
        query = query.where(Occurrence.starts_at <= NOW)
    elif past is False:
        query = query.where(Occurrence.starts_at > NOW)
    return list(db.session.scalars(query))


def record(occurrence, *, actor=None, now=NOW, currency="USD", **raw) -> HeadCount:
    """A count through the real rules: raw texts as a form would send them."""
    mode = services.entry_mode(occurrence, services.count_for(occurrence))
    values = services.clean_count(
        {k: str(v) if not isinstance(v, bool) else v for k, v in raw.items()},
        mode=mode,
        currency=currency,
        locale="en",
    )
    count, _changed = services.save_count(occurrence, values, actor=actor, now=now, currency=currency)
    db.session.commit()
    return count


def history(meeting, *, weeks: int, total: int = 20, cash: int = 3000, end=NOW) -> int:
    """`weeks` weekly past dates of a meeting before `end`, each with a count (bulk inserts)."""
    schedule = meeting.schedules[0]
    rule = Rule.of(schedule)
    first = (end - timedelta(weeks=weeks)).date()
    existing = set(
        db.session.scalars(sa.select(Occurrence.local_date).where(Occurrence.meeting_id == meeting.id))
    )
    days = [
        d for d in dates_between(rule, first, end.date()) if d not in existing and rule.starts_at(d) <= end
    ]
    if days:
        db.session.execute(
            sa.insert(Occurrence),
            [
                {
                    "meeting_id": meeting.id,
                    "local_date": d,
                    "starts_at": rule.starts_at(d),
                    "ends_at": rule.ends_at(d),
                    "timezone": rule.timezone,
                    "status": "scheduled",
                    "online_only": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for d in days
            ],
        )
    ids = db.session.scalars(
        sa.select(Occurrence.id).where(
            Occurrence.meeting_id == meeting.id,
            Occurrence.starts_at <= end,
            ~sa.exists().where(HeadCount.occurrence_id == Occurrence.id),
        )
    ).all()
    db.session.execute(
        sa.insert(HeadCount),
        [
            {
                "occurrence_id": i,
                "total": total,
                "newcomers": 1,
                "in_person": total,
                "online": 0,
                "cash_minor": cash,
                "digital_minor": None,
                "currency": "USD",
                "recorded_via": "account",
                "recorded_at": NOW,
                "updated_at": NOW,
            }
            for i in ids
        ],
    )
    db.session.commit()
    return len(ids)


def outbox(template: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query))


def at(text: str) -> datetime:
    """An instant from "2026-11-18 14:00" (UTC)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
