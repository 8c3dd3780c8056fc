"""The meetings domain's job: keep dated occurrences generated ahead (OCCURRENCE_WEEKS_AHEAD)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from groupadmin.meetings import services
from groupadmin.scheduler.registry import job


@job("meetings.generate-occurrences", trigger="cron", hour=2, minute=15)
def generate_occurrences(now: datetime) -> None:
    services.generate_occurrences(None, now=now, weeks=current_app.config["OCCURRENCE_WEEKS_AHEAD"])
