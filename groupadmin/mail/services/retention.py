"""Retention and forgetting: old messages keep only key, status and times; an erased address goes from
the outbox everywhere (waiting messages, sent ones' recipients and bodies, its undeliverable flag)."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.mail.models import MailAlert, OutboxMessage, UndeliverableAddress
from groupadmin.mail.services.tables import FORGOTTEN

log = logging.getLogger("groupadmin.mail")

_PURGED = {
    "recipient": None,
    "recipient_hash": None,
    "subject": None,
    "text_body": None,
    "html_body": None,
    "headers": None,
    "last_error": None,
    "lease_owner": None,
    "lease_expires_at": None,
}


def purge_expired(*, now: datetime) -> int:
    """Retention: sent and failed messages older than ``MAIL_RETENTION`` keep only key, status and times."""
    cutoff = now - current_app.config["MAIL_RETENTION"]
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.recipient_hash.is_not(None),
            OutboxMessage.created_at < cutoff,
            OutboxMessage.status.in_(("sent", "failed")),
        )
        .values(**_PURGED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(MailAlert).where(MailAlert.cleared_at < cutoff))
    if result.rowcount:
        log.info("mail.purged", extra={"fields": {"messages": result.rowcount}})
    return result.rowcount


def forget_address(address: str, *, now: datetime) -> int:
    """Erase an address from the outbox: messages waiting for it are cancelled (the key stays used, so
    nothing re-sends them), sent ones lose recipient and bodies, the undeliverable flag goes."""
    address_hash = crypto.lookup_hash(address)
    cancelled = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient_hash == address_hash, OutboxMessage.status.in_(("pending", "sending")))
        .values(**{**_PURGED, "status": "failed", "last_error": FORGOTTEN})
        .execution_options(synchronize_session=False)
    ).rowcount
    purged = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient_hash == address_hash)
        .values(**_PURGED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.delete(UndeliverableAddress).where(UndeliverableAddress.address_hash == address_hash)
    )
    log.info("mail.forgotten", extra={"fields": {"messages": cancelled + purged}})
    return cancelled + purged


def cancel_waiting(*, key_like: str, reason: str) -> int:
    """Cancel the messages still waiting whose idempotency key matches the SQL LIKE pattern `key_like`
    (a domain's own keys, e.g. one subscription's newsletters): they fail with `reason` and lose their
    recipient and bodies; the key stays used, so nothing re-sends them. Returns how many."""
    cancelled = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.idempotency_key.like(key_like), OutboxMessage.status == "pending")
        .values(**{**_PURGED, "status": "failed", "last_error": reason[:500]})
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled:
        log.info("mail.cancelled", extra={"fields": {"messages": cancelled}})
    return cancelled
