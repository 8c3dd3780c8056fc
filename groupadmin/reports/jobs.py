"""The reports' job: mailing the monthly and quarterly reports to their subscribers. It only enqueues,
under idempotency keys (one message per subscriber and period)."""

from __future__ import annotations

from datetime import datetime

from groupadmin.reports import services
from groupadmin.scheduler.registry import job


# Every quarter of an hour: organisations are in different zones; a report is due at 08:00 on the second
# day of the period in the organisation's zone and goes out in the first tick after it.
@job("report-delivery", minutes=15, order=55)
def deliver(now: datetime) -> None:
    services.deliver_due(now=now)
