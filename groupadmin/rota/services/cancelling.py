"""A cancelled date seen from the rota: who a cancellation would release and how each is told (before
saving), who was released (after), and giving the same people their places back when the date is
restored before it starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.meetings.models import Occurrence
from groupadmin.rota.models import FILLING, PENDING_OR_FILLING, Assignment, RotaPerson
from groupadmin.rota.services.notifications import ask
from groupadmin.rota.services.rules import RotaError, touch

# How a released person hears of it: "mail" (told by email), "phone" (no address: the secretary must
# phone them), "none" (no address nor phone: tell them at the meeting), "not_asked" (never asked for the
# turn, so nothing to tell).
HOW = ("mail", "phone", "none", "not_asked")


@dataclass
class ReleasedTurn:
    assignment: Assignment
    how: str

    @property
    def person(self) -> RotaPerson:
        return self.assignment.person


def _how(assignment: Assignment, *, was_status: str) -> str:
    person = assignment.person
    if not (assignment.asked_at or was_status == "confirmed"):
        return "not_asked"
    if person.contact_email:
        return "mail"
    if person.phone and not person.is_removed:
        return "phone"
    return "none"


def _turns(occurrence: Occurrence, statuses) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.occurrence_id == occurrence.id, Assignment.status.in_(statuses))
            .options(
                sa.orm.joinedload(Assignment.person).joinedload(RotaPerson.user),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Assignment.id)
        )
    )


def _sorted(turns: list[ReleasedTurn]) -> list[ReleasedTurn]:
    return sorted(turns, key=lambda t: (HOW.index(t.how), t.assignment.role.position, t.person.label.lower()))


def cancel_preview(occurrence: Occurrence) -> list[ReleasedTurn]:
    """The turns cancelling this date would release, with how each person would hear of it."""
    return _sorted([ReleasedTurn(a, _how(a, was_status=a.status)) for a in _turns(occurrence, FILLING)])


def _was_confirmed(assignment: Assignment) -> bool:
    return assignment.confirmed_via is not None


def _is_unaccepted_offer(assignment: Assignment) -> bool:
    return assignment.swap_from_id is not None and assignment.confirmed_via is None


def released_turns(occurrence: Occurrence) -> list[ReleasedTurn]:
    """The turns released on this date (a swap offer that was never accepted is not a turn)."""
    return _sorted(
        [
            ReleasedTurn(a, _how(a, was_status="confirmed" if _was_confirmed(a) else "proposed"))
            for a in _turns(occurrence, ("released",))
            if not _is_unaccepted_offer(a)
        ]
    )


def places_to_give_back(occurrence: Occurrence, *, now: datetime) -> list[Assignment]:
    """The released turns of a scheduled date that has not started that can be given back as they were:
    their person is still on the rota, does not hold that role on the date again, and the role still
    has room. One per person and role (the latest)."""
    if occurrence.status != "scheduled" or occurrence.starts_at <= now:
        return []
    current = _turns(occurrence, PENDING_OR_FILLING)
    held = {(a.role_id, a.person_id) for a in current}
    taken: dict[int, int] = {}
    for a in current:
        if a.status in FILLING:
            taken[a.role_id] = taken.get(a.role_id, 0) + 1
    latest: dict[tuple[int, int], Assignment] = {}
    for a in _turns(occurrence, ("released",)):
        if not _is_unaccepted_offer(a):
            latest[(a.role_id, a.person_id)] = a
    places = []
    for key, a in sorted(latest.items(), key=lambda kv: (kv[1].role.position, kv[1].id)):
        if key in held or a.person.is_removed or a.role.archived:
            continue
        if taken.get(a.role_id, 0) >= a.role.per_occurrence:
            continue
        taken[a.role_id] = taken.get(a.role_id, 0) + 1
        places.append(a)
    return places


def give_places_back(
    occurrence: Occurrence, released_ids: set[int], *, actor, now: datetime
) -> list[Assignment]:
    """Re-create the released turns the secretary saw (`released_ids`) as they were (asked or confirmed),
    and mail each person once. Raises RotaError when the date changed since the page was shown."""
    places = places_to_give_back(occurrence, now=now)
    if not places or {a.id for a in places} != released_ids:
        raise RotaError(_l("The rota of this date changed meanwhile: check the list again."))
    created = []
    for old in places:
        assignment = Assignment(
            occurrence=occurrence,
            role=old.role,
            person=old.person,
            created_at=now,
            created_by_id=getattr(actor, "id", None),
            status="confirmed" if _was_confirmed(old) else "proposed",
            confirmed_via=old.confirmed_via,
            responded_at=old.responded_at if _was_confirmed(old) else None,
        )
        db.session.add(assignment)
        touch(old.person, now)
        created.append(assignment)
    db.session.flush()
    group = occurrence.meeting.group
    audit.record(
        now=now,
        actor=actor,
        action="rota.places_given_back",
        obj=group,
        object_type="rota",
        group=group,
        assignments=len(created),
        date=occurrence.local_date.isoformat(),
    )
    ask(created, now=now)
    return created
