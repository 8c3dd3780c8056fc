"""The newsletters' jobs: sign-ups left unconfirmed for seven days expire."""

from __future__ import annotations

from datetime import datetime

from groupadmin.newsletters import services
from groupadmin.scheduler.registry import job


@job("newsletter-expiry", trigger="cron", hour=4, minute=7, order=40)
def expire(now: datetime) -> None:
    services.expire_unconfirmed(now=now)
