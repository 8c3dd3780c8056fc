"""The managers' pages of lists: the owner's lists with their numbers, a new list, a list's settings,
and one list's page (its subscribers in numbers, undeliverable addresses masked, its issues)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.newsletters import services
from groupadmin.newsletters.display import news_url
from groupadmin.newsletters.forms import ListForm
from groupadmin.newsletters.views import list_or_404, managed
from groupadmin.web import show_error


@managed("/", "lists")
def lists(owner):
    return render_template(
        "newsletters/lists.html",
        owner=owner,
        lists=services.lists_of(owner),
        counts=services.counts_by_list(owner),
    )


def _list_form(owner, mlist=None) -> ListForm:
    form = ListForm(obj=mlist)
    form.language.choices = list(current_app.config["LANGUAGES"].items())
    if request.method == "GET" and mlist is None:
        form.language.data = owner.locale
        form.consent_wording.data = str(services.DEFAULT_WORDING)
    return form


def _save(owner, mlist, form: ListForm):
    """Save the form's list and commit; the list, or None with the messages beside their fields."""
    try:
        saved = services.save_list(owner, mlist, form.values(), now=utcnow(), actor=current_user)
    except UserError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("The list %(name)s is saved.", name=saved.name), "success")
    return saved


@managed("/new", "new_list", methods=("GET", "POST"))
def new_list(owner):
    form = _list_form(owner)
    if form.validate_on_submit() and (saved := _save(owner, None, form)) is not None:
        return redirect(news_url(owner, "list_page", list_id=saved.id))
    status = 422 if form.errors else 200
    return render_template("newsletters/list_form.html", owner=owner, form=form, mlist=None), status


@managed("/<int:list_id>/settings", "list_settings", methods=("GET", "POST"))
def list_settings(owner, list_id):
    mlist = list_or_404(owner, list_id)
    form = _list_form(owner, mlist)
    if form.validate_on_submit() and _save(owner, mlist, form) is not None:
        return redirect(news_url(owner, "list_page", list_id=mlist.id))
    status = 422 if form.errors else 200
    return render_template("newsletters/list_form.html", owner=owner, form=form, mlist=mlist), status


@managed("/<int:list_id>/", "list_page")
def list_page(owner, list_id):
    mlist = list_or_404(owner, list_id)
    return render_template(
        "newsletters/list.html",
        owner=owner,
        mlist=mlist,
        counts=services.counts_by_list(owner).get(mlist.id, {}),
        bounced=services.bounced_of(mlist),
        issues=services.issues_of(mlist),
        confirm_form=ConfirmForm(),
    )
