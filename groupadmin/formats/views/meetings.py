"""A meeting's format (which one it uses from now on, or its own copy) and a date's own choice."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.formats import services
from groupadmin.formats.forms import ActionForm, AssignForm, DateFormatForm
from groupadmin.formats.views import bp
from groupadmin.formats.views.helpers import WITH_SCHEDULES
from groupadmin.meetings.models import Meeting
from groupadmin.permissions import can, requires
from groupadmin.web import get_or_404, occurrence_or_404, show_error


@bp.route("/meetings/<int:meeting_id>")
@requires("group.view")
def meeting(group, meeting_id):
    meeting = get_or_404(Meeting, meeting_id, group_id=group.id)
    page = services.meeting_page(group, meeting, now=utcnow())
    return render_template(
        "formats/meeting.html",
        group=group,
        meeting=meeting,
        form=AssignForm.showing(page.formats, page.current),
        action_form=ActionForm(),
        can_edit=can("group.secretary", group),
        **vars(page),
    )


def _assigned_message(meeting, fmt) -> str:
    if fmt is None:
        return _("%(meeting)s has no format from now on.", meeting=meeting.name)
    return _("%(meeting)s uses “%(format)s” from now on.", meeting=meeting.name, format=fmt.name)


@bp.route("/meetings/<int:meeting_id>/format", methods=["POST"])
@requires("group.secretary")
def assign(group, meeting_id):
    meeting = get_or_404(Meeting, meeting_id, group_id=group.id)
    formats = services.group_formats(group)
    form = AssignForm.for_formats(formats)
    if not form.validate_on_submit():
        flash(_("Choose a format from the list."), "error")
        return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))
    fmt = form.chosen(formats)
    try:
        changed = services.assign_format(meeting, fmt, actor=current_user, now=utcnow())
    except services.FormatError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if changed:
            flash(_assigned_message(meeting, fmt), "success")
    return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/copy", methods=["POST"])
@requires("group.secretary")
def copy_for_meeting(group, meeting_id):
    """Give the meeting its own copy of the format it shares, to change it for this meeting only."""
    meeting = get_or_404(Meeting, meeting_id, group_id=group.id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("formats.meeting", group_slug=group.slug, meeting_id=meeting.id))
    fmt = services.copy_for_meeting(meeting, actor=current_user, now=utcnow())
    if fmt is None:
        abort(404)
    db.session.commit()
    flash(
        _("%(meeting)s now has its own copy, “%(format)s”.", meeting=meeting.name, format=fmt.name), "success"
    )
    return redirect(url_for("formats.show", group_slug=group.slug, format_id=fmt.id))


@bp.route("/dates/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.secretary")
def date(group, occurrence_id):
    occurrence = occurrence_or_404(group, occurrence_id, WITH_SCHEDULES)
    choices = services.date_choices(group, occurrence)
    form = DateFormatForm.for_date(choices, fill=request.method == "GET")
    if form.validate_on_submit():
        fmt, version = form.chosen(choices)
        try:
            services.set_date_format(occurrence, actor=current_user, now=utcnow(), fmt=fmt, version=version)
        except services.FormatError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved for this date."), "success")
            return redirect(
                url_for("formats.meeting", group_slug=group.slug, meeting_id=occurrence.meeting_id)
            )
    return render_template(
        "formats/date.html",
        group=group,
        occurrence=occurrence,
        meeting=occurrence.meeting,
        form=form,
        script=choices.script,
    )
