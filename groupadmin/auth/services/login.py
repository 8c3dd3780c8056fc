"""Logging in: credentials checked in constant time, and repeated failures slowed down per account and
per address (never a lock-out). Counts live in the database, so every web worker sees the same."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import crypto
from groupadmin.auth.models import LoginThrottle, User
from groupadmin.auth.services.accounts import AuthError, find_user_by_email
from groupadmin.auth.services.passwords import hash_password, needs_rehash, verify
from groupadmin.extensions import db


class Throttled(AuthError):
    """Too many failures: try again in `retry_after` seconds (shown beside the password)."""

    status = 429

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            _l(
                "Too many failed attempts. Please wait %(seconds)s seconds and try again.",
                seconds=retry_after,
            ),
            field="password",
        )


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


def count_reset_request(address: str | None, *, now: datetime) -> None:
    """Password-reset requests from one client address share the login allowance (a few free, then a
    growing wait): Throttled when it must wait. Whatever the address asked, the answer is the same, so
    this reveals nothing about accounts."""
    if not address:
        return
    store = throttle_store()
    keys = ["reset:" + crypto.lookup_hash(address)]
    _check_throttle(store, keys, now)
    _record_failure(store, keys, now)


def authenticate(email: str, password: str, *, address: str | None, now: datetime) -> User:
    """The user with these credentials, or AuthError with the same message for every kind of failure."""
    store = throttle_store()
    keys = _throttle_keys(email, address)
    _check_throttle(store, keys, now)
    user = find_user_by_email(email)
    # Always verify one hash, so an unknown email costs as much as a wrong password.
    ok = verify(user.password_hash if user else None, password)
    if not (ok and user is not None and user.password_hash and user.active):
        _record_failure(store, keys, now)
        raise AuthError(_l("That email and password do not match an account."), field="password")
    store.delete(keys[0])
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user
