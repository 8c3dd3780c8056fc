"""The mail domain's jobs: the relay (delivers what every other job enqueued) and the retention purge."""

from __future__ import annotations

from datetime import datetime

from groupadmin.mail import services
from groupadmin.scheduler import registry
from groupadmin.scheduler.registry import job


@job("mail-relay", seconds=lambda config: config["MAIL_RELAY_INTERVAL_SECONDS"], order=100)
def relay(now: datetime) -> None:
    services.deliver_due(now=now, should_stop=registry.stopping.is_set)


@job("mail-retention", trigger="cron", hour=3, minute=17, order=90)
def retention(now: datetime) -> None:
    services.purge_expired(now=now)
