"""Invitations to a role in a group or organisation: created, mailed, withdrawn, accepted through a
signed, expiring, single-use link (purpose "invite")."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import signing
from groupadmin.audit import services as audit
from groupadmin.auth.models import Invitation, User
from groupadmin.auth.services.accounts import AuthError, create_user, find_user_by_email
from groupadmin.auth.services.passwords import password_problem
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.groups.display import GROUP_ROLE_LABELS, ORG_ROLE_LABELS
from groupadmin.mail import services as mail

EXPIRED = _l("This invitation has expired. Ask for a new one.")


# A re-invitation of the same address mails it again at most this often.
RESEND_EVERY = timedelta(minutes=15)


def invite(
    *, inviter: User, email: str, role: str, now: datetime, group=None, organisation=None
) -> tuple[Invitation, str]:
    """Invite `email` to `role` in a group or organisation; returns the invitation with its token.

    An address has at most one open invitation per group or organisation: inviting it again renews
    that invitation (the role chosen now, a new expiry) and mails it again, at most once every
    RESEND_EVERY, so a double click or an impatient inviter never floods anyone's inbox."""
    email = email.strip().lower()
    invitation = _open_invitation(email, group=group, organisation=organisation, now=now)
    if invitation is None:
        invitation = Invitation(
            email=email, role=role, group=group, organisation=organisation, invited_by=inviter, created_at=now
        )
        db.session.add(invitation)
        action = "invitation.created"
    else:
        action = "invitation.renewed"
    invitation.role, invitation.invited_by = role, inviter
    invitation.expires_at = now + current_app.config["INVITATION_MAX_AGE"]
    db.session.flush()
    audit.record(
        now=now,
        actor=inviter,
        action=action,
        obj=invitation,
        group=group,
        organisation=organisation or (group.organisation if group else None),
        role=role,
    )
    token = invitation_token(invitation)
    # One mail per RESEND_EVERY since the invitation was made: the same key again adds nothing.
    round_ = int((now - invitation.created_at) // RESEND_EVERY)
    send_invitation(invitation, token, now=now, key=f"invitation:{invitation.id}:{round_}")
    return invitation, token


def _open_invitation(email: str, *, group, organisation, now: datetime) -> Invitation | None:
    scope = {"group_id": group.id} if group is not None else {"organisation_id": organisation.id}
    return db.session.scalar(
        sa.select(Invitation)
        .filter_by(email=email, **scope)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.id.desc())
        .limit(1)
    )


def invitation_link(token: str) -> str:
    """The link to pass on by hand, built like the mailed one (on BASE_URL)."""
    return mail.external_url("auth.accept_invitation", token=token)


def send_invitation(invitation: Invitation, token: str, *, now: datetime, key: str | None = None) -> None:
    """Mail the invitation through the outbox (in the caller's transaction): once per invitation, or
    once per `key` for a renewed one (the same key again adds nothing)."""
    group = invitation.group
    scope_name = group.mail_name if group is not None else invitation.organisation.name
    if not mail.can_write_to(invitation.email):
        return  # an address our mail cannot carry: the inviter passes the link on by hand
    mail.enqueue(
        key=key or f"invitation:{invitation.id}",
        to=invitation.email,
        subject=_l("Invitation to help with %(scope)s", scope=scope_name),
        template="auth/invitation",
        context={
            "inviter_name": invitation.invited_by.display_name if invitation.invited_by else scope_name,
            "scope_name": scope_name,
            "role_label": {**GROUP_ROLE_LABELS, **ORG_ROLE_LABELS}[invitation.role],
            "link": invitation_link(token),
            "expires_at": invitation.expires_at,
        },
        now=now,
        group=group,
        locale=(group or invitation.organisation).locale,
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.sign("invite", {"i": invitation.id})


def load_invitation(token: str, *, now: datetime) -> Invitation:
    """The open invitation a link stands for; LinkProblem (with what went wrong) otherwise."""
    data = signing.unsign("invite", token, max_age=current_app.config["INVITATION_MAX_AGE"], expired=EXPIRED)
    invitation = db.session.get(Invitation, data.get("i"))
    if invitation is None or invitation.revoked_at is not None:
        raise LinkProblem(_l("This invitation has been withdrawn."))
    if invitation.accepted_at is not None:
        raise LinkProblem(_l("This invitation has already been used."))
    if not invitation.is_open(now):
        raise LinkProblem(EXPIRED)
    return invitation


def pending_invitations(*, now: datetime, **scope) -> list[Invitation]:
    """Invitations of a group or organisation (`group_id=` / `organisation_id=`) still open, newest first."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .filter_by(**scope)
            .where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def withdraw_invitation(invitation: Invitation, *, actor, now: datetime) -> bool:
    """Withdraw an invitation not yet accepted: its link stops working. False when it was accepted."""
    if invitation.accepted_at is not None:
        return False
    invitation.revoked_at = now
    audit.record(
        now=now,
        actor=actor,
        action="invitation.withdrawn",
        obj=invitation,
        group=invitation.group,
        organisation=invitation.organisation,
    )
    return True


def accept_invitation(
    invitation: Invitation,
    *,
    now: datetime,
    user: User | None = None,
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    """Give the invited role to `user` (an existing account), or create the account first."""
    if user is None:
        user = _new_account(invitation, display_name=display_name, password=password, now=now)
    elif user.email.lower() != invitation.email.lower():
        raise AuthError(_l("This invitation was sent to another email address."))
    if _self_appointed(invitation, user):
        raise AuthError(
            _l("You sent this invitation yourself. Ask one of the group's secretaries to give you a role.")
        )
    if invitation.group is not None:
        groups.grant_group_role(invitation.group, user, invitation.role, actor=invitation.invited_by, now=now)
    else:
        groups.grant_org_role(
            invitation.organisation, user, invitation.role, actor=invitation.invited_by, now=now
        )
    invitation.accepted_at = now
    audit.record(
        now=now,
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        group=invitation.group,
        organisation=invitation.organisation,
    )
    return user


def _self_appointed(invitation: Invitation, user: User) -> bool:
    """An organisation's admin inviting their own address to a group would see its private notes, rota
    contacts and figures with nobody in the group deciding it: a group role comes from someone else
    (a secretary of the group may still add a role to themselves)."""
    if invitation.group is None or invitation.invited_by_id != user.id:
        return False
    return user not in groups.secretaries(invitation.group)


def _new_account(invitation: Invitation, *, display_name, password, now: datetime) -> User:
    if find_user_by_email(invitation.email) is not None:
        raise AuthError(_l("An account with this email exists already: log in to accept."))
    problem = password_problem(password or "", invitation.email)
    if problem:
        raise AuthError(problem)
    return create_user(email=invitation.email, display_name=display_name or "", password=password, now=now)
