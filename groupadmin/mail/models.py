"""The outbox, the list of addresses we no longer write to, and alerts for the site administrator."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.crypto import EncryptedString
from groupadmin.database import IdMixin, TimestampMixin, UTCDateTime, choice_check
from groupadmin.extensions import db

STATUSES = ("pending", "sending", "sent", "failed")
UNDELIVERABLE_KINDS = ("refused", "stopped")


class OutboxMessage(IdMixin, TimestampMixin, db.Model):
    """One message to one recipient, written in the transaction of the change that causes it.

    The relay claims due rows (``status`` pending, or sending with an expired lease; for a row being
    sent ``next_attempt_at`` is the lease's expiry, so one index serves both), sends them and marks
    each one right after its send. The recipient, subject and bodies are personal data: encrypted at
    rest, and purged after the retention period, when the row keeps only its key, status and times.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        choice_check("status", STATUSES),
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
        # Only rows still holding personal data: the retention purge stays cheap however many are kept.
        sa.Index(
            "ix_outbox_message_unpurged",
            "created_at",
            sqlite_where=sa.text("recipient_hash IS NOT NULL"),
            postgresql_where=sa.text("recipient_hash IS NOT NULL"),
        ),
    )

    # Unique: enqueueing the same key again does nothing (a job that runs twice sends once).
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="SET NULL"), index=True)
    # The template pair it was rendered from ("auth/invitation"): says what kind of message it is.
    template: Mapped[str] = mapped_column(sa.String(100))
    recipient: Mapped[str | None] = mapped_column(EncryptedString)
    recipient_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    subject: Mapped[str | None] = mapped_column(EncryptedString)
    text_body: Mapped[str | None] = mapped_column(EncryptedString)
    html_body: Mapped[str | None] = mapped_column(EncryptedString)
    # Extra headers (From, Reply-To, List-Unsubscribe...), checked for CR/LF at enqueue time.
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The server's answer or the connection problem; addresses in it are redacted, never a body.
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # Stable across attempts, so a resend after a crash is recognisably the same message.
    message_id: Mapped[str] = mapped_column(sa.String(255))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group = relationship("Group")

    def __repr__(self) -> str:  # never the recipient: reprs end up in logs
        return f"<OutboxMessage {self.id} {self.status}>"


class UndeliverableAddress(IdMixin, db.Model):
    """An address we do not write to: the server refused it for good (5xx), or its owner asked us to stop.

    Found by its keyed hash; the address itself is kept encrypted so an administrator can see what is
    flagged, and secretaries can see which of their group's addresses need correcting.
    """

    __tablename__ = "undeliverable_address"
    __table_args__ = (choice_check("kind", UNDELIVERABLE_KINDS),)

    address_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    address: Mapped[str | None] = mapped_column(EncryptedString)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="refused")
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    group = relationship("Group")

    def __repr__(self) -> str:
        return f"<UndeliverableAddress {self.id} {self.kind}>"


class MailAlert(IdMixin, db.Model):
    """A fault of the mail set-up as a whole (the server refused our session: authentication, relaying).

    Shown to site administrators on the outbox page until mail flows again; never personal data.
    """

    __tablename__ = "mail_alert"

    kind: Mapped[str] = mapped_column(sa.String(20))
    detail: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
