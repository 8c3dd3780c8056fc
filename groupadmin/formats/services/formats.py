"""A format's life: creating (blank, from a starter, as a copy), renaming, archiving, restoring,
deleting; a meeting's own copy of the format it shares; and what the format's pages show."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.formats.models import Format, FormatSection, FormatVersion
from groupadmin.formats.services.assigning import (
    assign_format,
    current_format,
    group_meetings,
    meetings_using,
)
from groupadmin.formats.services.errors import FormatError
from groupadmin.formats.services.sections import has_changes
from groupadmin.formats.services.starting import starting_sections
from groupadmin.formats.services.versions import (
    draft_of,
    format_in_use,
    group_formats,
    history,
    latest_version,
)
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting

log = logging.getLogger("groupadmin.formats")

MAX_NAME_CHARS = 120


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise FormatError(_l("Give the format a name."), field="name")
    if len(name) > MAX_NAME_CHARS:
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


def _first_version(fmt: Format, sections: list[dict], note: str | None, *, actor, now: datetime) -> None:
    """Version 1, saved at once, of a format started from something."""
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


def create_format(
    group: Group,
    *,
    actor,
    now: datetime,
    name: str,
    description: str | None = None,
    starter: str | None = None,
    copy_of: Format | None = None,
    meeting: Meeting | None = None,
) -> Format:
    """A new format: blank, from a starter, or a copy of another format of the group (its newest saved
    version). A format started from something has version 1 saved at once. `meeting`, if given, uses
    it from now on."""
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
    sections, note = starting_sections(group, starter, copy_of)
    if sections:
        _first_version(fmt, sections, note, actor=actor, now=now)
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
    if meeting is not None:
        assign_format(meeting, fmt, actor=actor, now=now)
    return fmt


def _free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`… whichever no format of the group has (any case)."""
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name[:112]} ({n})", n + 1
    return candidate


def copy_for_meeting(meeting: Meeting, *, actor, now: datetime) -> Format | None:
    """Give the meeting its own copy of the format it shares (to change it for this meeting only), and
    use it from now on. None when the meeting has no format."""
    source = current_format(meeting)
    if source is None:
        return None
    group = meeting.group
    name = str(_l("%(meeting)s format", meeting=meeting.name))[:MAX_NAME_CHARS]
    taken = {f.name.lower() for f in group_formats(group)} | {
        f.name.lower() for f in group_formats(group, archived=True)
    }
    return create_format(
        group, actor=actor, now=now, name=_free_name(name, taken), copy_of=source, meeting=meeting
    )


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
# What the format's pages show


@dataclass
class NewFormatOptions:
    formats: list[Format]  # to copy from
    meetings: list[Meeting]  # to use the new format


def new_format_options(group: Group) -> NewFormatOptions:
    return NewFormatOptions(group_formats(group), group_meetings(group))


@dataclass
class FormatPage:
    latest: FormatVersion | None
    draft: FormatVersion | None  # only for an editor
    shown: FormatVersion | None  # the draft if there is one, else the newest version
    unsaved: bool  # the draft differs from the newest version
    history: list[FormatVersion]
    meetings: list[Meeting]  # using it now


def format_page(fmt: Format, *, editing: bool) -> FormatPage:
    latest = latest_version(fmt)
    draft = draft_of(fmt) if editing else None
    saved = history(fmt)
    meetings = meetings_using(fmt)
    return FormatPage(
        latest=latest,
        draft=draft,
        shown=draft or latest,
        unsaved=has_changes(fmt, draft, latest) if draft else False,
        history=saved,
        meetings=meetings,
    )


@dataclass
class FormatUsage:
    in_use: bool  # ever used by a meeting or a date: it can be archived, not deleted
    meetings: list[Meeting]  # using it now


def usage(fmt: Format) -> FormatUsage:
    return FormatUsage(format_in_use(fmt), meetings_using(fmt))
