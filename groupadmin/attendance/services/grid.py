"""The catch-up grid: many past dates of a group on one page, saved all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.models import HeadCount
from groupadmin.attendance.services.counts import (
    MONEY_FIELDS,
    PEOPLE_FIELDS,
    CountError,
    CountValues,
    clean_count,
    count_problem,
    entry_mode,
    raw_from_count,
    save_count,
)
from groupadmin.attendance.services.queries import group_meetings
from groupadmin.attendance.services.settings import settings_for
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence

CATCH_UP_WEEKS, CATCH_UP_MAX_WEEKS = 8, 26
# The texts of a grid row that a save compares with the count's.
_COMPARED_TEXTS = ("total", "newcomers", "in_person", "online", "cash", "digital", "note")


class GridError(UserError):
    """Problems of the catch-up grid: `problems` is {occurrence id: {field: message}}."""


def catch_up_rows(
    group: Group, *, now: datetime, weeks: int, meeting_id: int | None = None
) -> list[tuple[Occurrence, HeadCount | None]]:
    """The group's started, scheduled dates of the last `weeks` weeks, newest first, with their counts."""
    query = (
        sa.select(Occurrence, HeadCount)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .outerjoin(HeadCount, HeadCount.occurrence_id == Occurrence.id)
        .where(
            Meeting.group_id == group.id,
            Occurrence.status == "scheduled",
            Occurrence.starts_at <= now,
            Occurrence.starts_at > now - timedelta(weeks=weeks),
        )
        .options(sa.orm.contains_eager(Occurrence.meeting))
        .order_by(Occurrence.starts_at.desc(), Occurrence.id)
    )
    if meeting_id is not None:
        query = query.where(Occurrence.meeting_id == meeting_id)
    return list(db.session.execute(query).all())


@dataclass
class Grid:
    """The grid as shown: its dates and counts, what each asks for, the saved counts as texts, and the
    filters (the meeting only when it is one of the group's current meetings)."""

    group: Group
    rows: list[tuple[Occurrence, HeadCount | None]]
    modes: dict[int, str]
    saved: dict[int, dict]
    meetings: list[Meeting]
    meeting_id: int | None
    only_open: bool
    weeks: int
    currency: str
    locale: str


def catch_up_grid(
    group: Group, *, now: datetime, weeks: int, meeting_id: int | None, only_open: bool, locale: str
) -> Grid:
    meetings = group_meetings(group, archived=False)
    if meeting_id is not None and meeting_id not in {m.id for m in meetings}:
        meeting_id = None
    rows = catch_up_rows(group, now=now, weeks=weeks, meeting_id=meeting_id)
    if only_open:
        rows = [(o, c) for o, c in rows if c is None]
    settings = settings_for(group)
    modes = {o.id: entry_mode(o, c) for o, c in rows}
    return Grid(
        group=group,
        rows=rows,
        modes=modes,
        saved={o.id: raw_from_count(c, modes[o.id], locale) for o, c in rows},
        meetings=meetings,
        meeting_id=meeting_id,
        only_open=only_open,
        weeks=weeks,
        currency=settings.currency,
        locale=locale,
    )


def save_grid(grid: Grid, typed: dict[int, dict], *, actor, now: datetime) -> int:
    """Save what was typed in the grid ({occurrence id: texts}): rows that were not sent and rows that
    are as saved are left alone. Returns how many counts changed; GridError when a row is wrong."""
    submitted = []
    for occurrence, count in grid.rows:
        raw = typed.get(occurrence.id)
        if raw is None or (count is not None and _unchanged(raw, grid.saved[occurrence.id])):
            continue
        submitted.append((occurrence, count, raw))
    return save_many(grid.group, submitted, actor=actor, now=now, currency=grid.currency, locale=grid.locale)


def _unchanged(raw: dict, before: dict) -> bool:
    return all((raw.get(n) or "") == (before.get(n) or "") for n in _COMPARED_TEXTS) and bool(
        raw.get("not_counted")
    ) == bool(before.get("not_counted"))


def is_blank(raw: dict) -> bool:
    return not any(
        (raw.get(n) or "").strip() for n in (*PEOPLE_FIELDS, *MONEY_FIELDS, "note")
    ) and not raw.get("not_counted")


def save_many(
    group: Group,
    rows: list[tuple[Occurrence, HeadCount | None, dict]],
    *,
    actor,
    now: datetime,
    currency: str,
    locale: str,
) -> int:
    """The catch-up grid: clean every row first and save nothing unless every row is right (so nothing
    typed is lost and nothing is half-saved). Rows left empty are skipped; emptying a row that has a
    count is refused (a count is removed on its own page). Returns how many counts changed."""
    problems: dict[int, dict[str, str]] = {}
    cleaned: list[tuple[Occurrence, CountValues]] = []
    for occurrence, existing, raw in rows:
        row_problems, values = _check_row(
            occurrence, existing, raw, now=now, currency=currency, locale=locale
        )
        if row_problems:
            problems[occurrence.id] = row_problems
        elif values is not None:
            cleaned.append((occurrence, values))
    if problems:
        raise GridError(f"{len(problems)} rows", problems=problems)
    saved = 0
    for occurrence, values in cleaned:
        _count, changed = save_count(occurrence, values, actor=actor, now=now, currency=currency)
        saved += bool(changed)
    return saved


def _check_row(
    occurrence: Occurrence, existing: HeadCount | None, raw: dict, *, now, currency, locale
) -> tuple[dict[str, str], CountValues | None]:
    """A row's problems, or its cleaned values (None for an empty row, which is skipped)."""
    if is_blank(raw):
        if existing is not None:
            return {
                "total": str(_l("To remove a count, open its date and choose “Remove this count”."))
            }, None
        return {}, None
    try:
        values = clean_count(raw, mode=entry_mode(occurrence, existing), currency=currency, locale=locale)
    except CountError as error:
        return {k: str(v) for k, v in error.problems.items()}, None
    problem = count_problem(occurrence, now=now)
    if problem:
        return {"total": str(problem)}, None
    return {}, values
