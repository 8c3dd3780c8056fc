"""Which format and version a date uses. A saved version never changes, so the script of a date is
derived: the newest version saved before the date's occurrence started, unless the date chose another
format or version. Also a date's own choice, and the pages of a meeting's dates."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.formats.models import Format, FormatVersion, MeetingFormat, OccurrenceFormat
from groupadmin.formats.services.assigning import current_format, meeting_minutes
from groupadmin.formats.services.errors import FormatError
from groupadmin.formats.services.versions import group_formats, latest_version, saved_versions
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence


def set_date_format(
    occurrence: Occurrence, *, actor, now: datetime, fmt: Format | None, version: FormatVersion | None = None
) -> None:
    """A date's own format (a special meeting), optionally a pinned version; fmt None: the date uses the
    meeting's format again."""
    meeting = occurrence.meeting
    existing = date_override(occurrence)
    if fmt is None:
        if existing is not None:
            db.session.delete(existing)
    else:
        if fmt.group_id != meeting.group_id:
            raise FormatError(_l("Choose one of the group's formats."), field="choice")
        if version is not None and (version.format_id != fmt.id or version.number is None):
            raise FormatError(_l("Choose a saved version of that format."), field="choice")
        if existing is None:
            existing = OccurrenceFormat(occurrence_id=occurrence.id)
            db.session.add(existing)
        existing.format_id = fmt.id
        existing.version_id = version.id if version else None
        existing.set_at = now
        existing.set_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="occurrence.format_set" if fmt else "occurrence.format_cleared",
        obj=occurrence,
        group=meeting.group,
        format_id=fmt.id if fmt else None,
        version=version.number if version else None,
    )


def date_override(occurrence: Occurrence) -> OccurrenceFormat | None:
    return db.session.scalar(
        sa.select(OccurrenceFormat).where(OccurrenceFormat.occurrence_id == occurrence.id)
    )


# ---------------------------------------------------------------------------------------------------
# Deriving what a date uses


@dataclass
class DateScript:
    """What a date uses: derived from the assignments, the date's override and the saved versions."""

    occurrence: Occurrence
    format: Format | None = None
    version: FormatVersion | None = None
    overridden: bool = False  # the date chose its own format or version
    pinned: bool = False  # ... and a fixed version
    saved_after: bool = False  # no version was saved before the date: the first one is shown


@dataclass
class _Rules:
    """Everything the derivation reads, loaded at once for many dates."""

    assignments: dict[int, list[MeetingFormat]]  # meeting id -> assignments, oldest first
    overrides: dict[int, OccurrenceFormat]  # occurrence id -> the date's own choice
    formats: dict[int, Format]
    versions: dict[int, list[FormatVersion]]  # format id -> saved versions, oldest first
    by_id: dict[int, FormatVersion]


def _load_rules(occurrences: list[Occurrence]) -> _Rules:
    """The assignments, overrides, formats and saved versions of these dates, in four queries."""
    meeting_ids = {o.meeting_id for o in occurrences}
    assignments: dict[int, list[MeetingFormat]] = {}
    for row in db.session.scalars(
        sa.select(MeetingFormat)
        .where(MeetingFormat.meeting_id.in_(meeting_ids))
        .order_by(MeetingFormat.since)
    ):
        assignments.setdefault(row.meeting_id, []).append(row)
    overrides = {
        row.occurrence_id: row
        for row in db.session.scalars(
            sa.select(OccurrenceFormat).where(OccurrenceFormat.occurrence_id.in_([o.id for o in occurrences]))
        )
    }
    format_ids = {a.format_id for rows in assignments.values() for a in rows if a.format_id is not None}
    format_ids |= {o.format_id for o in overrides.values()}
    formats = (
        {f.id: f for f in db.session.scalars(sa.select(Format).where(Format.id.in_(format_ids)))}
        if format_ids
        else {}
    )
    versions: dict[int, list[FormatVersion]] = {}
    by_id: dict[int, FormatVersion] = {}
    if format_ids:
        for version in db.session.scalars(
            sa.select(FormatVersion)
            .where(FormatVersion.format_id.in_(format_ids), FormatVersion.number.is_not(None))
            .order_by(FormatVersion.number)
        ):
            versions.setdefault(version.format_id, []).append(version)
            by_id[version.id] = version
    return _Rules(assignments, overrides, formats, versions, by_id)


def _derive(occurrence: Occurrence, rules: _Rules) -> DateScript:
    """The rule, for one date (no queries)."""
    script = DateScript(occurrence)
    override = rules.overrides.get(occurrence.id)
    if override is not None:
        script.overridden = True
        script.format = rules.formats.get(override.format_id)
        if override.version_id is not None:
            script.pinned = True
            script.version = rules.by_id.get(override.version_id)
    else:
        rows = rules.assignments.get(occurrence.meeting_id, [])
        sinces = [row.since for row in rows]
        index = bisect_left(sinces, occurrence.starts_at)  # rows set before the start: [:index]
        if index > 0 and rows[index - 1].format_id is not None:
            script.format = rules.formats.get(rows[index - 1].format_id)
    if script.format is not None and script.version is None:
        candidates = rules.versions.get(script.format.id, [])
        before = [v for v in candidates if v.saved_at < occurrence.starts_at]
        if before:
            script.version = before[-1]
        elif candidates and script.overridden:
            # The date chose this format after the fact: show its first version, and say so.
            script.version = candidates[0]
            script.saved_after = True
    return script


def scripts_for(occurrences: list[Occurrence]) -> dict[int, DateScript]:
    """The format and version each occurrence uses, in a fixed number of queries (4) however many.

    The rule: a date's own choice wins (a pinned version, or the newest version of the chosen format
    saved before the date started); otherwise the format the meeting used when the date started, and its
    newest version saved before then. Versions saved later never change an earlier date.
    """
    if not occurrences:
        return {}
    rules = _load_rules(occurrences)
    return {occurrence.id: _derive(occurrence, rules) for occurrence in occurrences}


def script_for(occurrence: Occurrence) -> DateScript:
    """One date's script; its version's sections load with one more query when first read."""
    return scripts_for([occurrence])[occurrence.id]


def upcoming_and_recent(
    meeting: Meeting, *, now: datetime, ahead: int = 8, past: int = 4
) -> tuple[list, list]:
    """The meeting's next dates (not yet ended) and its last few past ones."""
    upcoming = list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at > now)
            .order_by(Occurrence.starts_at)
            .limit(ahead)
        )
    )
    recent = list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at <= now)
            .order_by(Occurrence.starts_at.desc())
            .limit(past)
        )
    )
    return upcoming, recent


# ---------------------------------------------------------------------------------------------------
# A meeting's format and its dates; one date's choice


@dataclass
class MeetingPage:
    upcoming: list[Occurrence]
    recent: list[Occurrence]
    scripts: dict[int, DateScript]  # occurrence id -> what it uses
    current: Format | None  # the format the meeting uses now
    latest: FormatVersion | None  # ... and its newest version
    formats: list[Format]  # the group's formats to choose from
    minutes: int | None  # the meeting's length


def meeting_page(group: Group, meeting: Meeting, *, now: datetime) -> MeetingPage:
    upcoming, recent = upcoming_and_recent(meeting, now=now)
    scripts = scripts_for(upcoming + recent)
    current = current_format(meeting)
    formats = group_formats(group)
    return MeetingPage(
        upcoming=upcoming,
        recent=recent,
        scripts=scripts,
        current=current,
        latest=latest_version(current) if current else None,
        formats=formats,
        minutes=meeting_minutes(meeting),
    )


@dataclass
class DateChoices:
    formats: list[Format]  # the group's formats, and an archived one the date chose earlier
    versions: dict[int, list[FormatVersion]]  # format id -> saved versions, newest first
    script: DateScript  # what the date uses now
    override: OccurrenceFormat | None  # the date's own choice


def date_choices(group: Group, occurrence: Occurrence) -> DateChoices:
    formats = group_formats(group)
    script = script_for(occurrence)
    override = date_override(occurrence)
    # A date may keep an archived format it chose earlier.
    if override is not None and override.format not in formats:
        formats.append(override.format)
    return DateChoices(formats, saved_versions(formats), script, override)
