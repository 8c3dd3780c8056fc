"""The group's service roles, its rota settings, and the link to its rota calendar."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from groupadmin.auth.forms import ConfirmForm
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import services as meetings
from groupadmin.permissions import can, requires
from groupadmin.rota import services
from groupadmin.rota.forms import RoleForm, SettingsForm
from groupadmin.rota.models import ServiceRole
from groupadmin.rota.views import bp
from groupadmin.web import get_or_404, show_error


@bp.route("/groups/<group_slug>/rota/roles", methods=["GET", "POST"])
@requires("group.secretary")
def roles(group):
    form = SettingsForm(obj=services.settings_for(group))
    if form.validate_on_submit():
        try:
            services.update_settings(
                group,
                actor=current_user,
                now=utcnow(),
                min_gap_days=form.min_gap_days.data,
                weekly_summary=form.weekly_summary.data,
            )
        except services.RotaError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Rota settings saved."), "success")
            return redirect(url_for("rota.roles", group_slug=group.slug))
    return render_template(
        "rota/roles.html",
        group=group,
        roles=services.group_roles(group),
        archived=services.group_roles(group, archived=True),
        form=form,
        confirm_form=ConfirmForm(),
    ), 422 if form.errors else 200


@bp.route("/groups/<group_slug>/rota/roles/defaults", methods=["POST"])
@requires("group.secretary")
def default_roles(group):
    if ConfirmForm().validate_on_submit():
        added = services.add_default_roles(group, actor=current_user, now=utcnow())
        db.session.commit()
        flash(
            ngettext(
                "%(num)d role added. Change it to suit your meetings.",
                "%(num)d roles added. Change them to suit your meetings.",
                added,
            ),
            "success",
        )
    return redirect(url_for("rota.roles", group_slug=group.slug))


@bp.route("/groups/<group_slug>/rota/roles/new", methods=["GET", "POST"])
@requires("group.secretary")
def new_role(group):
    return _role_page(group, None)


@bp.route("/groups/<group_slug>/rota/roles/<int:role_id>", methods=["GET", "POST"])
@requires("group.secretary")
def edit_role(group, role_id):
    return _role_page(group, get_or_404(ServiceRole, role_id, group_id=group.id))


def _role_form(group, role) -> RoleForm:
    form = RoleForm(obj=role)
    form.meetings.choices = [(m.id, m.name) for m in meetings.group_meetings(group)]
    if request.method == "GET" and role is not None:
        form.meetings.data = [m.id for m in role.meetings]
        form.remind_days.data = ", ".join(str(d) for d in role.remind_days or [])
    return form


def _role_page(group, role):
    form = _role_form(group, role)
    if form.validate_on_submit():
        try:
            services.save_role(
                group,
                role,
                actor=current_user,
                now=utcnow(),
                name=form.name.data,
                kind=form.kind.data,
                per_occurrence=form.per_occurrence.data,
                applies_to=form.applies_to.data,
                meeting_ids=form.meetings.data or [],
                remind_days=form.remind_days_list,
                remind_at=form.remind_at.data,
            )
        except services.RotaError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Role saved."), "success")
            return redirect(url_for("rota.roles", group_slug=group.slug))
    return render_template(
        "rota/role_form.html", group=group, form=form, role=role
    ), 422 if form.errors else 200


@bp.route("/groups/<group_slug>/rota/roles/<int:role_id>/change", methods=["POST"])
@requires("group.secretary")
def role_action(group, role_id):
    role = get_or_404(ServiceRole, role_id, group_id=group.id)
    action = request.form.get("action")
    if ConfirmForm().validate_on_submit() and action in services.ROLE_CHANGES:
        services.change_role(role, action, group=group, actor=current_user, now=utcnow())
        db.session.commit()
        if action == "archive":
            flash(_("Role archived: it no longer shows on the rota; past turns keep it."), "success")
        elif action == "restore":
            flash(_("Role restored."), "success")
    return redirect(url_for("rota.roles", group_slug=group.slug))


# ---------------------------------------------------------------------------------------------------
# The group's rota calendar (for its secretaries and leaders)


@bp.route("/groups/<group_slug>/rota/calendar", methods=["GET", "POST"])
@requires("group.leader")
def group_calendar(group):
    form = ConfirmForm()
    if request.method == "POST":
        if not can("group.secretary", group):
            abort(403)
        if form.validate_on_submit():
            services.renew_group_calendar(group, actor=current_user, now=utcnow())
            db.session.commit()
            flash(_("Every earlier link to the group's rota calendar has stopped working."), "success")
        return redirect(url_for("rota.group_calendar", group_slug=group.slug))
    url = services.group_calendar_url(group, current_user)
    db.session.commit()
    return render_template(
        "rota/calendar.html", group=group, url=url, form=form, can_renew=can("group.secretary", group)
    )
