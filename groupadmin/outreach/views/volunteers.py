"""The volunteers' lists: the owner's newcomers, adding one met in person, the settings, and the user's
own follow-ups across their groups (where the morning digest links)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.outreach import services
from groupadmin.outreach.display import outreach_url
from groupadmin.outreach.forms import InPersonForm, SettingsForm
from groupadmin.outreach.views import bp, roles_of, settings_page, volunteers_page
from groupadmin.permissions import requires
from groupadmin.web import no_store, page_arg, show_error


@volunteers_page("/", "index")
def index(owner):
    status = "closed" if request.args.get("status") == "closed" else "open"
    roles = roles_of(owner)
    page, steps = services.newcomers_page(current_user, owner, roles, status=status, page=page_arg())
    return no_store(
        render_template(
            "outreach/index.html",
            owner=owner,
            page=page,
            steps=steps,
            status=status,
            manages=services.manages(owner, roles),
        )
    )


@volunteers_page("/new", "new", methods=("GET", "POST"))
def new(owner):
    form = InPersonForm()
    form.language.choices = list(current_app.config["LANGUAGES"].items())
    if request.method == "GET":
        form.language.data = owner.locale
    if form.validate_on_submit():
        try:
            newcomer = services.add_in_person(owner, form.contact(), actor=current_user, now=utcnow())
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            if newcomer is None:  # on the do-not-contact list: nothing stored
                flash(_("This person asked not to be contacted: nothing was stored."), "info")
                return redirect(outreach_url(owner, "index"))
            flash(_("The newcomer is added, with their consent recorded."), "success")
            return redirect(outreach_url(owner, "card", newcomer_id=newcomer.id))
    wording = services.settings_for(owner).consent_wording
    page = render_template("outreach/new.html", owner=owner, form=form, wording=wording)
    return no_store((page, 422 if form.errors or form.form_errors else 200))


@settings_page("/settings", "settings", methods=("GET", "POST"))
def settings(owner):
    current = services.settings_for(owner)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            services.save_settings(
                owner,
                plan=form.plan.data,
                retention_days=form.retention_days.data,
                consent_wording=form.consent_wording.data,
                now=utcnow(),
            )
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The outreach settings are saved."), "success")
            return redirect(outreach_url(owner, "settings"))
    status = 422 if form.errors else 200
    return render_template("outreach/settings.html", owner=owner, form=form, current=current), status


@bp.route("/outreach/")
@requires("login")
def mine():
    return no_store(
        render_template(
            "outreach/mine.html",
            rows=services.my_follow_ups(current_user),
            now=utcnow(),
            scopes=services.volunteer_scopes(current_user),
        )
    )
