"""The people on the group's rota: their details (contact details kept with consent), dates away,
their calendar link, and removing them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.permissions import requires
from groupadmin.rota import services
from groupadmin.rota.forms import BlackoutForm, PersonForm
from groupadmin.rota.models import Blackout, RotaPerson
from groupadmin.rota.views import bp
from groupadmin.web import get_or_404, show_error


@bp.route("/groups/<group_slug>/rota/people")
@requires("group.secretary")
def people(group):
    everyone = services.group_people(group)
    return render_template(
        "rota/people.html",
        group=group,
        people=everyone,
        stopped=services.unreachable_people(everyone),
        today=services.group_today(group, utcnow()),
    )


def _person(group, person_id) -> RotaPerson:
    person = get_or_404(RotaPerson, person_id, group_id=group.id)
    if person.is_removed:
        abort(404)
    return person


def _person_form(group, person) -> PersonForm:
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


def _save_person(group, person, form) -> RotaPerson | None:
    """The saved person (committed), or None with the problems beside their fields (rolled back)."""
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
        show_error(form, error)
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
            show_error(blackout_form, error)
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
            ngettext(
                "Removed. Their contact details are forgotten; %(num)d upcoming turn is open again.",
                "Removed. Their contact details are forgotten; %(num)d upcoming turns are open again.",
                opened,
            ),
            "success",
        )
        return redirect(url_for("rota.people", group_slug=group.slug))
    return render_template("rota/remove_person.html", group=group, person=person, form=form)
