"""Organisations, groups and roles. Callers commit; every change is audited (never personal values)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.auth.models import User
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.display import ROLE_NAMES
from groupadmin.groups.models import GROUP_ROLES, ORG_ROLES, Group, Membership, Organisation, OrgRole
from groupadmin.mail import services as mail


class GroupError(UserError):
    """A user-facing refusal; str(error) is a translated message, `field` where it belongs."""


def slugify(text: str, max_length: int = 64) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].strip("-") or "group"


def unique_slug(model, base: str, **scope) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free for `model` (within `scope` columns)."""
    base = slugify(base, 60)
    taken = set(
        db.session.scalars(
            sa.select(model.slug).where(
                model.slug.like(f"{base}%"), *(getattr(model, k) == v for k, v in scope.items())
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---------------------------------------------------------------------------------------------------
# Organisations and groups


# Organisation slugs share URL space with fixed paths such as /feeds/cal/<token>.
RESERVED_ORG_SLUGS = frozenset({"cal", "static", "admin", "r"})


def create_organisation(*, actor, name: str, slug: str | None, timezone: str, locale: str, now: datetime):
    if slug:
        slug = slugify(slug)
        if slug in RESERVED_ORG_SLUGS:
            raise GroupError(_l("That address is reserved: choose another."), field="slug")
    else:
        slug = unique_slug(Organisation, name)
        if slug in RESERVED_ORG_SLUGS:
            slug = unique_slug(Organisation, f"{slug}-intergroup")
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug)):
        raise GroupError(_l("That address is taken: choose another."), field="slug")
    organisation = Organisation(
        name=name.strip(), slug=slug, timezone=timezone, locale=locale, created_at=now
    )
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        now=now, actor=actor, action="organisation.created", obj=organisation, organisation=organisation
    )
    return organisation


def update_organisation(organisation: Organisation, *, actor, now: datetime, **values) -> list[str]:
    changed = _assign(organisation, values)
    if changed:
        audit.record(
            now=now,
            actor=actor,
            action="organisation.updated",
            obj=organisation,
            organisation=organisation,
            fields=changed,
        )
    return changed


def create_group(
    organisation: Organisation,
    *,
    actor,
    name: str,
    fellowship: str,
    now: datetime,
    slug: str | None = None,
    timezone: str | None = None,
    locale: str | None = None,
) -> Group:
    slug = slugify(slug) if slug else unique_slug(Group, name)
    if db.session.scalar(sa.select(Group.id).where(Group.slug == slug)):
        raise GroupError(_l("That address is taken: choose another."), field="slug")
    group = Group(
        organisation=organisation,
        name=name.strip(),
        slug=slug,
        fellowship=fellowship,
        timezone=timezone or organisation.timezone,
        locale=locale or organisation.locale,
        created_at=now,
    )
    db.session.add(group)
    db.session.flush()
    audit.record(now=now, actor=actor, action="group.created", obj=group, group=group)
    return group


def update_group(group: Group, *, actor, now: datetime, **values) -> list[str]:
    changed = _assign(group, values)
    if changed:
        audit.record(now=now, actor=actor, action="group.updated", obj=group, group=group, fields=changed)
    return changed


def _assign(obj, values: dict) -> list[str]:
    changed = []
    for field, value in values.items():
        if isinstance(value, str):
            value = value.strip() or None if field not in {"name"} else value.strip()
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed.append(field)
    return changed


# ---------------------------------------------------------------------------------------------------
# Roles


def grant_group_role(group: Group, user, role: str, *, actor, now: datetime) -> Membership:
    if role not in GROUP_ROLES:
        raise GroupError(_l("Unknown role."))
    existing = db.session.scalar(
        sa.select(Membership).filter_by(group_id=group.id, user_id=user.id, role=role)
    )
    if existing:
        return existing
    membership = Membership(group=group, user=user, role=role, created_at=now)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        now=now, actor=actor, action="role.granted", obj=membership, group=group, role=role, user_id=user.id
    )
    _tell_secretaries_of_role(membership, actor=actor, now=now)
    return membership


def _tell_secretaries_of_role(membership: Membership, *, actor, now: datetime) -> None:
    """A role given by someone who is not one of the group's secretaries (an organisation's admin) is
    mailed to the secretaries, so nobody gains sight of the group's private notes, rota contacts or
    figures without the group knowing."""
    group = membership.group
    told = [u for u in secretaries(group) if u.id != membership.user_id]
    if actor is None or any(u.id == actor.id for u in told):
        return
    for secretary in told:
        mail.enqueue(
            key=f"role-granted:{membership.id}:{secretary.id}",
            to=secretary.email,
            subject=_l("New role in %(group)s", group=group.mail_name),
            template="groups/role_granted",
            context={
                "person_name": membership.user.display_name,
                "role_name": ROLE_NAMES[membership.role],
                "actor_name": actor.display_name,
                "members_url": mail.external_url("groups.members", group_slug=group.slug),
            },
            now=now,
            group=group,
            locale=secretary.locale,
        )


def add_role(group: Group, user_id: int, role: str, *, actor, now: datetime) -> Membership:
    """Give one more role to someone who already holds one in the group (the form offers only them)."""
    return grant_group_role(group, db.session.get(User, user_id), role, actor=actor, now=now)


def secretaries_by_group(group_ids) -> dict[int, list[User]]:
    """The secretaries of each group: active accounts only (a deactivated account is told nothing and
    hands nothing over), in a stable order. One query whatever the number of groups."""
    rows = db.session.execute(
        sa.select(Membership.group_id, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.group_id.in_(list(group_ids)), Membership.role == "secretary", User.active.is_(True)
        )
        .order_by(User.display_name, User.id)
    ).all()
    result: dict[int, list[User]] = defaultdict(list)
    for group_id, user in rows:
        result[group_id].append(user)
    return result


def secretaries(group: Group) -> list[User]:
    """The group's secretaries (active accounts)."""
    return secretaries_by_group([group.id]).get(group.id, [])


def org_admins(organisation_id: int) -> list[User]:
    """The organisation's administrators (active accounts)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(OrgRole, OrgRole.user_id == User.id)
            .where(OrgRole.organisation_id == organisation_id, OrgRole.role == "admin", User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    )


def revoke_group_role(membership: Membership, *, actor, now: datetime, successor=None) -> None:
    """Remove a role. The last secretary can only go with a successor named (hand-over)."""
    group = membership.group
    if membership.role == "secretary":
        others = [u for u in secretaries(group) if u.id != membership.user_id]
        if not others:
            if successor is None:
                raise GroupError(
                    _l("A group always keeps a secretary: name who takes over before removing the last one."),
                    field="successor_id",
                )
            if successor.id == membership.user_id:
                raise GroupError(_l("Choose someone else to take over."), field="successor_id")
            grant_group_role(group, successor, "secretary", actor=actor, now=now)
            audit.record(
                now=now,
                actor=actor,
                action="secretary.handed_over",
                obj=group,
                group=group,
                from_user_id=membership.user_id,
                to_user_id=successor.id,
            )
    audit.record(
        now=now,
        actor=actor,
        action="role.revoked",
        obj=membership,
        group=group,
        role=membership.role,
        user_id=membership.user_id,
    )
    db.session.delete(membership)


def grant_org_role(organisation: Organisation, user, role: str, *, actor, now: datetime) -> OrgRole:
    if role not in ORG_ROLES:
        raise GroupError(_l("Unknown role."))
    existing = db.session.scalar(
        sa.select(OrgRole).filter_by(organisation_id=organisation.id, user_id=user.id, role=role)
    )
    if existing:
        return existing
    org_role = OrgRole(organisation=organisation, user=user, role=role, created_at=now)
    db.session.add(org_role)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="org_role.granted",
        obj=org_role,
        organisation=organisation,
        role=role,
        user_id=user.id,
    )
    return org_role


def revoke_org_role(org_role: OrgRole, *, actor, now: datetime) -> None:
    audit.record(
        now=now,
        actor=actor,
        action="org_role.revoked",
        obj=org_role,
        organisation=org_role.organisation,
        role=org_role.role,
        user_id=org_role.user_id,
    )
    db.session.delete(org_role)


def organisations() -> list[Organisation]:
    """Every organisation, by name (the site administrator's list)."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def group_members(group: Group) -> list[tuple]:
    """(user, [roles]) for everyone with a role in the group, by name: one query."""
    rows = db.session.execute(
        sa.select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id)
        .order_by(User.display_name, User.id, Membership.role)
    ).all()
    members: dict[int, tuple] = {}
    for user, membership in rows:
        members.setdefault(user.id, (user, []))[1].append(membership)
    return list(members.values())


def org_people(organisation: Organisation) -> list[OrgRole]:
    return list(
        db.session.scalars(
            sa.select(OrgRole)
            .where(OrgRole.organisation_id == organisation.id)
            .options(sa.orm.joinedload(OrgRole.user))
            .order_by(OrgRole.role, OrgRole.id)
        )
    )


@functools.cache
def _groups_of_user_statement():
    """Built once with a bound parameter: the dashboard asks it on every view."""
    return (
        sa.select(Group, Membership.role)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == sa.bindparam("user_id", type_=sa.Integer()))
        .options(sa.orm.joinedload(Group.organisation))
        .order_by(Group.name, Membership.role)
    )


def groups_of_user(user) -> list[tuple[Group, list[str]]]:
    """The groups where the user holds a role, with those roles: one query."""
    rows = db.session.execute(_groups_of_user_statement(), {"user_id": user.id}).all()
    result: dict[int, tuple[Group, list[str]]] = {}
    for group, role in rows:
        result.setdefault(group.id, (group, []))[1].append(role)
    return list(result.values())


@functools.cache
def _orgs_of_user_statement():
    return (
        sa.select(Organisation, OrgRole.role)
        .join(OrgRole, OrgRole.organisation_id == Organisation.id)
        .where(OrgRole.user_id == sa.bindparam("user_id", type_=sa.Integer()))
        .order_by(Organisation.name)
    )


def orgs_of_user(user) -> list[tuple[Organisation, list[str]]]:
    if user.is_site_admin:
        orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
        roles = {
            (r.organisation_id): r.role
            for r in db.session.scalars(sa.select(OrgRole).where(OrgRole.user_id == user.id))
        }
        return [(o, sorted({"admin", roles.get(o.id, "admin")})) for o in orgs]
    rows = db.session.execute(_orgs_of_user_statement(), {"user_id": user.id}).all()
    result: dict[int, tuple] = {}
    for organisation, role in rows:
        result.setdefault(organisation.id, (organisation, []))[1].append(role)
    return list(result.values())


def org_groups_overview(organisation: Organisation) -> list[tuple[Group, int]]:
    """The organisation's groups with how many people hold a role in each (no names): one query."""
    return db.session.execute(
        sa.select(Group, sa.func.count(sa.distinct(Membership.user_id)))
        .outerjoin(Membership, Membership.group_id == Group.id)
        .where(Group.organisation_id == organisation.id)
        .group_by(Group.id)
        .order_by(Group.name)
    ).all()
