"""Reports store nothing personal: they read aggregates. Who asked to receive which report by mail, and
the monthly roll-ups that make a long period's report fast.

- ``ReportSubscription``: a coordinator's (or an organisation admin's) wish to receive the organisation's
  monthly or quarterly summary. On the second day of the next period at 08:00 organisation time, a mail
  with a signed, expiring download link (no attachment) goes through the outbox, once per subscription
  and period (the idempotency key says so).

- ``ReportMonth``: per group, month (of the meetings' local dates) and currency of the count ('' for
  dates without one), the sums the report reads: dates held, counts entered, attendances, newcomers, in
  the room, online, dates with a collection and their amount, service places filled. Kept by the
  ``report-rollups`` job for months already over (``ReportRollupState.rolled_until``: every month
  before it is rolled up).
- ``ReportStale``: a group-month whose roll-up no longer matches the raw data. Database triggers
  (``groupadmin.reports.triggers``) add one, in the same transaction, whenever a head count, a rota
  turn, a date or a meeting of a rolled-up month is entered, changed or removed; the report reads such
  a month from the raw data (so it is always exact) and the job recomputes it.

The organisation's suppression threshold lives on ``Organisation.report_threshold`` (groups domain).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db
from groupadmin.reports import triggers  # noqa: F401  (create_all creates the roll-ups' triggers)

FREQUENCIES = ("monthly", "quarterly")


class ReportSubscription(IdMixin, db.Model):
    __tablename__ = "report_subscription"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "user_id", "frequency"),
        choice_check("frequency", FREQUENCIES),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
    user = relationship("User")

    def __repr__(self) -> str:
        return f"<ReportSubscription {self.organisation_id} {self.user_id} {self.frequency}>"


class ReportMonth(IdMixin, db.Model):
    __tablename__ = "report_month"
    __table_args__ = (
        sa.UniqueConstraint("group_id", "month", "currency"),
        sa.Index("ix_report_month_month_group", "month", "group_id"),
        sa.CheckConstraint("currency = '' OR length(currency) = 3", name="currency_code"),
    )

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(sa.Date)  # the first day
    currency: Mapped[str] = mapped_column(sa.String(3))  # '' for dates without a head count
    held: Mapped[int] = mapped_column(sa.Integer)
    counted: Mapped[int] = mapped_column(sa.Integer)
    total: Mapped[int] = mapped_column(sa.BigInteger)
    newcomers: Mapped[int] = mapped_column(sa.BigInteger)
    in_person: Mapped[int] = mapped_column(sa.BigInteger)
    online: Mapped[int] = mapped_column(sa.BigInteger)
    collected_dates: Mapped[int] = mapped_column(sa.Integer)
    collected_minor: Mapped[int] = mapped_column(sa.BigInteger)
    rota: Mapped[int] = mapped_column(sa.Integer)  # confirmed places on dates held ('' row only)


class ReportStale(IdMixin, db.Model):
    """No foreign key: a trigger may mark a month of a group being deleted (its rows go with it)."""

    __tablename__ = "report_stale"
    __table_args__ = (sa.Index("ix_report_stale_group_month", "group_id", "month"),)

    group_id: Mapped[int] = mapped_column(sa.Integer)
    month: Mapped[date] = mapped_column(sa.Date)  # the first day
    until: Mapped[date] = mapped_column(sa.Date)  # the first day of the next month


class ReportRollupState(db.Model):
    """One row (id 1): every month before ``rolled_until`` is rolled up (None: nothing yet)."""

    __tablename__ = "report_rollup_state"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    rolled_until: Mapped[date | None] = mapped_column(sa.Date)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
