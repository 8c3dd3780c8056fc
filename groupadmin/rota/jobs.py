"""The rota's jobs. They only enqueue (under idempotency keys) or forget; the relay delivers."""

from __future__ import annotations

from datetime import datetime

from groupadmin.rota import services
from groupadmin.scheduler.registry import job


# Every quarter of an hour: reminders are due at a local time of day (10:00 by default) and go out in
# the tick after it; the key (person and local day) makes a second tick or a restart add nothing.
@job("rota-reminders", minutes=15, order=20)
def reminders(now: datetime) -> None:
    services.send_reminders(now=now)


# Hourly: each group's secretaries get their summary in the first tick after the configured local
# hour of the configured weekday (groups are in different zones).
@job("rota-weekly-summary", hours=1, order=21)
def weekly_summary(now: datetime) -> None:
    services.send_weekly_summaries(now=now)


@job("rota-retention", trigger="cron", hour=3, minute=41, order=22)
def retention(now: datetime) -> None:
    services.forget_inactive(now=now)
