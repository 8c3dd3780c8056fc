"""The rota pages (a group's trusted servants), the links in rota mail (public, signed), and the
calendar feeds (public, secret URLs). Views parse, check, call one service, commit once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings.models import Occurrence
from groupadmin.permissions import can, requires
from groupadmin.rota import calendar, services
from groupadmin.rota.forms import (
    AssignForm,
    AutofillForm,
    BlackoutForm,
    PersonForm,
    RoleForm,
    SettingsForm,
    SwapForm,
)
from groupadmin.rota.models import Assignment, Blackout, RotaPerson, ServiceRole
from groupadmin.web import get_or_404

bp = Blueprint("rota", __name__)

DEFAULT_WEEKS, MAX_GRID_WEEKS = 4, 12


def _add_problems(form, problems: dict) -> None:
    for name, message in problems.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = (
                [*target.errors, str(message)] if isinstance(target.errors, list) else [str(message)]
            )
        else:
            flash(str(message), "error")


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, type=int)
    return default if value is None else min(max(value, low), high)


# ---------------------------------------------------------------------------------------------------
# The grid


def _grid_page(group, *, start: date, weeks: int, now: datetime, selected=None, problems=None, status=200):
    grid = services.load_grid(group, start=start, end=start + timedelta(weeks=weeks, days=-1), now=now)
    messages: dict[tuple[int, int], list[tuple[str, str]]] = {}
    if problems is not None:
        people = {p.id: p for p in grid.people}
        for kind, table in (("error", problems.errors), ("warning", problems.warnings)):
            for (occurrence_id, role_id, person_id), texts in table.items():
                person = people.get(person_id)
                name = person.label if person else "?"
                messages.setdefault((occurrence_id, role_id), []).append(
                    (kind, f"{name}: {', '.join(texts)}")
                )
    return render_template(
        "rota/grid.html",
        group=group,
        grid=grid,
        start=start,
        weeks=weeks,
        now=now,
        selected=selected or {},
        messages=messages,
        problems=problems,
        today=services.group_today(group, now),
        earlier=start - timedelta(weeks=weeks),
        later=start + timedelta(weeks=weeks),
        can_manage=can("group.secretary", group),
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/groups/<group_slug>/rota/", methods=["GET", "POST"])
@requires("group.leader")
def grid(group):
    now = utcnow()
    today = services.group_today(group, now)
    if request.method == "GET":
        return _grid_page(
            group,
            start=_date_arg("start", today),
            weeks=_int_arg("weeks", DEFAULT_WEEKS, 1, MAX_GRID_WEEKS),
            now=now,
        )
    form = ConfirmForm()
    try:
        start = date.fromisoformat(request.form.get("start", ""))
    except ValueError:
        start = today
    try:
        weeks = min(max(int(request.form.get("weeks", DEFAULT_WEEKS)), 1), MAX_GRID_WEEKS)
    except ValueError:
        weeks = DEFAULT_WEEKS
    if not form.validate_on_submit():
        abort(400)
    choices, selected = [], {}
    for name in request.form:
        if not name.startswith("a-"):
            continue
        try:
            _prefix, occurrence_id, role_id = name.split("-")
            occurrence_id, role_id = int(occurrence_id), int(role_id)
        except ValueError:
            continue
        for value in request.form.getlist(name):
            if not value:
                continue
            try:
                person_id = int(value)
            except ValueError:
                continue
            selected.setdefault((occurrence_id, role_id), []).append(person_id)
            choices.append(services.Choice(occurrence_id, role_id, person_id))
    if not choices:
        flash(_("Nothing to save: choose people for the open places first."), "info")
        return redirect(url_for("rota.grid", group_slug=group.slug, start=start.isoformat(), weeks=weeks))
    try:
        created = services.assign_many(
            group,
            choices,
            actor=current_user,
            now=now,
            accept_warnings=bool(request.form.get("accept_warnings")),
        )
    except services.AssignmentProblems as problems:
        db.session.rollback()
        return _grid_page(
            group, start=start, weeks=weeks, now=now, selected=selected, problems=problems, status=422
        )
    except IntegrityError:  # someone else filled the same place at the same moment
        db.session.rollback()
        flash(_("Someone else changed the rota at the same moment. Check the places, save again."), "error")
        return _grid_page(group, start=start, weeks=weeks, now=now, selected=selected, status=409)
    db.session.commit()
    asked = sum(1 for a in created if a.asked_at)
    flash(
        _(
            "%(n)s turns saved. Everyone with an email address has been asked to confirm; tell the others "
            "yourself.",
            n=len(created),
        )
        if asked < len(created)
        else _("%(n)s turns saved. Each person has been asked by email to confirm.", n=len(created)),
        "success",
    )
    return redirect(url_for("rota.grid", group_slug=group.slug, start=start.isoformat(), weeks=weeks))


@bp.route("/groups/<group_slug>/rota/print")
@requires("group.view")
def print_rota(group):
    now = utcnow()
    today = services.group_today(group, now)
    start = _date_arg("start", today)
    weeks = _int_arg("weeks", 8, 1, 26)
    grid = services.printable(group, start=start, weeks=weeks, now=now)
    return render_template(
        "rota/print.html",
        group=group,
        grid=grid,
        start=start,
        weeks=weeks,
        large=request.args.get("large") == "1",
        now=now,
    )


# ---------------------------------------------------------------------------------------------------
# One date


def _occurrence(group, occurrence_id) -> Occurrence:
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None or occurrence.meeting.group_id != group.id:
        abort(404)
    return occurrence


def _assignment(group, assignment_id) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.occurrence.meeting.group_id != group.id:
        abort(404)
    return assignment


@bp.route("/groups/<group_slug>/rota/occurrences/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.leader")
def occurrence(group, occurrence_id):
    occ = _occurrence(group, occurrence_id)
    now = utcnow()
    form = AssignForm()
    sections, history = services.occurrence_detail(group, occ, now=now)
    form.role_id.choices = [("", _("Choose a role…"))] + [(c.role.id, c.role.name) for c in sections]
    people = sorted(
        {o.person.id: o.person for c in sections for o in c.options}.values(),
        key=lambda p: (p.label.lower(), p.id),
    )
    form.person_id.choices = [("", _("Choose a person…"))] + [(p.id, p.label) for p in people]
    problems = None
    if form.validate_on_submit():
        choice = services.Choice(occ.id, form.role_id.data, form.person_id.data)
        try:
            services.assign_many(
                group,
                [choice],
                actor=current_user,
                now=now,
                accept_warnings=form.accept_warnings.data,
                confirmed=form.confirmed.data,
            )
        except services.AssignmentProblems as error:
            db.session.rollback()
            problems = error
            texts = [t for table in (error.errors, error.warnings) for v in table.values() for t in v]
            form.person_id.errors = [*form.person_id.errors, *texts]
        except IntegrityError:
            db.session.rollback()
            form.person_id.errors = [
                *form.person_id.errors,
                _("Someone else changed this date's rota at the same moment. Check and save again."),
            ]
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("rota.occurrence", group_slug=group.slug, occurrence_id=occ.id))
        sections, history = services.occurrence_detail(group, occ, now=now)
    return render_template(
        "rota/occurrence.html",
        group=group,
        occurrence=occ,
        sections=sections,
        history=history,
        form=form,
        problems=problems,
        now=now,
        editable=occ.status == "scheduled" and occ.starts_at > now,
        people=people,
        confirm_form=ConfirmForm(),
    ), 422 if form.errors else 200


def _assignment_action(group, assignment_id, action):
    assignment = _assignment(group, assignment_id)
    now = utcnow()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            result = action(assignment, now)
        except services.RotaError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if result:
                flash(result, "success")
    return redirect(url_for("rota.occurrence", group_slug=group.slug, occurrence_id=assignment.occurrence_id))


@bp.route("/groups/<group_slug>/rota/assignments/<int:assignment_id>/confirm", methods=["POST"])
@requires("group.leader")
def confirm_assignment(group, assignment_id):
    def action(assignment, now):
        services.confirm_by_hand(assignment, actor=current_user, now=now)
        return _("Marked as confirmed.")

    return _assignment_action(group, assignment_id, action)


@bp.route("/groups/<group_slug>/rota/assignments/<int:assignment_id>/withdraw", methods=["POST"])
@requires("group.leader")
def withdraw_assignment(group, assignment_id):
    def action(assignment, now):
        services.withdraw(assignment, actor=current_user, now=now)
        return _("Taken off the rota. If they had been asked, they have been told by email.")

    return _assignment_action(group, assignment_id, action)


@bp.route("/groups/<group_slug>/rota/assignments/<int:assignment_id>/resend", methods=["POST"])
@requires("group.leader")
def resend_assignment(group, assignment_id):
    def action(assignment, now):
        if services.resend(assignment, now=now):
            return _("Asked again by email.")
        raise services.RotaError(_("This person has no email address: ask them yourself."))

    return _assignment_action(group, assignment_id, action)


# ---------------------------------------------------------------------------------------------------
# Auto-fill


@bp.route("/groups/<group_slug>/rota/autofill", methods=["GET", "POST"])
@requires("group.secretary")
def autofill(group):
    now = utcnow()
    today = services.group_today(group, now)
    roles = services.group_roles(group)
    source = request.form if request.method == "POST" else request.args
    form = AutofillForm(formdata=source if source.get("start") else None)
    form.roles.choices = [(r.id, r.name) for r in roles]
    if not source.get("start"):
        form.start.data = today
        form.end.data = today + timedelta(days=27)
    preview, apply_form = None, ConfirmForm()
    if source.get("start") and form.validate():
        try:
            if request.method == "POST":
                if not apply_form.validate_on_submit():
                    abort(400)
                created = services.apply_autofill(
                    group,
                    start=form.start.data,
                    end=form.end.data,
                    role_ids=form.roles.data or None,
                    fingerprint=request.form.get("fingerprint", ""),
                    actor=current_user,
                    now=now,
                )
                db.session.commit()
                asked = len({a.person_id for a in created if a.asked_at})
                flash(
                    _(
                        "%(n)s turns proposed; %(asked)s people asked by email to confirm.",
                        n=len(created),
                        asked=asked,
                    ),
                    "success",
                )
                return redirect(
                    url_for(
                        "rota.grid",
                        group_slug=group.slug,
                        start=form.start.data.isoformat(),
                        weeks=min(max((form.end.data - form.start.data).days // 7 + 1, 1), MAX_GRID_WEEKS),
                    )
                )
            preview = services.preview_autofill(
                group, start=form.start.data, end=form.end.data, role_ids=form.roles.data or None, now=now
            )
        except services.PlanChanged as changed:
            db.session.rollback()
            flash(str(changed), "warning")
            preview = changed.preview
        except services.RotaError as error:
            db.session.rollback()
            _add_problems(form, error.problems or {"start": str(error)})
    return render_template(
        "rota/autofill.html",
        group=group,
        form=form,
        preview=preview,
        apply_form=apply_form,
        roles=roles,
    ), 422 if form.errors else 200


# ---------------------------------------------------------------------------------------------------
# Roles and settings


@bp.route("/groups/<group_slug>/rota/roles", methods=["GET", "POST"])
@requires("group.secretary")
def roles(group):
    settings = services.settings_for(group)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        try:
            services.update_settings(
                group,
                actor=current_user,
                now=utcnow(),
                min_gap_days=form.min_gap_days.data,
                weekly_summary=form.weekly_summary.data,
            )
        except services.RotaError as error:
            db.session.rollback()
            _add_problems(form, error.problems)
        else:
            db.session.commit()
            flash(_("Rota settings saved."), "success")
            return redirect(url_for("rota.roles", group_slug=group.slug))
    return render_template(
        "rota/roles.html",
        group=group,
        roles=services.group_roles(group),
        archived=services.group_roles(group, archived=True),
        form=form,
        confirm_form=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.route("/groups/<group_slug>/rota/roles/defaults", methods=["POST"])
@requires("group.secretary")
def default_roles(group):
    if ConfirmForm().validate_on_submit():
        added = services.add_default_roles(group, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("%(n)s roles added. Change them to suit your meetings.", n=added), "success")
    return redirect(url_for("rota.roles", group_slug=group.slug))


def _meeting_choices(group):
    from groupadmin.meetings import services as meetings

    return [(m.id, m.name) for m in meetings.group_meetings(group)]


@bp.route("/groups/<group_slug>/rota/roles/new", methods=["GET", "POST"])
@requires("group.secretary")
def new_role(group):
    return _role_page(group, None)


@bp.route("/groups/<group_slug>/rota/roles/<int:role_id>", methods=["GET", "POST"])
@requires("group.secretary")
def edit_role(group, role_id):
    return _role_page(group, get_or_404(ServiceRole, role_id, group_id=group.id))


def _role_page(group, role):
    form = RoleForm(obj=role)
    form.meetings.choices = _meeting_choices(group)
    if request.method == "GET" and role is not None:
        form.meetings.data = [m.id for m in role.meetings]
        form.remind_days.data = ", ".join(str(d) for d in role.remind_days or [])
    if form.validate_on_submit():
        try:
            days = services.parse_remind_days(form.remind_days.data)
            role = services.save_role(
                group,
                role,
                actor=current_user,
                now=utcnow(),
                name=form.name.data,
                kind=form.kind.data,
                per_occurrence=form.per_occurrence.data,
                applies_to=form.applies_to.data,
                meeting_ids=form.meetings.data or [],
                remind_days=days,
                remind_at=form.remind_at.data,
            )
        except services.RotaError as error:
            db.session.rollback()
            _add_problems(form, error.problems or {"name": str(error)})
        else:
            db.session.commit()
            flash(_("Role saved."), "success")
            return redirect(url_for("rota.roles", group_slug=group.slug))
    return render_template(
        "rota/role_form.html", group=group, form=form, role=role
    ), 422 if form.errors else 200


@bp.route("/groups/<group_slug>/rota/roles/<int:role_id>/change", methods=["POST"])
@requires("group.secretary")
def role_action(group, role_id):
    role = get_or_404(ServiceRole, role_id, group_id=group.id)
    action = request.form.get("action")
    if ConfirmForm().validate_on_submit() and action in ("archive", "restore", "up", "down"):
        now = utcnow()
        if action in ("archive", "restore"):
            services.set_role_archived(role, action == "archive", actor=current_user, now=now)
            flash(
                _("Role archived: it no longer shows on the rota; past turns keep it.")
                if action == "archive"
                else _("Role restored."),
                "success",
            )
        else:
            services.move_role(role, 1 if action == "down" else -1, group=group)
        db.session.commit()
    return redirect(url_for("rota.roles", group_slug=group.slug))


# ---------------------------------------------------------------------------------------------------
# People


@bp.route("/groups/<group_slug>/rota/people")
@requires("group.secretary")
def people(group):
    everyone = services.group_people(group)
    stopped = services.unreachable_people(everyone)
    return render_template(
        "rota/people.html",
        group=group,
        people=everyone,
        stopped=stopped,
        today=services.group_today(group, utcnow()),
    )


def _person_form(group, person):
    form = PersonForm(obj=person)
    form.roles.choices = [(r.id, r.name) for r in services.group_roles(group)]
    form.user_id.choices = [("", _("Nobody"))] + [
        (u.id, u.display_name) for u in services.linkable_users(group)
    ]
    if request.method == "GET":
        if person is not None:
            form.roles.data = [r.id for r in person.roles]
            form.consent.data = person.consent_at is not None
        else:
            form.active.data = True
    return form


def _save_person(group, person, form):
    try:
        person = services.save_person(
            group,
            person,
            actor=current_user,
            now=utcnow(),
            display_name=form.display_name.data,
            email=form.email.data,
            phone=form.phone.data,
            consent=form.consent.data,
            role_ids=form.roles.data or [],
            active=form.active.data,
            user_id=form.user_id.data,
        )
    except services.RotaError as error:
        db.session.rollback()
        _add_problems(form, error.problems or {"display_name": str(error)})
        return None
    db.session.commit()
    return person


@bp.route("/groups/<group_slug>/rota/people/new", methods=["GET", "POST"])
@requires("group.secretary")
def new_person(group):
    form = _person_form(group, None)
    if form.validate_on_submit():
        person = _save_person(group, None, form)
        if person is not None:
            flash(_("%(name)s is on the rota.", name=person.label), "success")
            return redirect(url_for("rota.person", group_slug=group.slug, person_id=person.id))
    return render_template(
        "rota/person.html",
        group=group,
        form=form,
        person=None,
        wording=services.consent_wording(group),
    ), 422 if form.errors else 200


def _person(group, person_id) -> RotaPerson:
    person = get_or_404(RotaPerson, person_id, group_id=group.id)
    if person.is_removed:
        abort(404)
    return person


@bp.route("/groups/<group_slug>/rota/people/<int:person_id>", methods=["GET", "POST"])
@requires("group.secretary")
def person(group, person_id):
    person = _person(group, person_id)
    form = _person_form(group, person)
    if form.validate_on_submit():
        if _save_person(group, person, form) is not None:
            flash(_("Saved."), "success")
            return redirect(url_for("rota.person", group_slug=group.slug, person_id=person.id))
    return _person_page(group, person, form, BlackoutForm(formdata=None))


def _person_page(group, person, form, blackout_form):
    status = 422 if form.errors or blackout_form.errors else 200
    return render_template(
        "rota/person.html",
        group=group,
        form=form,
        person=person,
        blackout_form=blackout_form,
        wording=person.consent_wording or services.consent_wording(group),
        calendar_url=services.calendar_url(person),
        confirm_form=ConfirmForm(),
        today=services.group_today(group, utcnow()),
    ), status


@bp.route("/groups/<group_slug>/rota/people/<int:person_id>/blackouts", methods=["POST"])
@requires("group.secretary")
def add_blackout(group, person_id):
    person = _person(group, person_id)
    blackout_form = BlackoutForm()
    if blackout_form.validate_on_submit():
        try:
            services.add_blackout(
                person,
                actor=current_user,
                now=utcnow(),
                starts_on=blackout_form.starts_on.data,
                ends_on=blackout_form.ends_on.data,
            )
        except services.RotaError as error:
            db.session.rollback()
            _add_problems(blackout_form, error.problems)
        else:
            db.session.commit()
            flash(_("Dates away added."), "success")
            return redirect(url_for("rota.person", group_slug=group.slug, person_id=person.id) + "#away")
    return _person_page(group, person, _person_form(group, person), blackout_form)


@bp.route(
    "/groups/<group_slug>/rota/people/<int:person_id>/blackouts/<int:blackout_id>/delete", methods=["POST"]
)
@requires("group.secretary")
def delete_blackout(group, person_id, blackout_id):
    person = _person(group, person_id)
    blackout = get_or_404(Blackout, blackout_id, person_id=person.id)
    if ConfirmForm().validate_on_submit():
        services.remove_blackout(blackout, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Dates away removed."), "success")
    return redirect(url_for("rota.person", group_slug=group.slug, person_id=person.id) + "#away")


@bp.route("/groups/<group_slug>/rota/people/<int:person_id>/calendar", methods=["POST"])
@requires("group.secretary")
def renew_person_calendar(group, person_id):
    person = _person(group, person_id)
    if ConfirmForm().validate_on_submit():
        services.new_calendar_link(person, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("The old calendar link no longer works. Send the person the new one."), "success")
    return redirect(url_for("rota.person", group_slug=group.slug, person_id=person.id) + "#calendar")


@bp.route("/groups/<group_slug>/rota/people/<int:person_id>/remove", methods=["GET", "POST"])
@requires("group.secretary")
def remove_person(group, person_id):
    person = _person(group, person_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        opened = services.forget_person(person, actor=current_user, now=utcnow())
        db.session.commit()
        flash(
            _("Removed. Their contact details are forgotten; %(n)s upcoming turns are open again.", n=opened),
            "success",
        )
        return redirect(url_for("rota.people", group_slug=group.slug))
    return render_template("rota/remove_person.html", group=group, person=person, form=form)


# ---------------------------------------------------------------------------------------------------
# The group's rota calendar (for its secretaries and leaders)


@bp.route("/groups/<group_slug>/rota/calendar", methods=["GET", "POST"])
@requires("group.leader")
def group_calendar(group):
    form = ConfirmForm()
    if request.method == "POST":
        if not can("group.secretary", group):
            abort(403)
        if form.validate_on_submit():
            services.renew_group_calendar(group, actor=current_user, now=utcnow())
            db.session.commit()
            flash(_("Every earlier link to the group's rota calendar has stopped working."), "success")
        return redirect(url_for("rota.group_calendar", group_slug=group.slug))
    url = services.group_calendar_url(group, current_user)
    db.session.commit()
    return render_template(
        "rota/calendar.html", group=group, url=url, form=form, can_renew=can("group.secretary", group)
    )


# ---------------------------------------------------------------------------------------------------
# Links from rota mail (public: the signed link is the authority; GET shows, only POST acts)


def _private(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _problem(error: services.LinkProblem):
    return _private((render_template("rota/link_problem.html", message=error.message), error.status))


def _link(action: str, token: str):
    now = utcnow()
    try:
        assignment = services.load_link(action, token, now=now)
    except services.LinkProblem as error:
        return _problem(error)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        outcome = (
            services.accept(assignment, now=now)
            if action == "accept"
            else services.decline(assignment, now=now)
        )
        db.session.commit()
        messages = {
            ("accept", "confirmed"): (_("Thank you: you are confirmed."), "success"),
            ("accept", "filled"): (
                _("Thank you, but someone else took this turn meanwhile: nothing more to do."),
                "info",
            ),
            ("decline", "declined"): (
                _("Thank you for letting us know: the secretary has been told."),
                "success",
            ),
        }
        message = messages.get((action, outcome))
        if message:
            flash(*message)
        return redirect(url_for(f"rota.{action}_link", token=token))
    group = assignment.occurrence.meeting.group
    other = {a: services.link_token(assignment, a) for a in services.LINK_ACTIONS}
    return _private(
        render_template(
            "rota/link.html",
            assignment=assignment,
            occurrence=assignment.occurrence,
            group=group,
            action=action,
            form=ConfirmForm(),
            tokens=other,
            offer=services.pending_offer(assignment),
        )
    )


@bp.route("/r/rota-accept/<token>", methods=["GET", "POST"])
@requires("public")
def accept_link(token):
    return _link("accept", token)


@bp.route("/r/rota-decline/<token>", methods=["GET", "POST"])
@requires("public")
def decline_link(token):
    return _link("decline", token)


@bp.route("/r/rota-swap/<token>", methods=["GET", "POST"])
@requires("public")
def swap_link(token):
    now = utcnow()
    try:
        assignment = services.load_link("swap", token, now=now)
    except services.LinkProblem as error:
        return _problem(error)
    group = assignment.occurrence.meeting.group
    candidates = (
        services.swap_candidates(assignment) if assignment.status in ("proposed", "confirmed") else []
    )
    form = SwapForm()
    form.colleague.choices = [(p.id, p.label) for p in candidates]
    if form.validate_on_submit():
        try:
            offer = services.offer_swap(assignment, form.colleague.data, now=now)
        except services.RotaError as error:
            db.session.rollback()
            _add_problems(form, error.problems or {"colleague": str(error)})
        else:
            db.session.commit()
            flash(
                _(
                    "We have asked %(name)s. Until they accept, the turn stays yours; you will hear "
                    "either way.",
                    name=offer.person.label,
                ),
                "success",
            )
            return redirect(url_for("rota.swap_link", token=token))
    return _private(
        (
            render_template(
                "rota/swap.html",
                assignment=assignment,
                occurrence=assignment.occurrence,
                group=group,
                form=form,
                candidates=candidates,
                offer=services.pending_offer(assignment),
                decline_token=services.link_token(assignment, "decline"),
            ),
            422 if form.errors else 200,
        )
    )


@bp.route("/r/rota-remove/<token>", methods=["GET", "POST"])
@requires("public")
def remove_link(token):
    try:
        person = services.load_remove_link(token)
    except services.LinkProblem as error:
        return _problem(error)
    from groupadmin.groups.models import Group

    group = db.session.get(Group, person.group_id)
    if request.method == "POST" and not person.is_removed:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        services.forget_person(person, actor=None, now=utcnow(), self_service=True)
        db.session.commit()
        return redirect(url_for("rota.remove_link", token=token))
    return _private(render_template("rota/remove_self.html", person=person, group=group, form=ConfirmForm()))


@bp.route("/feeds/cal/<token>")
@requires("public")
def calendar_feed(token):
    try:
        kind, obj = services.load_calendar_token(token)
    except services.LinkProblem as error:
        return Response(str(error.message) + "\n", status=error.status, mimetype="text/plain")
    from flask import current_app

    host = urlsplit(current_app.config["BASE_URL"]).hostname or "groupadmin"
    now = utcnow()
    body = (
        calendar.person_feed(obj, now=now, host=host)
        if kind == "person"
        else calendar.group_feed(obj, now=now, host=host)
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="rota.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
