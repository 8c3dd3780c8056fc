"""Addresses we no longer write to (refused for good, or their owner asked us to stop), and alerts for
the site administrator when the mail set-up as a whole fails (the server refused our session)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.mail.models import MailAlert, UndeliverableAddress
from groupadmin.mail.services.tables import ALERTS, HELD, OUTBOX, UNDELIVERABLE, insert_for

# ---------------------------------------------------------------------------------------------------
# Undeliverable addresses


def is_flagged(address_hash: str) -> bool:
    return (
        db.session.scalar(
            sa.select(UndeliverableAddress.id).where(UndeliverableAddress.address_hash == address_hash)
        )
        is not None
    )


def flagged_among(address_hashes: set[str]) -> set[str]:
    """Which of these address hashes are flagged (one query)."""
    if not address_hashes:
        return set()
    return set(
        db.session.scalars(
            sa.select(UndeliverableAddress.address_hash).where(
                UndeliverableAddress.address_hash.in_(address_hashes)
            )
        )
    )


def is_undeliverable(address: str) -> bool:
    return is_flagged(crypto.lookup_hash(address))


def flag_undeliverable(
    address: str | None,
    *,
    address_hash: str,
    reason: str,
    now: datetime,
    group_id=None,
    kind: str = "refused",
    sql=None,
) -> None:
    """Mark an address undeliverable (once) and hold every message still waiting for it."""
    sql = db.session if sql is None else sql
    insert = insert_for(sql)
    sql.execute(
        insert(UNDELIVERABLE)
        .values(
            address_hash=address_hash,
            address=address,
            group_id=group_id,
            kind=kind,
            reason=reason[:300],
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["address_hash"])
    )
    sql.execute(
        OUTBOX.update()
        .where(OUTBOX.c.recipient_hash == address_hash, OUTBOX.c.status == "pending")
        .values(status="failed", last_error=HELD)
    )


def clear_undeliverable(entry: UndeliverableAddress) -> None:
    db.session.delete(entry)


# ---------------------------------------------------------------------------------------------------
# Alerts


def alert(sql, kind: str, detail: str, now: datetime) -> None:
    open_ = sql.execute(
        sa.select(ALERTS.c.id).where(ALERTS.c.kind == kind, ALERTS.c.cleared_at.is_(None)).limit(1)
    ).scalar()
    if open_ is None:
        sql.execute(ALERTS.insert().values(kind=kind, detail=detail[:500], created_at=now, last_seen_at=now))
    else:
        sql.execute(ALERTS.update().where(ALERTS.c.id == open_).values(detail=detail[:500], last_seen_at=now))


def clear_alerts(sql, now: datetime) -> None:
    sql.execute(ALERTS.update().where(ALERTS.c.cleared_at.is_(None)).values(cleared_at=now))


def open_alerts() -> list[MailAlert]:
    return list(
        db.session.scalars(
            sa.select(MailAlert).where(MailAlert.cleared_at.is_(None)).order_by(MailAlert.created_at)
        )
    )


def last_alert_seen_at() -> datetime | None:
    """When an open alert was last seen (None when mail flows), and commit."""
    last = db.session.scalar(
        sa.select(sa.func.max(MailAlert.last_seen_at)).where(MailAlert.cleared_at.is_(None))
    )
    db.session.commit()
    return last
