"""Report pages: an organisation's figures for its coordinators and admins (``/orgs/<slug>/reports``,
suppressed), a group's own figures for its secretaries and leaders (``/groups/<slug>/reports``, the same
report unsuppressed), their exports, and the mailed download link (``/r/report/<token>``: GET shows a
page, POST sends the file). One blueprint; the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint

from groupadmin.permissions import requires

bp = Blueprint("reports", __name__)


def scoped(path: str, endpoint: str, methods=("GET",)):
    """Register a report page twice: for an organisation (``org.view``) and for a group's own figures
    (``group.leader``). The view receives the organisation or the group first."""

    def decorator(view):
        def for_org(organisation, **values):
            return view(organisation, **values)

        def for_group(group, **values):
            return view(group, **values)

        for_org.__name__, for_group.__name__ = f"org_{endpoint}", f"group_{endpoint}"
        bp.add_url_rule(
            f"/orgs/<org_slug>/reports{path}",
            f"org_{endpoint}",
            requires("org.view")(for_org),
            methods=list(methods),
        )
        bp.add_url_rule(
            f"/groups/<group_slug>/reports{path}",
            f"group_{endpoint}",
            requires("group.leader")(for_group),
            methods=list(methods),
        )
        return view

    return decorator


from groupadmin.reports.views import link, pages  # noqa: E402, F401  (they add the routes)
