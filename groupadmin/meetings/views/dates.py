"""One dated occurrence of a meeting: cancel or restore it, online only this week, another venue, a note."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import services
from groupadmin.meetings.forms import OccurrenceForm
from groupadmin.meetings.models import Occurrence
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import meeting_of
from groupadmin.permissions import requires
from groupadmin.web import get_or_404


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.manage")
def occurrence(group, meeting_id, occurrence_id):
    meeting = meeting_of(group, meeting_id)
    occ = get_or_404(Occurrence, occurrence_id, meeting_id=meeting.id)
    form = OccurrenceForm(obj=occ)
    if request.method == "GET":
        form.cancelled.data = occ.status == "cancelled"
    if form.validate_on_submit():
        try:
            changed = services.update_occurrence(occ, actor=current_user, now=utcnow(), **form.changes())
        except services.MeetingError as error:
            form.add_problems(error.problems or {"note": str(error)})
        else:
            db.session.commit()
            if changed:
                flash(_("The date is updated."), "success")
            return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
    context = {"group": group, "meeting": meeting, "occurrence": occ, "form": form}
    return render_template("meetings/occurrence.html", **context), 422 if form.errors else 200
