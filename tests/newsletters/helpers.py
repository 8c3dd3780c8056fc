"""Builders for newsletter tests: lists, subscribers and the sign-up form, through the real services."""

from __future__ import annotations

import email
import itertools
import re
from datetime import timedelta
from email import policy

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.mail import transports
from groupadmin.mail.models import OutboxMessage
from groupadmin.newsletters import services
from groupadmin.newsletters.models import Subscription
from tests.conftest import NOW

_seq = itertools.count(1)


def mailing_list(owner, *, slug=None, name=None, visibility="public", **values):
    n = next(_seq)
    mlist = services.save_list(
        owner,
        None,
        {
            "name": name or f"News {n}",
            "slug": slug or f"news-{n}",
            "description": "What is on.",
            "visibility": visibility,
            "language": "en",
            "sender_name": None,
            "consent_wording": "I agree to receive this newsletter.",
            **values,
        },
        now=NOW,
    )
    db.session.commit()
    return mlist


def subscribe(mlist, email: str, *, confirmed=True, first_name=None, now=NOW) -> Subscription:
    """A sign-up through the service (and its confirmation), without the web form."""
    services.request_signup(mlist, email=email, first_name=first_name, client=None, now=now)
    subscriber = services.subscriber_for(email, first_name=None, language="en", now=now)
    subscription = db.session.scalar(
        sa.select(Subscription).filter_by(list_id=mlist.id, subscriber_id=subscriber.id)
    )
    if confirmed:
        services.confirm(subscription, now=now)
    db.session.commit()
    return subscription


def form(email: str, *, shown=NOW - timedelta(seconds=30), **extra) -> dict:
    """The sign-up form as a person sends it: shown half a minute ago, consent ticked."""
    return {"email": email, "consent": "y", "started": services.form_stamp(shown), **extra}


def outbox(template_prefix: str = "newsletters/") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template.startswith(template_prefix))
            .order_by(OutboxMessage.id)
        )
    )


def deliver(directory, now=NOW):
    return mail.deliver_due(now=now, transport=transports.from_url(f"file://{directory}"))


def read_eml(path):
    """A delivered message, parsed: headers and its plain-text part decoded."""
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return message, message.get_body(("plain",)).get_content()


def link_in(text: str, path: str) -> str:
    """The path of the first link to `path` in a message body (BASE_URL is http://localhost)."""
    match = re.search(rf"http://localhost({re.escape(path)}[^\s\"<>]+)", text)
    assert match, f"no {path} link in the message"
    return match.group(1)


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
