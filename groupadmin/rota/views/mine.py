"""My turns: a signed-in user linked to rota people sees their upcoming turns across groups, answers
them with the same pages as the links in rota mail, and gets their calendar link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.permissions import requires
from groupadmin.rota import services
from groupadmin.rota.views import bp
from groupadmin.web import no_store


def _answer_links(assignment) -> dict[str, str]:
    actions = ("accept", "decline", "swap") if assignment.status == "proposed" else ("decline", "swap")
    return {a: url_for(f"rota.{a}_link", token=services.link_token(assignment, a)) for a in actions}


@bp.route("/my/turns")
@requires("login")
def my_turns():
    turns = services.my_turns(current_user, now=utcnow())
    page = render_template(
        "rota/my_turns.html",
        turns=turns,
        links={a.id: _answer_links(a) for a in turns},
        people=[(p, g, services.calendar_url(p)) for p, g in services.my_people(current_user)],
        form=ConfirmForm(),
    )
    return no_store(page)


@bp.route("/my/turns/calendar/<int:person_id>", methods=["POST"])
@requires("login")
def my_calendar(person_id):
    person = services.my_person(current_user, person_id)
    if person is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.new_calendar_link(person, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Your calendar link is ready. Any earlier link of yours stops working."), "success")
    return redirect(url_for("rota.my_turns"))
