"""The public directory (no account): an organisation's page and a group's variant with its own entries,
crisis lines first; the group's printable one-page card with a QR code to its public page."""

from __future__ import annotations

from flask import abort, render_template

from groupadmin.permissions import requires
from groupadmin.resources import services
from groupadmin.resources.views import bp


@bp.route("/resources/<org_slug>")
@requires("public")
def public_org(org_slug):
    organisation = services.public_organisation(org_slug) or abort(404)
    entries = services.directory_entries(organisation.id)
    return render_template(
        "resources/public.html", organisation=organisation, group=None, sections=services.by_kind(entries)
    )


@bp.route("/resources/<org_slug>/<group_slug>")
@requires("public")
def public_group(org_slug, group_slug):
    organisation = services.public_organisation(org_slug) or abort(404)
    group = services.public_group(organisation, group_slug) or abort(404)
    entries = services.directory_entries(organisation.id, group.id)
    return render_template(
        "resources/public.html", organisation=organisation, group=group, sections=services.by_kind(entries)
    )


@bp.route("/groups/<group_slug>/resources/card")
@requires("group.view")
def card(group):
    entries, more = services.card_entries(services.directory_entries(group.organisation_id, group.id))
    url = services.public_url(group.organisation, group)
    return render_template(
        "resources/card.html",
        group=group,
        sections=services.by_kind(entries),
        more=more,
        public_url=url,
        qr_svg=services.qr_svg(url),
    )
