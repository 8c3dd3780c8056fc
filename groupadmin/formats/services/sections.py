"""Editing a format's sections, always in the draft, and saving the draft as a new version.

The first edit after a save copies the newest saved version into a draft (sections keep their stable
keys), later edits change the draft, and saving numbers it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.formats.models import MAX_SECTION_MINUTES, SECTION_KINDS, Format, FormatSection, FormatVersion
from groupadmin.formats.services.errors import FormatError, flush_or_conflict
from groupadmin.formats.services.versions import draft_of, latest_version, section_values, working_copy

log = logging.getLogger("groupadmin.formats")

MAX_BODY_CHARS = 20_000
MAX_SECTIONS = 60


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
            FormatSection(key=section.key, position=section.position, **section_values(section))
        )
    db.session.add(draft)
    flush_or_conflict()
    return draft


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
    version = working_copy(fmt)
    if version is None:
        return None
    return next((s for s in version.sections if s.key == key), None)


def _insert_index(sections: list[FormatSection], place: str) -> int:
    """Where `place` ("end", "start" or "after-<key>") puts a new section."""
    if place == "start":
        return 0
    if place.startswith("after-"):
        try:
            after = int(place.removeprefix("after-"))
        except ValueError:
            after = None
        return next((i + 1 for i, s in enumerate(sections) if s.key == after), len(sections))
    return len(sections)


def add_section(fmt: Format, *, actor, now: datetime, values: dict, place: str = "end") -> FormatSection:
    """Add a section to the draft. place: "end", "start" or "after-<key>"."""
    values = clean_section_values(values)
    draft = ensure_draft(fmt, actor=actor, now=now)
    sections = list(draft.sections)
    if len(sections) >= MAX_SECTIONS:
        raise FormatError(_l("A format has at most %(n)s sections.", n=MAX_SECTIONS))
    index = _insert_index(sections, place)
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
    flush_or_conflict()
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
