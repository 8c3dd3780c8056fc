"""The reports' jobs: mailing the monthly and quarterly reports to their subscribers (it only enqueues,
under idempotency keys: one message per subscriber and period), and keeping the monthly roll-ups."""

from __future__ import annotations

import logging
from datetime import datetime

from groupadmin.reports import services
from groupadmin.reports.services import rollups
from groupadmin.scheduler.registry import job

log = logging.getLogger("groupadmin.reports")


# Every quarter of an hour: organisations are in different zones; a report is due at 08:00 on the second
# day of the period in the organisation's zone and goes out in the first tick after it.
@job("report-delivery", minutes=15, order=55)
def deliver(now: datetime) -> None:
    services.deliver_due(now=now)


# Every ten minutes: a late or corrected head count is read from the raw data until then, so the figures
# are exact either way; the roll-ups only keep a long period's report fast. Before the delivery job.
@job("report-rollups", minutes=10, order=54)
def rollup(now: datetime) -> None:
    done = rollups.refresh(now=now)
    if done["months"] or done["stale"]:
        log.info("report roll-ups refreshed", extra={"fields": done})
