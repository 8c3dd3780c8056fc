"""Newsletter pages: the managers' pages of a list, the same for a group's list (its secretaries,
``/groups/<slug>/news/...``) and an organisation's (its admins, ``/orgs/<slug>/news/...``); the public
sign-up page and archive (``/news/<list slug>``); the links from messages (``/r/news-.../<token>``: GET
shows a page, only POST acts). One blueprint; the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint, abort

from groupadmin.newsletters import services
from groupadmin.permissions import requires

bp = Blueprint("newsletters", __name__)


def managed(path: str, endpoint: str, methods=("GET",)):
    """Register a managers' page twice: for a group's lists (``group.secretary``) and an organisation's
    (``org.admin``). The view receives the owner (group or organisation) first."""

    def decorator(view):
        def for_group(group, **values):
            return view(group, **values)

        def for_org(organisation, **values):
            return view(organisation, **values)

        for_group.__name__, for_org.__name__ = f"group_{endpoint}", f"org_{endpoint}"
        bp.add_url_rule(
            f"/groups/<group_slug>/news{path}",
            f"group_{endpoint}",
            requires("group.secretary")(for_group),
            methods=list(methods),
        )
        bp.add_url_rule(
            f"/orgs/<org_slug>/news{path}",
            f"org_{endpoint}",
            requires("org.admin")(for_org),
            methods=list(methods),
        )
        return view

    return decorator


def list_or_404(owner, list_id: int):
    return services.list_of(owner, list_id) or abort(404)


from groupadmin.newsletters.views import archive, issues, lists, public, reminders, transfer  # noqa: E402, F401  (they add the routes)
