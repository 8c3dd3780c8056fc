"""Reading the directory: an owner's entries, the public page's entries grouped by kind, and what other
domains show (a newcomer's welcome message, the public help page, newsletters). Crisis lines always
come first, then the other kinds in their fixed order, then by name."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.resources.models import KIND_LABELS, KINDS, Resource

_KIND_ORDER = sa.case({kind: n for n, kind in enumerate(KINDS)}, value=Resource.kind, else_=len(KINDS))
# Crisis lines first; within a kind, round-the-clock entries before the others; then by name.
ORDER = (_KIND_ORDER, Resource.is_24_7.desc(), sa.func.lower(Resource.name), Resource.id)


def is_group(owner) -> bool:
    return isinstance(owner, Group)


def scope_of(owner) -> tuple[int, int | None]:
    """(organisation id, group id or None) of an owner: a group or an organisation."""
    if is_group(owner):
        return owner.organisation_id, owner.id
    return owner.id, None


def _owned_by(owner):
    organisation_id, group_id = scope_of(owner)
    if group_id is None:
        return sa.and_(Resource.organisation_id == organisation_id, Resource.group_id.is_(None))
    return Resource.group_id == group_id


def entries_of(owner) -> list[Resource]:
    """The owner's own entries (an organisation's: not its groups'), crisis lines first; with who
    checked them last (one query)."""
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(_owned_by(owner))
            .options(sa.orm.joinedload(Resource.checked_by))
            .order_by(*ORDER)
        )
    )


def entry_of(owner, resource_id: int) -> Resource | None:
    """The owner's entry `resource_id`, or None (another owner's entry included)."""
    return db.session.scalar(sa.select(Resource).where(Resource.id == resource_id, _owned_by(owner)))


def directory_entries(organisation_id: int, group_id: int | None = None) -> list[Resource]:
    """What the public sees: the organisation's entries and, for a group's variant, that group's own;
    crisis lines first. One query."""
    scope = Resource.group_id.is_(None)
    if group_id is not None:
        scope = sa.or_(scope, Resource.group_id == group_id)
    return list(
        db.session.scalars(
            sa.select(Resource).where(Resource.organisation_id == organisation_id, scope).order_by(*ORDER)
        )
    )


@dataclass
class Section:
    kind: str
    label: str
    entries: list[Resource]


def by_kind(entries: list[Resource]) -> list[Section]:
    """Entries (already in directory order) grouped by kind, crisis lines first; empty kinds left out."""
    sections: dict[str, Section] = {}
    for entry in entries:
        if entry.kind not in sections:
            sections[entry.kind] = Section(entry.kind, str(KIND_LABELS[entry.kind]), [])
        sections[entry.kind].entries.append(entry)
    return list(sections.values())


def public_organisation(org_slug: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == org_slug))


def public_group(organisation: Organisation, group_slug: str) -> Group | None:
    """The organisation's group `group_slug`, or None (a group of another organisation included)."""
    return db.session.scalar(
        sa.select(Group).where(Group.slug == group_slug, Group.organisation_id == organisation.id)
    )


# ---------------------------------------------------------------------------------------------------
# For other domains


def crisis_lines(organisation_id: int) -> list[Resource]:
    """The organisation's crisis lines (not a group's own), round-the-clock ones first."""
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(
                Resource.organisation_id == organisation_id,
                Resource.group_id.is_(None),
                Resource.kind == "crisis_line",
            )
            .order_by(*ORDER)
        )
    )


def welcome_selection(organisation_id: int, group_id: int | None, limit: int = 5) -> list[Resource]:
    """A few entries for a newcomer's welcome message: crisis lines first (the organisation's and the
    group's), then the group's own entries, then the organisation's others; at most `limit`. Each has
    ``.name``, ``.phone``, ``.url``, ``.hours``, ``.is_24_7`` and ``.kind_label``."""
    if limit <= 0:
        return []
    scope = Resource.group_id.is_(None)
    if group_id is not None:
        scope = sa.or_(scope, Resource.group_id == group_id)
    crisis_first = sa.case((Resource.kind == "crisis_line", 0), else_=1)
    own_next = sa.case((Resource.group_id.is_(None), 1), else_=0)
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(Resource.organisation_id == organisation_id, scope)
            .order_by(crisis_first, own_next, *ORDER)
            .limit(limit)
        )
    )
