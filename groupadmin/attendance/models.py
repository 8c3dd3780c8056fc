"""Anonymous head counts and 7th Tradition collections, one row per occurrence.

- ``HeadCount``: how many came to one dated occurrence (total, newcomers, and how many were in the room
  and how many online), what the collection brought (cash and digital, in minor units of a currency),
  and an optional short note. There is no column, relation or table that could attach a person to a
  count: the only people it mentions are the trusted servants who recorded or last changed it.
  A row whose numbers are all empty says "no head count was taken that day" (so nobody is reminded
  again); its collections may still be known.
- ``AttendanceSettings``: a group's currency and whether the morning-after reminders go out.

The invariants are CHECK constraints as well as form validation: numbers are never negative, newcomers
are part of the total, and the in-person and online parts add up to the total.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

RECORDED_VIA = ("account", "link")
# What the database accepts; the forms are stricter (services.MAX_PEOPLE, services.MAX_AMOUNT_MINOR).
DB_MAX_PEOPLE = 100_000
DB_MAX_MINOR = 2_000_000_000


class HeadCount(IdMixin, db.Model):
    __tablename__ = "head_count"
    __table_args__ = (
        sa.UniqueConstraint("occurrence_id"),
        choice_check("recorded_via", RECORDED_VIA),
        # Either every number of the count is there, or none (no head count was taken).
        sa.CheckConstraint(
            "(total IS NULL AND newcomers IS NULL AND in_person IS NULL AND online IS NULL)"
            " OR (total IS NOT NULL AND newcomers IS NOT NULL"
            " AND in_person IS NOT NULL AND online IS NOT NULL)",
            name="counted_together",
        ),
        sa.CheckConstraint(f"total >= 0 AND total <= {DB_MAX_PEOPLE}", name="total_range"),
        sa.CheckConstraint("newcomers >= 0 AND newcomers <= total", name="newcomers_within_total"),
        sa.CheckConstraint("in_person >= 0 AND online >= 0", name="split_non_negative"),
        sa.CheckConstraint("in_person + online = total", name="split_adds_up"),
        sa.CheckConstraint(
            f"cash_minor IS NULL OR (cash_minor >= 0 AND cash_minor <= {DB_MAX_MINOR})", name="cash_range"
        ),
        sa.CheckConstraint(
            f"digital_minor IS NULL OR (digital_minor >= 0 AND digital_minor <= {DB_MAX_MINOR})",
            name="digital_range",
        ),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
    )

    occurrence_id: Mapped[int] = mapped_column(sa.ForeignKey("occurrence.id", ondelete="CASCADE"))
    total: Mapped[int | None] = mapped_column(sa.Integer)
    newcomers: Mapped[int | None] = mapped_column(sa.Integer)
    in_person: Mapped[int | None] = mapped_column(sa.Integer)
    online: Mapped[int | None] = mapped_column(sa.Integer)
    # The 7th Tradition, in minor units (cents) of `currency`, which is kept with each count so that a
    # later change of the group's currency never reinterprets what was recorded.
    cash_minor: Mapped[int | None] = mapped_column(sa.Integer)
    digital_minor: Mapped[int | None] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    note: Mapped[str | None] = mapped_column(sa.String(200))  # never a name: the form says so

    # Who recorded it: a signed-in trusted servant (recorded_by), or the chair of the date through the
    # signed link in the reminder ("link", no account and nothing about them stored).
    recorded_via: Mapped[str] = mapped_column(sa.String(10), default="account")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    occurrence = relationship("Occurrence")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])

    @property
    def counted(self) -> bool:
        return self.total is not None

    @property
    def collected_minor(self) -> int | None:
        if self.cash_minor is None and self.digital_minor is None:
            return None
        return (self.cash_minor or 0) + (self.digital_minor or 0)

    def __repr__(self) -> str:
        return f"<HeadCount occurrence={self.occurrence_id} total={self.total}>"


class AttendanceSettings(db.Model):
    """A group's head-count settings (one row per group, created when first saved)."""

    __tablename__ = "attendance_settings"
    __table_args__ = (sa.CheckConstraint("length(currency) = 3", name="currency_code"),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    # The morning after a date without a count, its chair (else the secretaries) gets one reminder.
    reminders: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
