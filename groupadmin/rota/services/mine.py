"""A signed-in user's own turns: the rota people a secretary linked to their account (the person form's
"account" field, `RotaPerson.user_id`) and those people's upcoming turns across groups."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa

from groupadmin.database import UTCDateTime
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota.models import FILLING, Assignment, RotaPerson


def _upcoming(user_id, now):
    return (
        sa.select(Assignment)
        .join(RotaPerson, RotaPerson.id == Assignment.person_id)
        .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
        .where(
            RotaPerson.user_id == user_id,
            RotaPerson.removed_at.is_(None),
            Assignment.status.in_(FILLING),
            Occurrence.status == "scheduled",
            Occurrence.starts_at > now,
        )
    )


@functools.cache
def has_turns_clause() -> sa.Exists:
    """Whether the user (:user_id) has a turn to come after :now, as an EXISTS clause built once with
    bound parameters: the navigation asks it on every page (`groupadmin.home.services.navigation`)."""
    return _upcoming(
        sa.bindparam("user_id", type_=sa.Integer()), sa.bindparam("now", type_=UTCDateTime())
    ).exists()


def my_turns(user, *, now: datetime) -> list[Assignment]:
    """The user's upcoming turns, soonest first, with what the page shows loaded (one query)."""
    return list(
        db.session.scalars(
            _upcoming(user.id, now)
            .options(
                sa.orm.contains_eager(Assignment.occurrence)
                .joinedload(Occurrence.meeting)
                .joinedload(Meeting.group),
                sa.orm.contains_eager(Assignment.person),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Occurrence.starts_at, Assignment.id)
        )
    )


def my_people(user) -> list[tuple[RotaPerson, Group]]:
    """The rota people linked to the user, each with their group, for their calendar links."""
    return [
        (person, group)
        for person, group in db.session.execute(
            sa.select(RotaPerson, Group)
            .join(Group, Group.id == RotaPerson.group_id)
            .where(RotaPerson.user_id == user.id, RotaPerson.removed_at.is_(None))
            .options(sa.orm.joinedload(RotaPerson.user))
            .order_by(Group.name, RotaPerson.id)
        )
    ]


def my_person(user, person_id: int) -> RotaPerson | None:
    """One of the user's own rota people, or None (someone else's, removed or unknown)."""
    person = db.session.get(RotaPerson, person_id)
    if person is None or person.user_id != user.id or person.is_removed:
        return None
    return person
