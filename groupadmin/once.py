"""Create forms that create once: each carries a one-time token, claimed in the same transaction as
what the form creates. The same form sent again (a double click, twelve taps on a slow phone, the back
button) finds its token taken and is refused with a message; a refused or failed save claims nothing,
since its transaction is rolled back with the token."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from groupadmin.database import UTCDateTime
from groupadmin.extensions import db

KEEP = timedelta(days=2)


class FormSubmission(db.Model):
    """A used token (kept two days: a page left open longer is sent with a token nobody has)."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(token: str, *, now: datetime) -> bool:
    """Take `token` for this transaction: False when it was taken already (the form was sent before)."""
    db.session.execute(sa.delete(FormSubmission).where(FormSubmission.created_at < now - KEEP))
    try:
        with db.session.begin_nested():
            db.session.add(FormSubmission(token=token[:64], created_at=now))
    except IntegrityError:
        return False
    return True
