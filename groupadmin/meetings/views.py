"""Meetings pages (a group's trusted servants), the public meetings pages, and the feeds."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.groups.models import FELLOWSHIPS, Group, Organisation
from groupadmin.meetings import display, feeds, importer, services
from groupadmin.meetings.forms import (
    ImportConfirmForm,
    ImportForm,
    MeetingForm,
    OccurrenceForm,
    PublicFilterForm,
    StatusForm,
)
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.meetings.schedule import Rule, local_today
from groupadmin.permissions import can, requires
from groupadmin.web import get_or_404

bp = Blueprint("meetings", __name__)

PUBLIC_PAGE_SIZE = 50
PAST_PAGE_SIZE = 20
FEED_MAX_AGE = 300  # seconds that feed readers and proxies may keep a copy


def _weeks() -> int:
    return current_app.config["OCCURRENCE_WEEKS_AHEAD"]


def _meeting(group, meeting_id) -> Meeting:
    return get_or_404(Meeting, meeting_id, group_id=group.id)


# ---------------------------------------------------------------------------------------------------
# A group's meetings


@bp.route("/groups/<group_slug>/meetings/")
@requires("group.view")
def index(group):
    archived = request.args.get("archived") == "1"
    meetings = services.group_meetings(group, archived=archived)
    now = utcnow()
    upcoming = services.next_occurrences([m.id for m in meetings], now=now)
    return render_template(
        "meetings/index.html",
        group=group,
        meetings=meetings,
        upcoming=upcoming,
        archived=archived,
        archived_count=services.count_archived(group) if not archived else None,
        now=now,
    )


@bp.route("/groups/<group_slug>/meetings/new", methods=["GET", "POST"])
@requires("group.manage")
def create(group):
    form = MeetingForm()
    if not can("group.leader", group):
        form.hide_private_notes()
    if request.method == "GET":
        form.timezone.data = group.timezone
        form.listed.data = True
    if form.validate_on_submit():
        now = utcnow()
        rule = form.rule()
        try:
            meeting = services.create_meeting(
                group,
                actor=current_user,
                now=now,
                rule=rule,
                values=form.values(),
                weeks=_weeks(),
            )
        except services.MeetingError as error:
            form.add_problems(error.problems or {"name": str(error)})
        else:
            db.session.commit()
            if rule.recurrence == "once":
                flash(
                    _("The meeting is saved for %(date)s.", date=display.format_day(rule.on_date, "long")),
                    "success",
                )
            else:
                flash(_("The meeting is saved and its dates for the coming weeks are set."), "success")
            _warn_unknown_host(meeting)
            _warn_shifted_dates(rule, now)
            return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
    return render_template(
        "meetings/form.html", group=group, form=form, meeting=None
    ), 422 if form.errors else 200


def _warn_unknown_host(meeting: Meeting) -> None:
    if meeting.attendance != "in_person" and not services.conference_host_is_known(meeting.conference_url):
        flash(
            _(
                "Meeting finders may show this meeting as inactive: its conference link is not on a "
                "provider they "
                "recognise (Zoom, Google Meet, Jitsi, Teams, Webex…). Add a dial-in phone, or check the link."
            ),
            "warning",
        )


def _warn_shifted_dates(rule: Rule, now) -> None:
    """Say when a weekly or monthly meeting's time falls in a daylight-saving gap on a coming date."""
    shifted = services.shifted_dates(rule, now=now)
    if shifted:
        day, start = shifted[0]
        flash(
            _(
                "On %(date)s the clocks go forward over %(time)s in %(zone)s, so that day the meeting "
                "starts at %(actual)s (as calendar apps show it). Change that date if the group meets "
                "at another time.",
                date=display.format_day(day, "long"),
                time=display.format_clock(rule.start_time),
                zone=display.zone_label(rule.timezone),
                actual=display.format_clock(start.time()),
            ),
            "warning",
        )


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/")
@requires("group.view")
def detail(group, meeting_id):
    meeting = _meeting(group, meeting_id)
    now = utcnow()
    occurrences = services.upcoming_occurrences(meeting, now=now)
    today = local_today(meeting.latest_schedule.timezone, now)
    return render_template(
        "meetings/detail.html",
        group=group,
        meeting=meeting,
        occurrences=occurrences,
        now=now,
        current=meeting.schedule_on(today),
        pending=meeting.pending_schedule(today),
        status_form=StatusForm(),
        can_manage=can("group.manage", group),
        show_private_notes=can("group.leader", group),
        public_url=url_for(
            "meetings.public_meeting", org_slug=group.organisation.slug, meeting_slug=meeting.slug
        )
        if meeting.listed
        else None,
    )


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/past")
@requires("group.view")
def past(group, meeting_id):
    meeting = _meeting(group, meeting_id)
    page = db.paginate(
        services.past_occurrences_query(meeting, now=utcnow()), per_page=PAST_PAGE_SIZE, error_out=False
    )
    return render_template("meetings/past.html", group=group, meeting=meeting, page=page)


def _schedule_token(rule: Rule, effective_from) -> str:
    return hashlib.sha256(repr((rule.normalised(), effective_from)).encode()).hexdigest()[:16]


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires("group.manage")
def edit(group, meeting_id):
    meeting = _meeting(group, meeting_id)
    now = utcnow()
    latest = meeting.latest_schedule
    today = local_today(latest.timezone, now)
    form = MeetingForm(obj=meeting)
    if not can("group.leader", group):
        form.hide_private_notes()
    if request.method == "GET":
        form.recurrence.data = latest.recurrence
        form.weekday.data = latest.weekday if latest.recurrence != "once" else None
        form.month_week.data = latest.month_week
        form.on_date.data = latest.on_date
        form.start_time.data = latest.start_time
        form.duration_minutes.data = latest.duration_minutes
        form.timezone.data = latest.timezone
        form.effective_from.data = max(today, latest.effective_from)
        form.types.data = list(meeting.types or [])
    preview = None
    if form.validate_on_submit():
        rule = form.rule()
        effective_from = form.effective_from.data or today
        changes_schedule = services.schedule_differs(meeting, rule, effective_from)
        token = _schedule_token(rule, effective_from)
        if changes_schedule and form.schedule_token.data != token:
            # Show which dates change before saving; saving needs the same schedule and date again.
            problems = services.schedule_change_problems(meeting, rule, effective_from, now=now)
            if problems:
                form.add_problems(problems)
            else:
                preview = services.preview_schedule_change(
                    meeting, rule, effective_from, now=now, weeks=_weeks()
                )
                form.schedule_token.data = token
        else:
            try:
                services.save_meeting(
                    meeting,
                    actor=current_user,
                    now=now,
                    values=form.values(),
                    rule=rule if changes_schedule else None,
                    effective_from=effective_from,
                    weeks=_weeks(),
                )
            except services.MeetingError as error:
                db.session.rollback()
                form.add_problems(error.problems or {"name": str(error)})
            else:
                db.session.commit()
                flash(_("The meeting is saved."), "success")
                _warn_unknown_host(meeting)
                if changes_schedule:
                    _warn_shifted_dates(rule, now)
                return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
    status = 422 if form.errors else 200
    return render_template(
        "meetings/form.html",
        group=group,
        form=form,
        meeting=meeting,
        preview=preview,
        today=today,
    ), status


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/status", methods=["GET", "POST"])
@requires("group.manage")
def change_status(group, meeting_id):
    meeting = _meeting(group, meeting_id)
    form = StatusForm()
    target = request.values.get("status") or request.args.get("to")
    if target not in ("active", "paused", "archived") or target == meeting.status:
        return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
    if form.validate_on_submit():
        services.set_status(meeting, target, actor=current_user, now=utcnow(), weeks=_weeks())
        db.session.commit()
        flash(
            {
                "active": _("The meeting is active again; its coming dates are back."),
                "paused": _("The meeting is paused; its coming dates are marked paused."),
                "archived": _("The meeting is archived. You can bring it back from the archived meetings."),
            }[target],
            "success",
        )
        return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
    form.status.data = target
    affected = sum(
        1
        for o in services.upcoming_occurrences(meeting, now=utcnow(), limit=500)
        if o.status == ("scheduled" if target != "active" else "paused")
    )
    return render_template(
        "meetings/status.html", group=group, meeting=meeting, form=form, target=target, affected=affected
    )


@bp.route("/groups/<group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.manage")
def occurrence(group, meeting_id, occurrence_id):
    meeting = _meeting(group, meeting_id)
    occ = get_or_404(Occurrence, occurrence_id, meeting_id=meeting.id)
    form = OccurrenceForm(obj=occ)
    if request.method == "GET":
        form.cancelled.data = occ.status == "cancelled"
    if form.validate_on_submit():
        try:
            changed = services.update_occurrence(
                occ,
                actor=current_user,
                now=utcnow(),
                cancelled=form.cancelled.data,
                online_only=form.online_only.data,
                venue_location=form.venue_location.data,
                venue_address=form.venue_address.data,
                note=form.note.data,
            )
        except services.MeetingError as error:
            form.add_problems(error.problems or {"note": str(error)})
        else:
            db.session.commit()
            if changed:
                flash(_("The date is updated."), "success")
            return redirect(url_for("meetings.detail", group_slug=group.slug, meeting_id=meeting.id))
    return render_template(
        "meetings/occurrence.html", group=group, meeting=meeting, occurrence=occ, form=form
    ), 422 if form.errors else 200


# ---------------------------------------------------------------------------------------------------
# Import


@bp.route("/groups/<group_slug>/meetings/import", methods=["GET", "POST"])
@requires("group.manage")
def import_upload(group):
    form = ImportForm()
    plan = confirm_form = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            content = importer.decode(upload.read())
            plan = importer.plan_import(
                group,
                upload.filename or "upload",
                content,
                now=utcnow(),
                archive_missing=form.archive_missing.data,
            )
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            confirm_form = ImportConfirmForm(
                formdata=None,
                content=content,
                filename=upload.filename or "upload",
                archive_missing="1" if form.archive_missing.data else "",
            )
    return render_template(
        "meetings/import.html",
        group=group,
        form=form,
        plan=plan,
        confirm_form=confirm_form,
        labels=importer.FIELD_LABELS,
    ), 422 if form.errors else 200


@bp.route("/groups/<group_slug>/meetings/import/apply", methods=["POST"])
@requires("group.manage")
def import_apply(group):
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import form had expired. Upload the file again."), "error")
        return redirect(url_for("meetings.import_upload", group_slug=group.slug))
    try:
        plan = importer.apply_import(
            group,
            form.filename.data,
            form.content.data,
            actor=current_user,
            now=utcnow(),
            weeks=_weeks(),
            archive_missing=form.archive_missing.data == "1",
        )
    except (importer.ImportFileError, services.MeetingError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("meetings.import_upload", group_slug=group.slug))
    db.session.commit()
    flash(
        _(
            "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(archived)s archived.",
            created=plan.count("create"),
            updated=plan.count("update"),
            unchanged=plan.count("unchanged"),
            archived=len(plan.to_archive),
        ),
        "success",
    )
    return redirect(url_for("meetings.index", group_slug=group.slug))


# ---------------------------------------------------------------------------------------------------
# Public pages


def _organisation(org_slug: str) -> Organisation:
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == org_slug))
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/meetings/<org_slug>")
@requires("public")
def public_index(org_slug):
    organisation = _organisation(org_slug)
    now = utcnow()
    today = local_today(organisation.timezone, now)
    groups = services.organisation_groups_with_listed_meetings(organisation)
    types = services.public_type_codes(organisation, today=today)
    form = PublicFilterForm(request.args, groups=groups, types=types)
    filters = services.PublicFilters()
    if form.validate():
        filters = services.PublicFilters(
            day=form.day.data,
            type=form.type.data or None,
            attendance=form.attendance.data or None,
            group=form.group.data or None,
        )
    page = services.Page(
        services.public_meetings_query(organisation, filters, today=today),
        page=request.args.get("page", 1, type=int),
        per_page=PUBLIC_PAGE_SIZE,
    )
    rows = page.items
    upcoming = services.next_occurrences([m.id for m, _s, _g in rows], now=now)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "meetings/public_index.html",
        organisation=organisation,
        rows=rows,
        page=page,
        form=form,
        upcoming=upcoming,
        args=args,
        now=now,
    )


@bp.route("/meetings/<org_slug>/<meeting_slug>")
@requires("public")
def public_meeting(org_slug, meeting_slug):
    organisation = _organisation(org_slug)
    meeting = services.public_meeting(organisation, meeting_slug)
    if meeting is None:
        abort(404)
    now = utcnow()
    today = local_today(meeting.latest_schedule.timezone, now)
    occurrences = services.upcoming_occurrences(meeting, now=now, limit=8) if meeting.is_active else []
    return render_template(
        "meetings/public_meeting.html",
        organisation=organisation,
        meeting=meeting,
        occurrences=occurrences,
        current=meeting.schedule_on(today),
        pending=meeting.pending_schedule(today),
    )


# ---------------------------------------------------------------------------------------------------
# Feeds


# Bodies of the latest feed versions, by ETag: the feeds are public and identical for every reader (a
# meeting finder embedded on a website fetches them for each visitor), so one build serves them all
# until anything changes. Per process, small, and never stale: the ETag changes with every change.
_BODY_CACHE: dict[str, bytes] = {}
_BODY_CACHE_SIZE = 8


def _cached_body(etag: str, build) -> bytes:
    body = _BODY_CACHE.get(etag)
    if body is None:
        body = build()
        body = body.encode() if isinstance(body, str) else body
        while len(_BODY_CACHE) >= _BODY_CACHE_SIZE:
            _BODY_CACHE.pop(next(iter(_BODY_CACHE)))
        _BODY_CACHE[etag] = body
    return body


def _feed_response(organisation, *, scope: str, build, mimetype: str):
    now = utcnow()
    base_url = current_app.config["BASE_URL"]
    version = feeds.feed_version(organisation, now=now, base_url=base_url, scope=scope)
    response = current_app.response_class(mimetype=mimetype)
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.make_conditional(request)
    if response.status_code != 304:
        response.set_data(_cached_body(f"{organisation.id}:{version.etag}", lambda: build(now, base_url)))
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


@bp.route("/feeds/<org_slug>/meeting-guide.json")
@requires("public")
def meeting_guide(org_slug):
    organisation = _organisation(org_slug)
    fellowship = request.args.get("fellowship") or None
    if fellowship is not None and fellowship not in FELLOWSHIPS:
        response = current_app.response_class(
            json.dumps({"error": "unknown fellowship", "choices": list(FELLOWSHIPS)}),
            status=400,
            mimetype="application/json",
        )
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    def build(now, base_url):
        data = feeds.meeting_guide(organisation, now=now, base_url=base_url, fellowship=fellowship)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    return _feed_response(organisation, scope=f"json:{fellowship}", build=build, mimetype="application/json")


@bp.route("/feeds/<org_slug>/meetings.ics")
@requires("public")
def organisation_ics(org_slug):
    organisation = _organisation(org_slug)
    return _feed_response(
        organisation,
        scope="ics",
        mimetype="text/calendar",
        build=lambda now, base_url: feeds.ics(organisation, now=now, base_url=base_url),
    )


@bp.route("/feeds/<org_slug>/<group_slug>/meetings.ics")
@requires("public")
def group_ics(org_slug, group_slug):
    organisation = _organisation(org_slug)
    group = db.session.scalar(
        sa.select(Group).where(Group.slug == group_slug, Group.organisation_id == organisation.id)
    )
    if group is None:
        abort(404)
    return _feed_response(
        organisation,
        scope=f"ics:{group.id}:{group.mail_name}",
        mimetype="text/calendar",
        build=lambda now, base_url: feeds.ics(
            organisation, now=now, base_url=base_url, group=group, name=group.mail_name
        ),
    )
