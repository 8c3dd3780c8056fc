"""Reading formats and their versions: the group's formats, the newest saved version, the draft, the
history. A saved version never changes; the draft (number None) is the one being edited."""

from __future__ import annotations

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.formats.models import Format, FormatSection, FormatVersion, MeetingFormat, OccurrenceFormat
from groupadmin.groups.models import Group


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


def working_copy(fmt: Format) -> FormatVersion | None:
    """What the editor sees: the draft if there is one, else the newest saved version."""
    return draft_of(fmt) or latest_version(fmt)


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


def saved_versions(formats: list[Format]) -> dict[int, list[FormatVersion]]:
    """The saved versions of each format, newest first, in one query."""
    versions: dict[int, list[FormatVersion]] = {}
    if formats:
        for version in db.session.scalars(
            sa.select(FormatVersion)
            .where(FormatVersion.format_id.in_([f.id for f in formats]), FormatVersion.number.is_not(None))
            .order_by(FormatVersion.number.desc())
        ):
            versions.setdefault(version.format_id, []).append(version)
    return versions


def format_in_use(fmt: Format) -> bool:
    """Whether any meeting or date ever used the format (then it can be archived, not deleted)."""
    used = db.session.scalar(sa.select(MeetingFormat.id).where(MeetingFormat.format_id == fmt.id).limit(1))
    return bool(
        used
        or db.session.scalar(
            sa.select(OccurrenceFormat.id).where(OccurrenceFormat.format_id == fmt.id).limit(1)
        )
    )


def section_values(section: FormatSection) -> dict:
    """A section's own fields, to copy it into a draft or another format."""
    return {
        "kind": section.kind,
        "title": section.title,
        "body": section.body,
        "duration_minutes": section.duration_minutes,
        "led_by": section.led_by,
    }


def version_page(fmt: Format, number: int) -> tuple[FormatVersion, FormatVersion | None] | None:
    """Saved version `number` and the newest one (to say whether it is current); None if no such version."""
    shown = version_by_number(fmt, number)
    if shown is None:
        return None
    return shown, latest_version(fmt)
