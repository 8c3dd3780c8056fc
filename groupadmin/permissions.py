"""The one place that decides who may do what.

Every view declares its rule with ``@requires(rule)``. The decorator loads the organisation or group
named in the URL (``org_slug`` / ``group_slug``) and hands the object to the view instead of the slug.
A signed-in user with no role at all in that group or organisation gets **404**, so another group's
existence is never revealed; one with a role that is not enough gets 403. Anonymous visitors are sent
to the login page. A test walks ``app.url_map`` and fails for any endpoint without a declared rule.

Rules:

=================  =====================================================================================
``public``         anyone, signed in or not (login, feeds, health, links from emails)
``login``          any signed-in user (dashboard, profile)
``site.admin``     site administrators (create organisations, manage users)
``org.admin``      administrators of the organisation in the URL (and site administrators)
``org.view``       coordinators and administrators of the organisation: aggregates, never names
``group.view``     any role in the group in the URL (secretary, leader, sponsor), or its org's admins
``group.leader``   secretaries and leaders (trusted servants: rota, head counts, treasurer view)
``group.secretary`` secretaries of the group
``group.manage``   secretaries of the group and admins of its organisation (settings, roles)
``group.outreach`` the group's outreach volunteers: its secretaries (every newcomer of the group) and
                   sponsors (only the newcomers assigned to them: ``outreach.services.newcomer_for``)
``org.outreach``   the organisation's outreach volunteers (org role ``outreach``): the requests from the
                   organisation's own page that nobody has taken yet, and those assigned to them
=================  =====================================================================================
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Membership, Organisation, OrgRole

# Roles (in the group's own words) that satisfy each group rule. "org.admin" is the organisation's
# administrator, who manages groups but is not a member of them.
GROUP_RULES: dict[str, set[str]] = {
    "group.view": {"secretary", "leader", "sponsor", "org.admin"},
    "group.leader": {"secretary", "leader"},
    "group.secretary": {"secretary"},
    "group.manage": {"secretary", "org.admin"},
    "group.outreach": {"secretary", "sponsor"},
}
ORG_RULES: dict[str, set[str]] = {
    "org.view": {"coordinator", "admin"},
    "org.admin": {"admin"},
    "org.outreach": {"outreach"},
}
OTHER_RULES = {"public", "login", "site.admin"}
ALL_RULES = set(GROUP_RULES) | set(ORG_RULES) | OTHER_RULES

# Endpoints that are not our views but are reachable: declared here, so the walk test accepts them.
PUBLIC_ENDPOINTS = {"static"}


def roles_in_org(user, organisation) -> set[str]:
    """The user's roles in an organisation; a site admin counts as an admin of every organisation."""
    if not user.is_authenticated:
        return set()
    cache = g.setdefault("_org_roles", {})
    if organisation.id not in cache:
        roles = set(
            db.session.scalars(
                sa.select(OrgRole.role).where(
                    OrgRole.user_id == user.id, OrgRole.organisation_id == organisation.id
                )
            )
        )
        if user.is_site_admin:
            roles.add("admin")
        cache[organisation.id] = roles
    return cache[organisation.id]


@functools.cache
def _roles_statement(with_org: bool):
    """The user's roles in :group_id (and, `with_org`, in :org_id), built once with bound parameters:
    every group page asks it."""
    user_id = sa.bindparam("user_id", type_=sa.Integer())
    query = sa.select(sa.literal("group"), Membership.role).where(
        Membership.user_id == user_id, Membership.group_id == sa.bindparam("group_id", type_=sa.Integer())
    )
    if with_org:
        query = sa.union_all(
            query,
            sa.select(sa.literal("org"), OrgRole.role).where(
                OrgRole.user_id == user_id,
                OrgRole.organisation_id == sa.bindparam("org_id", type_=sa.Integer()),
            ),
        )
    return query


def roles_in_group(user, group) -> set[str]:
    """The user's roles in a group, plus "org.admin" when they administer the group's organisation.
    One query for both (the group's roles and, unless already known, the organisation's): every group
    page asks this first."""
    if not user.is_authenticated:
        return set()
    cache = g.setdefault("_group_roles", {})
    if group.id not in cache:
        org_cache = g.setdefault("_org_roles", {})
        org_id = group.organisation_id
        params = {"user_id": user.id, "group_id": group.id, "org_id": org_id}
        rows = db.session.execute(_roles_statement(org_id not in org_cache), params).all()
        if org_id not in org_cache:
            org_roles = {role for kind, role in rows if kind == "org"}
            if user.is_site_admin:
                org_roles.add("admin")
            org_cache[org_id] = org_roles
        roles = {role for kind, role in rows if kind == "group"}
        if "admin" in org_cache[org_id]:
            roles.add("org.admin")
        cache[group.id] = roles
    return cache[group.id]


def can(rule: str, obj=None, user=None) -> bool:
    """Whether `user` (default: the current user) satisfies `rule` on `obj` (a group or organisation)."""
    user = current_user if user is None else user
    if rule == "public":
        return True
    if not user.is_authenticated:
        return False
    if rule == "login":
        return True
    if rule == "site.admin":
        return bool(user.is_site_admin)
    if rule in GROUP_RULES:
        return bool(roles_in_group(user, obj) & GROUP_RULES[rule])
    if rule in ORG_RULES:
        return bool(roles_in_org(user, obj) & ORG_RULES[rule])
    raise ValueError(f"unknown access rule {rule!r}")


def requires(rule: str) -> Callable:
    """Declare a view's access rule, and enforce it (see the module docstring)."""
    if rule not in ALL_RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if rule == "public":
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if rule in GROUP_RULES:
                group = _load_group(kwargs.pop("group_slug"))
                if not roles_in_group(current_user, group):
                    abort(404)
                if not can(rule, group):
                    abort(403)
                g.group = group
                kwargs["group"] = group
            elif rule in ORG_RULES:
                organisation = _load_org(kwargs.pop("org_slug"))
                if not roles_in_org(current_user, organisation):
                    abort(404)
                if not can(rule, organisation):
                    abort(403)
                g.organisation = organisation
                kwargs["organisation"] = organisation
            elif not can(rule):
                abort(403 if rule != "site.admin" else 404)
            return view(*args, **kwargs)

        wrapped.access_rule = rule
        return wrapped

    return decorator


@functools.cache
def _group_statement():
    return (
        sa.select(Group)
        .where(Group.slug == sa.bindparam("slug", type_=sa.String()))
        .options(sa.orm.joinedload(Group.organisation))
    )


def _load_group(slug: str):
    group = db.session.scalar(_group_statement(), {"slug": slug})
    if group is None:
        abort(404)
    return group


def _load_org(slug: str):
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    return organisation


def group_and_org_pages(
    bp, section: str, path: str, endpoint: str, *, group_rule: str, org_rule: str | None, methods=("GET",)
) -> Callable:
    """Register a view as two pages: a group's (``/groups/<group slug>/<section><path>``, endpoint
    ``group_<endpoint>``, under `group_rule`) and an organisation's (``/orgs/<org slug>/<section><path>``,
    ``org_<endpoint>``, under `org_rule`; none when it is None). The view receives the owner (the group
    or the organisation) first."""

    def decorator(view):
        def for_group(group, **values):
            return view(group, **values)

        def for_org(organisation, **values):
            return view(organisation, **values)

        for_group.__name__, for_org.__name__ = f"group_{endpoint}", f"org_{endpoint}"
        rules = [("/groups/<group_slug>", "group", group_rule, for_group)]
        if org_rule is not None:
            rules.append(("/orgs/<org_slug>", "org", org_rule, for_org))
        for prefix, kind, rule, page in rules:
            bp.add_url_rule(
                f"{prefix}/{section}{path}", f"{kind}_{endpoint}", requires(rule)(page), methods=list(methods)
            )
        return view

    return decorator
