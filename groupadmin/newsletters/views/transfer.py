"""Import subscribers from a CSV (upload and preview, then confirm) and export them (formula-safe)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.newsletters import services
from groupadmin.newsletters.display import news_url
from groupadmin.newsletters.forms import AddByHandForm, ImportConfirmForm, ImportForm
from groupadmin.newsletters.views import list_or_404, managed
from groupadmin.web import show_error


@managed("/<int:list_id>/import", "import_upload", methods=("GET", "POST"))
def import_upload(owner, list_id):
    mlist = list_or_404(owner, list_id)
    form, plan, confirm_form = ImportForm(), None, None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            plan = services.read_import(data, now=utcnow())
        except services.ImportFileError as error:
            show_error(form, error)
        else:
            confirm_form = ImportConfirmForm(formdata=None, content=data.decode("utf-8-sig"))
    page = render_template(
        "newsletters/import.html", owner=owner, mlist=mlist, form=form, plan=plan, confirm_form=confirm_form
    )
    return page, 422 if form.errors else 200


@managed("/<int:list_id>/import/apply", "import_apply", methods=("POST",))
def import_apply(owner, list_id):
    mlist = list_or_404(owner, list_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import form had expired. Upload the file again."), "error")
        return redirect(news_url(owner, "import_upload", list_id=mlist.id))
    try:
        done = services.apply_import(mlist, form.content.data.encode(), actor=current_user, now=utcnow())
    except services.ImportFileError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(news_url(owner, "import_upload", list_id=mlist.id))
    db.session.commit()
    flash(
        _(
            "Imported: %(added)s added, %(already)s on the list already, %(left)s not added (they had left).",
            added=done.added,
            already=done.already,
            left=done.left,
        ),
        "success",
    )
    return redirect(news_url(owner, "list_page", list_id=mlist.id))


@managed("/<int:list_id>/export.csv", "export")
def export(owner, list_id):
    mlist = list_or_404(owner, list_id)
    response = make_response(services.export_csv(mlist))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{mlist.slug}-subscribers.csv"'
    return response


@managed("/<int:list_id>/add", "add_by_hand", methods=("GET", "POST"))
def add_by_hand(owner, list_id):
    mlist = list_or_404(owner, list_id)
    form = AddByHandForm()
    if form.validate_on_submit():
        try:
            outcome = services.add_by_hand(
                mlist,
                email=form.email.data,
                first_name=form.first_name.data,
                how=form.how.data,
                actor=current_user,
                now=utcnow(),
            )
        except UserError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Added.") if outcome == "added" else _("On the list already."), "success")
            return redirect(news_url(owner, "add_by_hand", list_id=mlist.id))
    page = render_template("newsletters/add_by_hand.html", owner=owner, mlist=mlist, form=form)
    return page, 422 if form.errors else 200
