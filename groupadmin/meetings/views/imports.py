"""Importing a group's meetings: upload and preview (nothing changes), choose in the preview (time zone,
skipping rows with problems, slugs another group uses), then confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
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
        choices = importer.Choices(archive_missing=form.archive_missing.data)
        try:
            content, plan = importer.preview(
                group, filename, form.file.data.read(), now=utcnow(), choices=choices
            )
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            confirm_form = confirm_form_for(plan, content, filename)
    return _page(group, form, plan, confirm_form, 422 if form.errors else 200)


@bp.route("/groups/<group_slug>/meetings/import/apply", methods=["POST"])
@requires("group.manage")
def import_apply(group):
    form = ImportConfirmForm()
    if not form.content.data or not form.filename.data:
        flash(_("The import form had expired. Upload the file again."), "error")
        return redirect(url_for("meetings.import_upload", group_slug=group.slug))
    valid = form.validate_on_submit()
    try:
        if not valid or form.changed:
            plan = importer.plan_import(
                group, form.filename.data, form.content.data, now=utcnow(), choices=form.choices()
            )
            form.shown.data = form.signature(plan.choices)
            return _page(group, ImportForm(formdata=None), plan, form, 200 if valid else 422)
        plan = importer.apply_import(
            group,
            form.filename.data,
            form.content.data,
            actor=current_user,
            now=utcnow(),
            weeks=weeks(),
            choices=form.choices(),
        )
    except (importer.ImportFileError, services.MeetingError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("meetings.import_upload", group_slug=group.slug))
    db.session.commit()
    flash(imported_message(plan), "success")
    return redirect(url_for("meetings.index", group_slug=group.slug))


def confirm_form_for(plan: importer.ImportPlan, content: str, filename: str) -> ImportConfirmForm:
    choices = plan.choices
    return ImportConfirmForm(
        formdata=None,
        content=content,
        filename=filename,
        archive_missing="1" if choices.archive_missing else "",
        timezone=plan.timezone,
        skip_bad=choices.skip_bad,
        on_conflict=choices.on_conflict,
        shown=ImportConfirmForm.signature(
            importer.Choices(plan.timezone, choices.skip_bad, choices.on_conflict, choices.archive_missing)
        ),
    )


def _page(group, form, plan, confirm_form, status: int):
    context = {"plan": plan, "confirm_form": confirm_form, "labels": importer.FIELD_LABELS}
    return render_template("meetings/import.html", group=group, form=form, **context), status


def imported_message(plan: importer.ImportPlan) -> str:
    return _(
        "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(archived)s archived.",
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        archived=len(plan.to_archive),
    ) + (" " + skipped if (skipped := _skipped(plan.count("skip"))) else "")


def _skipped(n: int) -> str:
    return ngettext("%(num)d row skipped.", "%(num)d rows skipped.", n) if n else ""
