"""Public pages: the links in rota mail (the signed link is the authority; GET shows, only POST acts)
and the calendar feeds at secret URLs. Every page here is never cached and never indexed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.permissions import requires
from groupadmin.rota import calendar, services
from groupadmin.rota.forms import SwapForm
from groupadmin.rota.views import bp
from groupadmin.web import get_or_404, no_store, show_error

# What the person reads after answering: (action, outcome) -> (message, category).
ANSWERED = {
    ("accept", "confirmed"): (_l("Thank you: you are confirmed."), "success"),
    ("accept", "filled"): (
        _l("Thank you, but someone else took this turn meanwhile: nothing more to do."),
        "info",
    ),
    ("decline", "declined"): (_l("Thank you for letting us know: the secretary has been told."), "success"),
}


def _problem(error: LinkProblem):
    return no_store((render_template("rota/link_problem.html", message=error.message), error.status))


def _link(action: str, token: str):
    now = utcnow()
    try:
        assignment = services.load_link(action, token, now=now)
    except LinkProblem as error:
        return _problem(error)
    if request.method == "POST":
        return _answer(action, token, assignment, now)
    return no_store(
        render_template(
            "rota/link.html",
            assignment=assignment,
            occurrence=assignment.occurrence,
            group=assignment.occurrence.meeting.group,
            action=action,
            form=ConfirmForm(),
            tokens={a: services.link_token(assignment, a) for a in services.LINK_ACTIONS},
            offer=services.pending_offer(assignment),
        )
    )


def _answer(action: str, token: str, assignment, now):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    answer = services.accept if action == "accept" else services.decline
    outcome = answer(assignment, now=now)
    db.session.commit()
    message = ANSWERED.get((action, outcome))
    if message:
        flash(str(message[0]), message[1])
    return redirect(url_for(f"rota.{action}_link", token=token))


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
    except LinkProblem as error:
        return _problem(error)
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
            show_error(form, error)
        else:
            db.session.commit()
            flash(_offered(offer), "success")
            return redirect(url_for("rota.swap_link", token=token))
    return no_store((_swap_page(assignment, form, candidates), 422 if form.errors else 200))


def _offered(offer) -> str:
    return _(
        "We have asked %(name)s. Until they accept, the turn stays yours; you will hear either way.",
        name=offer.person.label,
    )


def _swap_page(assignment, form, candidates) -> str:
    return render_template(
        "rota/swap.html",
        assignment=assignment,
        occurrence=assignment.occurrence,
        group=assignment.occurrence.meeting.group,
        form=form,
        candidates=candidates,
        offer=services.pending_offer(assignment),
        decline_token=services.link_token(assignment, "decline"),
    )


@bp.route("/r/rota-remove/<token>", methods=["GET", "POST"])
@requires("public")
def remove_link(token):
    try:
        person = services.load_remove_link(token)
    except LinkProblem as error:
        return _problem(error)
    group = get_or_404(Group, person.group_id)
    if request.method == "POST" and not person.is_removed:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        services.forget_person(person, actor=None, now=utcnow(), self_service=True)
        db.session.commit()
        return redirect(url_for("rota.remove_link", token=token))
    return no_store(render_template("rota/remove_self.html", person=person, group=group, form=ConfirmForm()))


@bp.route("/feeds/cal/<token>")
@requires("public")
def calendar_feed(token):
    try:
        kind, obj = services.load_calendar_token(token)
    except LinkProblem as error:
        return Response(str(error.message) + "\n", status=error.status, mimetype="text/plain")
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "groupadmin"
    feed = calendar.person_feed if kind == "person" else calendar.group_feed
    response = Response(feed(obj, now=utcnow(), host=host), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="rota.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
