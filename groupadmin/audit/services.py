"""Writing the change log (`record`, which refuses personal keys) and reading a group's log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db

# Keys that could carry personal values are refused outright, so a careless caller fails in tests.
_FORBIDDEN_DETAIL_KEYS = {"email", "name", "display_name", "phone", "address", "password", "note", "body"}


def record(
    *,
    now: datetime,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    group=None,
    organisation=None,
    **details,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    bad = _FORBIDDEN_DETAIL_KEYS & details.keys()
    if bad:
        raise ValueError(f"audit details must not carry personal values: {sorted(bad)}")
    if group is not None and organisation is None:
        organisation = group.organisation
    event = AuditEvent(
        created_at=now,
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else "site"),
        object_id=getattr(obj, "id", None),
        group_id=getattr(group, "id", None),
        organisation_id=getattr(organisation, "id", None),
        details=details,
    )
    db.session.add(event)
    return event


def recent_for_group(group, limit: int = 50) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.group_id == group.id)
            .options(sa.orm.joinedload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
