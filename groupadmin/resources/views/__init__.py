"""Resources pages: the managers' pages of a directory, for a group's own entries (its secretaries edit,
everyone in the group reads, ``/groups/<slug>/resources/...``) and an organisation's (its admins,
``/orgs/<slug>/resources/...``); the group's printable card; the public pages ``/resources/<org slug>``
and ``/resources/<org slug>/<group slug>``. One blueprint; the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint, abort

from groupadmin.permissions import group_and_org_pages
from groupadmin.resources import services

bp = Blueprint("resources", __name__)


def managed(path: str, endpoint: str, methods=("GET",), group_rule: str = "group.secretary", org=True):
    """A managers' page for a group's entries (`group_rule`) and, unless `org` is False, for an
    organisation's (``org.admin``). The view receives the owner (group or organisation) first."""
    org_rule = "org.admin" if org else None
    return group_and_org_pages(
        bp, "resources", path, endpoint, group_rule=group_rule, org_rule=org_rule, methods=methods
    )


def entry_or_404(owner, resource_id: int):
    return services.entry_of(owner, resource_id) or abort(404)


from groupadmin.resources.views import manage, public  # noqa: E402, F401  (they add the routes)
