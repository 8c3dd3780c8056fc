"""The scheduler's leader lease: one row per lease name, held by one process at a time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from groupadmin.database import UTCDateTime
from groupadmin.extensions import db


class SchedulerLease(db.Model):
    """Whoever holds an unexpired lease runs the jobs; other schedulers stand by and take over when it
    expires (the holder renews it every poll interval, so it only expires when the holder is gone)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
