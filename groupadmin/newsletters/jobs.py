"""The newsletters' jobs: sending issues (in batches, each committed, so a restart resumes), meeting
reminders and their corrections, and the expiry of sign-ups left unconfirmed for seven days. They
only enqueue, under idempotency keys."""

from __future__ import annotations

from datetime import datetime

from groupadmin.extensions import db
from groupadmin.newsletters import services
from groupadmin.scheduler import registry
from groupadmin.scheduler.registry import job


@job("newsletter-sending", minutes=1, order=50)
def send(now: datetime) -> None:
    services.start_due(now=now)
    db.session.commit()
    for issue_id in services.sending_issue_ids():
        while services.send_batch(issue_id, now=now):
            db.session.commit()  # each batch stands on its own: a restart resumes after it
            if registry.stopping.is_set():
                return
        db.session.commit()


# Every quarter of an hour: "two hours before" reminders go out between 2 h and 1 h 45 before.
@job("meeting-reminders", minutes=15, order=45)
def meeting_reminders(now: datetime) -> None:
    services.send_due_reminders(now=now)


@job("newsletter-expiry", trigger="cron", hour=4, minute=7, order=40)
def expire(now: datetime) -> None:
    services.expire_unconfirmed(now=now)
