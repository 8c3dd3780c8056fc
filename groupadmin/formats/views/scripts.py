"""The printable script of a date (every role of the group), and a stable link to the next one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from groupadmin.database import utcnow
from groupadmin.formats import services
from groupadmin.formats.views import bp
from groupadmin.formats.views.helpers import WITH_SCHEDULES
from groupadmin.meetings.models import Meeting
from groupadmin.permissions import requires
from groupadmin.web import get_or_404, occurrence_or_404


@bp.route("/dates/<int:occurrence_id>/script")
@requires("group.view")
def script(group, occurrence_id):
    occurrence = occurrence_or_404(group, occurrence_id, WITH_SCHEDULES)
    page = services.script_page(occurrence)
    return render_template(
        "formats/script.html",
        group=group,
        occurrence=occurrence,
        meeting=occurrence.meeting,
        large=request.args.get("size") == "large",
        **vars(page),
    )


@bp.route("/meetings/<int:meeting_id>/next-script")
@requires("group.view")
def next_script(group, meeting_id):
    """The script of the meeting's next date (a stable link for a phone's home screen)."""
    meeting = get_or_404(Meeting, meeting_id, group_id=group.id)
    upcoming = services.next_date(meeting, now=utcnow())
    if upcoming is None:
        flash(_("This meeting has no upcoming date."), "info")
        return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))
    args = {"size": "large"} if request.args.get("size") == "large" else {}
    return redirect(url_for("formats.script", group_slug=group.slug, occurrence_id=upcoming.id, **args))
