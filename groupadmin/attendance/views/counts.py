"""A group's counts (its secretaries and leaders): the list, one date's form, removing a count, the
catch-up grid and the settings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from groupadmin.attendance import display, services
from groupadmin.attendance.forms import GRID_COLUMNS, SettingsForm, grid_field, parse_grid
from groupadmin.attendance.views import bp, count_form, save_entry
from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.permissions import can, requires
from groupadmin.web import int_arg, occurrence_or_404, show_error

# Where "Save" goes back to: the page the form was opened from.
BACK = {"dashboard": "home.dashboard", "catch-up": "attendance.catch_up", "counts": "attendance.index"}


def _back_url(group) -> str:
    endpoint = BACK.get(request.args.get("back", "counts"), "attendance.index")
    if endpoint == "home.dashboard":
        return url_for(endpoint)
    return url_for(endpoint, group_slug=group.slug)


@bp.route("/groups/<group_slug>/counts/")
@requires("group.leader")
def index(group):
    page = services.overview(group, now=utcnow())
    return render_template(
        "attendance/index.html",
        group=group,
        to_enter=page.to_enter,
        recent=page.recent,
        settings=page.settings,
        can_manage=can("group.secretary", group),
    )


@bp.route("/groups/<group_slug>/counts/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.leader")
def enter(group, occurrence_id):
    occurrence = occurrence_or_404(group, occurrence_id)
    now = utcnow()
    entry = services.count_entry(occurrence, now=now, locale=display.locale())
    form = count_form(entry)
    if entry.open and form.validate_on_submit():
        saved = save_entry(entry, form, actor=current_user, now=now)
        if saved is not None:
            _flash_saved(saved, occurrence)
            return redirect(_back_url(group))
    conflict = entry.problem is not None and request.method == "POST"
    return render_template(
        "attendance/enter.html",
        group=group,
        occurrence=occurrence,
        count=entry.count,
        form=form,
        mode=entry.mode,
        currency=entry.currency,
        problem=entry.problem,
        remove_form=ConfirmForm(prefix="remove"),
        back_url=_back_url(group),
    ), 422 if form.errors else 409 if conflict else 200


def _flash_saved(saved: services.Saved, occurrence) -> None:
    if not saved.changed:
        flash(_("Nothing had changed."), "info")
        return
    flash(
        _(
            "Saved for %(meeting)s, %(date)s: %(summary)s.",
            meeting=occurrence.meeting.name,
            date=display.short_when(occurrence),
            summary=saved.summary,
        ),
        "success",
    )


@bp.route("/groups/<group_slug>/counts/<int:occurrence_id>/remove", methods=["POST"])
@requires("group.leader")
def remove(group, occurrence_id):
    occurrence = occurrence_or_404(group, occurrence_id)
    if not ConfirmForm(prefix="remove").validate_on_submit():
        abort(400)
    if services.remove_count(occurrence, actor=current_user, now=utcnow()):
        db.session.commit()
        flash(_("The count of %(date)s is removed.", date=display.short_when(occurrence)), "success")
    return redirect(url_for("attendance.index", group_slug=group.slug))


@bp.route("/groups/<group_slug>/counts/catch-up", methods=["GET", "POST"])
@requires("group.leader")
def catch_up(group):
    now = utcnow()
    grid = services.catch_up_grid(group, now=now, locale=display.locale(), **_grid_filters())
    form = ConfirmForm()
    typed, problems = grid.saved, {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        typed = parse_grid(request.form, grid.rows)
        try:
            saved = services.save_grid(grid, typed, actor=current_user, now=now)
        except services.GridError as error:
            db.session.rollback()
            problems = error.problems
        except services.CountError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(*_saved_message(saved))
            return redirect(request.full_path.rstrip("?"))
    return _grid_page(group, grid, form, typed, problems), 422 if problems else 200


def _grid_filters() -> dict:
    """The grid's period (weeks, clamped), meeting and "only dates without a count" from the URL."""
    return {
        "weeks": int_arg("weeks", services.CATCH_UP_WEEKS, 1, services.CATCH_UP_MAX_WEEKS),
        "meeting_id": request.args.get("meeting", type=int),
        "only_open": request.args.get("open") == "1",
    }


def _saved_message(saved: int) -> tuple[str, str]:
    if not saved:
        return _("Nothing had changed."), "info"
    return ngettext("%(num)d count saved.", "%(num)d counts saved.", saved), "success"


def _grid_page(group, grid: services.Grid, form, typed: dict, problems: dict) -> str:
    return render_template(
        "attendance/catch_up.html",
        group=group,
        rows=grid.rows,
        modes=grid.modes,
        typed=typed,
        problems=problems,
        form=form,
        weeks=grid.weeks,
        meetings=grid.meetings,
        meeting_id=grid.meeting_id,
        only_open=grid.only_open,
        currency=grid.currency,
        field_name=grid_field,
        column_labels=GRID_COLUMNS,
    )


@bp.route("/groups/<group_slug>/counts/settings", methods=["GET", "POST"])
@requires("group.secretary")
def settings(group):
    form = SettingsForm(obj=services.settings_for(group))
    form.currency.choices = services.currency_choices(display.locale())
    if form.validate_on_submit():
        try:
            changed = services.save_settings(
                group,
                actor=current_user,
                now=utcnow(),
                currency=form.currency.data,
                reminders=form.reminders.data,
            )
        except services.CountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Settings saved.") if changed else _("Nothing had changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("attendance.index", group_slug=group.slug))
    return render_template("attendance/settings.html", group=group, form=form), 422 if form.errors else 200
