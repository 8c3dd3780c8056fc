"""Outreach pages: a group's (``/groups/<slug>/outreach/...``: its secretaries and sponsors) and an
organisation's (``/orgs/<slug>/outreach/...``: its outreach volunteers), the user's own follow-ups
(``/outreach/``), and the public "ask for a call" pages (``/help/<org>[/<group>]``). One blueprint;
the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from groupadmin.outreach import services
from groupadmin.permissions import group_and_org_pages, roles_in_group, roles_in_org

bp = Blueprint("outreach", __name__)


def roles_of(owner) -> set[str]:
    return (
        roles_in_group(current_user, owner) if services.is_group(owner) else roles_in_org(current_user, owner)
    )


def volunteers_page(path: str, endpoint: str, methods=("GET",)):
    """A volunteers' page, twice: a group's (``group.outreach``) and an organisation's (``org.outreach``).
    The view receives the owner first."""
    return group_and_org_pages(
        bp, "outreach", path, endpoint, group_rule="group.outreach", org_rule="org.outreach", methods=methods
    )


def settings_page(path: str, endpoint: str, methods=("GET",)):
    """The settings page: a group's secretaries, an organisation's admins (nothing personal on it)."""
    return group_and_org_pages(
        bp, "outreach", path, endpoint, group_rule="group.secretary", org_rule="org.admin", methods=methods
    )


def newcomer_or_404(owner, newcomer_id: int):
    """The newcomer if the current user may see it here (see ``outreach.services.access``), else 404."""
    return services.newcomer_for(current_user, owner, roles_of(owner), newcomer_id) or abort(404)


from groupadmin.outreach.views import cards, public, volunteers  # noqa: E402, F401  (they add the routes)
