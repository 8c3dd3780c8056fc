"""Accounts: passwords, login throttling, sessions, invitations and password resets.

Every function takes what it needs explicitly (``now``, the user, the settings) and never reads the
request, so the web, the CLI and the tests share one code path. Callers commit.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from groupadmin import crypto
from groupadmin.audit import services as audit
from groupadmin.auth.models import Invitation, LoginThrottle, User, new_nonce
from groupadmin.extensions import db

# argon2id with the library's defaults (RFC 9106 "low memory" profile).
password_hasher = PasswordHasher()
# Verified against when the email is unknown, so that path costs the same as a wrong password. Made on
# first use: a hash costs 64 MiB and half a second, and most processes (the scheduler, the CLI) never
# log anyone in.
_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    global _dummy
    if _dummy is None or _dummy[0] is not password_hasher:
        _dummy = (password_hasher, password_hasher.hash("groupadmin: no such account"))
    return _dummy[1]


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class AuthError(Exception):
    """A user-facing refusal; str(error) is a translated message."""


class Throttled(AuthError):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            _l(
                "Too many failed attempts. Please wait %(seconds)s seconds and try again.",
                seconds=retry_after,
            )
        )


# ---------------------------------------------------------------------------------------------------
# Passwords


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(
        line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is not acceptable, or None. The message is shown beside the field."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return _l("This password is too common. Try a few unrelated words together.")
    if email and lowered == email.strip().lower():
        return _l("Don't use your email address as your password.")
    return None


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def set_password(user: User, password: str, *, now: datetime) -> None:
    """Set a new password and end every session of this user (the nonce is part of each session id)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.session_nonce = new_nonce()


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


# ---------------------------------------------------------------------------------------------------
# Login throttling: slow down repeated failures per account and per address; never lock out.


@dataclass
class _Count:
    failures: int
    window_start: datetime
    blocked_until: datetime | None


class DatabaseThrottleStore:
    """Counts kept in the database, so every web worker sees the same numbers."""

    def get(self, key: str) -> _Count | None:
        row = db.session.get(LoginThrottle, key)
        return None if row is None else _Count(row.failures, row.window_start, row.blocked_until)

    def put(self, key: str, count: _Count) -> None:
        row = db.session.get(LoginThrottle, key) or LoginThrottle(key=key)
        row.failures, row.window_start, row.blocked_until = (
            count.failures,
            count.window_start,
            count.blocked_until,
        )
        db.session.add(row)

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))


class MemoryThrottleStore:
    """Counts kept in this process only (a single-worker install, or tests)."""

    def __init__(self):
        self.counts: dict[str, _Count] = {}

    def get(self, key):
        return self.counts.get(key)

    def put(self, key, count):
        self.counts[key] = count

    def delete(self, key):
        self.counts.pop(key, None)


def throttle_store():
    app = current_app._get_current_object()
    if app.config["LOGIN_THROTTLE_STORAGE"] == "memory":
        return app.extensions.setdefault("groupadmin.throttle", MemoryThrottleStore())
    return DatabaseThrottleStore()


def _throttle_keys(email: str, address: str | None) -> list[str]:
    keys = ["acct:" + crypto.lookup_hash(email)]
    if address:
        keys.append("addr:" + crypto.lookup_hash(address))
    return keys


def _check_throttle(store, keys, now) -> None:
    waits = [
        (c.blocked_until - now).total_seconds()
        for c in map(store.get, keys)
        if c is not None and c.blocked_until is not None and c.blocked_until > now
    ]
    if waits:
        raise Throttled(math.ceil(max(waits)))


def _record_failure(store, keys, now) -> None:
    free = current_app.config["LOGIN_THROTTLE_FREE_ATTEMPTS"]
    window = current_app.config["LOGIN_THROTTLE_WINDOW"]
    for key in keys:
        count = store.get(key)
        if count is None or now - count.window_start > window:
            count = _Count(0, now, None)
        count.failures += 1
        over = count.failures - free
        if over > 0:
            # 30 s after the first failure over the allowance, doubling, at most 15 minutes.
            count.blocked_until = now + timedelta(seconds=min(30 * 2 ** (over - 1), 900))
        store.put(key, count)


def authenticate(email: str, password: str, *, address: str | None, now: datetime) -> User:
    """The user with these credentials, or AuthError with the same message for every kind of failure."""
    store = throttle_store()
    keys = _throttle_keys(email, address)
    _check_throttle(store, keys, now)
    user = find_user_by_email(email)
    # Always verify one hash, so an unknown email costs as much as a wrong password.
    ok = _verify(user.password_hash if user else None, password)
    if not (ok and user is not None and user.password_hash and user.active):
        _record_failure(store, keys, now)
        raise AuthError(_l("That email and password do not match an account."))
    store.delete(keys[0])
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def end_other_sessions(user: User) -> None:
    """Logout and password change: a new nonce invalidates every session and remember-me cookie."""
    user.session_nonce = new_nonce()


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: '<id>:<nonce>', valid only while the nonce is current."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_nonce, nonce):
        return None
    return user


def update_profile(user: User, *, display_name: str, locale: str | None, now: datetime) -> None:
    changed = [f for f, v in (("display_name", display_name), ("locale", locale)) if getattr(user, f) != v]
    user.display_name, user.locale = display_name, locale
    if changed:
        audit.record(now=now, actor=user, action="profile.updated", obj=user, fields=changed)


def change_password(user: User, *, current: str, new: str, now: datetime) -> None:
    if not _verify(user.password_hash, current):
        raise AuthError(_l("Your current password is not right."))
    problem = password_problem(new, user.email)
    if problem:
        raise AuthError(problem)
    set_password(user, new, now=now)
    audit.record(now=now, actor=user, action="password.changed", obj=user)


def create_user(
    *, email: str, display_name: str, password: str | None, now: datetime, site_admin=False
) -> User:
    user = User(email=email.strip().lower(), display_name=display_name.strip(), is_site_admin=site_admin)
    if password is not None:
        set_password(user, password, now=now)
    db.session.add(user)
    db.session.flush()
    return user


# ---------------------------------------------------------------------------------------------------
# Signed links: invitations and password resets. Purpose-bound (salt), expiring, single-use.


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"groupadmin.{purpose}")


def invite(
    *, inviter: User, email: str, role: str, now: datetime, group=None, organisation=None
) -> tuple[Invitation, str]:
    """Create an invitation to `role` in a group or organisation; returns it with its token."""
    max_age = current_app.config["INVITATION_MAX_AGE"]
    invitation = Invitation(
        email=email.strip().lower(),
        role=role,
        group=group,
        organisation=organisation,
        invited_by=inviter,
        created_at=now,
        expires_at=now + max_age,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        now=now,
        actor=inviter,
        action="invitation.created",
        obj=invitation,
        group=group,
        organisation=organisation or (group.organisation if group else None),
        role=role,
    )
    token = invitation_token(invitation)
    send_invitation(invitation, token, now=now)
    return invitation, token


def send_invitation(invitation: Invitation, token: str, *, now: datetime) -> None:
    """Mail the invitation through the outbox (in the caller's transaction; once per invitation)."""
    from groupadmin.groups.forms import GROUP_ROLE_LABELS, ORG_ROLE_LABELS
    from groupadmin.mail import services as mail

    group = invitation.group
    scope_name = group.mail_name if group is not None else invitation.organisation.name
    if not mail.can_write_to(invitation.email):
        return  # an address our mail cannot carry: the inviter passes the link on by hand
    mail.enqueue(
        key=f"invitation:{invitation.id}",
        to=invitation.email,
        subject=_l("Invitation to help with %(scope)s", scope=scope_name),
        template="auth/invitation",
        context={
            "inviter_name": invitation.invited_by.display_name if invitation.invited_by else scope_name,
            "scope_name": scope_name,
            "role_label": {**GROUP_ROLE_LABELS, **ORG_ROLE_LABELS}[invitation.role],
            "link": mail.external_url("auth.accept_invitation", token=token),
            "expires_at": invitation.expires_at,
        },
        now=now,
        group=group,
        locale=(group or invitation.organisation).locale,
    )


def invitation_token(invitation: Invitation) -> str:
    return _serializer("invite").dumps({"i": invitation.id})


def load_invitation(token: str, *, now: datetime) -> Invitation:
    max_age = current_app.config["INVITATION_MAX_AGE"]
    try:
        data = _serializer("invite").loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise AuthError(_l("This invitation has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise AuthError(_l("This link is not valid. Check that it was copied whole.")) from exc
    invitation = db.session.get(Invitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.revoked_at is not None:
        raise AuthError(_l("This invitation has been withdrawn."))
    if invitation.accepted_at is not None:
        raise AuthError(_l("This invitation has already been used."))
    if not invitation.is_open(now):
        raise AuthError(_l("This invitation has expired. Ask for a new one."))
    return invitation


def accept_invitation(
    invitation: Invitation,
    *,
    now: datetime,
    user: User | None = None,
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    """Give the invited role to `user` (an existing account), or create the account first."""
    from groupadmin.groups import services as groups

    if user is None:
        if find_user_by_email(invitation.email) is not None:
            raise AuthError(_l("An account with this email exists already: log in to accept."))
        problem = password_problem(password or "", invitation.email)
        if problem:
            raise AuthError(problem)
        user = create_user(
            email=invitation.email, display_name=display_name or "", password=password, now=now
        )
    elif user.email.lower() != invitation.email.lower():
        raise AuthError(_l("This invitation was sent to another email address."))
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
    return _serializer("reset").dumps({"u": user.id, "f": _reset_fingerprint(user)})


# At most one self-service reset mail per account in this many seconds (a stranger cannot flood an inbox).
RESET_MAIL_WINDOW_SECONDS = 900


def request_password_reset(email: str, *, now: datetime) -> None:
    """Self-service reset: mail a link when `email` is an active account's; otherwise do nothing.

    The caller answers the same either way, so the form does not tell who has an account.
    """
    from groupadmin.mail import services as mail

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
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer("reset").loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise AuthError(_l("This link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise AuthError(_l("This link is not valid. Check that it was copied whole.")) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(_reset_fingerprint(user), str(data.get("f")))
    ):
        raise AuthError(_l("This link has already been used or is no longer valid."))
    return user


def reset_password(user: User, password: str, *, now: datetime) -> None:
    problem = password_problem(password, user.email)
    if problem:
        raise AuthError(problem)
    set_password(user, password, now=now)
    audit.record(now=now, actor=user, action="password.reset", obj=user)
