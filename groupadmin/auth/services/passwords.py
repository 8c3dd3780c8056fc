"""Passwords: the rules a new one must meet, and hashing (argon2id)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from groupadmin.auth.models import User, new_nonce

# argon2id with the library's defaults (RFC 9106 "low memory" profile). Tests swap in a cheaper one.
password_hasher = PasswordHasher()
# Verified against when the email is unknown, so that path costs the same as a wrong password. Made on
# first use: a hash costs 64 MiB and half a second, and most processes (the scheduler, the CLI) never
# log anyone in.
_dummy: tuple[PasswordHasher, str] | None = None

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def _dummy_hash() -> str:
    global _dummy
    if _dummy is None or _dummy[0] is not password_hasher:
        _dummy = (password_hasher, password_hasher.hash("groupadmin: no such account"))
    return _dummy[1]


def _letters(text: str) -> str:
    """Lower-case letters and digits only: "Correct-Horse Battery.Staple" reads as the phrase it is."""
    return "".join(c for c in text.lower() if c.isalnum())


@cache
def common_passwords() -> frozenset[str]:
    """Refused passwords (common ones, our published demo password, quoted passphrases and the
    sayings of the rooms), compared by their letters and digits only."""
    path = Path(__file__).parent.parent / "common-passwords.txt"
    return frozenset(
        _letters(line) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is not acceptable, or None. The message is shown beside the field."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    letters = _letters(password)
    if letters in common_passwords():
        return _l("This password is too common. Try a few unrelated words together.")
    if len(set(lowered)) < 4:
        return _l("This password is too common. Try a few unrelated words together.")
    if email and lowered == email.strip().lower():
        return _l("Don't use your email address as your password.")
    return None


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    return password_hasher.check_needs_rehash(password_hash)


def set_password(user: User, password: str, *, now: datetime) -> None:
    """Set a new password and end every session of this user (the nonce is part of each session id)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.session_nonce = new_nonce()


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (no such account), a dummy one costs the same time."""
    try:
        return password_hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
