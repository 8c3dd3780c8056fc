"""The change log: one AuditEvent per change (who, what, which object, when), never personal values."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime
from groupadmin.extensions import db


class AuditEvent(IdMixin, db.Model):
    """Who did what to which object, when. Never the personal values themselves (no emails, names)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_group_created", "group_id", "created_at"),)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Names of changed fields, roles, counts: structured, and never personal values.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User")
