"""Generating dated occurrences from the schedule: kept `weeks` ahead by the nightly job, at once for a
new meeting, and for the dates a schedule change adds. Only dates still to come are generated."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, local_today

log = logging.getLogger("groupadmin.meetings")


def horizon_end(zone: str, now: datetime, weeks: int) -> date:
    return local_today(zone, now) + timedelta(weeks=weeks)


def occurrence_row(meeting_id: int, rule: Rule, day: date, now: datetime, status: str = "scheduled") -> dict:
    return {
        "meeting_id": meeting_id,
        "local_date": day,
        "starts_at": rule.starts_at(day),
        "ends_at": rule.ends_at(day),
        "timezone": rule.timezone,
        "status": status,
        "online_only": False,
        "created_at": now,
        "updated_at": now,
    }


def expected_dates(meeting: Meeting, *, now: datetime, weeks: int) -> list[tuple[date, Rule]]:
    """(local date, rule) for every date from today to the horizon, each under the schedule in force."""
    schedules = meeting.schedules
    result = []
    for i, schedule in enumerate(schedules):
        rule = Rule.of(schedule)
        first = max(schedule.effective_from, local_today(rule.timezone, now))
        last = horizon_end(rule.timezone, now, weeks)
        if i + 1 < len(schedules):
            last = min(last, schedules[i + 1].effective_from - timedelta(days=1))
        result += [(day, rule) for day in dates_between(rule, first, last) if rule.starts_at(day) > now]
    return result


def generate_occurrences(meetings: Iterable[Meeting] | None = None, *, now: datetime, weeks: int) -> int:
    """Keep dated occurrences generated `weeks` ahead for the given meetings (default: every active
    meeting). Idempotent: existing dates are left alone. Returns how many were created."""
    if meetings is None:
        meetings = db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.status == "active")
            .options(sa.orm.selectinload(Meeting.schedules))
        ).all()
    meetings = [m for m in meetings if m.status == "active"]
    if not meetings:
        return 0
    created = 0
    # In chunks, so a very large organisation neither holds everything in memory nor builds huge IN lists.
    for start in range(0, len(meetings), 500):
        chunk = meetings[start : start + 500]
        earliest = now.date() - timedelta(days=2)  # the earliest "today" of any zone, with room
        existing = set(
            (meeting_id, day)
            for meeting_id, day in db.session.execute(
                sa.select(Occurrence.meeting_id, Occurrence.local_date).where(
                    Occurrence.meeting_id.in_([m.id for m in chunk]), Occurrence.local_date >= earliest
                )
            ).all()
        )
        rows = [
            occurrence_row(meeting.id, rule, day, now)
            for meeting in chunk
            for day, rule in expected_dates(meeting, now=now, weeks=weeks)
            if (meeting.id, day) not in existing
        ]
        if rows:
            db.session.execute(sa.insert(Occurrence), rows)
            created += len(rows)
    if created:
        log.info("occurrences generated", extra={"fields": {"created": created, "meetings": len(meetings)}})
    return created
