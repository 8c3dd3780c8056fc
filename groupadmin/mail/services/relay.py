"""The relay: claim due messages with a lease, send them, commit each mark right after its send.

At worst a crash between the server's acceptance and the mark sends one message twice; no message is
lost. SMTP 4xx and connection errors are retried with backoff; a 5xx refusal of the recipient fails the
message and flags the address; a refused session holds everything and alerts the administrator.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from groupadmin.database import UTCDateTime
from groupadmin.extensions import db
from groupadmin.mail import transports
from groupadmin.mail.services.envelope import ROW_COLUMNS, build_envelope
from groupadmin.mail.services.hooks import delivery_failed
from groupadmin.mail.services.retries import nominal_delay, retry_later
from groupadmin.mail.services.tables import FORGOTTEN, HELD, OUTBOX, RELEASED, UNDELIVERABLE, update_rows
from groupadmin.mail.services.undeliverable import alert, clear_alerts, flag_undeliverable, last_alert_seen_at
from groupadmin.mail.transports import DeliveryError

log = logging.getLogger("groupadmin.mail")


@dataclass
class RelayStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    on_hold: bool = False
    problems: list[str] = field(default_factory=list)


COUNTED = ("claimed", "sent", "retried", "failed", "held")


def transport_from_config():
    root = current_app.instance_path and os.path.dirname(current_app.instance_path)
    return transports.from_url(
        current_app.config["MAIL_URL"], timeout=current_app.config["MAIL_SMTP_TIMEOUT"], root=root
    )


def relay_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ---------------------------------------------------------------------------------------------------
# Claiming


def claim(sql, now: datetime, limit: int, owner: str) -> list[int]:
    """Lease up to `limit` due messages to `owner`, and commit: pending ones whose time has come, and
    ones being sent whose lease expired (a crashed relay). PostgreSQL skips rows another relay is
    claiming (FOR UPDATE SKIP LOCKED); SQLite serialises writers, so the conditional update is enough.
    `sql` is the relay's connection (or a session)."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    due = (
        sa.select(OUTBOX.c.id)
        .where(OUTBOX.c.status.in_(("pending", "sending")), OUTBOX.c.next_attempt_at <= now)
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        OUTBOX.update()
        .where(OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(
            status="sending", lease_owner=owner, lease_expires_at=now + lease, next_attempt_at=now + lease
        )
        .returning(OUTBOX.c.id)
    )
    ids = list(sql.execute(stmt).scalars())
    sql.commit()
    return ids


def _on_hold(now: datetime) -> bool:
    """After the server refused our session or could not be reached, wait one retry delay before the
    next attempt, instead of hammering it (and every message waits: nothing is failed or flagged)."""
    last = last_alert_seen_at()
    return last is not None and now < last + nominal_delay(1)


# ---------------------------------------------------------------------------------------------------
# Delivering


def deliver_due(
    *,
    now: datetime,
    transport=None,
    batch: int | None = None,
    max_batches: int | None = None,
    owner: str | None = None,
    should_stop=None,
) -> RelayStats:
    """The relay: deliver every message due at `now`, batch after batch, over one connection.

    Each batch is claimed with a lease (``MAIL_LEASE_SECONDS``) and committed; then each message is
    sent and its mark committed at once. Time moves on from `now` as the run takes real time.
    `should_stop()` is asked between batches (the scheduler stopping).
    """
    batch = batch or current_app.config["MAIL_RELAY_BATCH"]
    owner = owner or relay_owner()
    stats = RelayStats()
    if _on_hold(now):
        stats.on_hold = True
        return stats
    transport = transport or transport_from_config()
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    batches = 0
    # The relay works on a connection of its own for the whole run: one mark committed per message,
    # without a session's bookkeeping or a pool check-out (and ping) for each.
    with db.engine.connect() as sql, transport.session() as session:
        while max_batches is None or batches < max_batches:
            if should_stop is not None and should_stop():  # the scheduler is stopping: the rest waits
                break
            ids = claim(sql, clock(), batch, owner)
            if not ids:
                break
            batches += 1
            stats.claimed += len(ids)
            if not _deliver_batch(sql, ids, session, owner, clock, stats):
                break
    if stats.claimed:
        log.info("mail.relay", extra={"fields": {k: getattr(stats, k) for k in COUNTED}})
    return stats


# The relay's hot path, once per message: one statement built once, so that SQLAlchemy only looks it up.
_MARK_SENT = sa.text(
    "UPDATE outbox_message SET status = 'sent', sent_at = :sent_at, attempts = attempts + 1,"
    " last_error = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = :id"
).bindparams(sa.bindparam("sent_at", type_=UTCDateTime()), sa.bindparam("id", type_=sa.Integer()))


def _load_batch(sql, ids: list[int], owner: str) -> tuple[list, set]:
    """The claimed rows still ours, in sending order, and which of their addresses are flagged."""
    rows = sql.execute(
        sa.select(*ROW_COLUMNS)
        .where(OUTBOX.c.id.in_(ids), OUTBOX.c.lease_owner == owner, OUTBOX.c.status == "sending")
        .order_by(OUTBOX.c.next_attempt_at, OUTBOX.c.id)
    ).all()
    flagged = set(
        sql.execute(
            sa.select(UNDELIVERABLE.c.address_hash).where(
                UNDELIVERABLE.c.address_hash.in_({r.recipient_hash for r in rows if r.recipient_hash})
            )
        ).scalars()
    )
    sql.commit()
    return rows, flagged


class _Marks:
    """The marks of one batch: the message sent last waits for its mark until the next one starts."""

    def __init__(self, sql, owner: str, clock, stats: RelayStats):
        self.sql, self.owner, self.clock, self.stats = sql, owner, clock, stats
        self.unmarked: list[dict] = []
        self.lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
        self.renew_at = clock() + self.lease / 2

    def sent(self, row) -> None:
        self.unmarked.append({"id": row.id, "sent_at": self.clock()})
        self.stats.sent += 1

    def commit(self) -> None:
        if self.unmarked:
            self.sql.execute(_MARK_SENT, self.unmarked.pop())
            if self.stats.sent == 1:  # mail flows: whatever alert was open is over
                clear_alerts(self.sql, self.clock())
            self.sql.commit()

    def renew_lease_if_due(self, rows: list, index: int) -> None:
        """A slow server: keep the rest of the batch (`rows` from `index`) ours (a heartbeat)."""
        if self.clock() < self.renew_at:
            return
        self.commit()
        now = self.clock()
        self.sql.execute(
            OUTBOX.update()
            .where(OUTBOX.c.id.in_([r.id for r in rows[index:]]), OUTBOX.c.lease_owner == self.owner)
            .values(lease_expires_at=now + self.lease, next_attempt_at=now + self.lease)
        )
        self.sql.commit()
        self.renew_at = now + self.lease / 2

    def skip(self, row) -> None:
        """Erased meanwhile; or flagged before, or refused earlier in this batch."""
        self.commit()
        error = FORGOTTEN if row.recipient is None else HELD
        update_rows(self.sql, row.id, status="failed", last_error=error, **RELEASED)
        self.sql.commit()
        if row.recipient is None:
            self.stats.failed += 1
        else:
            self.stats.held += 1


def _deliver_batch(sql, ids: list[int], session, owner: str, clock, stats: RelayStats) -> bool:
    """Send one claimed batch; False when the run must stop (the server is unreachable or refuses us).

    A sent message's mark is committed while the server reads the next message's MAIL FROM (or at
    once, when there is no next): never later than the start of the next message, so a crash leaves
    at most one accepted message unmarked, to be sent once more.
    """
    rows, flagged = _load_batch(sql, ids, owner)
    marks = _Marks(sql, owner, clock, stats)
    try:
        for index, row in enumerate(rows):
            marks.renew_lease_if_due(rows, index)
            if row.recipient is None or row.recipient_hash in flagged:
                marks.skip(row)
                continue
            try:
                session.send(build_envelope(row, lazy=True), meanwhile=marks.commit)
            except DeliveryError as error:
                marks.commit()
                if not _record_failure(sql, row, rows[index:], error, clock(), flagged, stats):
                    return False
            else:
                marks.sent(row)
    finally:
        marks.commit()
    return True


# ---------------------------------------------------------------------------------------------------
# Failures


def _record_failure(
    sql, row, rest, error: DeliveryError, now: datetime, flagged: set, stats: RelayStats
) -> bool:
    """Record why `row` was not sent, and commit. False when nothing more can go out in this run."""
    detail = str(error)
    log.warning(
        "mail.delivery_problem",
        extra={"fields": {"outbox_id": row.id, "kind": error.kind, "code": error.code}},
    )
    if error.kind == "temporary":
        if retry_later(sql, row, detail, now):
            stats.retried += 1
        else:
            stats.failed += 1
            _tell(sql, row, "gave_up", detail, now)
    elif error.kind in ("recipient", "message"):
        failed = {"status": "failed", "attempts": row.attempts + 1, "last_error": detail[:500]}
        update_rows(sql, row.id, **failed, **RELEASED)
        if error.kind == "recipient":  # the address is refused for good: flag it
            flag_undeliverable(
                row.recipient,
                address_hash=row.recipient_hash,
                reason=detail,
                now=now,
                group_id=row.group_id,
                sql=sql,
            )
            flagged.add(row.recipient_hash)
            _tell(sql, row, "refused", detail, now)
        stats.failed += 1
    else:  # "connection" or "session": nothing more can go out in this run
        _stop_run(sql, rest, error, detail, now, flagged, stats)
        return False
    sql.commit()
    return True


def _tell(sql, row, kind: str, detail: str, now: datetime) -> None:
    """The domains that asked to hear of messages failed for good (mail.services.hooks)."""
    delivery_failed(
        sql, key=row.idempotency_key, address_hash=row.recipient_hash, kind=kind, reason=detail, now=now
    )


def _stop_run(sql, rest, error: DeliveryError, detail: str, now: datetime, flagged: set, stats) -> None:
    """The server is unreachable (every message of the batch waits, with backoff) or refused our
    session (everything is held as it is, for the admin to fix); alert the admin, and commit."""
    sendable = [r for r in rest if r.recipient is not None and r.recipient_hash not in flagged]
    if error.kind == "connection":
        for other in sendable:
            if retry_later(sql, other, detail, now):
                stats.retried += 1
            else:
                stats.failed += 1
    else:
        update_rows(
            sql,
            [r.id for r in sendable],
            status="pending",
            next_attempt_at=now,
            last_error=detail[:500],
            **RELEASED,
        )
    others = [r.id for r in rest if r not in sendable]  # erased or flagged: the next run sees to them
    update_rows(sql, others, status="pending", next_attempt_at=now, **RELEASED)
    alert(sql, error.kind, detail, now)
    log.error("mail.relay_stopped", extra={"fields": {"kind": error.kind, "code": error.code}})
    stats.problems.append(detail)
    sql.commit()
