"""Importing a group's meetings: upload and preview (nothing changes), then confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import importer, services
from groupadmin.meetings.forms import ImportConfirmForm, ImportForm
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import weeks
from groupadmin.permissions import requires


@bp.route("/groups/<group_slug>/meetings/import", methods=["GET", "POST"])
@requires("group.manage")
def import_upload(group):
    form = ImportForm()
    plan = confirm_form = None
    if form.validate_on_submit():
        filename = form.file.data.filename or "upload"
        archive_missing = form.archive_missing.data
        try:
            content, plan = importer.preview(
                group, filename, form.file.data.read(), now=utcnow(), archive_missing=archive_missing
            )
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            confirm_form = ImportConfirmForm(
                formdata=None,
                content=content,
                filename=filename,
                archive_missing="1" if archive_missing else "",
            )
    context = {"plan": plan, "confirm_form": confirm_form, "labels": importer.FIELD_LABELS}
    return render_template("meetings/import.html", group=group, form=form, **context), (
        422 if form.errors else 200
    )


@bp.route("/groups/<group_slug>/meetings/import/apply", methods=["POST"])
@requires("group.manage")
def import_apply(group):
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The import form had expired. Upload the file again."), "error")
        return redirect(url_for("meetings.import_upload", group_slug=group.slug))
    try:
        plan = importer.apply_import(
            group,
            form.filename.data,
            form.content.data,
            actor=current_user,
            now=utcnow(),
            weeks=weeks(),
            archive_missing=form.archive_missing.data == "1",
        )
    except (importer.ImportFileError, services.MeetingError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("meetings.import_upload", group_slug=group.slug))
    db.session.commit()
    flash(_imported(plan), "success")
    return redirect(url_for("meetings.index", group_slug=group.slug))


def _imported(plan: importer.ImportPlan) -> str:
    return _(
        "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(archived)s archived.",
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        archived=len(plan.to_archive),
    )
