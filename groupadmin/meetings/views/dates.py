"""One dated occurrence of a meeting: cancel or restore it, online only this week, another venue, a note.

Cancelling a date with people on its rota first shows who will be released and how each hears of it
(by email, or the secretary phones them); after saving, the date's page sums up who was released.
Restoring it before it starts leads to the rota page that gives the same people their places back."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from groupadmin import permissions
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import services
from groupadmin.meetings.forms import OccurrenceForm
from groupadmin.meetings.models import Occurrence
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import meeting_of
from groupadmin.permissions import requires
from groupadmin.rota import services as rota
from groupadmin.web import get_or_404, no_store


def _released_summary(turns) -> str:
    """ "The date is cancelled. 3 people are released: 2 told by email, 1 to phone." in words."""
    hows = [t.how for t in turns]
    parts = [
        ngettext(
            "The date is cancelled: %(num)d person released.",
            "The date is cancelled: %(num)d people released.",
            len(turns),
        )
    ]
    if hows.count("mail"):
        parts.append(ngettext("%(num)d told by email.", "%(num)d told by email.", hows.count("mail")))
    if hows.count("phone") + hows.count("none"):
        n = hows.count("phone") + hows.count("none")
        parts.append(
            ngettext("%(num)d to tell yourself (no email).", "%(num)d to tell yourself (no email).", n)
        )
    return " ".join(parts)


def _page(group, meeting, occ, form, *, template="meetings/occurrence.html", **extra):
    now = utcnow()
    sees_rota = permissions.can("group.leader", group)
    context = {
        "group": group,
        "meeting": meeting,
        "occurrence": occ,
        "form": form,
        "sees_rota": sees_rota,
        "released": rota.released_turns(occ) if sees_rota and occ.status == "cancelled" else [],
        "give_back": bool(sees_rota and rota.places_to_give_back(occ, now=now)),
        "before_start": occ.starts_at > now,
        **extra,
    }
    return no_store((render_template(template, **context), 422 if form.errors else 200))


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.manage")
def occurrence(group, meeting_id, occurrence_id):
    meeting = meeting_of(group, meeting_id)
    occ = get_or_404(Occurrence, occurrence_id, meeting_id=meeting.id)
    form = OccurrenceForm(obj=occ)
    if request.method == "GET":
        form.cancelled.data = occ.status == "cancelled"
    if form.validate_on_submit():
        cancelling = bool(form.cancelled.data) and occ.status == "scheduled"
        restoring = not form.cancelled.data and occ.status == "cancelled"
        turns = rota.cancel_preview(occ) if cancelling else []
        if turns and form.release_seen.data != "1":
            form.release_seen.data = "1"
            return _page(group, meeting, occ, form, template="meetings/occurrence_cancel.html", turns=turns)
        try:
            changed = services.update_occurrence(occ, actor=current_user, now=utcnow(), **form.changes())
        except services.MeetingError as error:
            form.add_problems(error.problems or {"note": str(error)})
        else:
            db.session.commit()
            return _after_save(group, meeting, occ, changed, turns=turns, restoring=restoring)
    return _page(group, meeting, occ, form)


def _after_save(group, meeting, occ, changed, *, turns, restoring):
    if turns:
        flash(_released_summary(turns), "success")
        return redirect(
            url_for("meetings.occurrence", group_slug=group.slug, meeting_id=meeting.id, occurrence_id=occ.id)
        )
    if changed:
        flash(_("The date is updated."), "success")
    if restoring and permissions.can("group.leader", group) and rota.places_to_give_back(occ, now=utcnow()):
        return redirect(url_for("rota.give_back", group_slug=group.slug, occurrence_id=occ.id))
    return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
