"""The preview of an import: every row read and checked against the group's meetings (matched by slug,
so importing again updates instead of duplicating), and what would be archived. Changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings import services
from groupadmin.meetings.importer.reading import ImportFileError, column_mapping, decode, read_records
from groupadmin.meetings.importer.rows import ImportRow, interpret
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import Rule, local_today

MAX_ROWS = 5000


@dataclass
class ImportPlan:
    kind: str  # json | csv
    columns: list[tuple[str, str | None]]  # (heading in the file, our field or None)
    rows: list[ImportRow]
    to_archive: list[Meeting] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def preview(
    group: Group, filename: str, raw: bytes, *, now: datetime, archive_missing: bool = False
) -> tuple[str, ImportPlan]:
    """An uploaded file's text and its plan (the upload page's one call). Changes nothing."""
    content = decode(raw)
    return content, plan_import(group, filename, content, now=now, archive_missing=archive_missing)


def plan_import(
    group: Group, filename: str, content: str, *, now: datetime, archive_missing: bool = False
) -> ImportPlan:
    """Read and check a file for a group. Changes nothing."""
    kind, records, headings = read_records(filename, content)
    if not records:
        raise ImportFileError(_l("The file has no meetings in it."))
    if len(records) > MAX_ROWS:
        raise ImportFileError(_l("At most %(n)s meetings can be imported at once.", n=MAX_ROWS))
    existing = {
        m.slug: m
        for m in db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.organisation_id == group.organisation_id)
            .options(sa.orm.selectinload(Meeting.schedules))
        )
    }
    plan = ImportPlan(kind=kind, columns=column_mapping(headings), rows=[])
    seen: dict[str, int] = {}
    first_line = 2 if kind == "csv" else 1  # a CSV's first data row is on line 2
    for index, record in enumerate(records):
        row = interpret(record, number=index + first_line, kind=kind, default_timezone=group.timezone)
        _match(row, group, existing, seen, now)
        plan.rows.append(row)
    if archive_missing:
        in_file = {row.slug for row in plan.rows if row.slug}
        plan.to_archive = [
            m
            for m in existing.values()
            if m.group_id == group.id and m.status != "archived" and m.slug not in in_file
        ]
    return plan


def _match(row: ImportRow, group: Group, existing: dict[str, Meeting], seen: dict[str, int], now) -> None:
    """Match a row to the meeting with its slug: create, update or leave unchanged (pure)."""
    if not row.slug:
        return
    if row.slug in seen:
        row.errors.append(
            _l("Slug '%(slug)s' is used by row %(row)s too.", slug=row.slug, row=seen[row.slug])
        )
    seen.setdefault(row.slug, row.number)
    meeting = existing.get(row.slug)
    if meeting is not None and meeting.group_id != group.id:
        row.errors.append(
            _l("Slug '%(slug)s' belongs to another group's meeting in the organisation.", slug=row.slug)
        )
    elif meeting is not None:
        row.meeting = meeting
        row.action = "unchanged" if _same(meeting, row, now) else "update"


def _same(meeting: Meeting, row: ImportRow, now: datetime) -> bool:
    if meeting.status != "active":
        return False
    for key, value in services.clean_values(row.values).items():
        if getattr(meeting, key) != value:
            return False
    if row.rule is None:
        return True
    today = local_today(row.rule.timezone, now)
    current = meeting.schedule_on(today)
    return (
        current is not None
        and Rule.of(current).normalised() == row.rule.normalised()
        and meeting.latest_schedule is current
    )
