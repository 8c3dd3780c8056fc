"""Bounces, told by the outbox's relay (registered by the app factory: mail imports no domain): a
permanent refusal of an address marks its subscriptions bounced at once (the outbox flags the address
too, so nothing more is written to it); a newsletter that could not be delivered after every retry
counts once for its subscription, and three such issues mark it bounced. Managers see bounced
addresses masked, with the reason. Runs on the relay's connection, in Core."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from groupadmin.newsletters.models import Subscriber, Subscription

log = logging.getLogger("groupadmin.newsletters")

SUBSCRIPTIONS = Subscription.__table__
SOFT_LIMIT = 3
ACTIVE = ("unconfirmed", "confirmed")


def record_delivery_failure(
    sql, *, key: str, address_hash: str | None, kind: str, reason: str, now: datetime
):
    if kind == "refused" and address_hash:
        _bounce(
            sql,
            SUBSCRIPTIONS.c.subscriber_id.in_(
                sa.select(Subscriber.id).where(Subscriber.email_hash == address_hash).scalar_subquery()
            ),
            reason,
            now,
        )
    elif kind == "gave_up" and (subscription_id := _subscription_of(key)) is not None:
        sql.execute(
            SUBSCRIPTIONS.update()
            .where(SUBSCRIPTIONS.c.id == subscription_id)
            .values(soft_bounces=SUBSCRIPTIONS.c.soft_bounces + 1)
        )
        _bounce(
            sql,
            sa.and_(SUBSCRIPTIONS.c.id == subscription_id, SUBSCRIPTIONS.c.soft_bounces >= SOFT_LIMIT),
            f"{SOFT_LIMIT} issues could not be delivered; last: {reason}",
            now,
        )


def _bounce(sql, which, reason: str, now: datetime) -> None:
    result = sql.execute(
        SUBSCRIPTIONS.update()
        .where(which, SUBSCRIPTIONS.c.status.in_(ACTIVE))
        .values(status="bounced", bounced_at=now, bounce_reason=reason[:300])
    )
    if result.rowcount:
        log.info("newsletters.bounced", extra={"fields": {"subscriptions": result.rowcount}})


def _subscription_of(key: str | None) -> int | None:
    """The subscription id of a newsletter's key ``newsletter:<issue>:<subscription>``."""
    parts = (key or "").split(":")
    if len(parts) == 3 and parts[0] == "newsletter" and parts[2].isdigit():
        return int(parts[2])
    return None
