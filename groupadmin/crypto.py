"""Personal data at rest: one encrypted column type and a keyed hash for look-ups.

Contact details of people who are not account holders (rota people, newcomers, subscribers) are stored
with ``EncryptedString``: Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package) under a
key derived from ``GROUPADMIN_DATA_KEY``. Encryption is randomised, so the column cannot be queried by
value; where we must find a row by a value (an email address), the model stores ``lookup_hash(value)``
beside it: an HMAC with a second key derived from the same data key, and queries by that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy.types import TypeDecorator

_EXTENSION = "groupadmin.crypto"


class DataKeys:
    def __init__(self, data_key: str):
        if not data_key:
            raise ValueError("GROUPADMIN_DATA_KEY is empty")
        self.fernet = Fernet(base64.urlsafe_b64encode(_derive(data_key, b"groupadmin encryption v1")))
        self.hash_key = _derive(data_key, b"groupadmin lookup hash v1")


def _derive(data_key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key.encode())


def init_app(app) -> None:
    app.extensions[_EXTENSION] = DataKeys(app.config["GROUPADMIN_DATA_KEY"])


def _keys() -> DataKeys:
    return current_app.extensions[_EXTENSION]


def normalise(value: str) -> str:
    """The form a value is hashed in: trimmed and case-folded (emails compare case-insensitively)."""
    return value.strip().casefold()


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value, for finding a row without decrypting every row."""
    return hmac.new(_keys().hash_key, normalise(value).encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return _keys().fernet.encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _keys().fernet.decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:  # wrong key or tampered row: say so, never return garbage
        raise ValueError(
            "cannot decrypt a personal-data column: is GROUPADMIN_DATA_KEY the right key?"
        ) from exc


class EncryptedString(TypeDecorator):
    """A text column encrypted at rest. Python sees plain strings; the database sees Fernet tokens."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
