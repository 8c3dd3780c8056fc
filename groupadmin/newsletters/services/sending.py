"""Sending through the outbox: one message per confirmed subscription, key
``newsletter:<issue>:<subscription>``, enqueued in batches by a job in the subscription's order, with the
issue's cursor moved on in the same transaction, so a restart resumes where it stopped and running the
job twice sends nothing twice. A scheduled issue that could not start within ``NEWSLETTER_LATE_HOURS``
of its time is held for its managers, never sent late without warning."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.newsletters.models import NewsletterIssue, Subscriber, Subscription
from groupadmin.newsletters.services.issues import message_values, preview
from groupadmin.newsletters.services.leaving import leave_url
from groupadmin.newsletters.services.signup import preferences_url

log = logging.getLogger("groupadmin.newsletters")


def start_due(*, now: datetime) -> None:
    """Scheduled issues whose time has come start sending; those too late are held."""
    late = timedelta(hours=current_app.config["NEWSLETTER_LATE_HOURS"])
    due = db.session.scalars(
        sa.select(NewsletterIssue).where(NewsletterIssue.state == "scheduled", NewsletterIssue.send_at <= now)
    )
    for issue in due:
        if now - issue.send_at > late:
            issue.state = "held"
            log.warning("newsletters.held", extra={"fields": {"issue_id": issue.id}})
        else:
            issue.state, issue.started_at = "sending", now


def sending_issue_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(NewsletterIssue.id)
            .where(NewsletterIssue.state == "sending")
            .order_by(NewsletterIssue.id)
        )
    )


def send_batch(issue_id: int, *, now: datetime, size: int | None = None) -> bool:
    """Enqueue the next batch of an issue's messages and move its cursor; True while more remain (the
    caller commits after each batch). An issue found no longer sending (paused, cancelled) stops."""
    issue = db.session.get(NewsletterIssue, issue_id)
    if issue is None or issue.state != "sending":
        return False
    size = size or current_app.config["NEWSLETTER_BATCH"]
    batch = db.session.scalars(
        sa.select(Subscription)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(
            Subscription.list_id == issue.list_id,
            Subscription.status == "confirmed",
            Subscription.id > issue.cursor,
        )
        .options(sa.orm.contains_eager(Subscription.subscriber))
        .order_by(Subscription.id)
        .limit(size)
    ).all()
    values = message_values(issue, preview(issue))
    # One INSERT for the batch (the outbox's enqueue_many); the issue's counters change once per batch.
    issue.enqueued += mail.enqueue_many([_message(issue, s, values) for s in batch], now=now)
    if batch:
        issue.cursor = batch[-1].id
    if len(batch) < size:
        issue.state, issue.sent_at = "sent", now
        log.info("newsletters.sent", extra={"fields": {"issue_id": issue.id, "messages": issue.enqueued}})
        return False
    return True


def _message(issue: NewsletterIssue, subscription: Subscription, values: dict) -> dict:
    """``mail.enqueue``'s arguments for one subscription's copy: its key, address, links."""
    subscriber = subscription.subscriber
    return {
        **values,
        "context": {**values["context"], "preferences_url": preferences_url(subscriber)},
        "key": f"newsletter:{issue.id}:{subscription.id}",
        "to": subscriber.email,
        "locale": subscriber.language,
        "unsubscribe_url": leave_url(subscription),
    }
