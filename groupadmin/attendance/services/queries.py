"""What the pages and the dashboard list: dates without a count, recent counts, a group's meetings and
one of its dates (scoped to the group, so another group's answers nothing)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.attendance.models import AttendanceSettings, HeadCount
from groupadmin.attendance.services.settings import settings_for
from groupadmin.database import UTCDateTime
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence

# The dashboard lists dates of the last two weeks without a count; older ones are in the catch-up grid.
TO_ENTER_DAYS = 14
TO_ENTER_LIMIT = 20


@functools.cache
def _open_dates_statement():
    """Dates that could have a count and have none: scheduled, started between :since and :now. Built
    once with bound parameters (the dashboard runs it on every view)."""
    return (
        sa.select(Occurrence)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(
            Occurrence.status == "scheduled",
            Occurrence.starts_at <= sa.bindparam("now", type_=UTCDateTime()),
            Occurrence.starts_at > sa.bindparam("since", type_=UTCDateTime()),
            # The same bounds as local dates (any zone is within a day of UTC), so that the index on
            # (meeting, date) reads only these dates of each meeting, not its whole history.
            Occurrence.local_date >= sa.bindparam("first_day", type_=sa.Date()),
            Occurrence.local_date <= sa.bindparam("last_day", type_=sa.Date()),
            Meeting.status != "archived",
            ~sa.exists().where(HeadCount.occurrence_id == Occurrence.id),
        )
        .options(sa.orm.contains_eager(Occurrence.meeting))
        .order_by(Occurrence.starts_at.desc(), Occurrence.id)
    )


def open_dates(now: datetime, since: datetime) -> tuple[sa.Select, dict]:
    params = {
        "now": now,
        "since": since,
        "first_day": (since - timedelta(days=1)).date(),
        "last_day": (now + timedelta(days=1)).date(),
    }
    return _open_dates_statement(), params


@functools.cache
def _to_enter_statement():
    return (
        _open_dates_statement()
        .where(Meeting.group_id.in_(sa.bindparam("group_ids", expanding=True)))
        .options(
            # Only what the lists show (the date, its start in its zone, the meeting's name and group):
            # the dashboard reads these rows on every view, and a meeting row is wide.
            sa.orm.load_only(
                Occurrence.meeting_id, Occurrence.local_date, Occurrence.starts_at, Occurrence.timezone
            ),
            sa.orm.defaultload(Occurrence.meeting).load_only(Meeting.name, Meeting.group_id),
        )
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )


def counts_to_enter(group_ids, *, now: datetime, days: int = TO_ENTER_DAYS, limit: int = TO_ENTER_LIMIT):
    """The started dates of the last `days` days without a count, newest first, for these groups: one
    query, whatever the number of groups (the dashboard)."""
    ids = list(group_ids)
    if not ids:
        return []
    _statement, params = open_dates(now, now - timedelta(days=days))
    return list(db.session.scalars(_to_enter_statement(), {**params, "group_ids": ids, "limit": limit}))


def recent_counts(group: Group, *, now: datetime, limit: int = 10) -> list[tuple[Occurrence, HeadCount]]:
    return list(
        db.session.execute(
            sa.select(Occurrence, HeadCount)
            .join(HeadCount, HeadCount.occurrence_id == Occurrence.id)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(Meeting.group_id == group.id, Occurrence.starts_at <= now)
            .options(sa.orm.contains_eager(Occurrence.meeting))
            .order_by(Occurrence.starts_at.desc())
            .limit(limit)
        ).all()
    )


def group_meetings(group: Group, *, archived: bool = True) -> list[Meeting]:
    """The group's meetings by name (without the archived ones unless `archived`)."""
    query = sa.select(Meeting).where(Meeting.group_id == group.id)
    if not archived:
        query = query.where(Meeting.status != "archived")
    return list(db.session.scalars(query.order_by(Meeting.name)))


@dataclass
class Overview:
    """A group's counts page: dates to enter, the latest counts, the settings."""

    settings: AttendanceSettings
    to_enter: list[Occurrence]
    recent: list[tuple[Occurrence, HeadCount]]


def overview(group: Group, *, now: datetime) -> Overview:
    return Overview(
        settings=settings_for(group),
        to_enter=counts_to_enter([group.id], now=now, limit=50),
        recent=recent_counts(group, now=now, limit=15),
    )
