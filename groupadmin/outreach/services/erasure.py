"""Forgetting: "asked not to be contacted" (at once, and the keyed hashes kept on the organisation's
do-not-contact list), and the retention job (personal fields erased a set time after the last
activity). Both keep only what the figures need: outcome codes, dates, source, group."""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa

from groupadmin.audit import services as audit_log
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.outreach.models import DoNotContact, FollowUp, Newcomer

log = logging.getLogger("groupadmin.outreach")

ERASE_BATCH = 500


def erase(newcomer: Newcomer, *, now: datetime, reason: str) -> None:
    """Erase the newcomer's personal fields and notes, close what is open, and remove the outbox's
    copies of mail to them (waiting ones cancelled, sent ones emptied)."""
    if newcomer.email:
        mail.forget_address(newcomer.email, now=now)
    for field in ("name", "phone", "email", "safe_times", "phone_hash", "email_hash"):
        setattr(newcomer, field, None)
    newcomer.erased_at = now
    if newcomer.status == "open":
        newcomer.status, newcomer.closed_at = "closed", now
    db.session.execute(sa.update(FollowUp).where(FollowUp.newcomer_id == newcomer.id).values(note=None))
    db.session.execute(
        sa.update(FollowUp)
        .where(FollowUp.newcomer_id == newcomer.id, FollowUp.state == "open")
        .values(state="closed")
    )
    db.session.expire(newcomer, ["follow_ups"])
    audit_log.record(
        now=now,
        actor=None,
        action="outreach.erased",
        obj=newcomer,
        group=newcomer.group,
        organisation=newcomer.organisation,
        reason=reason,
    )
    log.info("outreach.erased", extra={"fields": {"newcomer_id": newcomer.id, "reason": reason}})


def do_not_contact(newcomer: Newcomer, *, now: datetime) -> None:
    """The person asked not to be contacted: their keyed hashes join the organisation's list (so a
    new request is accepted silently and stored nowhere), then everything personal is erased."""
    for value_hash in (newcomer.phone_hash, newcomer.email_hash):
        if value_hash and not db.session.scalar(
            sa.select(DoNotContact.id).where(
                DoNotContact.organisation_id == newcomer.organisation_id,
                DoNotContact.value_hash == value_hash,
            )
        ):
            db.session.add(
                DoNotContact(organisation_id=newcomer.organisation_id, value_hash=value_hash, created_at=now)
            )
    erase(newcomer, now=now, reason="do_not_contact")


def erase_expired(*, today: date, now: datetime) -> int:
    """Retention: newcomers whose erase-after date has passed lose their personal fields (at most
    ERASE_BATCH a call; returns how many)."""
    expired = list(
        db.session.scalars(
            sa.select(Newcomer)
            .where(Newcomer.erased_at.is_(None), Newcomer.erase_after < today)
            .limit(ERASE_BATCH)
        )
    )
    for newcomer in expired:
        erase(newcomer, now=now, reason="retention")
    if expired:
        log.info("outreach.retention", extra={"fields": {"erased": len(expired)}})
    return len(expired)
