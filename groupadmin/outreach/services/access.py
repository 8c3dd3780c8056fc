"""Who sees which newcomer: the one rule every outreach page and service uses.

- On a group's pages (``/groups/<slug>/outreach``): its secretaries see every newcomer of the group;
  its sponsors only those assigned to them.
- On an organisation's pages (``/orgs/<slug>/outreach``): its outreach volunteers see the requests from
  the organisation's own page that nobody has taken yet, and those assigned to them.
- Anyone else (organisation admins, coordinators, leaders) sees no newcomer at all. A newcomer outside
  what a person sees answers 404, whatever its id.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Membership, OrgRole
from groupadmin.outreach.models import Newcomer
from groupadmin.outreach.services.settings import is_group


def visible_clause(user, owner, roles: set[str]):
    """The SQL condition of the newcomers `user` (holding `roles` in `owner`) may see there."""
    if is_group(owner):
        if "secretary" in roles:
            return Newcomer.group_id == owner.id
        if "sponsor" in roles:
            return sa.and_(Newcomer.group_id == owner.id, Newcomer.volunteer_id == user.id)
        return sa.false()
    if "outreach" in roles:
        return sa.and_(
            Newcomer.organisation_id == owner.id,
            Newcomer.group_id.is_(None),
            sa.or_(Newcomer.volunteer_id.is_(None), Newcomer.volunteer_id == user.id),
        )
    return sa.false()


def newcomer_for(user, owner, roles: set[str], newcomer_id: int) -> Newcomer | None:
    """The newcomer `newcomer_id` if `user` may see it on `owner`'s pages, else None (the view's 404)."""
    return db.session.scalar(
        sa.select(Newcomer).where(Newcomer.id == newcomer_id, visible_clause(user, owner, roles))
    )


def manages(owner, roles: set[str]) -> bool:
    """Whether the person assigns (and reassigns) the owner's newcomers: a group's secretaries, an
    organisation's outreach volunteers."""
    return "secretary" in roles if is_group(owner) else "outreach" in roles


@functools.cache
def volunteer_clause() -> sa.ColumnElement[bool]:
    """Whether the user (:user_id) follows newcomers anywhere (a group's secretary or sponsor, an
    organisation's outreach volunteer), as a clause built once with bound parameters: the navigation
    asks it on every page (`groupadmin.home.services.navigation`)."""
    user_id = sa.bindparam("user_id", type_=sa.Integer())
    group_role = sa.select(Membership.id).where(
        Membership.user_id == user_id, Membership.role.in_(("secretary", "sponsor"))
    )
    org_role = sa.select(OrgRole.id).where(OrgRole.user_id == user_id, OrgRole.role == "outreach")
    return sa.or_(sa.exists(group_role), sa.exists(org_role))


def volunteer_scopes(user) -> list[tuple[object, list[str]]]:
    """Where the user follows newcomers: (group or organisation, roles), groups first: two queries."""
    groups = db.session.execute(
        sa.select(Group, Membership.role)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.role.in_(("secretary", "sponsor")))
        .order_by(Group.name)
    ).all()
    scopes: dict = {}
    for group, role in groups:
        scopes.setdefault(("g", group.id), (group, []))[1].append(role)
    orgs = db.session.execute(
        sa.select(OrgRole)
        .where(OrgRole.user_id == user.id, OrgRole.role == "outreach")
        .options(sa.orm.joinedload(OrgRole.organisation))
    ).scalars()
    for org_role in orgs:
        scopes.setdefault(("o", org_role.organisation_id), (org_role.organisation, []))[1].append("outreach")
    return list(scopes.values())
