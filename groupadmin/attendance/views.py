"""Head-count pages (a group's secretaries and leaders), the trends (anyone in the group), and the
chair's signed link (public: the link is the authority; GET shows, only POST records).

Views parse, check, call one service, commit once. Whatever was typed comes back with its message."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
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
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from groupadmin.attendance import display, services
from groupadmin.attendance.forms import CountForm, SettingsForm
from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.permissions import can, requires

bp = Blueprint("attendance", __name__)

# Where "Save" goes back to: the page the form was opened from.
BACK = {"dashboard": "home.dashboard", "catch-up": "attendance.catch_up", "counts": "attendance.index"}


def _occurrence(group, occurrence_id: int) -> Occurrence:
    """An occurrence of one of this group's meetings (another group's answers 404)."""
    occurrence = db.session.scalar(
        sa.select(Occurrence)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(Occurrence.id == occurrence_id, Meeting.group_id == group.id)
        .options(sa.orm.contains_eager(Occurrence.meeting))
    )
    if occurrence is None:
        abort(404)
    return occurrence


def _back_url(group) -> str:
    back = request.args.get("back", "counts")
    endpoint = BACK.get(back, "attendance.index")
    if endpoint == "home.dashboard":
        return url_for(endpoint)
    return url_for(endpoint, group_slug=group.slug)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, type=int)
    return default if value is None else min(max(value, low), high)


# ---------------------------------------------------------------------------------------------------
# A group's counts


@bp.route("/groups/<group_slug>/counts/")
@requires("group.leader")
def index(group):
    now = utcnow()
    settings = services.settings_for(group)
    return render_template(
        "attendance/index.html",
        group=group,
        to_enter=services.counts_to_enter([group.id], now=now, limit=50),
        recent=services.recent_counts(group, now=now, limit=15),
        settings=settings,
        can_manage=can("group.secretary", group),
    )


def _form_labels(form: CountForm, mode: str) -> None:
    if mode == "hybrid":
        form.total.label.text = _("Total")
        form.total.description = _("Leave empty to add up the two numbers above.")
    elif mode == "online":
        form.total.label.text = _("How many joined")


@bp.route("/groups/<group_slug>/counts/<int:occurrence_id>", methods=["GET", "POST"])
@requires("group.leader")
def enter(group, occurrence_id):
    occurrence = _occurrence(group, occurrence_id)
    now = utcnow()
    count = services.count_for(occurrence)
    settings = services.settings_for(group)
    currency = count.currency if count is not None else settings.currency
    mode = services.entry_mode(occurrence, count)
    locale = display.locale()
    form = CountForm()
    if request.method == "GET":
        form.fill(services.raw_from_count(count, mode, locale))
    problem = services.count_problem(occurrence, now=now)
    status = 200
    if problem is None and form.validate_on_submit():
        try:
            values = services.clean_count(form.raw(), mode=mode, currency=currency, locale=locale)
            count, changed = services.save_count(
                occurrence, values, actor=current_user, now=now, currency=currency
            )
        except services.CountError as error:
            db.session.rollback()
            form.add_problems(error.problems or {"total": error.message})
        else:
            db.session.commit()
            line = services.summary(count, currency, locale)
            if changed:
                flash(
                    _(
                        "Saved for %(meeting)s, %(date)s: %(summary)s.",
                        meeting=occurrence.meeting.name,
                        date=display.short_when(occurrence),
                        summary=line,
                    ),
                    "success",
                )
            else:
                flash(_("Nothing had changed."), "info")
            return redirect(_back_url(group))
    if form.errors:
        status = 422
    elif problem is not None and request.method == "POST":
        status = 409
    _form_labels(form, mode)
    return render_template(
        "attendance/enter.html",
        group=group,
        occurrence=occurrence,
        count=count,
        form=form,
        mode=mode,
        currency=currency,
        problem=problem,
        remove_form=ConfirmForm(prefix="remove"),
        back_url=_back_url(group),
    ), status


@bp.route("/groups/<group_slug>/counts/<int:occurrence_id>/remove", methods=["POST"])
@requires("group.leader")
def remove(group, occurrence_id):
    occurrence = _occurrence(group, occurrence_id)
    form = ConfirmForm(prefix="remove")
    if not form.validate_on_submit():
        abort(400)
    count = services.count_for(occurrence)
    if count is not None:
        services.delete_count(count, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("The count of %(date)s is removed.", date=display.short_when(occurrence)), "success")
    return redirect(url_for("attendance.index", group_slug=group.slug))


# ---------------------------------------------------------------------------------------------------
# The catch-up grid


GRID_COLUMNS = {
    "in_person": _l("In the room"),
    "online": _l("Online"),
    "total": _l("Total"),
    "newcomers": _l("Newcomers"),
    "cash": _l("Cash"),
    "digital": _l("Digital"),
    "not_counted": _l("Not counted"),
    "note": _l("Note"),
}


def _grid_field(occurrence_id: int, name: str) -> str:
    return f"c{occurrence_id}-{name}"


@bp.route("/groups/<group_slug>/counts/catch-up", methods=["GET", "POST"])
@requires("group.leader")
def catch_up(group):
    now = utcnow()
    weeks = _int_arg("weeks", services.CATCH_UP_WEEKS, 1, services.CATCH_UP_MAX_WEEKS)
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.group_id == group.id, Meeting.status != "archived")
            .order_by(Meeting.name)
        )
    )
    meeting_id = request.args.get("meeting", type=int)
    if meeting_id is not None and meeting_id not in {m.id for m in meetings}:
        meeting_id = None
    only_open = request.args.get("open") == "1"
    rows = services.catch_up_rows(group, now=now, weeks=weeks, meeting_id=meeting_id)
    if only_open:
        rows = [(o, c) for o, c in rows if c is None]
    settings = services.settings_for(group)
    locale = display.locale()
    form = ConfirmForm()
    problems: dict[int, dict[str, str]] = {}
    typed: dict[int, dict] = {}
    modes = {o.id: services.entry_mode(o, c) for o, c in rows}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        names = ("total", "newcomers", "in_person", "online", "cash", "digital", "note", "not_counted")
        submitted = []
        for occurrence, count in rows:
            if _grid_field(occurrence.id, "present") not in request.form:
                continue  # a row that was not on the page when it was sent
            raw = {n: request.form.get(_grid_field(occurrence.id, n), "").strip()[:400] for n in names}
            raw["not_counted"] = bool(raw["not_counted"])
            typed[occurrence.id] = raw
            before = services.raw_from_count(count, modes[occurrence.id], locale)
            if count is not None and _same(raw, before):
                continue
            submitted.append((occurrence, count, raw))
        try:
            saved = services.save_many(
                group, submitted, actor=current_user, now=now, currency=settings.currency, locale=locale
            )
        except services.GridError as error:
            db.session.rollback()
            problems = error.problems
        except services.CountError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            if saved:
                flash(ngettext("%(num)d count saved.", "%(num)d counts saved.", saved), "success")
            else:
                flash(_("Nothing had changed."), "info")
            return redirect(request.full_path.rstrip("?"))
    else:
        typed = {o.id: services.raw_from_count(c, modes[o.id], locale) for o, c in rows}
    return render_template(
        "attendance/catch_up.html",
        group=group,
        rows=rows,
        modes=modes,
        typed=typed,
        problems=problems,
        form=form,
        weeks=weeks,
        meetings=meetings,
        meeting_id=meeting_id,
        only_open=only_open,
        currency=settings.currency,
        field_name=_grid_field,
        column_labels=GRID_COLUMNS,
    ), 422 if problems else 200


def _same(raw: dict, before: dict) -> bool:
    names = ("total", "newcomers", "in_person", "online", "cash", "digital", "note")
    return all((raw.get(n) or "") == (before.get(n) or "") for n in names) and bool(
        raw.get("not_counted")
    ) == bool(before.get("not_counted"))


# ---------------------------------------------------------------------------------------------------
# Trends, the treasurer's view and the settings


@bp.route("/groups/<group_slug>/counts/trends")
@requires("group.leader")
def trends(group):
    meetings = list(
        db.session.scalars(sa.select(Meeting).where(Meeting.group_id == group.id).order_by(Meeting.name))
    )
    meeting_id = request.args.get("meeting", type=int)
    meeting = next((m for m in meetings if m.id == meeting_id), None)
    return render_template(
        "attendance/trends.html",
        group=group,
        meetings=meetings,
        meeting=meeting,
        trends_html=display.trends_html(
            group, now=utcnow(), meeting=meeting, can_enter=can("group.leader", group)
        ),
    )


def _period(group, now):
    """The treasurer's period: ?year=2026, or the last 12 months (the default)."""
    today = services.group_today(group, now)
    year = request.args.get("year", type=int)
    if year is not None and 1970 <= year <= today.year:
        return "year", year, date(year, 1, 1), date(year, 12, 31)
    start = services.add_months(today.replace(day=1), -11)
    return "last12", None, start, today


@bp.route("/groups/<group_slug>/counts/treasurer")
@requires("group.leader")
def treasurer(group):
    now = utcnow()
    kind, year, start, end = _period(group, now)
    settings = services.settings_for(group)
    report = services.treasurer_report(
        group, start=start, end=end, currency=settings.currency, locale=display.locale()
    )
    return render_template(
        "attendance/treasurer.html",
        group=group,
        report=report,
        period=kind,
        year=year,
        years=services.available_years(group, today=services.group_today(group, now)),
        currency=settings.currency,
    )


@bp.route("/groups/<group_slug>/counts/treasurer.csv")
@requires("group.leader")
def treasurer_csv(group):
    now = utcnow()
    kind, year, start, end = _period(group, now)
    settings = services.settings_for(group)
    report = services.treasurer_report(
        group, start=start, end=end, currency=settings.currency, locale=display.locale()
    )
    name = f"collections-{group.slug}-{year if kind == 'year' else f'{start:%Y-%m}-to-{end:%Y-%m}'}.csv"
    response = Response(services.collections_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/groups/<group_slug>/counts/settings", methods=["GET", "POST"])
@requires("group.secretary")
def settings(group):
    current = services.settings_for(group)
    form = SettingsForm(obj=current)
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
            form.currency.errors = [*form.currency.errors, str(error.message)]
        else:
            db.session.commit()
            flash(
                _("Settings saved.") if changed else _("Nothing had changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("attendance.index", group_slug=group.slug))
    return render_template("attendance/settings.html", group=group, form=form), 422 if form.errors else 200


# ---------------------------------------------------------------------------------------------------
# The chair's link (public, signed, bound to one date, valid for a few days)


def _private(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/r/count/<token>", methods=["GET", "POST"])
@requires("public")
def link(token):
    now = utcnow()
    try:
        occurrence = services.load_link(token, now=now)
    except services.LinkProblem as error:
        return _private(
            (render_template("attendance/link_problem.html", message=error.message), error.status)
        )
    group = occurrence.meeting.group
    count = services.count_for(occurrence)
    currency = count.currency if count is not None else services.settings_for(group).currency
    mode = services.entry_mode(occurrence, count)
    locale = display.locale()
    may_edit = services.link_may_edit(count)
    problem = services.count_problem(occurrence, now=now)
    form = CountForm()
    if request.method == "GET":
        form.fill(services.raw_from_count(count, mode, locale))
    elif not may_edit or problem is not None:
        return redirect(url_for("attendance.link", token=token))  # nothing to change here
    elif form.validate_on_submit():
        try:
            values = services.clean_count(form.raw(), mode=mode, currency=currency, locale=locale)
            count, changed = services.save_count(
                occurrence, values, actor=None, now=now, currency=currency, via="link"
            )
        except services.CountError as error:
            db.session.rollback()
            form.add_problems(error.problems or {"total": error.message})
        else:
            db.session.commit()
            flash(
                _("Thank you! Saved: %(summary)s.", summary=services.summary(count, currency, locale))
                if changed
                else _("Nothing had changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("attendance.link", token=token, saved=1))
    _form_labels(form, mode)
    return _private(
        (
            render_template(
                "attendance/link.html",
                group=group,
                occurrence=occurrence,
                count=count,
                form=form,
                mode=mode,
                currency=currency,
                may_edit=may_edit,
                problem=problem,
                saved=request.args.get("saved") == "1",
                days=services.link_max_age().days,
            ),
            422 if form.errors else 200,
        )
    )
