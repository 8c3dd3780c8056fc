"""The group's formats, and one format: its page, settings, archiving, versions and differences."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.formats import services, starters
from groupadmin.formats.forms import ActionForm, CompareForm, FormatForm, MoveForm, NewFormatForm, SaveForm
from groupadmin.formats.models import Format
from groupadmin.formats.views import bp
from groupadmin.formats.views.helpers import back_to
from groupadmin.permissions import can, requires
from groupadmin.web import get_or_404, show_error


@bp.route("/")
@requires("group.view")
def index(group):
    archived = request.args.get("archived") == "1"
    overview = services.overview(group, archived=archived, now=utcnow())
    return render_template(
        "formats/index.html",
        group=group,
        archived=archived,
        can_edit=can("group.secretary", group),
        **vars(overview),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("group.secretary")
def new(group):
    options = services.new_format_options(group)
    args = request.args if request.method == "GET" else None
    form = NewFormatForm.for_group(options.formats, options.meetings, args)
    if form.validate_on_submit():
        try:
            fmt = services.create_format(
                group,
                actor=current_user,
                now=utcnow(),
                name=form.name.data,
                description=form.description.data,
                **form.chosen(options.formats, options.meetings),
            )
        except services.FormatError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The format “%(name)s” is created.", name=fmt.name), "success")
            return redirect(url_for("formats.show", group_slug=group.slug, format_id=fmt.id))
    return render_template("formats/new.html", group=group, form=form, starters=starters.STARTERS)


@bp.route("/<int:format_id>/")
@requires("group.view")
def show(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    can_edit = can("group.secretary", group) and not fmt.is_archived
    page = services.format_page(fmt, editing=can_edit)
    return render_template(
        "formats/format.html",
        group=group,
        fmt=fmt,
        can_edit=can_edit,
        can_manage=can("group.secretary", group),
        action_form=ActionForm(),
        move_form=MoveForm(),
        save_form=SaveForm(),
        compare_form=CompareForm.for_history(page.history, has_draft=page.draft is not None),
        **vars(page),
    )


@bp.route("/<int:format_id>/settings", methods=["GET", "POST"])
@requires("group.secretary")
def settings(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    form = FormatForm(obj=fmt)
    if form.validate_on_submit():
        try:
            services.update_format(
                fmt, actor=current_user, now=utcnow(), name=form.name.data, description=form.description.data
            )
        except services.FormatError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("formats.show", group_slug=group.slug, format_id=fmt.id))
    usage = services.usage(fmt)
    return render_template(
        "formats/settings.html", group=group, fmt=fmt, form=form, action_form=ActionForm(), **vars(usage)
    )


@bp.route("/<int:format_id>/archive", methods=["POST"])
@requires("group.secretary")
def archive(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if ActionForm().validate_on_submit():
        try:
            services.archive_format(fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("formats.settings", group_slug=group.slug, format_id=fmt.id))
        db.session.commit()
        flash(_("“%(name)s” is archived. Dates that used it still show it.", name=fmt.name), "success")
    return redirect(url_for("formats.index", group_slug=group.slug))


@bp.route("/<int:format_id>/restore", methods=["POST"])
@requires("group.secretary")
def restore(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if ActionForm().validate_on_submit():
        try:
            services.restore_format(fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("formats.settings", group_slug=group.slug, format_id=fmt.id))
        db.session.commit()
        flash(_("“%(name)s” is restored.", name=fmt.name), "success")
    return back_to(group, fmt)


@bp.route("/<int:format_id>/delete", methods=["POST"])
@requires("group.secretary")
def delete(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    if ActionForm().validate_on_submit():
        name = fmt.name
        try:
            services.delete_format(fmt, actor=current_user, now=utcnow())
        except services.FormatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("formats.settings", group_slug=group.slug, format_id=format_id))
        db.session.commit()
        flash(_("“%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("formats.index", group_slug=group.slug))


# ---------------------------------------------------------------------------------------------------
# Versions and differences


@bp.route("/<int:format_id>/versions/<int:number>")
@requires("group.view")
def version(group, format_id, number):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    found = services.version_page(fmt, number)
    if found is None:
        abort(404)
    shown, latest = found
    return render_template("formats/version.html", group=group, fmt=fmt, shown=shown, latest=latest)


@bp.route("/<int:format_id>/compare")
@requires("group.view")
def compare(group, format_id):
    fmt = get_or_404(Format, format_id, group_id=group.id)
    a, b = request.args.get("a", type=int), request.args.get("b", "")
    found = services.comparison(fmt, a, b, with_draft=can("group.secretary", group))
    if found is None:
        flash(_("This format has no saved version yet."), "info")
        return back_to(group, fmt)
    shown_a = found.old.number if found.old else None
    return render_template(
        "formats/compare.html",
        group=group,
        fmt=fmt,
        old=found.old,
        new=found.new,
        diffs=found.diffs,
        compare_form=CompareForm.for_history(
            found.history, has_draft=found.draft is not None, a=shown_a, b=found.new.number or "draft"
        ),
    )
