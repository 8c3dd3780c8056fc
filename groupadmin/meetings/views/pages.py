"""A group's meetings, for its trusted servants: the list, a meeting's page and its past dates, creating
and editing (a schedule change is previewed before it is saved), pausing and archiving."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import display, services
from groupadmin.meetings.forms import MeetingForm, NewMeetingForm, StatusForm
from groupadmin.meetings.schedule import local_today
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import meeting_of, warn_listing, warn_shifted_dates, weeks
from groupadmin.permissions import can, requires
from groupadmin.web import page_arg

PAST_PAGE_SIZE = 20


def _meeting_form(group, form_class=MeetingForm, **kwargs) -> MeetingForm:
    form = form_class(**kwargs)
    if not can("group.leader", group):
        form.hide_private_notes()
    return form


def _to_detail(group, meeting):
    return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))


@bp.route("/groups/<group_slug>/meetings/")
@requires("group.view")
def index(group):
    archived = request.args.get("archived") == "1"
    meetings = services.group_meetings(group, archived=archived)
    now = utcnow()
    return render_template(
        "meetings/index.html",
        group=group,
        meetings=meetings,
        upcoming=services.next_occurrences([m.id for m in meetings], now=now),
        archived=archived,
        archived_count=services.count_archived(group) if not archived else None,
        now=now,
    )


@bp.route("/groups/<group_slug>/meetings/new", methods=["GET", "POST"])
@requires("group.manage")
def create(group):
    form = _meeting_form(group, NewMeetingForm)
    if request.method == "GET":
        form.timezone.data, form.listed.data = group.timezone, True
    if form.validate_on_submit():
        now, rule = utcnow(), form.rule()
        try:
            meeting = services.create_meeting(
                group, actor=current_user, now=now, rule=rule, values=form.values(), weeks=weeks()
            )
        except services.MeetingError as error:
            form.add_problems(error.problems or {"name": str(error)})
        else:
            db.session.commit()
            _flash_created(meeting, rule, now)
            return _to_detail(group, meeting)
    status = 422 if form.errors else 200
    return render_template("meetings/form.html", group=group, form=form, meeting=None), status


def _flash_created(meeting, rule, now) -> None:
    if rule.recurrence == "once":
        day = display.format_day(rule.on_date, "long")
        flash(_("The meeting is saved for %(date)s.", date=day), "success")
    elif rule.recurrence == "appointment":
        flash(_("The meeting is saved and listed as by appointment, with no dates."), "success")
    else:
        flash(_("The meeting is saved and its dates for the coming weeks are set."), "success")
    warn_listing(meeting)
    warn_shifted_dates(rule, now)


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/")
@requires("group.view")
def detail(group, meeting_id):
    meeting = meeting_of(group, meeting_id)
    now = utcnow()
    today = local_today(meeting.latest_schedule.timezone, now)
    public_url = None
    if meeting.listed:
        org_slug = group.organisation.slug
        public_url = url_for("meetings.public_meeting", org_slug=org_slug, meeting_slug=meeting.slug)
    return render_template(
        "meetings/detail.html",
        group=group,
        meeting=meeting,
        occurrences=services.upcoming_occurrences(meeting, now=now),
        now=now,
        current=meeting.schedule_on(today),
        pending=meeting.pending_schedule(today),
        status_form=StatusForm(),
        can_manage=can("group.manage", group),
        show_private_notes=can("group.leader", group),
        public_url=public_url,
    )


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/past")
@requires("group.view")
def past(group, meeting_id):
    meeting = meeting_of(group, meeting_id)
    page = services.past_occurrences(meeting, now=utcnow(), page=page_arg(), per_page=PAST_PAGE_SIZE)
    return render_template("meetings/past.html", group=group, meeting=meeting, page=page)


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires("group.manage")
def edit(group, meeting_id):
    meeting = meeting_of(group, meeting_id)
    now = utcnow()
    today = local_today(meeting.latest_schedule.timezone, now)
    form = _meeting_form(group, obj=meeting)
    if request.method == "GET":
        form.fill_schedule(meeting.latest_schedule, today)
        form.types.data = list(meeting.types or [])
    outcome = None
    if form.validate_on_submit():
        try:
            outcome = services.edit_meeting(
                meeting, actor=current_user, now=now, weeks=weeks(), **form.edit_values(today)
            )
        except services.MeetingError as error:
            db.session.rollback()
            form.add_problems(error.problems or {"name": str(error)})
        else:
            if outcome.saved:
                db.session.commit()
                _flash_saved(meeting, form.rule() if outcome.schedule_changed else None, now)
                return _to_detail(group, meeting)
            form.schedule_token.data = outcome.token  # the preview: saving needs the same change again
    preview = outcome.preview if outcome else None
    context = {"group": group, "form": form, "meeting": meeting, "preview": preview, "today": today}
    return render_template("meetings/form.html", **context), 422 if form.errors else 200


def _flash_saved(meeting, changed_rule, now) -> None:
    flash(_("The meeting is saved."), "success")
    warn_listing(meeting)
    if changed_rule is not None:
        warn_shifted_dates(changed_rule, now)


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/status", methods=["GET", "POST"])
@requires("group.manage")
def change_status(group, meeting_id):
    meeting = meeting_of(group, meeting_id)
    form = StatusForm()
    target = request.values.get("status") or request.args.get("to")
    if target not in services.STATUSES or target == meeting.status:
        return _to_detail(group, meeting)
    if form.validate_on_submit():
        services.set_status(meeting, target, actor=current_user, now=utcnow(), weeks=weeks())
        db.session.commit()
        flash(_status_done(target), "success")
        return _to_detail(group, meeting)
    form.status.data = target
    affected = services.status_change_count(meeting, target, now=utcnow())
    return render_template(
        "meetings/status.html", group=group, meeting=meeting, form=form, target=target, affected=affected
    )


def _status_done(target: str) -> str:
    return {
        "active": _("The meeting is active again; its coming dates are back."),
        "paused": _("The meeting is paused; its coming dates are marked paused."),
        "archived": _("The meeting is archived. You can bring it back from the archived meetings."),
    }[target]
