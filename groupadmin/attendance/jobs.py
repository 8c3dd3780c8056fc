"""The head counts' job: the morning-after reminder. It only enqueues, under idempotency keys."""

from __future__ import annotations

from datetime import datetime

from groupadmin.attendance import services
from groupadmin.scheduler.registry import job


# Every quarter of an hour: a date's reminder is due at ATTENDANCE_REMINDER_HOUR the next morning in
# the meeting's zone (groups are in different zones) and goes out in the first tick after it.
@job("attendance-reminders", minutes=15, order=30)
def reminders(now: datetime) -> None:
    services.send_reminders(now=now)
