"""Jobs for the scheduler's tests, loaded through SCHEDULER_EXTRA_JOB_MODULES."""

from __future__ import annotations

from datetime import datetime

from groupadmin.mail import services
from groupadmin.scheduler.registry import job

RECIPIENTS = [f"member{n}@example.net" for n in range(20)]


@job("test-digest", hours=1)
def digest(now: datetime) -> None:
    """One message per member and day, whatever the number of runs."""
    for address in RECIPIENTS:
        services.enqueue(
            key=f"digest:{address}:{now:%Y-%m-%d}",
            to=address,
            subject="Your week",
            template="mail/send_test",
            context={"n": 1, "count": 1, "run": "digest"},
            now=now,
        )
