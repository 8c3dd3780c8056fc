"""The preview of an import: every row read and checked against the organisation's meetings (matched by
slug, so importing again updates instead of duplicating), its problems summarised by kind, and what
would be archived. Changes nothing.

Choices the person makes in the preview are planned here too, so the preview shows their effect and the
apply does exactly what was shown: the time zone for rows without one, skipping the rows with problems,
and renaming (with a suffix) rows whose slug another group's meeting already uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings import services
from groupadmin.meetings.importer.reading import ImportFileError, column_mapping, decode, read_records
from groupadmin.meetings.importer.rows import PROBLEM_KINDS, ImportRow, interpret
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import Rule, local_today

MAX_ROWS = 5000
CONFLICT_CHOICES = ("skip", "rename")


@dataclass
class Choices:
    """What the person chose in the preview (the defaults: ask)."""

    timezone: str | None = None  # for rows that name no zone (None: the organisation's)
    skip_bad: bool = False  # import the good rows, skip those with problems
    on_conflict: str = "skip"  # a slug another group uses: skip the row, or rename it with a suffix
    archive_missing: bool = False


@dataclass
class ImportPlan:
    kind: str  # json | csv
    columns: list[tuple[str, str | None]]  # (heading in the file, our field or None)
    rows: list[ImportRow]
    timezone: str = "UTC"  # the zone given to rows without one
    choices: Choices = field(default_factory=Choices)
    to_archive: list[Meeting] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def good_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.errors and r.action != "skip"]

    @property
    def zone_asked(self) -> bool:
        """Some rows name no time zone: the preview asks which one they are in."""
        return any(not r.zone_given for r in self.rows)

    @property
    def conflicts(self) -> list[ImportRow]:
        return [r for r in self.rows if r.action == "conflict" or any(p.kind == "conflict" for p in r.errors)]

    @property
    def ok(self) -> bool:
        """Something to import, and no problem left that the person has not chosen to skip."""
        return bool(self.good_rows) and (self.error_count == 0 or self.choices.skip_bad)

    def count(self, action: str) -> int:
        if action == "skip":
            return sum(1 for r in self.rows if r.errors or r.action == "skip")
        return sum(1 for r in self.rows if r.action == action and not r.errors)

    def summary(self) -> list[tuple[str, object, list[int]]]:
        """(kind, label, row numbers) of each kind of problem, in a fixed order."""
        by_kind: dict[str, list[int]] = {}
        for row in self.rows:
            for problem in row.errors:
                numbers = by_kind.setdefault(problem.kind, [])
                if row.number not in numbers:
                    numbers.append(row.number)
        return [(kind, label, by_kind[kind]) for kind, label in PROBLEM_KINDS.items() if kind in by_kind]


def preview(
    group: Group, filename: str, raw: bytes, *, now: datetime, choices: Choices | None = None
) -> tuple[str, ImportPlan]:
    """An uploaded file's text and its plan (the upload page's one call). Changes nothing."""
    content = decode(raw)
    return content, plan_import(group, filename, content, now=now, choices=choices)


def read_rows(filename: str, content: str, *, timezone: str) -> tuple[str, list, list[ImportRow]]:
    """(kind, column mapping, rows) of a file; refuses a file that cannot be read as a whole."""
    kind, records, headings = read_records(filename, content)
    if not records:
        raise ImportFileError(_l("The file has no meetings in it."))
    if len(records) > MAX_ROWS:
        raise ImportFileError(_l("At most %(n)s meetings can be imported at once.", n=MAX_ROWS))
    first_line = 2 if kind == "csv" else 1  # a CSV's first data row is on line 2
    rows = [
        row
        for index, record in enumerate(records)
        for row in interpret(record, number=index + first_line, kind=kind, default_timezone=timezone)
    ]
    return kind, column_mapping(headings), rows


def existing_meetings(organisation_id: int) -> dict[str, Meeting]:
    """The organisation's meetings by slug, with their schedules."""
    return {
        m.slug: m
        for m in db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.organisation_id == organisation_id)
            .options(sa.orm.selectinload(Meeting.schedules))
        )
    }


def plan_import(
    group: Group,
    filename: str,
    content: str,
    *,
    now: datetime,
    choices: Choices | None = None,
    archive_missing: bool = False,
) -> ImportPlan:
    """Read and check a file for a group. Changes nothing."""
    choices = choices or Choices(archive_missing=archive_missing)
    zone = choices.timezone or group.organisation.timezone
    kind, columns, rows = read_rows(filename, content, timezone=zone)
    plan = ImportPlan(kind=kind, columns=columns, rows=rows, timezone=zone, choices=choices)
    existing = existing_meetings(group.organisation_id)
    match_rows(rows, {group.id}, existing, choices, now, group_of=lambda row: group)
    if choices.archive_missing:
        in_file = {row.slug for row in plan.rows if row.slug}
        plan.to_archive = [
            m
            for m in existing.values()
            if m.group_id == group.id and m.status != "archived" and m.slug not in in_file
        ]
    return plan


def match_rows(
    rows: list[ImportRow], group_ids: set, existing: dict, choices: Choices, now, *, group_of
) -> None:
    """Match each row to the meeting with its slug: create, update or leave unchanged; a slug used twice
    in the file is a problem; a slug another group uses is skipped or renamed, as chosen."""
    seen: dict[str, int] = {}
    taken = set(existing)
    for row in rows:
        if not row.slug:
            continue
        if row.slug in seen:
            row.problem(
                "duplicate",
                _l("Slug '%(slug)s' is used by row %(row)s too.", slug=row.slug, row=seen[row.slug]),
            )
            continue
        seen[row.slug] = row.number
        group = group_of(row)
        meeting = existing.get(row.slug)
        if meeting is not None and (group is None or meeting.group_id != group.id):
            if choices.on_conflict == "rename":
                row.slug = _free_suffix(row.slug, group, existing, taken)
                seen[row.slug] = row.number
                row.warnings.append(
                    _l("The slug was used by another group's meeting: imported as '%(slug)s'.", slug=row.slug)
                )
                meeting = existing.get(row.slug)
            else:
                row.problem(
                    "conflict",
                    _l(
                        "Slug '%(slug)s' belongs to another group's meeting in the organisation: skip "
                        "the row or rename it with a suffix.",
                        slug=row.slug,
                    ),
                )
                continue
        taken.add(row.slug)
        if meeting is not None:
            row.meeting = meeting
            row.action = "unchanged" if _same(meeting, row, now) else "update"


def _free_suffix(slug: str, group, existing: dict, taken: set) -> str:
    """`slug-2`, `slug-3`... the first that is free or already this group's (so a second import of the
    same file updates the renamed meeting instead of adding another)."""
    n = 2
    while True:
        candidate = f"{slug}-{n}"
        meeting = existing.get(candidate)
        if meeting is not None and group is not None and meeting.group_id == group.id:
            return candidate
        if candidate not in taken:
            return candidate
        n += 1


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
