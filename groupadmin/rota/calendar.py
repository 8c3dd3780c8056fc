"""iCalendar feeds of the rota: a person's own turns, and a group's whole rota for its secretaries.

Event titles follow the discretion rule (a shared family calendar must not out anyone): the meeting's
own name and the role, never the fellowship unless the group chose to be named with it. Times are UTC
instants (each event is one dated turn), which every calendar shows in its own zone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.ical import Feed
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota import services
from groupadmin.rota.display import rota_where
from groupadmin.rota.models import FILLING, Assignment, RotaPerson


def _calendar(name: str) -> Feed:
    return Feed(name=name, prodid="-//groupadmin//rota//EN", refresh=timedelta(hours=1))


def person_feed(person: RotaPerson, *, now: datetime, host: str) -> bytes:
    group = db.session.get(Group, person.group_id)
    with force_locale(group.locale):
        cal = _calendar(str(_l("%(group)s: my turns", group=group.mail_name)))
        for assignment in services.person_calendar_assignments(person, now=now):
            occurrence = assignment.occurrence
            title = f"{group.discreet(occurrence.meeting.name)}: {assignment.role.name}"
            if assignment.status != "confirmed":
                title += " " + str(_l("(please confirm)"))
            cal.event(
                f"rota-{assignment.id}@{host}",
                stamp=now,
                start=occurrence.starts_at,
                end=occurrence.ends_at,
                summary=title,
                status="CONFIRMED" if assignment.status == "confirmed" else "TENTATIVE",
                location=rota_where(occurrence),
            )
    return cal.to_bytes()


def group_feed(group: Group, *, now: datetime, host: str) -> bytes:
    """One event per upcoming (and recent) occurrence: its roles and who fills them, gaps included."""
    roles = services.group_roles(group)
    occurrences, by_cell = _group_rota(group, now=now)
    chosen = {role.id: {m.id for m in role.meetings} for role in roles}
    with force_locale(group.locale):
        cal = _calendar(str(_l("%(group)s: rota", group=group.mail_name)))
        for occurrence in occurrences:
            applying = [r for r in roles if services.role_applies(r, occurrence, chosen[r.id])]
            if not applying:
                continue
            lines, gaps = _rota_lines(applying, occurrence, by_cell)
            title = group.discreet(occurrence.meeting.name)
            if gaps:
                title += " · " + str(_l("%(n)s open", n=gaps))
            cal.event(
                f"rota-occurrence-{occurrence.id}@{host}",
                stamp=now,
                start=occurrence.starts_at,
                end=occurrence.ends_at,
                summary=title,
                description="\n".join(lines),
                location=rota_where(occurrence),
            )
    return cal.to_bytes()


def _group_rota(group: Group, *, now: datetime) -> tuple[list[Occurrence], dict]:
    """The group's scheduled occurrences from 30 days ago to six months ahead, and their filling
    assignments by (occurrence id, role id)."""
    occurrences = list(
        db.session.scalars(
            sa.select(Occurrence)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                Meeting.group_id == group.id,
                Meeting.status != "archived",
                Occurrence.status == "scheduled",
                Occurrence.starts_at > now - timedelta(days=30),
                Occurrence.starts_at < now + timedelta(days=183),
            )
            .options(sa.orm.contains_eager(Occurrence.meeting))
            .order_by(Occurrence.starts_at)
        )
    )
    by_cell = defaultdict(list)
    if occurrences:
        for a in db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.occurrence_id.in_([o.id for o in occurrences]), Assignment.status.in_(FILLING))
            .options(sa.orm.joinedload(Assignment.person))
            .order_by(Assignment.id)
        ):
            by_cell[(a.occurrence_id, a.role_id)].append(a)
    return occurrences, by_cell


def _rota_lines(roles, occurrence: Occurrence, by_cell: dict) -> tuple[list[str], int]:
    """("Role: names" for each role of the date, how many places are open)."""
    lines, gaps = [], 0
    for role in roles:
        people = by_cell.get((occurrence.id, role.id), [])
        names = [
            a.person.label + ("" if a.status == "confirmed" else " " + str(_l("(asked)"))) for a in people
        ]
        missing = max(role.per_occurrence - len(people), 0)
        gaps += missing
        names += [str(_l("open"))] * missing
        lines.append(f"{role.name}: {', '.join(names)}")
    return lines, gaps
