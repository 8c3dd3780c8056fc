"""Meeting reminders for members (public): ask on a meeting's page (double opt-in, the same answer
whatever the address), confirm from the email (GET shows, POST confirms), stop with one click (RFC 8058)
or from the preference page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.extensions import csrf, db
from groupadmin.forms import ConfirmForm
from groupadmin.meetings import services as meetings
from groupadmin.newsletters import services
from groupadmin.newsletters.forms import RemindForm
from groupadmin.newsletters.services.reminders import WORDING
from groupadmin.newsletters.views import bp
from groupadmin.newsletters.views.public import link_problem, subscriber_or_problem
from groupadmin.permissions import requires
from groupadmin.web import no_store, show_error


def _meeting(org_slug: str, meeting_slug: str):
    organisation = meetings.organisation_by_slug(org_slug) or abort(404)
    meeting = meetings.public_meeting(organisation, meeting_slug)
    if meeting is None or not meeting.is_active:
        abort(404)
    return organisation, meeting


@bp.route("/news/remind/<org_slug>/<meeting_slug>", methods=["GET", "POST"])
@requires("public")
def remind(org_slug, meeting_slug):
    organisation, meeting = _meeting(org_slug, meeting_slug)
    now, form, status = utcnow(), RemindForm(), 200
    if form.validate_on_submit():
        if form.website.data:
            return redirect(url_for("newsletters.remind_sent", org_slug=org_slug, meeting_slug=meeting_slug))
        try:
            services.check_form_timing(form.started.data, now=now)
            services.request_reminder(
                meeting, email=form.email.data, timing=form.timing.data, client=request.remote_addr, now=now
            )
        except (services.SignupError, services.Throttled) as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status
        else:
            db.session.commit()
            return redirect(url_for("newsletters.remind_sent", org_slug=org_slug, meeting_slug=meeting_slug))
    elif request.method == "POST":
        status = 422
    form.started.data = services.form_stamp(now)
    page = render_template(
        "newsletters/remind.html", organisation=organisation, meeting=meeting, form=form, wording=WORDING
    )
    return page, status


@bp.route("/news/remind/<org_slug>/<meeting_slug>/check-your-inbox")
@requires("public")
def remind_sent(org_slug, meeting_slug):
    organisation, meeting = _meeting(org_slug, meeting_slug)
    return render_template("newsletters/remind_sent.html", organisation=organisation, meeting=meeting)


@bp.route("/r/news-remind-confirm/<token>", methods=["GET", "POST"])
@requires("public")
def remind_confirm(token):
    try:
        reminder = services.load_reminder_confirmation(token)
    except LinkProblem as error:
        return link_problem(error)
    form = ConfirmForm()
    if reminder.status != "confirmed" and form.validate_on_submit():
        services.confirm_reminder(reminder, now=utcnow())
        db.session.commit()
    return no_store(render_template("newsletters/remind_confirm.html", reminder=reminder, form=form))


@bp.route("/r/news-remind-stop/<token>", methods=["GET", "POST"])
@requires("public")
@csrf.exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie and no token
def remind_stop(token):
    try:
        reminder = services.load_stop(token)
    except LinkProblem as error:
        return link_problem(error)
    stopped = reminder is None or reminder.status == "unsubscribed"
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            abort(400)
        if reminder is not None:
            services.stop_reminder(reminder, now=utcnow())
            db.session.commit()
        stopped = True
    return no_store(render_template("newsletters/remind_stop.html", reminder=reminder, stopped=stopped))


@bp.route("/r/news-prefs/<token>/reminders/<int:reminder_id>/stop", methods=["POST"])
@requires("public")
def preferences_stop_reminder(token, reminder_id):
    subscriber, problem = subscriber_or_problem(token)
    if problem is not None:
        return problem
    reminder = services.reminder_of(subscriber, reminder_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.stop_reminder(reminder, now=utcnow())
    db.session.commit()
    flash(_("No more reminders of %(name)s.", name=reminder.meeting.name), "success")
    return redirect(url_for("newsletters.preferences", token=token))
