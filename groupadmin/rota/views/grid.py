"""The rota of a group (its trusted servants): the grid, the printable rota, one date's rota with its
turns, and auto-fill."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.permissions import can, requires
from groupadmin.rota import services
from groupadmin.rota.forms import (
    DEFAULT_WEEKS,
    MAX_GRID_WEEKS,
    AssignForm,
    GiveBackForm,
    autofill_form,
    parse_grid,
)
from groupadmin.rota.models import Assignment
from groupadmin.rota.views import bp
from groupadmin.web import date_arg, get_or_404, int_arg, no_store, occurrence_or_404, show_error

# ---------------------------------------------------------------------------------------------------
# The grid


def _grid_messages(grid, problems) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """The problems of a refused save, per place of the grid: (kind, "Name: what"). A problem of a
    place the grid does not show (an id no date has) is flashed above it instead."""
    messages: dict[tuple[int, int], list[tuple[str, str]]] = {}
    if problems is None:
        return messages
    people = {p.id: p for p in grid.people}
    places = {(row.occurrence.id, cell.role.id) for row in grid.rows for cell in row.cells}
    for kind, table in (("error", problems.errors), ("warning", problems.warnings)):
        for (occurrence_id, role_id, person_id), texts in table.items():
            person = people.get(person_id)
            text = f"{person.label if person else '?'}: {', '.join(texts)}"
            if (occurrence_id, role_id) in places:
                messages.setdefault((occurrence_id, role_id), []).append((kind, text))
            else:
                flash(text, kind)
    return messages


def _grid_page(group, *, start: date, weeks: int, now: datetime, selected=None, problems=None, status=200):
    grid = services.load_grid(group, start=start, end=start + timedelta(weeks=weeks, days=-1), now=now)
    return render_template(
        "rota/grid.html",
        group=group,
        grid=grid,
        start=start,
        weeks=weeks,
        now=now,
        selected=selected or {},
        messages=_grid_messages(grid, problems),
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
        weeks = int_arg("weeks", DEFAULT_WEEKS, 1, MAX_GRID_WEEKS)
        return _grid_page(group, start=date_arg("start", today), weeks=weeks, now=now)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    post = parse_grid(request.form, today=today)
    page = {"start": post.start, "weeks": post.weeks, "now": now, "selected": post.selected}
    back = url_for("rota.grid", group_slug=group.slug, start=post.start.isoformat(), weeks=post.weeks)
    if post.problems:
        return _grid_page(group, **page, problems=services.AssignmentProblems(post.problems, {}), status=422)
    if not post.choices:
        flash(_("Nothing to save: choose people for the open places first."), "info")
        return redirect(back)
    try:
        created = services.assign_many(
            group, post.choices, actor=current_user, now=now, accept_warnings=post.accept_warnings
        )
    except services.AssignmentProblems as problems:
        db.session.rollback()
        return _grid_page(group, **page, problems=problems, status=422)
    except IntegrityError:  # someone else filled the same place at the same moment
        db.session.rollback()
        flash(_("Someone else changed the rota at the same moment. Check the places, save again."), "error")
        return _grid_page(group, **page, status=409)
    db.session.commit()
    flash(_saved(created), "success")
    return redirect(back)


def _saved(created) -> str:
    if sum(1 for a in created if a.asked_at) < len(created):
        return ngettext(
            "%(num)d turn saved. Everyone with an email address has been asked to confirm; tell the others "
            "yourself.",
            "%(num)d turns saved. Everyone with an email address has been asked to confirm; tell the others "
            "yourself.",
            len(created),
        )
    return ngettext(
        "%(num)d turn saved. The person has been asked by email to confirm.",
        "%(num)d turns saved. Each person has been asked by email to confirm.",
        len(created),
    )


@bp.route("/groups/<group_slug>/rota/print")
@requires("group.view")
def print_rota(group):
    now = utcnow()
    start = date_arg("start", services.group_today(group, now))
    weeks = int_arg("weeks", 8, 1, 26)
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


def _assignment(group, assignment_id) -> Assignment:
    assignment = get_or_404(Assignment, assignment_id)
    if assignment.occurrence.meeting.group_id != group.id:
        abort(404)
    return assignment


def _assign_form(sections):
    """The form to put one person in one role of the date, and the people it offers."""
    form = AssignForm()
    form.role_id.choices = [("", _("Choose a role…"))] + [(c.role.id, c.role.name) for c in sections]
    people = sorted(
        {o.person.id: o.person for c in sections for o in c.options}.values(),
        key=lambda p: (p.label.lower(), p.id),
    )
    form.person_id.choices = [("", _("Choose a person…"))] + [(p.id, p.label) for p in people]
    return form, people


@bp.route("/groups/<group_slug>/rota/occurrences/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.leader")
def occurrence(group, occurrence_id):
    occ = occurrence_or_404(group, occurrence_id)
    now = utcnow()
    sections, history = services.occurrence_detail(group, occ, now=now)
    form, people = _assign_form(sections)
    problems = None
    if form.validate_on_submit():
        saved, problems = _assign_one(group, occ, form, now)
        if saved:
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
        give_back=bool(services.places_to_give_back(occ, now=now)),
        people=people,
        confirm_form=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.route("/groups/<group_slug>/rota/occurrences/<int:occurrence_id>/give-back", methods=["GET", "POST"])
@requires("group.leader")
def give_back(group, occurrence_id):
    """A restored date: give the people released when it was cancelled their places back, in one step."""
    occ = occurrence_or_404(group, occurrence_id)
    places = services.places_to_give_back(occ, now=utcnow())
    form = GiveBackForm()
    if form.validate_on_submit():
        try:
            created = services.give_places_back(occ, form.turn_ids(), actor=current_user, now=utcnow())
        except services.RotaError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d place given back; they have been told by email where they have an address.",
                    "%(num)d places given back; they have been told by email where they have an address.",
                    len(created),
                ),
                "success",
            )
            return redirect(url_for("rota.occurrence", group_slug=group.slug, occurrence_id=occ.id))
        places = services.places_to_give_back(occ, now=utcnow())
    form.turns.data = ",".join(str(a.id) for a in places)
    page = render_template("rota/give_back.html", group=group, occurrence=occ, places=places, form=form)
    return no_store(page)


def _assign_one(group, occ, form, now) -> tuple[bool, services.AssignmentProblems | None]:
    """Save the form's choice (committed), or put why not beside the person (rolled back)."""
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
        texts = [t for table in (error.errors, error.warnings) for v in table.values() for t in v]
        form.person_id.errors = [*form.person_id.errors, *texts]
        return False, error
    except IntegrityError:
        db.session.rollback()
        form.person_id.errors = [
            *form.person_id.errors,
            _("Someone else changed this date's rota at the same moment. Check and save again."),
        ]
        return False, None
    db.session.commit()
    return True, None


def _assignment_action(group, assignment_id, action):
    assignment = _assignment(group, assignment_id)
    if ConfirmForm().validate_on_submit():
        try:
            result = action(assignment, utcnow())
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
# Auto-fill: preview a period (GET), then apply the plan that was seen (POST)


@bp.route("/groups/<group_slug>/rota/autofill", methods=["GET", "POST"])
@requires("group.secretary")
def autofill(group):
    now = utcnow()
    roles = services.group_roles(group)
    source = request.form if request.method == "POST" else request.args
    form = autofill_form(source, roles, today=services.group_today(group, now))
    preview = None
    if source.get("start") and form.validate():
        if request.method == "POST":
            return _apply_autofill(group, form, roles, now)
        try:
            preview = services.preview_autofill(
                group, start=form.start.data, end=form.end.data, role_ids=form.roles.data or None, now=now
            )
        except services.RotaError as error:
            db.session.rollback()
            show_error(form, error)
    return _autofill_page(group, form, roles, preview)


def _apply_autofill(group, form, roles, now):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        created = services.apply_autofill(
            group,
            start=form.start.data,
            end=form.end.data,
            role_ids=form.roles.data or None,
            fingerprint=request.form.get("fingerprint", ""),
            actor=current_user,
            now=now,
        )
    except services.PlanChanged as changed:
        db.session.rollback()
        flash(str(changed), "warning")
        return _autofill_page(group, form, roles, changed.preview)
    except services.RotaError as error:
        db.session.rollback()
        show_error(form, error)
        return _autofill_page(group, form, roles, None)
    db.session.commit()
    asked = len({a.person_id for a in created if a.asked_at})
    flash(
        ngettext("%(num)d turn proposed.", "%(num)d turns proposed.", len(created))
        + " "
        + ngettext(
            "%(num)d person asked by email to confirm.", "%(num)d people asked by email to confirm.", asked
        ),
        "success",
    )
    weeks = min(max((form.end.data - form.start.data).days // 7 + 1, 1), MAX_GRID_WEEKS)
    return redirect(
        url_for("rota.grid", group_slug=group.slug, start=form.start.data.isoformat(), weeks=weeks)
    )


def _autofill_page(group, form, roles, preview):
    return render_template(
        "rota/autofill.html",
        group=group,
        form=form,
        preview=preview,
        apply_form=ConfirmForm(),
        roles=roles,
    ), 422 if form.errors else 200
