"""Leaving, at once and safely.

- Every newsletter message carries ``List-Unsubscribe`` with the one-click link of its subscription: a
  POST of ``List-Unsubscribe=One-Click`` there (RFC 8058: no cookie, no CSRF token) unsubscribes at
  once and cancels that subscription's messages still waiting. A GET of it only asks.
- The footer link opens the subscriber's preference page (the address masked), which asks before
  acting: leave any list, download what we hold, or be forgotten everywhere (subscriptions, outbox
  copies, the undeliverable flag).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin import signing
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.newsletters.models import MailingList, MeetingReminder, Subscriber, Subscription
from groupadmin.newsletters.services import throttle
from groupadmin.newsletters.services.lists import mask  # noqa: F401  (re-exported)

log = logging.getLogger("groupadmin.newsletters")

# Mail is read late and mail clients keep the header: the links work for a long time.
LINK_MAX_AGE = timedelta(days=400)
ACTIVE = ("unconfirmed", "confirmed")


def leave_url(subscription: Subscription) -> str:
    token = signing.sign("news-leave", {"s": subscription.id, "h": subscription.subscriber.email_hash[:16]})
    return mail.external_url("newsletters.leave", token=token)


def load_leave(token: str) -> Subscription | None:
    """The subscription a one-click link stands for; None when it is gone (forgotten, expired);
    LinkProblem when the link is not ours."""
    data = signing.unsign("news-leave", token, max_age=LINK_MAX_AGE, expired=LinkProblem.INVALID)
    subscription = db.session.get(Subscription, data["s"]) if isinstance(data.get("s"), int) else None
    if subscription is None or subscription.subscriber.email_hash[:16] != data.get("h"):
        return None
    return subscription


def load_subscriber(token: str) -> Subscriber | None:
    """The subscriber a preference link stands for; None when forgotten; LinkProblem when not ours."""
    data = signing.unsign("news-prefs", token, max_age=LINK_MAX_AGE, expired=LinkProblem.INVALID)
    subscriber = db.session.get(Subscriber, data["p"]) if isinstance(data.get("p"), int) else None
    if subscriber is None or subscriber.email_hash[:16] != data.get("h"):
        return None
    return subscriber


def pending_key_pattern(subscription_id: int) -> str:
    """The outbox keys of one subscription's newsletters (``newsletter:<issue>:<subscription>``)."""
    return f"newsletter:%:{subscription_id}"


def unsubscribe(subscription: Subscription, *, now: datetime) -> bool:
    """Leave the list at once and cancel what still waits for this subscription. False when it had left
    already (nothing changed)."""
    mail.cancel_waiting(key_like=pending_key_pattern(subscription.id), reason="cancelled: unsubscribed")
    if subscription.status not in ACTIVE:
        return False
    subscription.status = "unsubscribed"
    subscription.unsubscribed_at = now
    log.info("newsletters.unsubscribed", extra={"fields": {"subscription_id": subscription.id}})
    return True


def subscriptions_of(subscriber: Subscriber) -> list[Subscription]:
    """The subscriber's subscriptions still on (waiting or confirmed), with their lists."""
    return list(
        db.session.scalars(
            sa.select(Subscription)
            .join(MailingList, MailingList.id == Subscription.list_id)
            .where(Subscription.subscriber_id == subscriber.id, Subscription.status.in_(ACTIVE))
            .options(sa.orm.contains_eager(Subscription.mailing_list))
            .order_by(MailingList.name)
        )
    )


def subscription_of(subscriber: Subscriber, subscription_id: int) -> Subscription | None:
    return db.session.scalar(
        sa.select(Subscription).where(
            Subscription.id == subscription_id, Subscription.subscriber_id == subscriber.id
        )
    )


def what_we_hold(subscriber: Subscriber) -> dict:
    """Everything stored about a subscriber, for them to download."""
    subscriptions = db.session.scalars(
        sa.select(Subscription)
        .where(Subscription.subscriber_id == subscriber.id)
        .options(sa.orm.joinedload(Subscription.mailing_list))
        .order_by(Subscription.id)
    )
    return {
        "email": subscriber.email,
        "first_name": subscriber.first_name,
        "language": subscriber.language,
        "since": subscriber.created_at.isoformat(),
        "subscriptions": [
            {
                "list": s.mailing_list.name,
                "status": s.status,
                "consent": {
                    "at": s.consent_at.isoformat(),
                    "how": s.consent_source,
                    "wording": s.consent_wording,
                    "wording_version": s.consent_version,
                },
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
                "bounced_at": s.bounced_at.isoformat() if s.bounced_at else None,
            }
            for s in subscriptions
        ],
        "meeting_reminders": [
            {
                "meeting": r.meeting.name,
                "when": r.timing,
                "status": r.status,
                "consent": {"at": r.consent_at.isoformat(), "wording": r.consent_wording},
            }
            for r in db.session.scalars(
                sa.select(MeetingReminder).where(MeetingReminder.subscriber_id == subscriber.id)
            )
        ],
        "tracking": "none: no open pixels, no rewritten links",
    }


def forget(subscriber: Subscriber, *, now: datetime) -> None:
    """Forget a subscriber everywhere: their subscriptions and meeting reminders, the outbox's copies
    (waiting ones cancelled, sent ones emptied), the undeliverable flag, and the sign-up counts of
    their address."""
    mail.forget_address(subscriber.email, now=now)
    throttle.forget("news-addr:" + subscriber.email_hash)
    db.session.execute(sa.delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
    db.session.execute(sa.delete(MeetingReminder).where(MeetingReminder.subscriber_id == subscriber.id))
    db.session.delete(subscriber)
    log.info("newsletters.forgotten", extra={"fields": {"subscriber_id": subscriber.id}})
