"""Reading meetings: a group's meetings and their dates, the public meetings page, and the queries other
domains and the feeds use (the schedule in force on a day: one subquery, here)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence


def current_schedule_join(today: date):
    """The join condition of a meeting (correlated) and its schedule in force on `today`: the latest one
    that started by then, or the first one when none has started yet."""
    current = (
        sa.select(sa.func.max(MeetingSchedule.effective_from))
        .where(MeetingSchedule.meeting_id == Meeting.id, MeetingSchedule.effective_from <= today)
        .correlate(Meeting)
        .scalar_subquery()
    )
    first = (
        sa.select(sa.func.min(MeetingSchedule.effective_from))
        .where(MeetingSchedule.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    return sa.and_(
        MeetingSchedule.meeting_id == Meeting.id,
        MeetingSchedule.effective_from == sa.func.coalesce(current, first),
    )


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


# ---------------------------------------------------------------------------------------------------
# A group's meetings and their dates


def group_meetings(group: Group, *, archived: bool = False) -> list[Meeting]:
    query = (
        sa.select(Meeting)
        .where(Meeting.group_id == group.id)
        .options(sa.orm.selectinload(Meeting.schedules))
        .order_by(Meeting.name, Meeting.id)
    )
    query = (
        query.where(Meeting.status == "archived") if archived else query.where(Meeting.status != "archived")
    )
    return list(db.session.scalars(query))


def count_archived(group: Group) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Meeting)
        .where(Meeting.group_id == group.id, Meeting.status == "archived")
    )


def next_occurrences(meeting_ids: list[int], *, now: datetime, days: int = 40) -> dict[int, Occurrence]:
    """The next occurrence (not yet ended) of each meeting, in one query."""
    if not meeting_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Occurrence)
        .where(
            Occurrence.meeting_id.in_(meeting_ids),
            Occurrence.ends_at > now,
            Occurrence.starts_at < now + timedelta(days=days),
        )
        .order_by(Occurrence.starts_at)
    )
    result: dict[int, Occurrence] = {}
    for occurrence in rows:
        result.setdefault(occurrence.meeting_id, occurrence)
    return result


def upcoming_occurrences(meeting: Meeting, *, now: datetime, limit: int = 60) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at > now)
            .order_by(Occurrence.starts_at)
            .limit(limit)
        )
    )


def past_occurrences_query(meeting: Meeting, *, now: datetime):
    return (
        sa.select(Occurrence)
        .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at <= now)
        .order_by(Occurrence.starts_at.desc())
    )


def past_occurrences(meeting: Meeting, *, now: datetime, page: int, per_page: int):
    """A page of the meeting's past dates, the latest first (a Flask-SQLAlchemy Pagination)."""
    return db.paginate(
        past_occurrences_query(meeting, now=now), page=page, per_page=per_page, error_out=False
    )


# ---------------------------------------------------------------------------------------------------
# The public meetings page


class Page:
    """A page of rows of a multi-entity select (Flask-SQLAlchemy's paginate gives scalars only); the
    same attributes as its Pagination, for the `pagination` macro. Two queries: the count and the page."""

    def __init__(self, query, *, page: int, per_page: int):
        self.total = db.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(1, page), self.pages)
        self.items = db.session.execute(query.limit(per_page).offset((self.page - 1) * per_page)).all()

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


@dataclass
class PublicFilters:
    day: int | None = None  # Python weekday
    type: str | None = None
    attendance: str | None = None
    group: str | None = None  # group slug
    fellowship: str | None = None  # the group's fellowship code


def public_meetings_query(organisation: Organisation, filters: PublicFilters, *, today: date):
    """Active, listed meetings of the organisation (weekly and monthly, and one-off ones still to come),
    with their group; ordered by day of the current schedule, time and name."""
    query = (
        sa.select(Meeting, MeetingSchedule, Group)
        .join(Group, Group.id == Meeting.group_id)
        .join(MeetingSchedule, current_schedule_join(today))
        .where(
            Meeting.organisation_id == organisation.id, Meeting.status == "active", Meeting.listed.is_(True)
        )
        .where(sa.or_(MeetingSchedule.recurrence != "once", MeetingSchedule.on_date >= today))
    )
    if filters.day is not None:
        query = query.where(MeetingSchedule.weekday == filters.day)
    if filters.attendance:
        query = query.where(Meeting.attendance == filters.attendance)
    if filters.group:
        query = query.where(Group.slug == filters.group)
    if filters.fellowship:
        query = query.where(Group.fellowship == filters.fellowship)
    if filters.type:
        # Types are a JSON list: match the quoted code in its text form (same on SQLite and PostgreSQL).
        query = query.where(sa.cast(Meeting.types, sa.String).like(f'%"{filters.type}"%'))
    weekday_order = sa.case((MeetingSchedule.weekday.is_(None), 7), else_=MeetingSchedule.weekday)
    return query.order_by(weekday_order, MeetingSchedule.start_time, Meeting.name, Meeting.id)


def public_type_codes(organisation: Organisation, *, today: date) -> set[str]:
    """The type codes used by the meetings the public page lists (active, listed, not a past one-off),
    in one query whatever the number of meetings: the filter offers only these."""
    query = (
        public_meetings_query(organisation, PublicFilters(), today=today)
        .with_only_columns(sa.cast(Meeting.types, sa.String))
        .order_by(None)
        .distinct()
    )
    used: set[str] = set()
    for text in db.session.scalars(query):
        try:
            used.update(code for code in json.loads(text or "[]") if isinstance(code, str))
        except (TypeError, ValueError):
            continue
    return used & meeting_types.codes()


def organisation_groups_with_listed_meetings(organisation: Organisation) -> list[Group]:
    return list(
        db.session.scalars(
            sa.select(Group)
            .where(
                Group.organisation_id == organisation.id,
                Group.id.in_(
                    sa.select(Meeting.group_id).where(
                        Meeting.organisation_id == organisation.id,
                        Meeting.status == "active",
                        Meeting.listed.is_(True),
                    )
                ),
            )
            .order_by(Group.name)
        )
    )


def public_meeting(organisation: Organisation, slug: str) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.organisation_id == organisation.id,
            Meeting.slug == slug,
            Meeting.listed.is_(True),
            Meeting.status != "archived",
        )
        .options(sa.orm.selectinload(Meeting.schedules), sa.orm.joinedload(Meeting.group))
    )


def public_filter_choices(organisation: Organisation, *, today: date) -> tuple[list[Group], set[str]]:
    """What the public page's filter offers: the groups with listed meetings and the types they use."""
    groups = organisation_groups_with_listed_meetings(organisation)
    return groups, public_type_codes(organisation, today=today)


def public_listing(
    organisation: Organisation,
    filters: PublicFilters,
    *,
    now: datetime,
    today: date,
    page: int,
    per_page: int,
) -> tuple[Page, dict[int, Occurrence]]:
    """A page of the public meetings list, and the next date of each meeting on it."""
    rows = Page(public_meetings_query(organisation, filters, today=today), page=page, per_page=per_page)
    return rows, next_occurrences([m.id for m, _s, _g in rows.items], now=now)


def listed_group(organisation: Organisation, slug: str) -> Group | None:
    """The organisation's group with that slug when it lists at least one active meeting, else None:
    a public page or feed of a group that lists nothing would only reveal that the group exists."""
    listed = sa.select(Meeting.id).where(
        Meeting.group_id == Group.id, Meeting.status == "active", Meeting.listed.is_(True)
    )
    return db.session.scalar(
        sa.select(Group).where(
            Group.slug == slug, Group.organisation_id == organisation.id, sa.exists(listed)
        )
    )
