"""Outreach jobs: the morning digests and the escalations (every quarter of an hour: each volunteer's
07:00 comes in their own zone), and the daily retention erasure. They only enqueue, under keys."""

from __future__ import annotations

from datetime import datetime

from groupadmin.extensions import db
from groupadmin.outreach import services
from groupadmin.scheduler.registry import job


@job("outreach-reminders", minutes=15, order=46)
def reminders(now: datetime) -> None:
    services.send_digests(now=now)
    services.send_escalations(now=now)
    db.session.commit()


@job("outreach-retention", trigger="cron", hour=3, minute=17, order=41)
def retention(now: datetime) -> None:
    while services.erase_expired(today=now.date(), now=now) == services.ERASE_BATCH:
        db.session.commit()  # each batch stands on its own
    db.session.commit()
