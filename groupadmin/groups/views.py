"""Organisation and group pages: creating groups, settings, members and roles, invitations, the change log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupadmin.audit import services as audit
from groupadmin.auth import services as auth
from groupadmin.auth.models import Invitation
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.forms import ConfirmForm
from groupadmin.groups import services
from groupadmin.groups.display import GROUP_ROLE_LABELS, ORG_ROLE_LABELS
from groupadmin.groups.forms import (
    AddRoleForm,
    GroupCreateForm,
    GroupSettingsForm,
    InviteForm,
    OrganisationForm,
    OrganisationSettingsForm,
    RemoveRoleForm,
)
from groupadmin.groups.models import Membership, OrgRole
from groupadmin.permissions import can, requires
from groupadmin.web import get_or_404, page_arg, show_error

bp = Blueprint("groups", __name__)

ORGANISATION_SETTINGS = (
    "name",
    "timezone",
    "locale",
    "website_url",
    "contact_email",
    "phone",
    "report_threshold",
)
GROUP_SETTINGS = ("name", "fellowship", "timezone", "locale", "contact_email", "mail_naming", "display_name")


# ---------------------------------------------------------------------------------------------------
# Organisations


@bp.route("/orgs/", methods=["GET", "POST"])
@requires("site.admin")
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                actor=current_user,
                name=form.name.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
                locale=form.locale.data,
                now=utcnow(),
            )
        except services.GroupError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is created. Now invite its administrators.", name=organisation.name), "success")
            return redirect(url_for("groups.organisation", org_slug=organisation.slug))
    return render_template("groups/organisations.html", orgs=services.organisations(), form=form)


def _organisation_page(organisation, *, group_form=None, invite_form=None, status=200):
    is_admin = can("org.admin", organisation)
    return render_template(
        "groups/organisation.html",
        organisation=organisation,
        overview=services.org_groups_overview(organisation),
        people=services.org_people(organisation) if is_admin else [],
        pending=auth.pending_invitations(now=utcnow(), organisation_id=organisation.id) if is_admin else [],
        invite_form=invite_form or _org_invite_form(),
        group_form=group_form or GroupCreateForm(timezone=organisation.timezone),
        confirm_form=ConfirmForm(),
        role_labels=ORG_ROLE_LABELS,
    ), status


@bp.route("/orgs/<org_slug>/")
@requires("org.view")
def organisation(organisation):
    return _organisation_page(organisation)


def _org_invite_form() -> InviteForm:
    form = InviteForm(prefix="invite")
    form.role.choices = list(ORG_ROLE_LABELS.items())
    return form


@bp.route("/orgs/<org_slug>/settings", methods=["GET", "POST"])
@requires("org.admin")
def organisation_settings(organisation):
    form = OrganisationSettingsForm(obj=organisation)
    if form.validate_on_submit():
        values = {f: getattr(form, f).data for f in ORGANISATION_SETTINGS}
        services.update_organisation(organisation, actor=current_user, now=utcnow(), **values)
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("groups.organisation", org_slug=organisation.slug))
    return render_template("groups/organisation_settings.html", organisation=organisation, form=form)


@bp.route("/orgs/<org_slug>/groups/new", methods=["POST"])
@requires("org.admin")
def create_group(organisation):
    form = GroupCreateForm()
    if form.validate_on_submit():
        try:
            group = services.create_group(
                organisation,
                actor=current_user,
                name=form.name.data,
                fellowship=form.fellowship.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
                now=utcnow(),
            )
        except services.GroupError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is created. Invite its secretary next.", name=group.name), "success")
            return redirect(url_for("groups.members", group_slug=group.slug))
    return _organisation_page(organisation, group_form=form, status=422)


@bp.route("/orgs/<org_slug>/people/invite", methods=["POST"])
@requires("org.admin")
def invite_org_person(organisation):
    form = _org_invite_form()
    if form.validate_on_submit():
        invitation, token = auth.invite(
            inviter=current_user,
            email=form.email.data,
            role=form.role.data,
            organisation=organisation,
            now=utcnow(),
        )
        db.session.commit()
        return _invitation_created(invitation, token)
    return _organisation_page(organisation, invite_form=form, status=422)


@bp.route("/orgs/<org_slug>/people/<int:role_id>/remove", methods=["POST"])
@requires("org.admin")
def remove_org_role(organisation, role_id):
    org_role = get_or_404(OrgRole, role_id, organisation_id=organisation.id)
    if ConfirmForm().validate_on_submit():
        services.revoke_org_role(org_role, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("The role is removed."), "success")
    return redirect(url_for("groups.organisation", org_slug=organisation.slug))


# ---------------------------------------------------------------------------------------------------
# Groups


@bp.route("/groups/<group_slug>/")
@requires("group.view")
def group_home(group):
    return render_template("groups/group.html", group=group)


@bp.route("/groups/<group_slug>/settings", methods=["GET", "POST"])
@requires("group.manage")
def group_settings(group):
    form = GroupSettingsForm(obj=group)
    if form.validate_on_submit():
        values = {f: getattr(form, f).data for f in GROUP_SETTINGS}
        services.update_group(group, actor=current_user, now=utcnow(), **values)
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("groups.group_home", group_slug=group.slug))
    return render_template("groups/settings.html", group=group, form=form)


def _group_invite_form(group) -> InviteForm:
    # A group without a secretary (just created) is asked for one first.
    form = InviteForm(prefix="invite", role=None if services.secretaries(group) else "secretary")
    form.role.choices = list(GROUP_ROLE_LABELS.items())
    return form


def _members_page(group, invite_form=None, add_form=None, status=200):
    members = services.group_members(group)
    add_form = add_form or AddRoleForm(prefix="add")
    add_form.user_id.choices = [(u.id, u.display_name) for u, _roles in members]
    return render_template(
        "groups/members.html",
        group=group,
        members=members,
        role_labels=GROUP_ROLE_LABELS,
        invite_form=invite_form or _group_invite_form(group),
        add_form=add_form,
        pending=auth.pending_invitations(now=utcnow(), group_id=group.id),
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/groups/<group_slug>/members")
@requires("group.manage")
def members(group):
    return _members_page(group)


@bp.route("/groups/<group_slug>/members/invite", methods=["POST"])
@requires("group.manage")
def invite_member(group):
    form = _group_invite_form(group)
    if form.validate_on_submit():
        invitation, token = auth.invite(
            inviter=current_user, email=form.email.data, role=form.role.data, group=group, now=utcnow()
        )
        db.session.commit()
        return _invitation_created(invitation, token)
    return _members_page(group, invite_form=form, status=422)


@bp.route("/groups/<group_slug>/members/add", methods=["POST"])
@requires("group.manage")
def add_role(group):
    form = AddRoleForm(prefix="add")
    form.user_id.choices = [(u.id, u.display_name) for u, _roles in services.group_members(group)]
    if form.validate_on_submit():
        services.add_role(group, form.user_id.data, form.role.data, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("The role is added."), "success")
        return redirect(url_for("groups.members", group_slug=group.slug))
    return _members_page(group, add_form=form, status=422)


@bp.route("/groups/<group_slug>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@requires("group.manage")
def remove_role(group, membership_id):
    membership = get_or_404(Membership, membership_id, group_id=group.id)
    form = RemoveRoleForm()
    last_secretary = membership.role == "secretary" and len(services.secretaries(group)) == 1
    candidates = [u for u, _roles in services.group_members(group) if u.id != membership.user_id]
    form.successor_id.choices = [(0, _("— choose —"))] + [(u.id, u.display_name) for u in candidates]
    if form.validate_on_submit():
        done = _remove_role(group, membership, form, candidates)
        if done:
            return done
    return render_template(
        "groups/remove_role.html",
        group=group,
        membership=membership,
        form=form,
        last_secretary=last_secretary,
        role_labels=GROUP_ROLE_LABELS,
    )


def _remove_role(group, membership, form, candidates):
    """The redirect once the role is removed, or None (the reason is beside the successor field)."""
    successor = None
    if form.successor_id.data:
        successor = next((u for u in candidates if u.id == form.successor_id.data), None)
        if successor is None:
            abort(404)
    try:
        services.revoke_group_role(membership, actor=current_user, now=utcnow(), successor=successor)
    except services.GroupError as error:
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("The role is removed."), "success")
    still_in_group = any(m.user_id == current_user.id for m in group.memberships)
    if not still_in_group and not can("org.admin", group.organisation):
        return redirect(url_for("home.dashboard"))
    return redirect(url_for("groups.members", group_slug=group.slug))


def _withdraw(invitation) -> None:
    if ConfirmForm().validate_on_submit() and auth.withdraw_invitation(
        invitation, actor=current_user, now=utcnow()
    ):
        db.session.commit()
        flash(_("The invitation is withdrawn; its link no longer works."), "success")


@bp.route("/groups/<group_slug>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@requires("group.manage")
def withdraw_group_invitation(group, invitation_id):
    _withdraw(get_or_404(Invitation, invitation_id, group_id=group.id))
    return redirect(url_for("groups.members", group_slug=group.slug))


@bp.route("/orgs/<org_slug>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@requires("org.admin")
def withdraw_org_invitation(organisation, invitation_id):
    _withdraw(get_or_404(Invitation, invitation_id, organisation_id=organisation.id))
    return redirect(url_for("groups.organisation", org_slug=organisation.slug))


def _invitation_created(invitation, token):
    return render_template(
        "groups/invitation_created.html", invitation=invitation, link=auth.invitation_link(token)
    )


@bp.route("/groups/<group_slug>/audit")
@requires("group.manage")
def group_audit(group):
    events = audit.group_page(group, page_arg())
    return render_template("groups/audit.html", group=group, events=events, people=audit.people_named(events))
