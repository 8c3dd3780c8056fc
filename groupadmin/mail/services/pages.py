"""What the pages and commands show of the outbox, and what a site administrator does there (send a
failed message again, clear an address's flag): audited, never a personal value in the record."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage, UndeliverableAddress
from groupadmin.mail.services.relay import transport_from_config
from groupadmin.mail.services.tables import HELD
from groupadmin.mail.services.undeliverable import open_alerts

PER_PAGE = 50
UNDELIVERABLE_SHOWN = 200


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status))
    counts = dict.fromkeys(("pending", "sending", "sent", "failed"), 0)
    counts.update({status: n for status, n in rows})
    return counts


def counts_for_keys(key_like: str) -> dict[str, int]:
    """{status: messages} of the messages whose idempotency key matches the LIKE pattern `key_like` (a
    domain's own keys, e.g. one newsletter issue's), with the held ones apart (as "held")."""
    held = sa.and_(OutboxMessage.status == "failed", OutboxMessage.last_error == HELD)
    status = sa.case((held, "held"), else_=OutboxMessage.status)
    rows = db.session.execute(
        sa.select(status, sa.func.count())
        .where(OutboxMessage.idempotency_key.like(key_like))
        .group_by(status)
    )
    counts = dict.fromkeys(("pending", "sending", "sent", "failed", "held"), 0)
    counts.update({s: n for s, n in rows})
    return counts


def outbox_page(page: int) -> dict:
    """The site administrator's outbox page: failed messages (a page of them), flagged addresses,
    counts by status, open alerts and the transport in use."""
    failed = db.paginate(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .options(sa.orm.joinedload(OutboxMessage.group))
        .order_by(OutboxMessage.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    undeliverable = db.session.scalars(
        sa.select(UndeliverableAddress)
        .options(sa.orm.joinedload(UndeliverableAddress.group))
        .order_by(UndeliverableAddress.created_at.desc(), UndeliverableAddress.id.desc())
        .limit(UNDELIVERABLE_SHOWN)
    ).all()
    return {
        "failed": failed,
        "undeliverable": undeliverable,
        "counts": counts_by_status(),
        "alerts": open_alerts(),
        "transport": transport_from_config().describe(),
    }


def mask(address: str | None) -> str | None:
    """``j***@example.org``: enough for its owner to recognise, not enough to read out or copy."""
    if not address:
        return None
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def messages_page(page: int, group=None):
    """Mail newest first, a page at a time — a group's, or every group's for the site administrator:
    when, to whom (masked), subject, status and the last error; never a body."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if group is not None:
        query = query.where(OutboxMessage.group_id == group.id)
    else:
        query = query.options(sa.orm.joinedload(OutboxMessage.group))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def retry(message: OutboxMessage, *, now: datetime, actor) -> bool:
    """Send a failed message again (from a fresh day of retries). False when there is nothing to send."""
    if message.status != "failed" or message.recipient is None:
        return False
    message.status, message.attempts, message.next_attempt_at = "pending", 0, now
    message.lease_owner = message.lease_expires_at = None
    audit.record(now=now, actor=actor, action="outbox.retried", obj=message, group=message.group)
    return True


def clear_undeliverable(entry: UndeliverableAddress, *, now: datetime, actor) -> None:
    """Write to the address again (failed messages stay failed, to be sent again one by one)."""
    db.session.delete(entry)
    audit.record(now=now, actor=actor, action="undeliverable.cleared", obj=entry, kind=entry.kind)


def undeliverable_for_group(group) -> list[UndeliverableAddress]:
    """Flagged addresses this group wrote to (or that were flagged through its mail)."""
    return list(
        db.session.scalars(
            sa.select(UndeliverableAddress)
            .where(_of_group(group))
            .order_by(UndeliverableAddress.created_at.desc())
        )
    )


def count_undeliverable_for_group(group) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(UndeliverableAddress).where(_of_group(group))
    )


def _of_group(group):
    return sa.or_(
        UndeliverableAddress.group_id == group.id,
        UndeliverableAddress.address_hash.in_(
            sa.select(OutboxMessage.recipient_hash).where(OutboxMessage.group_id == group.id)
        ),
    )


def waiting_count(now: datetime) -> int:
    """Messages being sent, or due at `now` (`mail deliver --drain` waits for them); commits."""
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(
            sa.or_(
                OutboxMessage.status == "sending",
                sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            )
        )
    )
    db.session.commit()
    return waiting


def status_lines() -> list[str]:
    """The outbox's part of `flask scheduler status`: counts by status and open alerts."""
    counts = counts_by_status()
    lines = ["Outbox: " + ", ".join(f"{status} {n}" for status, n in counts.items())]
    for alert in open_alerts():
        lines.append(f"Mail alert ({alert.kind}) since {alert.created_at:%Y-%m-%d %H:%M} UTC: {alert.detail}")
    return lines
