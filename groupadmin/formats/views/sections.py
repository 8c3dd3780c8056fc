"""Editing a format's sections (in the draft), saving the draft as a version, discarding it."""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.formats import services
from groupadmin.formats.forms import ActionForm, MoveForm, SaveForm, SectionForm
from groupadmin.formats.models import Format
from groupadmin.formats.rendering import render_markdown
from groupadmin.formats.views import bp
from groupadmin.formats.views.helpers import back_to, refuse_archived, section_page
from groupadmin.permissions import requires
from groupadmin.web import get_or_404, show_error


@bp.route("/<int:format_id>/sections/new", methods=["GET", "POST"])
@requires("group.secretary")
def add_section(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if (refused := refuse_archived(group, fmt)) is not None:
        return refused
    form = SectionForm.for_adding(
        services.working_copy(fmt), request.args if request.method == "GET" else None
    )
    if form.validate_on_submit():
        if "preview" in request.form:
            return section_page(group, fmt, form, preview=render_markdown(form.body.data))
        try:
            section = services.add_section(
                fmt, actor=current_user, now=utcnow(), values=form.values(), place=form.place.data
            )
        except services.FormatError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Section added. Save a new version when the format is ready."), "success")
            return back_to(group, fmt, f"section-{section.key}")
    return section_page(group, fmt, form)


@bp.route("/<int:format_id>/sections/<int:key>", methods=["GET", "POST"])
@requires("group.secretary")
def edit_section(group, format_id, key):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if (refused := refuse_archived(group, fmt)) is not None:
        return refused
    section = services.section_in_working_copy(fmt, key)
    if section is None:
        abort(404)
    form = SectionForm.for_editing(section if request.method == "GET" else None)
    if form.validate_on_submit():
        if "preview" in request.form:
            return section_page(group, fmt, form, section, preview=render_markdown(form.body.data))
        try:
            services.edit_section(fmt, key, actor=current_user, now=utcnow(), values=form.values())
        except services.FormatError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Section changed. Save a new version when the format is ready."), "success")
            return back_to(group, fmt, f"section-{key}")
    return section_page(group, fmt, form, section)


@bp.route("/<int:format_id>/sections/<int:key>/move", methods=["POST"])
@requires("group.secretary")
def move_section(group, format_id, key):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if (refused := refuse_archived(group, fmt)) is not None:
        return refused
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_section(fmt, key, form.direction.data, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
    return back_to(group, fmt, f"section-{key}")


@bp.route("/<int:format_id>/sections/<int:key>/remove", methods=["POST"])
@requires("group.secretary")
def remove_section(group, format_id, key):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if (refused := refuse_archived(group, fmt)) is not None:
        return refused
    if ActionForm().validate_on_submit():
        try:
            services.remove_section(fmt, key, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Section removed from your changes. Discard the changes to get it back."), "success")
    return back_to(group, fmt, "sections")


@bp.route("/<int:format_id>/save", methods=["POST"])
@requires("group.secretary")
def save(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if (refused := refuse_archived(group, fmt)) is not None:
        return refused
    form = SaveForm()
    if not form.validate_on_submit():
        for message in form.note.errors:
            flash(str(message), "error")
        return back_to(group, fmt)
    try:
        version = services.save_version(fmt, actor=current_user, now=utcnow(), note=form.note.data)
    except services.FormatError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        message = _(
            "Version %(n)s is saved. Dates from now on use it; dates that have started keep theirs.",
            n=version.number,
        )
        flash(message, "success")
    return back_to(group, fmt)


@bp.route("/<int:format_id>/discard", methods=["POST"])
@requires("group.secretary")
def discard(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if ActionForm().validate_on_submit():
        services.discard_draft(fmt, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Your changes are discarded."), "success")
    return back_to(group, fmt)
