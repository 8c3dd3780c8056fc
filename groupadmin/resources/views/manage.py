"""The managers' pages: the owner's entries (a group's page also shows its organisation's, read-only),
a new entry, an entry's changes, "mark as checked", deletion after a confirmation, and the
organisation's re-check setting."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.permissions import can, requires
from groupadmin.resources import services
from groupadmin.resources.display import resources_url
from groupadmin.resources.forms import NewResourceForm, RecheckForm, ResourceForm
from groupadmin.resources.views import bp, entry_or_404, managed
from groupadmin.web import int_arg, show_error


@managed("/", "index", group_rule="group.view")
def index(owner):
    return _index(owner, None)


def _index(owner, recheck_form):
    organisation_id, group_id = services.scope_of(owner)
    is_group = group_id is not None
    days = services.recheck_days(organisation_id)
    if not is_group and recheck_form is None:
        recheck_form = RecheckForm(recheck_days=days)
    entries = services.entries_of(owner)
    organisation_entries = services.entries_of(owner.organisation) if is_group else []
    return render_template(
        "resources/index.html",
        owner=owner,
        is_group=is_group,
        entries=entries,
        organisation_entries=organisation_entries,
        due_ids=services.due_ids([*entries, *organisation_entries], now=utcnow(), days=days),
        may_edit=can("group.secretary", owner) if is_group else True,
        due_only=bool(int_arg("due", 0, 0, 1)),
        public_url=services.public_url(owner.organisation, owner) if is_group else services.public_url(owner),
        recheck_form=recheck_form,
        confirm_form=ConfirmForm(),
    )


def _save(owner, entry, form):
    """Save the form's entry and commit; the entry, or None with the messages beside their fields."""
    try:
        saved = services.save_entry(owner, entry, form.values(), now=utcnow(), actor=current_user)
    except UserError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("%(name)s is saved.", name=saved.name), "success")
    return saved


@managed("/new", "new", methods=("GET", "POST"))
def new(owner):
    form = NewResourceForm()
    if form.validate_on_submit() and _save(owner, None, form) is not None:
        return redirect(resources_url(owner, "index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("resources/form.html", owner=owner, form=form, entry=None), status


@managed("/<int:resource_id>/edit", "edit", methods=("GET", "POST"))
def edit(owner, resource_id):
    entry = entry_or_404(owner, resource_id)
    form = ResourceForm(obj=entry)
    if form.validate_on_submit() and _save(owner, entry, form) is not None:
        return redirect(resources_url(owner, "index"))
    status = 422 if form.errors else 200
    return render_template("resources/form.html", owner=owner, form=form, entry=entry), status


@managed("/<int:resource_id>/checked", "checked", methods=("POST",))
def checked(owner, resource_id):
    entry = entry_or_404(owner, resource_id)
    if ConfirmForm().validate_on_submit():
        services.mark_checked(owner, entry, now=utcnow(), actor=current_user)
        db.session.commit()
        flash(_("%(name)s is marked as checked today.", name=entry.name), "success")
    return redirect(resources_url(owner, "index"))


@managed("/<int:resource_id>/delete", "delete", methods=("GET", "POST"))
def delete(owner, resource_id):
    entry = entry_or_404(owner, resource_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        name = entry.name
        services.delete_entry(owner, entry, now=utcnow(), actor=current_user)
        db.session.commit()
        flash(_("%(name)s is removed from the directory.", name=name), "success")
        return redirect(resources_url(owner, "index"))
    return render_template("resources/delete.html", owner=owner, entry=entry, form=form)


@bp.route("/orgs/<org_slug>/resources/settings", methods=["POST"])
@requires("org.admin")
def org_settings(organisation):
    form = RecheckForm()
    if form.validate_on_submit():
        try:
            services.save_recheck_days(organisation, form.recheck_days.data, now=utcnow(), actor=current_user)
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The re-check setting is saved."), "success")
            return redirect(resources_url(organisation, "index"))
    return _index(organisation, form), 422
