"""Signed tokens for links in mail and calendars: one API for every purpose.

A token is bound to its purpose (the purpose is the signature's salt, so an invitation token is no
password-reset token), carries a small JSON object, and expires after `max_age` unless the purpose is
untimed (calendar feeds, which a calendar app polls for years and which are revoked by a nonce inside
instead). A token that is not ours, was cut short or was altered answers `LinkProblem.invalid()` (404);
one past its age answers `LinkProblem(expired)` (410). Whatever a token names must still be checked
against the database by the caller (it may have been withdrawn, used or deleted since).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from groupadmin.errors import LinkProblem

# Every purpose a token may have. Timed unless listed in UNTIMED. The salt is "groupadmin.<purpose>".
PURPOSES = frozenset(
    {
        "invite",  # an invitation to a role (auth)
        "reset",  # a password reset (auth)
        "mail-stop",  # stop mail to an address without an account (mail)
        "count-link",  # the chair's head-count link (attendance)
        "rota-accept",  # accept a rota turn (rota)
        "rota-decline",
        "rota-swap",
        "rota-remove",  # take me off this group's rota (rota)
        "rota-calendar",  # a personal or group rota calendar feed (rota)
        "news-form",  # when the sign-up form was shown (newsletters: minimum fill time)
        "news-confirm",  # confirm a sign-up (newsletters: double opt-in)
        "news-leave",  # one-click unsubscribe from one list (newsletters, RFC 8058)
        "news-prefs",  # a subscriber's preference page (newsletters)
        "news-remind-confirm",  # confirm a meeting reminder (newsletters: double opt-in)
        "news-remind-stop",  # one-click stop of a meeting reminder (newsletters, RFC 8058)
        "report-download",  # a mailed report's download link (reports)
    }
)
UNTIMED = frozenset({"rota-calendar"})


def _serializer(purpose: str) -> URLSafeSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose: {purpose}")
    cls = URLSafeSerializer if purpose in UNTIMED else URLSafeTimedSerializer
    return cls(current_app.config["SECRET_KEY"], salt=f"groupadmin.{purpose}")


def sign(purpose: str, data: dict) -> str:
    """A URL-safe token for `data` (a small dict of ids and nonces; never personal data)."""
    return _serializer(purpose).dumps(data)


def unsign(
    purpose: str,
    token: str,
    *,
    max_age: timedelta | None = None,
    expired=None,
    invalid=None,
) -> dict:
    """The dict a token carries. Raises LinkProblem: `invalid` (404) for a token that is not a valid
    one of this purpose, `expired` (410) for one older than `max_age`. Timed purposes need `max_age`."""
    serializer = _serializer(purpose)
    try:
        if purpose in UNTIMED:
            data = serializer.loads(token)
        else:
            if max_age is None:
                raise ValueError(f"tokens of {purpose} need a max_age")
            data = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise LinkProblem(expired or LinkProblem.EXPIRED) from exc
    except BadSignature as exc:
        raise LinkProblem.invalid(invalid) from exc
    if not isinstance(data, dict):
        raise LinkProblem.invalid(invalid)
    return data
