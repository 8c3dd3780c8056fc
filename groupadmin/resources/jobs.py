"""The resources' job: every morning, the month's re-check reminder to organisation admins (enqueued
under a key per organisation, admin and month: it goes out once a month at most)."""

from __future__ import annotations

from datetime import datetime

from groupadmin.resources import services
from groupadmin.scheduler.registry import job


@job("resources-recheck", trigger="cron", hour=6, minute=17, order=40)
def recheck(now: datetime) -> None:
    services.send_recheck_reminders(now=now)
