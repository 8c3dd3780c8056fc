"""Retries: exponential backoff with jitter after a temporary failure, and when to give up."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app

from groupadmin.mail.services.tables import RELEASED, update_rows

RETRY_CAP = timedelta(hours=2)


def nominal_delay(attempt: int) -> timedelta:
    base = timedelta(seconds=current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return min(base * 2 ** min(attempt - 1, 30), RETRY_CAP)


def retry_delay(attempt: int) -> timedelta | None:
    """How long to wait after failed attempt number `attempt` (1, 2, ...): exponential backoff from
    ``MAIL_RETRY_BASE_SECONDS``, doubling up to two hours, with ±25 % jitter so that messages that
    failed together do not all come back together. None once the attempts so far span more than
    ``MAIL_RETRY_MAX_AGE`` (about a day): then the message fails."""
    spent = sum((nominal_delay(n) for n in range(1, attempt + 1)), timedelta())
    if spent > current_app.config["MAIL_RETRY_MAX_AGE"]:
        return None
    return nominal_delay(attempt) * random.uniform(0.75, 1.25)


def retry_later(sql, row, error: str, now: datetime) -> bool:
    """Record a temporary failure; True when the message will be tried again, False when it failed."""
    attempts = row.attempts + 1
    delay = retry_delay(attempts)
    done = {"attempts": attempts, "last_error": error[:500], **RELEASED}
    if delay is None:
        update_rows(sql, row.id, status="failed", **done)
        return False
    update_rows(sql, row.id, status="pending", next_attempt_at=now + delay, **done)
    return True
