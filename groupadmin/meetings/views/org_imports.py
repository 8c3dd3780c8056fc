"""An organisation's import: one file for all its groups, split by group, previewed with a section per
group (new groups' fellowship chosen there), then confirmed once. For the organisation's admins."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.groups.services import GroupError
from groupadmin.meetings import importer, services
from groupadmin.meetings.forms import OrgImportConfirmForm, OrgImportForm
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import weeks
from groupadmin.meetings.views.imports import imported_message
from groupadmin.permissions import requires


@bp.route("/orgs/<org_slug>/meetings/import", methods=["GET", "POST"])
@requires("org.admin")
def org_import_upload(organisation):
    form = OrgImportForm()
    plan = confirm_form = None
    if form.validate_on_submit():
        filename = form.file.data.filename or "upload"
        try:
            content = importer.decode(form.file.data.read())
            plan = importer.plan_org_import(organisation, filename, content, now=utcnow())
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            confirm_form = _confirm_form(plan, content, filename)
    return _page(organisation, form, plan, confirm_form, 422 if form.errors else 200)


@bp.route("/orgs/<org_slug>/meetings/import/apply", methods=["POST"])
@requires("org.admin")
def org_import_apply(organisation):
    form = OrgImportConfirmForm()
    if not form.content.data or not form.filename.data:
        flash(_("The import form had expired. Upload the file again."), "error")
        return redirect(url_for("meetings.org_import_upload", org_slug=organisation.slug))
    valid = form.validate_on_submit()
    args = (organisation, form.filename.data, form.content.data)
    try:
        if not valid or form.changed:
            plan = importer.plan_org_import(*args, now=utcnow(), choices=form.choices())
            return _page(
                organisation,
                OrgImportForm(formdata=None),
                plan,
                _confirm_form(plan, *args[2:], form),
                200 if valid else 422,
            )
        plan = importer.apply_org_import(
            *args, actor=current_user, now=utcnow(), weeks=weeks(), choices=form.choices()
        )
    except (importer.ImportFileError, services.MeetingError, GroupError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("meetings.org_import_upload", org_slug=organisation.slug))
    db.session.commit()
    flash(imported_message(plan), "success")
    return redirect(url_for("groups.organisation", org_slug=organisation.slug))


def _confirm_form(plan, content: str, filename: str, submitted: OrgImportConfirmForm | None = None):
    """The preview's choices form: as submitted (errors kept), or new with the plan's choices."""
    choices = plan.choices
    form = submitted or OrgImportConfirmForm(
        formdata=None,
        content=content,
        filename=filename,
        timezone=plan.timezone,
        skip_bad=choices.skip_bad,
        on_conflict=choices.on_conflict,
        new_groups=[{"key": s.key, "fellowship": s.fellowship} for s in plan.new_groups],
    )
    if submitted is not None:
        known = {entry.key.data for entry in form.new_groups}
        for section in plan.new_groups:
            if section.key not in known:
                form.new_groups.append_entry({"key": section.key, "fellowship": section.fellowship})
    form.shown.data = OrgImportConfirmForm.signature(
        importer.Choices(plan.timezone, choices.skip_bad, choices.on_conflict)
    )
    return form


def _page(organisation, form, plan, confirm_form, status: int):
    context = {"plan": plan, "confirm_form": confirm_form, "labels": importer.FIELD_LABELS}
    return render_template(
        "meetings/import_org.html", organisation=organisation, form=form, **context
    ), status
