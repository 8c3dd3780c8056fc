"""Builders for rota tests: roles, people and assignments through the real services."""

from __future__ import annotations

import itertools
from datetime import time

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.meetings.models import Occurrence
from groupadmin.rota import services
from groupadmin.rota.models import Assignment
from tests.conftest import NOW

_seq = itertools.count(1)


def role(
    group,
    name=None,
    *,
    kind="other",
    per_occurrence=1,
    applies_to="all",
    remind_days=(3, 1),
    remind_at=time(10, 0),
    meeting_ids=(),
):
    r = services.save_role(
        group,
        None,
        actor=None,
        now=NOW,
        name=name or f"Role {next(_seq)}",
        kind=kind,
        per_occurrence=per_occurrence,
        applies_to=applies_to,
        meeting_ids=list(meeting_ids),
        remind_days=list(remind_days),
        remind_at=remind_at,
    )
    db.session.commit()
    return r


def person(group, name=None, *, roles=(), email="auto", phone=None, active=True):
    n = next(_seq)
    if email == "auto":
        email = f"person{n}@example.org"
    p = services.save_person(
        group,
        None,
        actor=None,
        now=NOW,
        display_name=name or f"Person {chr(65 + n % 26)}.",
        email=email,
        phone=phone,
        consent=bool(email or phone),
        role_ids=[r.id for r in roles],
        active=active,
        user_id=None,
    )
    db.session.commit()
    return p


def occurrences(meeting) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id).order_by(Occurrence.starts_at)
        )
    )


def assign(occurrence, role, person, *, confirmed=False, notify=True, now=NOW) -> Assignment:
    group = occurrence.meeting.group
    (a,) = services.assign_many(
        group,
        [services.Choice(occurrence.id, role.id, person.id)],
        actor=None,
        now=now,
        confirmed=confirmed,
        notify=notify,
        accept_warnings=True,
    )
    db.session.commit()
    return a


def outbox(template: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query))
