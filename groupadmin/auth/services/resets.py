"""Password resets: a signed, expiring, single-use link (purpose "reset"), made by a site
administrator or mailed on request (self-service)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import signing
from groupadmin.audit import services as audit
from groupadmin.auth.models import User
from groupadmin.auth.services.accounts import AuthError, find_user_by_email
from groupadmin.auth.services.login import count_reset_request
from groupadmin.auth.services.passwords import password_problem, set_password
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.mail import services as mail

# At most one self-service reset mail per account in this many seconds (a stranger cannot flood an inbox).
RESET_MAIL_WINDOW_SECONDS = 900


def _reset_fingerprint(user: User) -> str:
    """Changes when the password (or session nonce) changes, so a used reset link stops working."""
    material = f"{user.password_hash or ''}:{user.session_nonce}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def password_reset_token(user: User, *, issued_by: User | None, now: datetime) -> str:
    """A signed, expiring, single-use reset link's token. `issued_by` is the administrator who made it,
    or None when the user asked for it by email (self-service)."""
    audit.record(
        now=now, actor=issued_by, action="password_reset.issued", obj=user, self_service=issued_by is None
    )
    return signing.sign("reset", {"u": user.id, "f": _reset_fingerprint(user)})


def reset_link(user: User, *, issued_by: User, now: datetime) -> str:
    """A reset link made by a site administrator, to pass on by hand (built on BASE_URL)."""
    token = password_reset_token(user, issued_by=issued_by, now=now)
    return mail.external_url("auth.reset_password", token=token)


def request_password_reset(email: str, *, address: str | None, now: datetime) -> None:
    """Self-service reset: mail a link when `email` is an active account's; otherwise do nothing.

    The caller answers the same either way, so the form does not tell who has an account. Requests
    from one client address are limited like logins (Throttled); one account gets at most one mail
    per RESET_MAIL_WINDOW_SECONDS whoever asks.
    """
    count_reset_request(address, now=now)
    user = find_user_by_email(email)
    if user is None or not user.active or not mail.can_write_to(user.email):
        return
    window = int(now.timestamp()) // RESET_MAIL_WINDOW_SECONDS
    key = f"password-reset:{user.id}:{_reset_fingerprint(user)}:{window}"
    if mail.key_exists(key):
        return
    token = password_reset_token(user, issued_by=None, now=now)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    mail.enqueue(
        key=key,
        to=user.email,
        subject=_l("Set a new password"),
        template="auth/password_reset",
        context={
            "display_name": user.display_name,
            "link": mail.external_url("auth.reset_password", token=token),
            "hours": int(max_age.total_seconds() // 3600),
        },
        now=now,
        locale=user.locale,
    )


def load_password_reset(token: str) -> User:
    """The account a reset link stands for; LinkProblem when it expired, was altered or was used."""
    data = signing.unsign(
        "reset",
        token,
        max_age=current_app.config["PASSWORD_RESET_MAX_AGE"],
        expired=_l("This link has expired. Ask for a new one."),
    )
    user = db.session.get(User, data.get("u"))
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(_reset_fingerprint(user), str(data.get("f")))
    ):
        raise LinkProblem(_l("This link has already been used or is no longer valid."))
    return user


def reset_password(user: User, password: str, *, now: datetime) -> None:
    problem = password_problem(password, user.email)
    if problem:
        raise AuthError(problem, field="password")
    set_password(user, password, now=now)
    audit.record(now=now, actor=user, action="password.reset", obj=user)
