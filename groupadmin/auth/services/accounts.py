"""Accounts: finding and creating them, profiles, password changes, sessions, and the site
administrator's list of people (activate, deactivate)."""

from __future__ import annotations

import hmac
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.auth.models import User, new_nonce
from groupadmin.auth.services.passwords import password_problem, set_password, verify
from groupadmin.errors import UserError
from groupadmin.extensions import db

USERS_PER_PAGE = 50


class AuthError(UserError):
    """A user-facing refusal; str(error) is a translated message."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def is_account_holder(address: str) -> bool:
    """Whether `address` is an account's (the outbox gives account holders no stop link)."""
    return db.session.scalar(sa.select(User.id).where(User.email == address.lower())) is not None


def create_user(
    *, email: str, display_name: str, password: str | None, now: datetime, site_admin=False
) -> User:
    user = User(email=email.strip().lower(), display_name=display_name.strip(), is_site_admin=site_admin)
    if password is not None:
        set_password(user, password, now=now)
    db.session.add(user)
    db.session.flush()
    return user


def update_profile(user: User, *, display_name: str, locale: str | None, now: datetime) -> None:
    changed = [f for f, v in (("display_name", display_name), ("locale", locale)) if getattr(user, f) != v]
    user.display_name, user.locale = display_name, locale
    if changed:
        audit.record(now=now, actor=user, action="profile.updated", obj=user, fields=changed)


def change_password(user: User, *, current: str, new: str, now: datetime) -> None:
    if not verify(user.password_hash, current):
        raise AuthError(_l("Your current password is not right."), field="current")
    problem = password_problem(new, user.email)
    if problem:
        raise AuthError(problem, field="current")
    set_password(user, new, now=now)
    audit.record(now=now, actor=user, action="password.changed", obj=user)


# ---------------------------------------------------------------------------------------------------
# Sessions


def end_other_sessions(user: User) -> None:
    """Logout and password change: a new nonce invalidates every session and remember-me cookie."""
    user.session_nonce = new_nonce()


def session_credentials(session_id: str) -> tuple[int, str] | None:
    """The user id and nonce of a session ('<id>:<nonce>', `User.get_id`), None when malformed. The
    user loader (`groupadmin.home.services.session_user`) loads that user and checks the nonce with
    `session_is_current`."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce or len(user_id) > 18:
        return None
    return int(user_id), nonce


def session_is_current(user: User | None, nonce: str) -> bool:
    """A session is valid only while its nonce is the user's current one (logout and a password change
    replace it)."""
    return user is not None and hmac.compare_digest(user.session_nonce, nonce)


# ---------------------------------------------------------------------------------------------------
# The site administrator's list of people


def users_page(query: str, page: int):
    """Accounts by name, filtered by a part of the email or name; one page of them."""
    stmt = sa.select(User).order_by(User.display_name, User.id)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            sa.or_(sa.func.lower(User.email).like(like), sa.func.lower(User.display_name).like(like))
        )
    return db.paginate(stmt, page=page, per_page=USERS_PER_PAGE, error_out=False)


def toggle_active(user: User, *, actor, now: datetime) -> None:
    """Deactivate an account (its sessions end) or make it active again; never one's own."""
    if user.id == actor.id:
        raise AuthError(_l("You cannot deactivate your own account."))
    user.active = not user.active
    end_other_sessions(user)
    audit.record(
        now=now, actor=actor, action="user.activated" if user.active else "user.deactivated", obj=user
    )
