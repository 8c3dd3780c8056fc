"""Draft from this month: a starting issue filled from the owner's own data, for its managers to edit
freely. The coming five weeks' changes (cancelled dates, online-only weeks, another venue, a note), the
meetings and their next dates, meetings new this month, anniversaries of the group's meetings, service
positions still open on the rota, help between meetings from the resources directory (crisis lines
first, with a link to the whole directory), and last month's attendance in one anonymous line. Listed meetings
only: an unlisted one (the business meeting) stays out of a newsletter as it stays out of the feeds.
For an organisation's list, the same across its groups (without the rota and the head counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import render_template
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.newsletters.models import MailingList, NewsletterIssue
from groupadmin.newsletters.services.issues import save_issue
from groupadmin.newsletters.services.lists import is_group, owner_of
from groupadmin.resources import services as resources
from groupadmin.rota import services as rota

WINDOW = timedelta(days=35)


@dataclass
class Anniversary:
    meeting: Meeting
    day: date
    years: int


@dataclass
class Month:
    today: date
    changes: list[Occurrence] = field(default_factory=list)
    next_dates: list[Occurrence] = field(default_factory=list)
    new_meetings: list[Meeting] = field(default_factory=list)
    anniversaries: list[Anniversary] = field(default_factory=list)
    open_places: int = 0
    average: int | None = None
    newcomers: int = 0
    last_month: date | None = None
    resources: list = field(default_factory=list)  # from the directory, crisis lines first
    resources_url: str = ""


def this_month(owner, *, now: datetime) -> Month:
    """What a draft says, read from the owner's data (a handful of queries, whatever its size)."""
    group_ids = (
        [owner.id]
        if is_group(owner)
        else list(db.session.scalars(sa.select(Group.id).where(Group.organisation_id == owner.id)))
    )
    today = now.astimezone(ZoneInfo(owner.timezone)).date()
    month = Month(today=today)
    meetings = {m.id: m for m in _meetings(group_ids)}
    coming = _occurrences(list(meetings), now, now + WINDOW)
    month.changes = [o for o in coming if o.has_overrides]
    nexts: dict[int, Occurrence] = {}
    for occurrence in coming:
        if occurrence.status == "scheduled":
            nexts.setdefault(occurrence.meeting_id, occurrence)
    month.next_dates = sorted(nexts.values(), key=lambda o: (o.meeting.name, o.starts_at))
    month.new_meetings = [m for m in meetings.values() if m.created_at > now - timedelta(days=31)]
    month.anniversaries = _anniversaries(meetings, today)
    organisation, group = (owner.organisation, owner) if is_group(owner) else (owner, None)
    month.resources = resources.welcome_selection(organisation.id, getattr(group, "id", None))
    month.resources_url = resources.public_url(organisation, group)
    if is_group(owner):
        month.open_places = rota.open_places_by_group([owner], now=now).get(owner.id, 0)
        _attendance(month, list(meetings), today)
    return month


def _meetings(group_ids: list[int]) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.group_id.in_(group_ids), Meeting.status == "active", Meeting.listed.is_(True))
            .order_by(Meeting.name)
        )
    )


def _occurrences(meeting_ids: list[int], start: datetime, end: datetime) -> list[Occurrence]:
    if not meeting_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(
                Occurrence.meeting_id.in_(meeting_ids),
                Occurrence.starts_at >= start,
                Occurrence.starts_at < end,
            )
            .options(sa.orm.joinedload(Occurrence.meeting))
            .order_by(Occurrence.starts_at)
        )
    )


def _anniversaries(meetings: dict[int, Meeting], today: date) -> list[Anniversary]:
    """Meetings whose first date (as the app knows it) comes round again in the coming five weeks."""
    if not meetings:
        return []
    firsts = db.session.execute(
        sa.select(Occurrence.meeting_id, sa.func.min(Occurrence.local_date))
        .where(Occurrence.meeting_id.in_(list(meetings)))
        .group_by(Occurrence.meeting_id)
    )
    found = []
    for meeting_id, first in firsts:
        for year in (today.year, today.year + 1):
            try:
                day = first.replace(year=year)
            except ValueError:  # 29 February
                day = date(year, 3, 1)
            if today <= day < today + WINDOW and year > first.year:
                found.append(Anniversary(meetings[meeting_id], day, year - first.year))
    return sorted(found, key=lambda a: a.day)


def _attendance(month: Month, meeting_ids: list[int], today: date) -> None:
    """Last calendar month's counted dates: the average head count and the newcomers, nothing else."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    end = today.replace(day=1)
    if not meeting_ids:
        return
    count, total, newcomers = db.session.execute(
        sa.select(sa.func.count(HeadCount.id), sa.func.sum(HeadCount.total), sa.func.sum(HeadCount.newcomers))
        .join(Occurrence, Occurrence.id == HeadCount.occurrence_id)
        .where(
            Occurrence.meeting_id.in_(meeting_ids),
            Occurrence.local_date >= first,
            Occurrence.local_date < end,
            HeadCount.total.is_not(None),
        )
    ).one()
    if count:
        month.average, month.newcomers, month.last_month = round(total / count), newcomers or 0, first


def draft_from_this_month(mlist: MailingList, *, actor, now: datetime) -> NewsletterIssue:
    """A new draft issue of `mlist`, written from this month's data."""
    owner = owner_of(mlist)
    month = this_month(owner, now=now)
    body = render_template("newsletters/draft.md", month=month, owner=owner, mlist=mlist)
    subject = _l("%(name)s: this month", name=mlist.name)
    return save_issue(mlist, None, subject=str(subject), body=body.strip() + "\n", actor=actor, now=now)
