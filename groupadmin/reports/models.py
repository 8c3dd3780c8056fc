"""Reports store nothing personal: they read aggregates. The one table is who asked to receive which
report by mail.

- ``ReportSubscription``: a coordinator's (or an organisation admin's) wish to receive the organisation's
  monthly or quarterly summary. On the second day of the next period at 08:00 organisation time, a mail
  with a signed, expiring download link (no attachment) goes through the outbox, once per subscription
  and period (the idempotency key says so).

The organisation's suppression threshold lives on ``Organisation.report_threshold`` (groups domain).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

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
