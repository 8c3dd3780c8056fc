"""Writing the change log (`record`, which refuses personal keys) and reading a group's log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from groupadmin.audit.models import AuditEvent
from groupadmin.auth.models import User
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


PER_PAGE = 100
# Details that name a person by their account: the change log shows that account's name.
PERSON_DETAILS = ("volunteer_id",)


def group_page(group, page: int):
    """One page of the group's change log, the newest first (a fixed number of queries)."""
    return db.paginate(
        sa.select(AuditEvent)
        .where(AuditEvent.group_id == group.id)
        .options(sa.orm.joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )


def people_named(events) -> dict[int, str]:
    """The names of the accounts the events' details point to (`PERSON_DETAILS`), in one query: an
    account removed since is left out (the log then names nobody)."""
    ids = {
        value
        for event in events
        for key, value in (event.details or {}).items()
        if key in PERSON_DETAILS and isinstance(value, int)
    }
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))).all())
