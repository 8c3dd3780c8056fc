"""Fair, deterministic auto-fill of open rota slots: a pure function, no database.

Slots are filled in time order. For each open slot the candidates are the people who may take it:
active, allowed the role, not away on the date, not busy at an overlapping time (another turn, or
another role at the same occurrence) and who did not decline that turn. Among them the choice goes by,
in order:

1. the fewest turns in the period being filled (existing ones and those planned so far), so over a
   balanced period nobody serves more than one turn more than anyone else eligible;
2. respecting the minimum gap between one person's turns, where the pool allows;
3. who served this role least recently (never first), then who served any role least recently;
4. the person's id, so the same data always gives the same plan.

Existing assignments are never touched: only open places are filled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class Slot:
    occurrence_id: int
    role_id: int
    starts_at: datetime
    ends_at: datetime
    local_date: date
    open: int  # places still to fill
    role_position: int = 0


@dataclass(frozen=True)
class Candidate:
    id: int
    role_ids: frozenset[int]
    blackouts: tuple[tuple[date, date], ...] = ()
    active: bool = True

    def away(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.blackouts)


@dataclass(frozen=True)
class Turn:
    """An existing turn (asked or confirmed, or offered: the person is taken then)."""

    person_id: int
    occurrence_id: int
    role_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Proposal:
    occurrence_id: int
    role_id: int
    person_id: int


@dataclass
class Plan:
    proposals: list[Proposal] = field(default_factory=list)
    # (occurrence_id, role_id) -> places that stay open (nobody could take them)
    unfilled: dict[tuple[int, int], int] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A short, stable digest of the plan: the preview's and the apply's plans must match."""
        import hashlib

        text = ";".join(f"{p.occurrence_id}:{p.role_id}:{p.person_id}" for p in self.proposals)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


_NEVER = datetime.min.replace(tzinfo=UTC)  # "never served" sorts before any date


def plan(
    slots: list[Slot],
    people: list[Candidate],
    turns: list[Turn],
    *,
    declined: set[tuple[int, int, int]] = frozenset(),
    min_gap: timedelta = timedelta(0),
    window: tuple[datetime, datetime] | None = None,
) -> Plan:
    """Fill `slots` from `people`, given existing `turns` (history and the period). `declined` holds
    (occurrence_id, role_id, person_id) of turns a person declined. `window` is the period being filled
    (for counting turns in it); by default the span of the slots."""
    result = Plan()
    slots = sorted(slots, key=lambda s: (s.starts_at, s.occurrence_id, s.role_position, s.role_id))
    people = sorted((p for p in people if p.active), key=lambda p: p.id)
    if not slots:
        return result
    if window is None:
        window = (slots[0].starts_at, max(s.ends_at for s in slots))

    # Each person's turns as (starts_at, ends_at, role_id, occurrence_id); planned ones are appended.
    by_person: dict[int, list[tuple[datetime, datetime, int, int]]] = defaultdict(list)
    for turn in turns:
        by_person[turn.person_id].append((turn.starts_at, turn.ends_at, turn.role_id, turn.occurrence_id))
    load: dict[int, int] = defaultdict(int)
    for turn in turns:
        if window[0] <= turn.starts_at < window[1]:
            load[turn.person_id] += 1

    for slot in slots:
        filled = 0
        for _ in range(slot.open):
            best = None
            best_key = None
            for person in people:
                if slot.role_id not in person.role_ids or person.away(slot.local_date):
                    continue
                if (slot.occurrence_id, slot.role_id, person.id) in declined:
                    continue
                mine = by_person.get(person.id, ())
                busy = gap_broken = False
                last_role = last_any = _NEVER
                for starts, ends, role_id, occurrence_id in mine:
                    if occurrence_id == slot.occurrence_id or (
                        starts < slot.ends_at and slot.starts_at < ends
                    ):
                        busy = True
                        break
                    if abs(starts - slot.starts_at) < min_gap:
                        gap_broken = True
                    if starts < slot.starts_at:
                        last_any = max(last_any, starts)
                        if role_id == slot.role_id:
                            last_role = max(last_role, starts)
                if busy:
                    continue
                key = (load[person.id], gap_broken, last_role, last_any, person.id)
                if best_key is None or key < best_key:
                    best, best_key = person, key
            if best is None:
                break
            result.proposals.append(Proposal(slot.occurrence_id, slot.role_id, best.id))
            by_person[best.id].append((slot.starts_at, slot.ends_at, slot.role_id, slot.occurrence_id))
            load[best.id] += 1
            filled += 1
        if filled < slot.open:
            result.unfilled[(slot.occurrence_id, slot.role_id)] = slot.open - filled
    return result
