"""Stop links: every message to someone without an account carries one; it stops all mail to the address."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin import signing
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage, UndeliverableAddress
from groupadmin.mail.services.undeliverable import flag_undeliverable

# A stop link keeps working for a long time: mail is read late, and RFC 8058 clients keep the header.
STOP_LINK_MAX_AGE = timedelta(days=400)


def stop_token(address_hash: str) -> str:
    return signing.sign("mail-stop", {"h": address_hash})


def load_stop_token(token: str) -> str:
    """The address hash a stop link stands for; LinkProblem when the link is not ours or too old (the
    page says "not valid" either way)."""
    data = signing.unsign("mail-stop", token, max_age=STOP_LINK_MAX_AGE, expired=LinkProblem.INVALID)
    if not isinstance(data.get("h"), str):
        raise LinkProblem.invalid()
    return data["h"]


def stop_address(address_hash: str, *, now: datetime) -> None:
    """The owner of an address asked for no more mail (a stop link): flag it, hold what waits for it."""
    address = db.session.scalar(
        sa.select(OutboxMessage.recipient)
        .where(OutboxMessage.recipient_hash == address_hash, OutboxMessage.recipient.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    flag_undeliverable(
        address, address_hash=address_hash, reason="asked to receive no more mail", now=now, kind="stopped"
    )
    db.session.execute(
        sa.update(UndeliverableAddress)
        .where(UndeliverableAddress.address_hash == address_hash)
        .values(kind="stopped")
        .execution_options(synchronize_session=False)
    )
