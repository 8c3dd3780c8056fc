"""Report pages: an organisation's figures for its coordinators and admins (``/orgs/<slug>/reports``,
suppressed), a group's own figures for its secretaries and leaders (``/groups/<slug>/reports``, the same
report unsuppressed), their exports, and the mailed download link (``/r/report/<token>``: GET shows a
page, POST sends the file). One blueprint; the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint

from groupadmin.permissions import group_and_org_pages

bp = Blueprint("reports", __name__)


def scoped(path: str, endpoint: str, methods=("GET",)):
    """A report page, twice: for an organisation (``org.view``) and for a group's own figures
    (``group.leader``). The view receives the organisation or the group first."""
    return group_and_org_pages(
        bp, "reports", path, endpoint, group_rule="group.leader", org_rule="org.view", methods=methods
    )


from groupadmin.reports.views import link, pages  # noqa: E402, F401  (they add the routes)
