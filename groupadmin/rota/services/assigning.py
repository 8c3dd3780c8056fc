"""Putting people in places (checked first, saved together), confirming by hand, withdrawing, asking
again; and the meetings' one hook: a cancelled, paused, moved or removed date releases its turns."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota.models import FILLING, PENDING_OR_FILLING, Assignment, RotaPerson, ServiceRole
from groupadmin.rota.services.grid import BusyIndex, assignments_for, busy_for, person_warnings
from groupadmin.rota.services.notifications import ask, tell_released
from groupadmin.rota.services.roles import group_roles
from groupadmin.rota.services.rules import RotaError, role_applies, touch

log = logging.getLogger("groupadmin.rota")


@dataclass
class Choice:
    occurrence_id: int
    role_id: int
    person_id: int


class AssignmentProblems(RotaError):
    """Choices that cannot be saved (`errors`), or that need a second look (`warnings`), per choice:
    (occurrence id, role id, person id) -> messages."""

    def __init__(self, errors: dict, warnings: dict):
        message = (
            _l("Some choices cannot be saved: see the marked places.")
            if errors
            else _l("Some choices have conflicts: check the marked places, then save again to confirm.")
        )
        super().__init__(message)
        self.errors, self.warnings = errors, warnings


@dataclass
class Places:
    """What checking choices needs, loaded in a fixed number of queries: the group's occurrences, roles
    and people the choices name (unknown or another group's ids are missing), who is busy around those
    dates, and who fills each place now ((occurrence id, role id) -> person ids, and how many turns)."""

    occurrences: dict[int, Occurrence]
    roles: dict[int, ServiceRole]
    people: dict[int, RotaPerson]
    busy: BusyIndex
    holders: dict[tuple[int, int], set[int]]
    taken: dict[tuple[int, int], int]


def load_places(group: Group, choices: list[Choice]) -> Places:
    occurrences = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Occurrence)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(Meeting.group_id == group.id, Occurrence.id.in_({c.occurrence_id for c in choices}))
            .options(sa.orm.contains_eager(Occurrence.meeting))
        )
    }
    roles = {r.id: r for r in group_roles(group)}
    people = {
        p.id: p
        for p in db.session.scalars(
            sa.select(RotaPerson)
            .where(RotaPerson.group_id == group.id, RotaPerson.id.in_({c.person_id for c in choices}))
            .options(
                sa.orm.selectinload(RotaPerson.roles),
                sa.orm.selectinload(RotaPerson.blackouts),
                sa.orm.joinedload(RotaPerson.user),
            )
        )
    }
    busy = busy_for(group, list(occurrences.values()))
    current = (
        assignments_for(
            sa.select(Occurrence.id).where(Occurrence.id.in_(list(occurrences))), statuses=FILLING
        )
        if occurrences
        else []
    )
    holders: dict[tuple[int, int], set[int]] = defaultdict(set)
    taken: dict[tuple[int, int], int] = defaultdict(int)
    for a in current:
        taken[(a.occurrence_id, a.role_id)] += 1
        holders[(a.occurrence_id, a.role_id)].add(a.person_id)
    return Places(occurrences, roles, people, busy, holders, taken)


def check_choices(choices: list[Choice], places: Places, *, now: datetime) -> tuple[dict, dict]:
    """(errors, warnings) of the choices, each (occurrence id, role id, person id) -> messages. Errors
    make a choice impossible; warnings are conflicts to look at twice. Reads only what `places` holds."""
    taken = defaultdict(int, places.taken)
    errors: dict[tuple, list[str]] = {}
    warnings: dict[tuple, list[str]] = {}
    seen = set()
    for choice in choices:
        key = (choice.occurrence_id, choice.role_id, choice.person_id)
        occurrence, role, person = (
            places.occurrences.get(choice.occurrence_id),
            places.roles.get(choice.role_id),
            places.people.get(choice.person_id),
        )
        if occurrence is None or role is None or person is None or person.is_removed:
            errors[key] = [str(_l("This choice is no longer possible: reload the page."))]
            continue
        if occurrence.status != "scheduled":
            errors[key] = [str(_l("This date is cancelled."))]
            continue
        if occurrence.starts_at <= now:
            errors[key] = [str(_l("This date has passed."))]
            continue
        if key in seen or person.id in places.holders.get((occurrence.id, role.id), ()):
            errors[key] = [str(_l("%(name)s is in this place already.", name=person.label))]
            continue
        seen.add(key)
        taken[(occurrence.id, role.id)] += 1
        if taken[(occurrence.id, role.id)] > role.per_occurrence:
            errors[key] = [str(_l("This place was filled meanwhile: reload the page."))]
            continue
        problems = person_warnings(person, role, occurrence, places.busy)
        if not role_applies(role, occurrence):
            problems.append(str(_l("this meeting does not usually need a %(role)s", role=role.name)))
        if _clashes_with_another_choice(choice, choices, places.occurrences):
            problems.append(str(_l("chosen for another meeting at the same time")))
        if problems:
            warnings[key] = problems
    return errors, warnings


def _clashes_with_another_choice(choice: Choice, choices: list[Choice], occurrences) -> bool:
    """Two choices in one save can clash with each other too (one person, two meetings at once)."""
    occurrence = occurrences[choice.occurrence_id]
    for other in choices:
        if other is choice or other.person_id != choice.person_id or other.occurrence_id == occurrence.id:
            continue
        other_occ = occurrences.get(other.occurrence_id)
        if other_occ and _overlap(other_occ, occurrence):
            return True
    return False


def _overlap(a: Occurrence, b: Occurrence) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def assign_many(
    group: Group,
    choices: list[Choice],
    *,
    actor,
    now: datetime,
    accept_warnings: bool = False,
    confirmed: bool = False,
    notify: bool = True,
) -> list[Assignment]:
    """Put people in open places. Everything is checked first: nothing is saved when a choice is
    impossible (a full slot, a past or cancelled date...), or when a choice has conflicts (blackout,
    busy elsewhere, inactive, role not allowed) and `accept_warnings` is false. Then each person gets
    one message with all their new turns."""
    if not choices:
        return []
    places = load_places(group, choices)
    errors, warnings = check_choices(choices, places, now=now)
    if errors or (warnings and not accept_warnings):
        raise AssignmentProblems(errors, warnings)
    created = [
        _new_assignment(places, choice, actor=actor, now=now, confirmed=confirmed) for choice in choices
    ]
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota.assigned",
        obj=group,
        object_type="rota",
        group=group,
        assignments=len(created),
        confirmed=confirmed,
        with_warnings=bool(warnings),
    )
    if notify:
        ask(created, now=now)
    return created


def _new_assignment(places: Places, choice: Choice, *, actor, now: datetime, confirmed: bool) -> Assignment:
    person = places.people[choice.person_id]
    assignment = Assignment(
        occurrence=places.occurrences[choice.occurrence_id],
        role=places.roles[choice.role_id],
        person=person,
        created_at=now,
        created_by_id=getattr(actor, "id", None),
        status="confirmed" if confirmed else "proposed",
        confirmed_via="hand" if confirmed else None,
        responded_at=now if confirmed else None,
    )
    db.session.add(assignment)
    touch(person, now)
    return assignment


def confirm_by_hand(assignment: Assignment, *, actor, now: datetime) -> None:
    """The person said yes another way (on the phone, at the meeting)."""
    if assignment.status != "proposed":
        raise RotaError(_l("Only a turn waiting for an answer can be confirmed."))
    if assignment.occurrence.starts_at <= now:
        raise RotaError(_l("This date has passed."))
    assignment.status, assignment.confirmed_via, assignment.responded_at = "confirmed", "hand", now
    touch(assignment.person, now)
    audit.record(
        now=now,
        actor=actor,
        action="rota_assignment.confirmed",
        obj=assignment,
        group=assignment.occurrence.meeting.group,
        via="hand",
    )


def withdraw(assignment: Assignment, *, actor, now: datetime) -> None:
    """Take a turn back (the secretary changes the rota). The person is told if they had been asked."""
    if assignment.status not in PENDING_OR_FILLING:
        raise RotaError(_l("This turn is not on the rota any more."))
    if assignment.occurrence.starts_at <= now:
        raise RotaError(_l("This date has passed."))
    was_asked = assignment.asked_at is not None or assignment.status == "confirmed"
    assignment.status = "withdrawn"
    group = assignment.occurrence.meeting.group
    audit.record(now=now, actor=actor, action="rota_assignment.withdrawn", obj=assignment, group=group)
    if was_asked:
        tell_released(assignment.person, [assignment], reason="withdrawn", now=now)


def resend(assignment: Assignment, *, now: datetime) -> bool:
    """Ask again by mail (a new message). False when the person has no email address."""
    if (
        assignment.status not in ("proposed", "confirmed", "offered")
        or assignment.occurrence.starts_at <= now
    ):
        raise RotaError(_l("This turn is not waiting for anyone."))
    return bool(ask([assignment], now=now, again=True))


# ---------------------------------------------------------------------------------------------------
# The meetings' one hook: a cancelled, paused, moved or removed date releases its turns


def release_for_changes(changes, *, now: datetime, actor) -> None:
    kinds = {
        c.occurrence.id: c.kind for c in changes if c.kind in ("cancelled", "paused", "moved", "removed")
    }
    if not kinds:
        return
    db.session.flush()
    affected = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.occurrence_id.in_(list(kinds)))
            .options(
                sa.orm.joinedload(Assignment.person).joinedload(RotaPerson.user),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Assignment.id)
        )
    )
    by_person: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
    for assignment in affected:
        if assignment.status in PENDING_OR_FILLING:
            if assignment.status in FILLING and (assignment.asked_at or assignment.status == "confirmed"):
                by_person[(assignment.person_id, kinds[assignment.occurrence_id])].append(assignment)
            assignment.status = "released"
    for (_person_id, kind), assignments in by_person.items():
        tell_released(assignments[0].person, assignments, reason=kind, now=now)
    removed = [oid for oid, kind in kinds.items() if kind == "removed"]
    if removed:
        db.session.flush()
        for assignment in affected:
            if assignment.occurrence_id in removed:
                db.session.expunge(assignment)
        db.session.execute(
            sa.delete(Assignment)
            .where(Assignment.occurrence_id.in_(removed))
            .execution_options(synchronize_session=False)
        )
    if affected:
        log.info("rota.released", extra={"fields": {"assignments": len(affected), "occurrences": len(kinds)}})
