"""Auto-fill: a fair plan for a period's open places, previewed, then applied as it was seen."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Occurrence
from groupadmin.rota import autofill as planner
from groupadmin.rota.models import FILLING, PENDING_OR_FILLING, Assignment, RotaPerson, ServiceRole
from groupadmin.rota.services.grid import assignments_for, group_occurrence_ids, occurrences_between
from groupadmin.rota.services.notifications import ask
from groupadmin.rota.services.people import group_people
from groupadmin.rota.services.roles import group_roles
from groupadmin.rota.services.rules import RotaError, role_applies, settings_for, touch

MAX_WEEKS = 26


@dataclass
class AutofillPreview:
    start: date
    end: date
    plan: planner.Plan
    occurrences: dict[int, Occurrence]
    roles: dict[int, ServiceRole]
    people: dict[int, RotaPerson]
    slots_open: int

    @property
    def rows(self) -> list[tuple[Occurrence, ServiceRole, RotaPerson]]:
        return [
            (self.occurrences[p.occurrence_id], self.roles[p.role_id], self.people[p.person_id])
            for p in self.plan.proposals
        ]

    @property
    def unfilled(self) -> list[tuple[Occurrence, ServiceRole, int]]:
        rows = [(self.occurrences[o], self.roles[r], n) for (o, r), n in self.plan.unfilled.items()]
        return sorted(rows, key=lambda t: (t[0].starts_at, t[1].position, t[1].id))

    @property
    def fingerprint(self) -> str:
        return self.plan.fingerprint()

    def per_person(self) -> list[tuple[RotaPerson, int]]:
        counts: dict[int, int] = defaultdict(int)
        for p in self.plan.proposals:
            counts[p.person_id] += 1
        return sorted(((self.people[i], n) for i, n in counts.items()), key=lambda t: t[0].label.lower())


def check_period(start: date | None, end: date | None) -> None:
    if start is None:
        raise RotaError(_l("Give the first day of the period."), field="start")
    if end is None:
        raise RotaError(_l("Give the last day of the period."), field="end")
    if end < start:
        raise RotaError(_l("The last day cannot be before the first."), field="end")
    if (end - start).days > MAX_WEEKS * 7:
        raise RotaError(_l("At most %(n)s weeks at a time.", n=MAX_WEEKS), field="end")


def preview_autofill(
    group: Group,
    *,
    start: date,
    end: date,
    now: datetime,
    role_ids: list[int] | None = None,
    min_gap_days: int | None = None,
) -> AutofillPreview:
    """Plan how to fill the open places of a period: fair, deterministic, touching nothing."""
    check_period(start, end)
    roles = {r.id: r for r in group_roles(group) if not role_ids or r.id in role_ids}
    in_period = occurrences_between(group, start, end)
    occurrences = [o for o in in_period if o.status == "scheduled" and o.starts_at > now]
    by_id = {o.id: o for o in occurrences}
    people = {p.id: p for p in group_people(group, include_inactive=False)}
    if min_gap_days is None:
        min_gap_days = settings_for(group).min_gap_days
    # The period's turns count for fairness: every date in it, the first and those already past too.
    window_start = min((o.starts_at for o in in_period), default=now)
    window_end = max((o.ends_at for o in in_period), default=now)
    # Turns from a year back (who served least recently) to a gap after the period (the gap is kept
    # with the turns that follow it too).
    history = assignments_for(
        group_occurrence_ids(
            group, window_start - timedelta(days=365), window_end + timedelta(days=max(min_gap_days, 1))
        ),
        statuses=(*PENDING_OR_FILLING, "declined"),
    )
    turns, declined, filled = _history(history)
    slots = _open_slots(occurrences, roles, filled)
    result = planner.plan(
        slots,
        [_candidate(p) for p in people.values()],
        turns,
        declined=declined,
        min_gap=timedelta(days=min_gap_days),
        window=(window_start, window_end),
    )
    return AutofillPreview(
        start=start,
        end=end,
        plan=result,
        occurrences=by_id,
        roles=roles,
        people=people,
        slots_open=sum(s.open for s in slots),
    )


def _candidate(person: RotaPerson) -> planner.Candidate:
    return planner.Candidate(
        person.id,
        frozenset(r.id for r in person.roles),
        tuple((b.starts_on, b.ends_on) for b in person.blackouts),
        person.active,
    )


def _history(history: list[Assignment]):
    """(turns, declined, filled) from the assignments around a period: every turn for fairness, the
    declined (occurrence, role, person) triples, and how many people fill each place."""
    turns, declined = [], set()
    filled: dict[tuple[int, int], int] = defaultdict(int)
    for a in history:
        if a.status == "declined":
            declined.add((a.occurrence_id, a.role_id, a.person_id))
            continue
        occ = a.occurrence
        turns.append(
            planner.Turn(a.person_id, a.occurrence_id, a.role_id, occ.starts_at, occ.ends_at, occ.local_date)
        )
        if a.status in FILLING:
            filled[(a.occurrence_id, a.role_id)] += 1
    return turns, declined, filled


def _open_slots(occurrences: list[Occurrence], roles: dict[int, ServiceRole], filled) -> list[planner.Slot]:
    """The places still open at each occurrence, for each role its meeting needs."""
    chosen = {role.id: {m.id for m in role.meetings} for role in roles.values()}
    slots = []
    for occurrence in occurrences:
        for role in roles.values():
            if not role_applies(role, occurrence, chosen[role.id]):
                continue
            open_places = role.per_occurrence - filled[(occurrence.id, role.id)]
            if open_places > 0:
                slots.append(
                    planner.Slot(
                        occurrence.id,
                        role.id,
                        occurrence.starts_at,
                        occurrence.ends_at,
                        occurrence.local_date,
                        open_places,
                        role.position,
                    )
                )
    return slots


class PlanChanged(RotaError):
    def __init__(self, preview: AutofillPreview):
        super().__init__(
            _l("The rota changed since the preview was made: check the new preview, then apply it.")
        )
        self.preview = preview


def apply_autofill(
    group: Group,
    *,
    start: date,
    end: date,
    fingerprint: str,
    actor,
    now: datetime,
    role_ids: list[int] | None = None,
    min_gap_days: int | None = None,
) -> list[Assignment]:
    """Apply the plan the secretary saw (the same data gives the same plan; if anything changed
    meanwhile, PlanChanged carries the new preview and nothing is saved)."""
    preview = preview_autofill(
        group, start=start, end=end, now=now, role_ids=role_ids, min_gap_days=min_gap_days
    )
    if preview.fingerprint != fingerprint:
        raise PlanChanged(preview)
    created = []
    for proposal in preview.plan.proposals:
        person = preview.people[proposal.person_id]
        assignment = Assignment(
            occurrence=preview.occurrences[proposal.occurrence_id],
            role=preview.roles[proposal.role_id],
            person=person,
            status="proposed",
            created_at=now,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(assignment)
        touch(person, now)
        created.append(assignment)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota.autofilled",
        obj=group,
        object_type="rota",
        group=group,
        start=start.isoformat(),
        end=end.isoformat(),
        assignments=len(created),
        unfilled=sum(preview.plan.unfilled.values()),
    )
    ask(created, now=now)
    return created
