"""Sign-up requests counted per keyed hash (of an address, or of a client's network address) per window,
in the database so every web worker sees the same numbers."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.newsletters.models import SignupThrottle


def hit(key: str, *, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one request under `key`; True while the window's count is within `limit`."""
    row = db.session.get(SignupThrottle, key)
    if row is None:
        row = SignupThrottle(key=key, count=0, window_start=now)
        db.session.add(row)
    elif now - row.window_start >= window:
        row.count, row.window_start = 0, now
    row.count += 1
    return row.count <= limit


def forget(key: str) -> None:
    db.session.execute(sa.delete(SignupThrottle).where(SignupThrottle.key == key))


def purge(*, older_than: datetime) -> None:
    db.session.execute(sa.delete(SignupThrottle).where(SignupThrottle.window_start < older_than))
