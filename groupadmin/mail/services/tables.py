"""The outbox's tables as the relay writes them (SQLAlchemy Core, once per message), the dialect's
INSERT for ``ON CONFLICT DO NOTHING``, and why a message was not sent."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from groupadmin.mail.models import MailAlert, OutboxMessage, UndeliverableAddress

HELD = "held: the address is marked undeliverable"
FORGOTTEN = "forgotten: the address was erased"

OUTBOX = OutboxMessage.__table__
ALERTS = MailAlert.__table__
UNDELIVERABLE = UndeliverableAddress.__table__
RELEASED = {"lease_owner": None, "lease_expires_at": None}

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_for(sql):
    """The dialect's INSERT (for ON CONFLICT DO NOTHING), for a session or a connection."""
    dialect = (sql.get_bind() if hasattr(sql, "get_bind") else sql).dialect.name
    if dialect not in _INSERTS:  # pragma: no cover
        raise RuntimeError(f"unsupported database {dialect}")
    return _INSERTS[dialect]


def update_rows(sql, ids, **values) -> None:
    """Update outbox rows by id (Core on the table: the relay does this once per message)."""
    ids = [ids] if isinstance(ids, int) else list(ids)
    if ids:
        where = OUTBOX.c.id == ids[0] if len(ids) == 1 else OUTBOX.c.id.in_(ids)
        sql.execute(OUTBOX.update().where(where).values(**values))
