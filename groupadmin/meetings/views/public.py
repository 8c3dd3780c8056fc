"""The public meetings pages of an organisation: the list (filtered, paged) and one meeting's page."""

from __future__ import annotations

from flask import abort, render_template, request

from groupadmin.database import utcnow
from groupadmin.meetings import services
from groupadmin.meetings.forms import PublicFilterForm
from groupadmin.meetings.schedule import local_today
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import organisation_or_404
from groupadmin.permissions import requires
from groupadmin.web import page_arg

PUBLIC_PAGE_SIZE = 50


@bp.route("/meetings/<org_slug>")
@requires("public")
def public_index(org_slug):
    organisation = organisation_or_404(org_slug)
    now = utcnow()
    today = local_today(organisation.timezone, now)
    groups, types = services.public_filter_choices(organisation, today=today)
    form = PublicFilterForm(request.args, groups=groups, types=types)
    page, upcoming = services.public_listing(
        organisation, form.filters(), now=now, today=today, page=page_arg(), per_page=PUBLIC_PAGE_SIZE
    )
    return render_template(
        "meetings/public_index.html",
        organisation=organisation,
        rows=page.items,
        page=page,
        form=form,
        fellowships=form.fellowships(),
        upcoming=upcoming,
        args={k: v for k, v in request.args.items() if k != "page" and v},
        now=now,
    )


@bp.route("/meetings/<org_slug>/<meeting_slug>")
@requires("public")
def public_meeting(org_slug, meeting_slug):
    organisation = organisation_or_404(org_slug)
    meeting = services.public_meeting(organisation, meeting_slug)
    if meeting is None:
        abort(404)
    now = utcnow()
    today = local_today(meeting.latest_schedule.timezone, now)
    return render_template(
        "meetings/public_meeting.html",
        organisation=organisation,
        meeting=meeting,
        occurrences=services.upcoming_occurrences(meeting, now=now, limit=8) if meeting.is_active else [],
        current=meeting.schedule_on(today),
        pending=meeting.pending_schedule(today),
    )
