"""Fair, deterministic auto-fill of open rota slots: a pure function, no database.

Every turn already on the rota counts, whatever its status (asked, confirmed or offered) and wherever
it falls (before the period, inside it, or just after it), exactly like the turns planned so far.

Slots are filled in time order. For each open slot the candidates are the people who may take it:
active, allowed the role, not away on the date, not busy that day (a turn in any role, at this or
another meeting, on the same local date, or at an overlapping time) and who did not decline that turn.
Among them the choice goes by, in order:

1. the minimum gap between one person's turns, where the pool allows: whoever's nearest turn (before
   or after the slot) is at least the gap away, else whoever's nearest turn is farthest away, so nobody
   serves two days running while a colleague has been free for a week;
2. the fewest turns in the period being filled (existing ones and those planned so far), so over a
   balanced period nobody serves more than one turn more than anyone else eligible;
3. who served this role least recently (never first), then who served any role least recently;
4. the person's id, so the same data always gives the same plan.

Existing assignments are never touched: only open places are filled.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
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
    """An existing turn (asked or confirmed, or offered: the person is taken then). `local_date` is
    the date in the meeting's timezone (by default the UTC date of `starts_at`)."""

    person_id: int
    occurrence_id: int
    role_id: int
    starts_at: datetime
    ends_at: datetime
    local_date: date | None = None


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
        text = ";".join(f"{p.occurrence_id}:{p.role_id}:{p.person_id}" for p in self.proposals)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


_NEVER = datetime.min.replace(tzinfo=UTC)  # "never served" sorts before any date
_ZERO = timedelta(0)


class _Ledger:
    """One person's turns (existing and planned), indexed for the questions the planner asks."""

    __slots__ = ("starts", "by_role", "dates", "occurrences", "spans")

    def __init__(self) -> None:
        self.starts: list[datetime] = []  # sorted
        self.by_role: dict[int, list[datetime]] = defaultdict(list)  # sorted, per role
        self.dates: set[date] = set()
        self.occurrences: set[int] = set()
        self.spans: list[tuple[datetime, datetime]] = []

    def add(self, starts: datetime, ends: datetime, role_id: int, occurrence_id: int, day: date) -> None:
        insort(self.starts, starts)
        insort(self.by_role[role_id], starts)
        self.dates.add(day)
        self.occurrences.add(occurrence_id)
        self.spans.append((starts, ends))

    def busy(self, slot: Slot) -> bool:
        """Taken that day: a turn at this occurrence, on the same date, or at an overlapping time
        (a meeting across midnight)."""
        if slot.occurrence_id in self.occurrences or slot.local_date in self.dates:
            return True
        return any(s < slot.ends_at and slot.starts_at < e for s, e in self.spans)

    def nearest(self, at: datetime) -> timedelta | None:
        """How far the closest turn (before or after `at`) is, or None without any turn."""
        i = bisect_left(self.starts, at)
        gaps = [abs(self.starts[j] - at) for j in (i - 1, i) if 0 <= j < len(self.starts)]
        return min(gaps) if gaps else None

    def last_before(self, at: datetime, role_id: int | None = None) -> datetime:
        starts = self.starts if role_id is None else self.by_role.get(role_id, ())
        i = bisect_left(starts, at)
        return starts[i - 1] if i else _NEVER


def plan(
    slots: list[Slot],
    people: list[Candidate],
    turns: list[Turn],
    *,
    declined: set[tuple[int, int, int]] = frozenset(),
    min_gap: timedelta = timedelta(0),
    window: tuple[datetime, datetime] | None = None,
) -> Plan:
    """Fill `slots` from `people`, given existing `turns` (history, the period and just after it).
    `declined` holds (occurrence_id, role_id, person_id) of turns a person declined. `window` is the
    period being filled (for counting turns in it); by default the span of the slots."""
    result = Plan()
    slots = sorted(slots, key=lambda s: (s.starts_at, s.occurrence_id, s.role_position, s.role_id))
    people = sorted((p for p in people if p.active), key=lambda p: p.id)
    if not slots:
        return result
    if window is None:
        window = (slots[0].starts_at, max(s.ends_at for s in slots))

    ledgers: dict[int, _Ledger] = defaultdict(_Ledger)
    load: dict[int, int] = defaultdict(int)

    def record(person_id, starts, ends, role_id, occurrence_id, day):
        ledgers[person_id].add(starts, ends, role_id, occurrence_id, day)
        if window[0] <= starts < window[1]:
            load[person_id] += 1

    # Sorted, so that the ledgers do not depend on the order the turns came in.
    for turn in sorted(turns, key=lambda t: (t.starts_at, t.occurrence_id, t.role_id, t.person_id)):
        day = turn.local_date or turn.starts_at.date()
        record(turn.person_id, turn.starts_at, turn.ends_at, turn.role_id, turn.occurrence_id, day)

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
                ledger = ledgers.get(person.id)
                if ledger is None:
                    key = (_ZERO, load[person.id], _NEVER, _NEVER, person.id)
                else:
                    if ledger.busy(slot):
                        continue
                    nearest = ledger.nearest(slot.starts_at)
                    short = _ZERO if nearest is None else max(min_gap - nearest, _ZERO)
                    key = (
                        short,
                        load[person.id],
                        ledger.last_before(slot.starts_at, slot.role_id),
                        ledger.last_before(slot.starts_at),
                        person.id,
                    )
                if best_key is None or key < best_key:
                    best, best_key = person, key
            if best is None:
                break
            result.proposals.append(Proposal(slot.occurrence_id, slot.role_id, best.id))
            record(best.id, slot.starts_at, slot.ends_at, slot.role_id, slot.occurrence_id, slot.local_date)
            filled += 1
        if filled < slot.open:
            result.unfilled[(slot.occurrence_id, slot.role_id)] = slot.open - filled
    return result
