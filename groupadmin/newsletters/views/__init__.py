"""Newsletter pages: the managers' pages of a list, the same for a group's list (its secretaries,
``/groups/<slug>/news/...``) and an organisation's (its admins, ``/orgs/<slug>/news/...``); the public
sign-up page and archive (``/news/<list slug>``); the links from messages (``/r/news-.../<token>``: GET
shows a page, only POST acts). One blueprint; the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint, abort

from groupadmin.newsletters import services
from groupadmin.permissions import group_and_org_pages

bp = Blueprint("newsletters", __name__)


def managed(path: str, endpoint: str, methods=("GET",)):
    """A managers' page, twice: for a group's lists (``group.secretary``) and an organisation's
    (``org.admin``). The view receives the owner (group or organisation) first."""
    return group_and_org_pages(
        bp, "news", path, endpoint, group_rule="group.secretary", org_rule="org.admin", methods=methods
    )


def list_or_404(owner, list_id: int):
    return services.list_of(owner, list_id) or abort(404)


from groupadmin.newsletters.views import archive, issues, lists, public, reminders, transfer  # noqa: E402, F401  (they add the routes)
