"""The leader lease: a row of our own that makes exactly one scheduler process run the jobs.

A scheduler takes the lease when it is free or expired and renews it every poll interval; others
find it held and stand by, and take it over once it expires (its holder died or lost the database).
Callers pass the time; each function commits, since a lease is worthless until others can see it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from groupadmin.extensions import db
from groupadmin.scheduler.models import SchedulerLease

LEASE_NAME = "scheduler"


def _insert():
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(SchedulerLease)


def acquire_lease(owner: str, *, now: datetime, seconds: float, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease for `owner`; False when another holder's lease is still running."""
    expires = now + timedelta(seconds=seconds)
    renewed = db.session.execute(
        sa.update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            sa.or_(SchedulerLease.owner == owner, SchedulerLease.expires_at <= now),
        )
        .values(
            owner=owner,
            expires_at=expires,
            acquired_at=sa.case((SchedulerLease.owner == owner, SchedulerLease.acquired_at), else_=now),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not renewed:
        inserted = db.session.execute(
            _insert()
            .values(name=name, owner=owner, acquired_at=now, expires_at=expires)
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(SchedulerLease.name)
        ).scalar()
        renewed = int(inserted is not None)
    db.session.commit()
    return renewed == 1


def release_lease(owner: str, *, now: datetime, name: str = LEASE_NAME) -> None:
    """Give the lease up (a clean stop), so a standby takes over at its next poll."""
    db.session.execute(
        sa.update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.owner == owner)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def current_lease(name: str = LEASE_NAME) -> SchedulerLease | None:
    return db.session.get(SchedulerLease, name)
