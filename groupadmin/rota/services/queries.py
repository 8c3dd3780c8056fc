"""What other domains read: open places for the dashboard, the names on a date's script, the chair
who may enter a head count."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota.models import (
    FILLING,
    REMOVED_LABEL,
    Assignment,
    RotaPerson,
    ServiceRole,
    service_role_meeting,
)
from groupadmin.rota.services.rules import is_upcoming_gap, places_open, summary_period


def open_places_by_group(groups, *, now: datetime) -> dict[int, int]:
    """Open rota places in the next two weeks (as the weekly summary counts them) of each group, for
    the dashboard: {group id: places}, groups without gaps left out. Takes the Group objects the
    caller has already loaded; two queries however many groups, reading only the columns the count
    needs (no meeting rows: the dashboard is the busiest page)."""
    periods = {g.id: summary_period(g, now) for g in groups}
    if not periods:
        return {}
    roles_by_group: dict[int, list[ServiceRole]] = defaultdict(list)
    chosen: dict[int, set[int]] = {}
    for role, meeting_id in db.session.execute(_roles_statement(), {"group_ids": list(periods)}):
        if role.id not in chosen:
            chosen[role.id] = set()
            roles_by_group[role.group_id].append(role)
        if meeting_id is not None:
            chosen[role.id].add(meeting_id)
    if not roles_by_group:
        return {}
    start = min(first for first, _last in periods.values())
    end = max(last for _first, last in periods.values())
    occurrences = {}
    filling: dict[tuple[int, int], int] = {}
    for row in _gap_candidates(list(roles_by_group), start, end):
        first, last = periods[row.group_id]
        if is_upcoming_gap(row, now) and first <= row.local_date <= last:
            occurrences[row.id] = row
            if row.role_id is not None:
                filling[(row.id, row.role_id)] = row.filled
    if not occurrences:
        return {}
    result: dict[int, int] = defaultdict(int)
    for o in occurrences.values():
        attendance = "online" if o.online_only else o.attendance
        for role in roles_by_group[o.group_id]:
            filled = filling.get((o.id, role.id), 0)
            result[o.group_id] += places_open(role, attendance, o.meeting_id, filled, chosen[role.id])
    return {group_id: n for group_id, n in result.items() if n}


@functools.cache
def _roles_statement():
    """The current service roles of :group_ids with the meetings each is chosen for (built once with
    bound parameters, as the one below: the dashboard runs them on every view)."""
    return (
        sa.select(ServiceRole, service_role_meeting.c.meeting_id)
        .outerjoin(service_role_meeting, service_role_meeting.c.role_id == ServiceRole.id)
        .where(
            ServiceRole.group_id.in_(sa.bindparam("group_ids", expanding=True)),
            ServiceRole.archived.is_(False),
        )
        .order_by(ServiceRole.position, ServiceRole.id)
    )


@functools.cache
def _gap_candidates_statement():
    occurrence_columns = (
        Occurrence.id,
        Occurrence.meeting_id,
        Occurrence.status,
        Occurrence.starts_at,
        Occurrence.local_date,
        Occurrence.online_only,
        Meeting.group_id,
        Meeting.attendance,
    )
    return (
        sa.select(
            *occurrence_columns,
            Assignment.role_id,
            sa.func.count(Assignment.id).label("filled"),
        )
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .outerjoin(
            Assignment,
            sa.and_(Assignment.occurrence_id == Occurrence.id, Assignment.status.in_(FILLING)),
        )
        .where(
            Meeting.group_id.in_(sa.bindparam("group_ids", expanding=True)),
            Meeting.status != "archived",
            Occurrence.local_date >= sa.bindparam("start", type_=sa.Date()),
            Occurrence.local_date <= sa.bindparam("end", type_=sa.Date()),
        )
        .group_by(*occurrence_columns, Assignment.role_id)
    )


def _gap_candidates(group_ids: list[int], start: date, end: date):
    """The dates of these groups' current meetings between `start` and `end` (local dates), as rows of
    the few columns `open_places_by_group` reads, one per date and role with turns asked or confirmed
    (`role_id`, `filled`; a date with none has one row with `role_id` None)."""
    return db.session.execute(
        _gap_candidates_statement(), {"group_ids": group_ids, "start": start, "end": end}
    ).all()


def people_for_occurrence(occurrence: Occurrence) -> list[tuple[str, str]]:
    """(role name, person's name) of an occurrence's confirmed and asked turns (not declined), in the
    roles' order: the printable script names the chair and speaker of its date with this."""
    rows = db.session.execute(
        sa.select(ServiceRole.name, RotaPerson.display_name, RotaPerson.removed_at)
        .select_from(Assignment)
        .join(ServiceRole, ServiceRole.id == Assignment.role_id)
        .join(RotaPerson, RotaPerson.id == Assignment.person_id)
        .where(Assignment.occurrence_id == occurrence.id, Assignment.status.in_(FILLING))
        .order_by(ServiceRole.position, ServiceRole.id, Assignment.status != "confirmed", Assignment.id)
    ).all()
    return [
        (name, display if display and removed is None else str(REMOVED_LABEL))
        for name, display, removed in rows
    ]


def chair_for_occurrences(occurrence_ids) -> dict[int, RotaPerson]:
    """The chair of each occurrence (confirmed before asked), in one query: head counts let the chair
    of a date enter its count. Each person has ``label`` and ``contact_email`` (None when unreachable)."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.occurrence_id, RotaPerson)
        .join(ServiceRole, ServiceRole.id == Assignment.role_id)
        .join(RotaPerson, RotaPerson.id == Assignment.person_id)
        .where(
            Assignment.occurrence_id.in_(ids),
            ServiceRole.kind == "chair",
            Assignment.status.in_(FILLING),
            RotaPerson.removed_at.is_(None),
        )
        .order_by(
            Assignment.occurrence_id, Assignment.status != "confirmed", ServiceRole.position, Assignment.id
        )
        # The linked account comes along (``contact_email`` falls back to it): still one query.
        .options(sa.orm.joinedload(RotaPerson.user))
    ).all()
    result: dict[int, RotaPerson] = {}
    for occurrence_id, person in rows:
        result.setdefault(occurrence_id, person)
    return result
