"""Resources pages: the managers' pages of a directory, for a group's own entries (its secretaries edit,
everyone in the group reads, ``/groups/<slug>/resources/...``) and an organisation's (its admins,
``/orgs/<slug>/resources/...``); the group's printable card; the public pages ``/resources/<org slug>``
and ``/resources/<org slug>/<group slug>``. One blueprint; the modules below add its routes."""

from __future__ import annotations

from flask import Blueprint, abort

from groupadmin.permissions import requires
from groupadmin.resources import services

bp = Blueprint("resources", __name__)


def managed(path: str, endpoint: str, methods=("GET",), group_rule: str = "group.secretary", org=True):
    """Register a managers' page for a group's entries (`group_rule`) and, unless `org` is False, for an
    organisation's (``org.admin``). The view receives the owner (group or organisation) first."""

    def decorator(view):
        def for_group(group, **values):
            return view(group, **values)

        def for_org(organisation, **values):
            return view(organisation, **values)

        for_group.__name__, for_org.__name__ = f"group_{endpoint}", f"org_{endpoint}"
        bp.add_url_rule(
            f"/groups/<group_slug>/resources{path}",
            f"group_{endpoint}",
            requires(group_rule)(for_group),
            methods=list(methods),
        )
        if org:
            bp.add_url_rule(
                f"/orgs/<org_slug>/resources{path}",
                f"org_{endpoint}",
                requires("org.admin")(for_org),
                methods=list(methods),
            )
        return view

    return decorator


def entry_or_404(owner, resource_id: int):
    return services.entry_of(owner, resource_id) or abort(404)


from groupadmin.resources.views import manage, public  # noqa: E402, F401  (they add the routes)
