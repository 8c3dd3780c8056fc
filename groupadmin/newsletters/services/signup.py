"""Signing up, always with double opt-in: the same answer and the same one message whatever the address
(new, waiting, subscribed already), a confirmation link that shows a page on GET and confirms only on
POST, sign-ups that expire unconfirmed after seven days, and limits per address and per client.

Bots: the form's honeypot and minimum fill time are checked here too (`check_form_timing`), so the web
and the tests share one rule. Nothing here says whether an address is known.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import crypto, signing
from groupadmin.errors import LinkProblem, UserError
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.newsletters.models import MailingList, Subscriber, Subscription
from groupadmin.newsletters.services import throttle
from groupadmin.newsletters.services.messages import list_mail_values

log = logging.getLogger("groupadmin.newsletters")

CONFIRM_MAX_AGE = timedelta(days=7)
FORM_MAX_AGE = timedelta(days=1)
WINDOW = timedelta(hours=1)


class SignupError(UserError):
    """A sign-up form that cannot be taken as sent (a bad address, no consent, sent too fast)."""


class Throttled(UserError):
    """Too many sign-ups from one client: the page answers 429."""

    status = 429


# ---------------------------------------------------------------------------------------------------
# The form's timing (bots fill a form in no time)


def form_stamp(now: datetime) -> str:
    return signing.sign("news-form", {"t": int(now.timestamp())})


def check_form_timing(stamp: str, *, now: datetime) -> None:
    """SignupError unless the form was shown at least ``NEWSLETTER_MIN_FILL_SECONDS`` ago (and within a
    day): a person reading the form takes a few seconds; a bot posts at once."""
    try:
        shown = signing.unsign("news-form", stamp or "", max_age=FORM_MAX_AGE).get("t")
    except LinkProblem:
        shown = None
    minimum = current_app.config["NEWSLETTER_MIN_FILL_SECONDS"]
    age = now.timestamp() - shown if isinstance(shown, int) else -1
    if not minimum <= age <= FORM_MAX_AGE.total_seconds():
        raise SignupError(_l("Please check the form and send it again."))


# ---------------------------------------------------------------------------------------------------
# Signing up


def request_signup(
    mlist: MailingList, *, email: str, first_name: str | None, client: str | None, now: datetime
) -> None:
    """Someone asked to join a public list: one message to the address (a confirmation link, or "you
    are on this list already"), within the limits. Raises SignupError for an address our mail cannot
    carry, Throttled when this client asked too often. Otherwise the same outcome whatever the address."""
    address = checked_address(email)
    if not within_limits(address, client=client, now=now):
        log.info("newsletters.signup_limited", extra={"fields": {"list_id": mlist.id}})
        return  # the same answer; no more mail to this address for now
    subscriber = subscriber_for(address, first_name=first_name, language=mlist.language, now=now)
    subscription = _subscription(mlist, subscriber, now)
    subscription.requests += 1
    if subscription.status == "confirmed":
        _send(subscription, "already", now)
        return
    record_consent(subscription, mlist, source="form", actor=None, now=now)
    subscription.status = "unconfirmed"
    subscription.requested_at = now
    _send(subscription, "confirm", now)


def checked_address(email: str) -> str:
    """The address as our mail carries it, or SignupError beside the email field."""
    try:
        return mail.normalise_address(email)
    except mail.MailError as error:
        raise SignupError(_l("Enter one email address, like name@example.org."), field="email") from error


def within_limits(address: str, *, client: str | None, now: datetime) -> bool:
    """Count a request from `client` for `address`: Throttled when the client asked too often this
    hour; False (send nothing, answer the same) when the address had its messages for this hour."""
    config = current_app.config
    if client and not throttle.hit(
        "news-client:" + crypto.lookup_hash(client),
        limit=config["NEWSLETTER_CLIENT_LIMIT"],
        window=WINDOW,
        now=now,
    ):
        raise Throttled(_l("Too many sign-ups from this network. Please wait an hour and try again."))
    return throttle.hit(
        "news-addr:" + crypto.lookup_hash(address),
        limit=config["NEWSLETTER_ADDRESS_LIMIT"],
        window=WINDOW,
        now=now,
    )


def subscriber_for(address: str, *, first_name: str | None, language: str, now: datetime) -> Subscriber:
    """The subscriber with this address, created if new (a first name given fills an empty one)."""
    address_hash = crypto.lookup_hash(address)
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email_hash == address_hash))
    if subscriber is None:
        subscriber = Subscriber(email=address, email_hash=address_hash, language=language, created_at=now)
        db.session.add(subscriber)
    if first_name and not subscriber.first_name:
        subscriber.first_name = first_name
    return subscriber


def _subscription(mlist: MailingList, subscriber: Subscriber, now: datetime) -> Subscription:
    db.session.flush()
    subscription = db.session.scalar(
        sa.select(Subscription).where(
            Subscription.list_id == mlist.id, Subscription.subscriber_id == subscriber.id
        )
    )
    if subscription is None:
        subscription = Subscription(
            mailing_list=mlist, subscriber=subscriber, status="unconfirmed", requested_at=now, requests=0
        )
        record_consent(subscription, mlist, source="form", actor=None, now=now)
        db.session.add(subscription)
        db.session.flush()
    return subscription


def record_consent(
    subscription: Subscription, mlist: MailingList, *, source: str, actor, now: datetime
) -> None:
    """The consent record: when, how, the wording shown (and its version), who recorded it."""
    subscription.consent_at = now
    subscription.consent_source = source
    subscription.consent_wording = mlist.consent_wording
    subscription.consent_version = mlist.consent_version
    subscription.recorded_by = actor


def _send(subscription: Subscription, kind: str, now: datetime) -> None:
    """The one message a sign-up request gets: "confirm" (with the link) or "already" subscribed."""
    mlist, subscriber = subscription.mailing_list, subscription.subscriber
    values = list_mail_values(mlist)
    context = {"list_name": mlist.name, "first_name": subscriber.first_name}
    if kind == "confirm":
        token = signing.sign("news-confirm", {"s": subscription.id, "r": subscription.requests})
        context["confirm_url"] = mail.external_url("newsletters.confirm", token=token)
        subject = _l("Please confirm: %(name)s", name=mlist.name)
    else:
        context["preferences_url"] = preferences_url(subscriber)
        subject = _l("You are on the list: %(name)s", name=mlist.name)
    mail.enqueue(
        key=f"news-{kind}:{subscription.id}:{subscription.requests}",
        to=subscriber.email,
        subject=subject,
        template=f"newsletters/{kind}",
        context=context,
        now=now,
        locale=subscriber.language,
        **values,
    )


def preferences_url(subscriber: Subscriber) -> str:
    token = signing.sign("news-prefs", {"p": subscriber.id, "h": subscriber.email_hash[:16]})
    return mail.external_url("newsletters.preferences", token=token)


# ---------------------------------------------------------------------------------------------------
# Confirming


def load_confirmation(token: str) -> Subscription:
    """The subscription a confirmation link stands for; LinkProblem when the link is not ours, older
    than seven days, or was replaced by a newer request (only the latest link confirms)."""
    data = signing.unsign("news-confirm", token, max_age=CONFIRM_MAX_AGE)
    subscription = db.session.get(Subscription, data.get("s")) if isinstance(data.get("s"), int) else None
    if subscription is None:
        raise LinkProblem(_l("This sign-up has expired. You can sign up again on the list's page."))
    if subscription.status != "confirmed" and data.get("r") != subscription.requests:
        raise LinkProblem(_l("A newer confirmation link was sent. Please use the latest one."))
    if subscription.status in ("unsubscribed", "bounced"):
        raise LinkProblem(_l("This sign-up has expired. You can sign up again on the list's page."))
    return subscription


def confirm(subscription: Subscription, *, now: datetime) -> bool:
    """Confirm a waiting sign-up; False (nothing changed) when it was confirmed already."""
    if subscription.status == "confirmed":
        return False
    subscription.status = "confirmed"
    subscription.confirmed_at = now
    log.info("newsletters.confirmed", extra={"fields": {"subscription_id": subscription.id}})
    return True


def expire_unconfirmed(*, now: datetime) -> int:
    """Sign-ups left unconfirmed for seven days go, and subscribers left with no list at all."""
    gone = db.session.execute(
        sa.delete(Subscription)
        .where(Subscription.status == "unconfirmed", Subscription.requested_at < now - CONFIRM_MAX_AGE)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.delete(Subscriber)
        .where(~sa.exists().where(Subscription.subscriber_id == Subscriber.id))
        .execution_options(synchronize_session=False)
    )
    throttle.purge(older_than=now - timedelta(days=1))
    if gone:
        log.info("newsletters.expired", extra={"fields": {"subscriptions": gone}})
    return gone
