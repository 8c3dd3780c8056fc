"""The grid: occurrences × roles, with the people who may fill each place and why not; one date's
rota; the printable rota."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota.models import FILLING, PENDING_OR_FILLING, Assignment, RotaPerson, ServiceRole
from groupadmin.rota.services.people import group_people
from groupadmin.rota.services.roles import group_roles
from groupadmin.rota.services.rules import open_places, role_applies


@dataclass
class Option:
    person: RotaPerson
    warnings: list[str]
    allowed: bool  # the person may fill this role


@dataclass
class Cell:
    role: ServiceRole
    applies: bool
    assignments: list[Assignment]  # filling and offered ones
    open: int
    options: list[Option] = field(default_factory=list)

    @property
    def filling(self) -> list[Assignment]:
        return [a for a in self.assignments if a.status in FILLING]


@dataclass
class Row:
    occurrence: Occurrence
    cells: list[Cell]
    editable: bool

    @property
    def gaps(self) -> int:
        return sum(c.open for c in self.cells if c.applies and self.occurrence.status == "scheduled")


@dataclass
class Grid:
    start: date
    end: date
    roles: list[ServiceRole]
    rows: list[Row]
    people: list[RotaPerson]

    @property
    def gaps(self) -> int:
        return sum(r.gaps for r in self.rows)


@dataclass
class BusyIndex:
    """Who is taken when: person id -> [(starts, ends, occurrence id, role name)]; and declined turns."""

    turns: dict[int, list[tuple[datetime, datetime, int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    declined: set[tuple[int, int, int]] = field(default_factory=set)

    def add(self, assignment: Assignment) -> None:
        if assignment.status in PENDING_OR_FILLING:
            occ = assignment.occurrence
            self.turns[assignment.person_id].append(
                (occ.starts_at, occ.ends_at, occ.id, assignment.role.name)
            )
        elif assignment.status == "declined":
            self.declined.add((assignment.occurrence_id, assignment.role_id, assignment.person_id))


def person_warnings(
    person: RotaPerson, role: ServiceRole, occurrence: Occurrence, busy: BusyIndex
) -> list[str]:
    """The conflicts of putting `person` in `role` at `occurrence` (empty: none)."""
    warnings = []
    if person.is_removed:
        return [str(_l("removed from the rota"))]
    if not person.active:
        warnings.append(str(_l("not active")))
    if role.id not in {r.id for r in person.roles}:
        warnings.append(str(_l("not usually %(role)s", role=role.name)))
    if person.is_away(occurrence.local_date):
        warnings.append(str(_l("away that day")))
    for starts, ends, occurrence_id, role_name in busy.turns.get(person.id, ()):
        if occurrence_id == occurrence.id:
            warnings.append(str(_l("already %(role)s at this meeting", role=role_name)))
        elif starts < occurrence.ends_at and occurrence.starts_at < ends:
            warnings.append(str(_l("%(role)s at another meeting at the same time", role=role_name)))
    if (occurrence.id, role.id, person.id) in busy.declined:
        warnings.append(str(_l("declined this turn")))
    return warnings


def occurrences_between(group: Group, start: date, end: date) -> list[Occurrence]:
    return occurrences_of_groups([group.id], start, end)


def occurrences_of_groups(group_ids, start: date, end: date) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                Meeting.group_id.in_(list(group_ids)),
                Meeting.status != "archived",
                Occurrence.local_date >= start,
                Occurrence.local_date <= end,
            )
            .options(sa.orm.contains_eager(Occurrence.meeting))
            .order_by(Occurrence.starts_at, Occurrence.id)
        )
    )


def assignments_for(occurrence_ids_query, statuses=None) -> list[Assignment]:
    query = (
        sa.select(Assignment)
        .where(Assignment.occurrence_id.in_(occurrence_ids_query))
        .options(
            sa.orm.joinedload(Assignment.person).joinedload(RotaPerson.user),
            sa.orm.joinedload(Assignment.role),
            sa.orm.joinedload(Assignment.occurrence),
        )
        .order_by(Assignment.id)
    )
    if statuses:
        query = query.where(Assignment.status.in_(statuses))
    return list(db.session.scalars(query))


def group_occurrence_ids(group: Group, start_utc: datetime, end_utc: datetime):
    return (
        sa.select(Occurrence.id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(Meeting.group_id == group.id, Occurrence.starts_at < end_utc, Occurrence.ends_at > start_utc)
    )


def load_grid(group: Group, *, start: date, end: date, now: datetime, with_options: bool = True) -> Grid:
    """Everything the grid shows, in a fixed number of queries whatever the number of weeks."""
    roles = group_roles(group)
    occurrences = occurrences_between(group, start, end)
    window = (
        sa.select(Occurrence.id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(
            Meeting.group_id == group.id,
            Occurrence.local_date >= start - timedelta(days=1),
            Occurrence.local_date <= end + timedelta(days=1),
        )
    )
    assignments = assignments_for(window, statuses=(*PENDING_OR_FILLING, "declined"))
    occurrence_by_id = {o.id: o for o in occurrences}
    people = group_people(group) if with_options else []
    busy = BusyIndex()
    by_cell: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
    for assignment in assignments:  # (a day either side too: "busy at the same time" across midnight)
        busy.add(assignment)
        if assignment.occurrence_id in occurrence_by_id and assignment.status in PENDING_OR_FILLING:
            by_cell[(assignment.occurrence_id, assignment.role_id)].append(assignment)
    chosen = {role.id: {m.id for m in role.meetings} for role in roles}
    rows = []
    for occurrence in occurrences:
        editable = occurrence.status == "scheduled" and occurrence.starts_at > now
        cells = []
        for role in roles:
            applies = role_applies(role, occurrence, chosen[role.id])
            current = sorted(
                by_cell.get((occurrence.id, role.id), []),
                key=lambda a: (a.status == "offered", a.status != "confirmed", a.id),
            )
            filling = sum(1 for a in current if a.status in FILLING)
            places = open_places(role, occurrence, filling, chosen[role.id])
            cell = Cell(role=role, applies=applies, assignments=current, open=places)
            if with_options and editable and applies and places:
                options = []
                for person in people:
                    warnings = person_warnings(person, role, occurrence, busy)
                    allowed = role.id in {r.id for r in person.roles}
                    options.append(Option(person=person, warnings=warnings, allowed=allowed))
                options.sort(
                    key=lambda o: (not o.allowed, bool(o.warnings), o.person.label.lower(), o.person.id)
                )
                cell.options = options
            cells.append(cell)
        rows.append(Row(occurrence=occurrence, cells=cells, editable=editable))
    return Grid(start=start, end=end, roles=roles, rows=rows, people=people)


def busy_for(group: Group, occurrences: list[Occurrence]) -> BusyIndex:
    """Who is taken around these occurrences (one query)."""
    busy = BusyIndex()
    if not occurrences:
        return busy
    start = min(o.starts_at for o in occurrences)
    end = max(o.ends_at for o in occurrences)
    for assignment in assignments_for(
        group_occurrence_ids(group, start, end), statuses=(*PENDING_OR_FILLING, "declined")
    ):
        busy.add(assignment)
    return busy


def occurrence_detail(group: Group, occurrence: Occurrence, *, now: datetime):
    """One date's rota: each role with its current people and options, and the history of the date."""
    roles = group_roles(group)
    all_assignments = assignments_for([occurrence.id])
    busy = busy_for(group, [occurrence])
    people = group_people(group)
    sections = []
    for role in roles:
        current = [a for a in all_assignments if a.role_id == role.id and a.status in PENDING_OR_FILLING]
        filling = sum(1 for a in current if a.status in FILLING)
        options = sorted(
            (
                Option(p, person_warnings(p, role, occurrence, busy), role.id in {r.id for r in p.roles})
                for p in people
            ),
            key=lambda o: (not o.allowed, bool(o.warnings), o.person.label.lower(), o.person.id),
        )
        sections.append(
            Cell(
                role=role,
                applies=role_applies(role, occurrence),
                assignments=current,
                open=max(role.per_occurrence - filling, 0),
                options=options,
            )
        )
    history = [a for a in all_assignments if a.status not in PENDING_OR_FILLING]
    return sections, history


def printable(group: Group, *, start: date, weeks: int, now: datetime) -> Grid:
    return load_grid(
        group, start=start, end=start + timedelta(weeks=weeks, days=-1), now=now, with_options=False
    )
