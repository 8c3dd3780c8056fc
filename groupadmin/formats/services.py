"""Formats: the business rules. Callers (views, the demo, tests) commit.

Every function takes the current time as ``now`` and the acting user as ``actor``; nothing here reads the
clock, the request or the signed-in user.

Editing works on a draft: the first edit after a save copies the newest saved version into a draft
(sections keep their stable keys), later edits change the draft, and saving numbers it. A saved version
never changes again, so the script of a date is derived: the version a date uses is the newest one saved
before the date's occurrence started, unless the date chose another format or version.
"""

from __future__ import annotations

import difflib
import logging
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.formats import starters
from groupadmin.formats.models import (
    MAX_SECTION_MINUTES,
    SECTION_KINDS,
    Format,
    FormatSection,
    FormatVersion,
    MeetingFormat,
    OccurrenceFormat,
)
from groupadmin.formats.rendering import KIND_LABELS
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence

log = logging.getLogger("groupadmin.formats")

MAX_BODY_CHARS = 20_000
MAX_SECTIONS = 60


class FormatError(Exception):
    """A user-facing refusal: str(error) is a translated message; `field` names the form field it
    belongs beside, if any."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# ---------------------------------------------------------------------------------------------------
# Reading formats


def group_formats(group: Group, *, archived: bool = False) -> list[Format]:
    query = sa.select(Format).where(Format.group_id == group.id).order_by(Format.name, Format.id)
    query = query.where(Format.archived_at.is_not(None) if archived else Format.archived_at.is_(None))
    return list(db.session.scalars(query))


def count_archived(group: Group) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Format)
        .where(Format.group_id == group.id, Format.archived_at.is_not(None))
    )


def latest_versions(format_ids: list[int]) -> dict[int, FormatVersion]:
    """The newest saved version of each format, with its sections, in two queries."""
    if not format_ids:
        return {}
    newest = (
        sa.select(FormatVersion.format_id, sa.func.max(FormatVersion.number).label("number"))
        .where(FormatVersion.format_id.in_(format_ids), FormatVersion.number.is_not(None))
        .group_by(FormatVersion.format_id)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(FormatVersion)
        .join(
            newest,
            sa.and_(FormatVersion.format_id == newest.c.format_id, FormatVersion.number == newest.c.number),
        )
        .options(sa.orm.selectinload(FormatVersion.sections))
    )
    return {version.format_id: version for version in rows}


def latest_version(fmt: Format) -> FormatVersion | None:
    return latest_versions([fmt.id]).get(fmt.id)


def draft_of(fmt: Format) -> FormatVersion | None:
    return db.session.scalar(
        sa.select(FormatVersion)
        .where(FormatVersion.format_id == fmt.id, FormatVersion.number.is_(None))
        .options(sa.orm.selectinload(FormatVersion.sections), sa.orm.joinedload(FormatVersion.edited_by))
    )


def history(fmt: Format) -> list[FormatVersion]:
    """Saved versions, newest first, with who saved them."""
    return list(
        db.session.scalars(
            sa.select(FormatVersion)
            .where(FormatVersion.format_id == fmt.id, FormatVersion.number.is_not(None))
            .options(sa.orm.joinedload(FormatVersion.saved_by))
            .order_by(FormatVersion.number.desc())
        )
    )


def version_by_number(fmt: Format, number: int) -> FormatVersion | None:
    return db.session.scalar(
        sa.select(FormatVersion)
        .where(FormatVersion.format_id == fmt.id, FormatVersion.number == number)
        .options(sa.orm.selectinload(FormatVersion.sections), sa.orm.joinedload(FormatVersion.saved_by))
    )


def current_assignments(meeting_ids: list[int]) -> dict[int, MeetingFormat]:
    """The assignment in force now (the latest) for each meeting that has one."""
    if not meeting_ids:
        return {}
    result: dict[int, MeetingFormat] = {}
    for row in db.session.scalars(
        sa.select(MeetingFormat)
        .where(MeetingFormat.meeting_id.in_(meeting_ids))
        .order_by(MeetingFormat.since)
    ):
        result[row.meeting_id] = row
    return result


def group_meetings(group: Group) -> list[Meeting]:
    """The group's meetings that are not archived, with their schedules."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.group_id == group.id, Meeting.status != "archived")
            .options(sa.orm.selectinload(Meeting.schedules))
            .order_by(Meeting.name, Meeting.id)
        )
    )


def meetings_using(fmt: Format) -> list[Meeting]:
    """The group's (not archived) meetings whose current format is `fmt`."""
    meetings = group_meetings(fmt.group)
    current = current_assignments([m.id for m in meetings])
    return [m for m in meetings if m.id in current and current[m.id].format_id == fmt.id]


def meeting_minutes(meeting: Meeting) -> int | None:
    schedule = meeting.latest_schedule
    return schedule.duration_minutes if schedule is not None else None


def format_in_use(fmt: Format) -> bool:
    """Whether any meeting or date ever used the format (then it can be archived, not deleted)."""
    used = db.session.scalar(sa.select(MeetingFormat.id).where(MeetingFormat.format_id == fmt.id).limit(1))
    return bool(
        used
        or db.session.scalar(
            sa.select(OccurrenceFormat.id).where(OccurrenceFormat.format_id == fmt.id).limit(1)
        )
    )


# ---------------------------------------------------------------------------------------------------
# Creating, renaming, archiving


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise FormatError(_l("Give the format a name."), field="name")
    if len(name) > 120:
        raise FormatError(_l("Use at most 120 characters."), field="name")
    return name


def _check_name_free(group: Group, name: str, *, except_id: int | None = None) -> None:
    query = sa.select(Format.id).where(
        Format.group_id == group.id, sa.func.lower(Format.name) == name.lower()
    )
    if except_id is not None:
        query = query.where(Format.id != except_id)
    if db.session.scalar(query):
        raise FormatError(_l("The group already has a format of that name."), field="name")


def create_format(
    group: Group,
    *,
    actor,
    now: datetime,
    name: str,
    description: str | None = None,
    starter: str | None = None,
    copy_of: Format | None = None,
) -> Format:
    """A new format: blank, from a starter, or a copy of another format of the group (its newest saved
    version). A format started from something has version 1 saved at once."""
    name = _clean_name(name)
    _check_name_free(group, name)
    if copy_of is not None and copy_of.group_id != group.id:
        raise FormatError(_l("Choose a format of this group."), field="start_from")
    fmt = Format(
        group=group,
        name=name,
        description=(description or "").strip() or None,
        created_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(fmt)
    db.session.flush()
    sections: list[dict] = []
    note = None
    if starter is not None:
        if starter not in starters.STARTERS:
            raise FormatError(_l("Choose a starter from the list."), field="start_from")
        sections = [
            {
                "kind": s.kind,
                "title": str(s.title),
                "body": str(s.body),
                "duration_minutes": s.minutes,
                "led_by": str(s.led_by) if s.led_by else None,
            }
            for s in starters.starter_sections(starter, group.fellowship)
        ]
        note = str(_l("Started from the “%(starter)s” starter.", starter=starters.STARTERS[starter][0]))
    elif copy_of is not None:
        source = latest_version(copy_of)
        sections = [_section_values(s) for s in (source.sections if source else [])]
        note = str(
            _l("Copied from “%(name)s”, version %(number)s.", name=copy_of.name, number=source.number)
            if source
            else _l("Copied from “%(name)s”.", name=copy_of.name)
        )
    if sections:
        version = FormatVersion(
            format=fmt,
            number=1,
            saved_at=now,
            saved_by_id=getattr(actor, "id", None),
            note=note,
            created_at=now,
            edited_at=now,
            edited_by_id=getattr(actor, "id", None),
        )
        for position, values in enumerate(sections):
            version.sections.append(FormatSection(key=position + 1, position=position, **values))
        fmt.next_section_key = len(sections) + 1
        db.session.add(version)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="format.created",
        obj=fmt,
        group=group,
        starter=starter,
        copied_from=copy_of.id if copy_of is not None else None,
    )
    log.info("format created", extra={"fields": {"format": fmt.id, "group": group.id}})
    return fmt


def _section_values(section: FormatSection) -> dict:
    return {
        "kind": section.kind,
        "title": section.title,
        "body": section.body,
        "duration_minutes": section.duration_minutes,
        "led_by": section.led_by,
    }


def update_format(fmt: Format, *, actor, now: datetime, name: str, description: str | None) -> None:
    name = _clean_name(name)
    _check_name_free(fmt.group, name, except_id=fmt.id)
    fmt.name = name
    fmt.description = (description or "").strip() or None
    audit.record(now=now, actor=actor, action="format.renamed", obj=fmt, group=fmt.group)


def archive_format(fmt: Format, *, actor, now: datetime) -> None:
    """Archive a format no meeting uses now. Past dates keep showing it."""
    using = meetings_using(fmt)
    if using:
        raise FormatError(
            _l(
                "%(count)s meeting(s) use this format: choose another format for them first.",
                count=len(using),
            )
        )
    fmt.archived_at = now
    audit.record(now=now, actor=actor, action="format.archived", obj=fmt, group=fmt.group)


def restore_format(fmt: Format, *, actor, now: datetime) -> None:
    _check_name_free(fmt.group, fmt.name, except_id=fmt.id)
    fmt.archived_at = None
    audit.record(now=now, actor=actor, action="format.restored", obj=fmt, group=fmt.group)


def delete_format(fmt: Format, *, actor, now: datetime) -> None:
    """Delete a format that no meeting or date ever used (otherwise: archive it, so history stays)."""
    if format_in_use(fmt):
        raise FormatError(_l("Meetings have used this format, so it is kept for their history: archive it."))
    audit.record(now=now, actor=actor, action="format.deleted", obj=fmt, group=fmt.group)
    db.session.execute(sa.delete(Format).where(Format.id == fmt.id))
    db.session.expunge(fmt)


# ---------------------------------------------------------------------------------------------------
# Editing sections (always in the draft)


def ensure_draft(fmt: Format, *, actor, now: datetime) -> FormatVersion:
    """The format's draft, made from the newest saved version if there is none."""
    draft = draft_of(fmt)
    if draft is not None:
        return draft
    source = latest_version(fmt)
    draft = FormatVersion(
        format=fmt, number=None, created_at=now, edited_at=now, edited_by_id=getattr(actor, "id", None)
    )
    for section in source.sections if source else []:
        draft.sections.append(
            FormatSection(key=section.key, position=section.position, **_section_values(section))
        )
    db.session.add(draft)
    _flush_or_conflict()
    return draft


def _flush_or_conflict() -> None:
    """Flush; two secretaries starting a draft or saving a version at the same moment meet a unique
    constraint: the second is told to look again instead of seeing an error page."""
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        raise FormatError(
            _l("Someone else changed this format at the same moment. Check the format and try again.")
        ) from error


def clean_section_values(values: dict) -> dict:
    """Validate a section's fields; raises FormatError naming the field."""
    kind = values.get("kind")
    if kind not in SECTION_KINDS:
        raise FormatError(_l("Choose what kind of section this is."), field="kind")
    title = (values.get("title") or "").strip()
    if not title:
        raise FormatError(_l("Give the section a title, e.g. “Opening” or “Readings”."), field="title")
    if len(title) > 120:
        raise FormatError(_l("Use at most 120 characters."), field="title")
    body = (values.get("body") or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY_CHARS:
        raise FormatError(_l("Use at most %(n)s characters.", n=MAX_BODY_CHARS), field="body")
    minutes = values.get("duration_minutes")
    if minutes is not None and not 0 <= minutes <= MAX_SECTION_MINUTES:
        raise FormatError(
            _l("Enter minutes between 0 and %(max)s, or leave it empty.", max=MAX_SECTION_MINUTES),
            field="duration_minutes",
        )
    led_by = (values.get("led_by") or "").strip() or None
    if led_by and len(led_by) > 60:
        raise FormatError(_l("Use at most 60 characters."), field="led_by")
    return {"kind": kind, "title": title, "body": body, "duration_minutes": minutes, "led_by": led_by}


def _touch(draft: FormatVersion, actor, now: datetime) -> None:
    draft.edited_at = now
    draft.edited_by_id = getattr(actor, "id", None)


def _renumber(sections: list[FormatSection]) -> None:
    for position, section in enumerate(sections):
        if section.position != position:
            section.position = position


def _find(draft: FormatVersion, key: int) -> FormatSection:
    for section in draft.sections:
        if section.key == key:
            return section
    raise FormatError(_l("That section is no longer in the format (someone may have removed it)."))


def section_in_working_copy(fmt: Format, key: int) -> FormatSection | None:
    """A section as the editor sees it: in the draft if there is one, else in the newest version."""
    version = draft_of(fmt) or latest_version(fmt)
    if version is None:
        return None
    return next((s for s in version.sections if s.key == key), None)


def add_section(fmt: Format, *, actor, now: datetime, values: dict, place: str = "end") -> FormatSection:
    """Add a section to the draft. place: "end", "start" or "after-<key>"."""
    values = clean_section_values(values)
    draft = ensure_draft(fmt, actor=actor, now=now)
    sections = list(draft.sections)
    if len(sections) >= MAX_SECTIONS:
        raise FormatError(_l("A format has at most %(n)s sections.", n=MAX_SECTIONS))
    index = len(sections)
    if place == "start":
        index = 0
    elif place.startswith("after-"):
        try:
            after = int(place.removeprefix("after-"))
        except ValueError:
            after = None
        index = next((i + 1 for i, s in enumerate(sections) if s.key == after), len(sections))
    section = FormatSection(key=fmt.next_section_key, position=index, **values)
    fmt.next_section_key += 1
    sections.insert(index, section)
    draft.sections.append(section)
    _renumber(sections)
    draft.sections.sort(key=lambda s: s.position)
    _touch(draft, actor, now)
    db.session.flush()
    return section


def edit_section(fmt: Format, key: int, *, actor, now: datetime, values: dict) -> FormatSection:
    values = clean_section_values(values)
    draft = ensure_draft(fmt, actor=actor, now=now)
    section = _find(draft, key)
    for name, value in values.items():
        if getattr(section, name) != value:
            setattr(section, name, value)
    _touch(draft, actor, now)
    db.session.flush()
    return section


def move_section(fmt: Format, key: int, direction: str, *, actor, now: datetime) -> None:
    """Move a section one place up or down, or to the top or the bottom."""
    draft = ensure_draft(fmt, actor=actor, now=now)
    sections = sorted(draft.sections, key=lambda s: s.position)
    section = _find(draft, key)
    index = sections.index(section)
    target = {"up": index - 1, "down": index + 1, "top": 0, "bottom": len(sections) - 1}.get(direction)
    if target is None:
        raise FormatError(_l("Choose up or down."))
    target = max(0, min(len(sections) - 1, target))
    sections.insert(target, sections.pop(index))
    _renumber(sections)
    draft.sections.sort(key=lambda s: s.position)
    _touch(draft, actor, now)
    db.session.flush()


def remove_section(fmt: Format, key: int, *, actor, now: datetime) -> None:
    draft = ensure_draft(fmt, actor=actor, now=now)
    section = _find(draft, key)
    draft.sections.remove(section)
    _renumber(sorted(draft.sections, key=lambda s: s.position))
    _touch(draft, actor, now)
    db.session.flush()


def has_changes(fmt: Format, draft: FormatVersion | None = None, latest: FormatVersion | None = None) -> bool:
    draft = draft if draft is not None else draft_of(fmt)
    if draft is None:
        return False
    latest = latest if latest is not None else latest_version(fmt)
    return latest is None or draft.content() != latest.content()


def save_version(fmt: Format, *, actor, now: datetime, note: str | None = None) -> FormatVersion:
    """Number the draft: from now on it is an immutable version, used by dates that start after `now`."""
    draft = draft_of(fmt)
    latest = latest_version(fmt)
    if draft is None or (latest is not None and draft.content() == latest.content()):
        raise FormatError(_l("Nothing has changed since the last saved version."))
    if not draft.sections:
        raise FormatError(_l("Add at least one section before saving."))
    note = (note or "").strip() or None
    if note and len(note) > 200:
        raise FormatError(_l("Use at most 200 characters."), field="note")
    if latest is not None and latest.saved_at >= now:
        now = latest.saved_at  # clocks of several workers: never save "before" the previous version
    draft.number = (latest.number if latest else 0) + 1
    draft.saved_at = now
    draft.saved_by_id = getattr(actor, "id", None)
    draft.note = note
    _flush_or_conflict()
    audit.record(now=now, actor=actor, action="format.saved", obj=fmt, group=fmt.group, version=draft.number)
    log.info("format saved", extra={"fields": {"format": fmt.id, "version": draft.number}})
    return draft


def discard_draft(fmt: Format, *, actor, now: datetime) -> None:
    draft = draft_of(fmt)
    if draft is None:
        return
    db.session.delete(draft)
    db.session.flush()
    audit.record(now=now, actor=actor, action="format.draft_discarded", obj=fmt, group=fmt.group)


# ---------------------------------------------------------------------------------------------------
# The difference between two versions


@dataclass
class SectionDiff:
    status: str  # unchanged | changed | added | removed
    old: FormatSection | None
    new: FormatSection | None
    moved: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    body: list[tuple[str, str]] = field(default_factory=list)  # (" ", "-" or "+", line)

    @property
    def section(self) -> FormatSection:
        return self.new or self.old


def _label_kind(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind, kind or ""))


def _minutes(value: int | None) -> str:
    return "" if value is None else str(_l("%(n)s min", n=value))


def diff_versions(old: FormatVersion, new: FormatVersion) -> list[SectionDiff]:
    """Section by section, matched by their stable keys, in the new version's order; removed sections
    appear where they used to be."""
    old_by_key = {s.key: s for s in old.sections}
    new_by_key = {s.key: s for s in new.sections}
    common_old = [s.key for s in old.sections if s.key in new_by_key]
    common_new = [s.key for s in new.sections if s.key in old_by_key]
    matcher = difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    in_place: set[int] = set()
    for block in matcher.get_matching_blocks():
        in_place.update(common_new[block.b : block.b + block.size])
    result: list[SectionDiff] = []
    for section in new.sections:
        before = old_by_key.get(section.key)
        if before is None:
            result.append(SectionDiff("added", None, section))
            continue
        item = SectionDiff("unchanged", before, section, moved=section.key not in in_place)
        for label, attr, show in (
            (_l("Title"), "title", str),
            (_l("Kind"), "kind", _label_kind),
            (_l("Minutes"), "duration_minutes", _minutes),
            (_l("Led by"), "led_by", lambda v: v or ""),
        ):
            a, b = getattr(before, attr), getattr(section, attr)
            if a != b:
                item.changes.append((str(label), show(a), show(b)))
        if before.body != section.body:
            item.body = _line_diff(before.body, section.body)
        if item.changes or item.body:
            item.status = "changed"
        result.append(item)
    # Removed sections go back after the section that preceded them in the old version.
    for index, section in enumerate(old.sections):
        if section.key in new_by_key:
            continue
        position = 0
        for previous in reversed(old.sections[:index]):
            found = next((i for i, d in enumerate(result) if d.section.key == previous.key), None)
            if found is not None:
                position = found + 1
                break
        result.insert(position, SectionDiff("removed", section, None))
    return result


def _line_diff(a: str, b: str) -> list[tuple[str, str]]:
    old_lines, new_lines = a.splitlines(), b.splitlines()
    lines: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [(" ", line) for line in old_lines[i1:i2]]
        else:
            lines += [("-", line) for line in old_lines[i1:i2]]
            lines += [("+", line) for line in new_lines[j1:j2]]
    return lines


# ---------------------------------------------------------------------------------------------------
# Which format a meeting and a date use


def assign_format(meeting: Meeting, fmt: Format | None, *, actor, now: datetime) -> bool:
    """The meeting uses `fmt` (None: no format) for dates that start from now on; dates that already
    started keep what they had. Returns False when nothing changed."""
    if fmt is not None and (fmt.group_id != meeting.group_id or fmt.is_archived):
        raise FormatError(_l("Choose one of the group's formats."), field="format_id")
    current = current_assignments([meeting.id]).get(meeting.id)
    if (current.format_id if current else None) == (fmt.id if fmt else None):
        return False
    if current is not None and current.since >= now:
        # Two changes at the same instant (or a clock behind): the later one replaces the earlier.
        current.format_id = fmt.id if fmt else None
        current.set_by_id = getattr(actor, "id", None)
    else:
        db.session.add(
            MeetingFormat(
                meeting_id=meeting.id,
                format_id=fmt.id if fmt else None,
                since=now,
                set_by_id=getattr(actor, "id", None),
            )
        )
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="meeting.format_assigned",
        obj=meeting,
        group=meeting.group,
        format_id=fmt.id if fmt else None,
    )
    return True


def set_date_format(
    occurrence: Occurrence, *, actor, now: datetime, fmt: Format | None, version: FormatVersion | None = None
) -> None:
    """A date's own format (a special meeting), optionally a pinned version; fmt None: the date uses the
    meeting's format again."""
    meeting = occurrence.meeting
    existing = db.session.scalar(
        sa.select(OccurrenceFormat).where(OccurrenceFormat.occurrence_id == occurrence.id)
    )
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


@dataclass
class DateScript:
    """What a date uses: derived from the assignments, the date's override and the saved versions."""

    occurrence: Occurrence
    format: Format | None = None
    version: FormatVersion | None = None
    overridden: bool = False  # the date chose its own format or version
    pinned: bool = False  # ... and a fixed version
    saved_after: bool = False  # no version was saved before the date: the first one is shown


def scripts_for(occurrences: list[Occurrence]) -> dict[int, DateScript]:
    """The format and version each occurrence uses, in a fixed number of queries (4) however many.

    The rule: a date's own choice wins (a pinned version, or the newest version of the chosen format
    saved before the date started); otherwise the format the meeting used when the date started, and its
    newest version saved before then. Versions saved later never change an earlier date.
    """
    if not occurrences:
        return {}
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

    result: dict[int, DateScript] = {}
    for occurrence in occurrences:
        script = DateScript(occurrence)
        override = overrides.get(occurrence.id)
        if override is not None:
            script.overridden = True
            script.format = formats.get(override.format_id)
            if override.version_id is not None:
                script.pinned = True
                script.version = by_id.get(override.version_id)
        else:
            rows = assignments.get(occurrence.meeting_id, [])
            sinces = [row.since for row in rows]
            index = bisect_left(sinces, occurrence.starts_at)  # rows set before the start: [:index]
            if index > 0 and rows[index - 1].format_id is not None:
                script.format = formats.get(rows[index - 1].format_id)
        if script.format is not None and script.version is None:
            candidates = versions.get(script.format.id, [])
            before = [v for v in candidates if v.saved_at < occurrence.starts_at]
            if before:
                script.version = before[-1]
            elif candidates and script.overridden:
                # The date chose this format after the fact: show its first version, and say so.
                script.version = candidates[0]
                script.saved_after = True
        result[occurrence.id] = script
    return result


def script_for(occurrence: Occurrence) -> DateScript:
    """One date's script; its version's sections load with one more query when first read."""
    return scripts_for([occurrence])[occurrence.id]


def section_times(version: FormatVersion, start: datetime) -> list[tuple[FormatSection, datetime]]:
    """Each section with the time it starts, counting the expected durations from the meeting's start."""
    result, clock = [], start
    for section in version.sections:
        result.append((section, clock))
        clock += timedelta(minutes=section.duration_minutes or 0)
    return result


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
# The rota's names on the script


def people_on_script(occurrence: Occurrence) -> list[tuple[str, str]]:
    """(role name, display name) pairs to print on a date's script: the chair, the speaker… of that date.

    The one place the script asks the rota (issue 6). ``groupadmin.rota.services.people_for_occurrence``
    decides which roles and names; until the rota exists this shows nothing.
    """
    try:
        from groupadmin.rota import services as rota
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("groupadmin.rota"):
            return []
        raise
    people_for_occurrence = getattr(rota, "people_for_occurrence", None)
    if people_for_occurrence is None:
        return []
    return [(str(role), str(name)) for role, name in people_for_occurrence(occurrence)]
