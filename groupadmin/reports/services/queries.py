"""The report's aggregates, summed in SQL (coordinators never receive a row about one date or person):
one query per subject, grouped by group and month, a fixed number of queries whatever the period.

Months come from ``EXTRACT(YEAR/MONTH FROM local_date)`` (SQLAlchemy writes it for SQLite and
PostgreSQL alike); dates are the meetings' own local dates, instants are compared in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.newsletters.models import MailingList, NewsletterIssue, Subscription
from groupadmin.rota.models import Assignment, ServiceRole


@dataclass(frozen=True)
class Scope:
    """Whose figures: an organisation's groups, perhaps of one fellowship or one group."""

    organisation_id: int
    fellowship: str | None = None
    group_id: int | None = None
    org_lists: bool = True  # the organisation's own newsletter lists count too (not for a group's view)


@dataclass
class CountRow:
    group_id: int
    month: date
    currency: str | None
    held: int
    counted: int
    total: int
    newcomers: int
    in_person: int
    online: int
    collected_dates: int
    collected_minor: int


def _month(column):
    return sa.extract("year", column), sa.extract("month", column)


def _group_filter(query, scope: Scope, group_column):
    """Limit to the scope; joins the group table only for a fellowship."""
    if scope.group_id is not None:
        query = query.where(group_column == scope.group_id)
    if scope.fellowship is not None:
        query = query.join(Group, Group.id == group_column).where(Group.fellowship == scope.fellowship)
    return query


def groups(scope: Scope) -> list[tuple[int, str, str, str]]:
    """(id, name, slug, fellowship) of the groups in scope, by name."""
    query = sa.select(Group.id, Group.name, Group.slug, Group.fellowship).where(
        Group.organisation_id == scope.organisation_id
    )
    if scope.group_id is not None:
        query = query.where(Group.id == scope.group_id)
    if scope.fellowship is not None:
        query = query.where(Group.fellowship == scope.fellowship)
    return [tuple(row) for row in db.session.execute(query.order_by(Group.name, Group.id))]


def count_rows(scope: Scope, start: date, end: date, *, now: datetime) -> list[CountRow]:
    """Per group, month and currency of the count: dates held (not cancelled, started by `now`), dates
    with a head count, the sums of the counts and of the collections."""
    year, month = _month(Occurrence.local_date)
    collected = sa.case(
        (sa.or_(HeadCount.cash_minor.is_not(None), HeadCount.digital_minor.is_not(None)), 1), else_=0
    )
    query = (
        sa.select(
            Meeting.group_id,
            year,
            month,
            HeadCount.currency,
            sa.func.count(Occurrence.id),
            sa.func.count(HeadCount.total),
            sa.func.coalesce(sa.func.sum(HeadCount.total), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.newcomers), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.in_person), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.online), 0),
            sa.func.coalesce(sa.func.sum(collected), 0),
            sa.func.coalesce(
                sa.func.sum(
                    sa.func.coalesce(HeadCount.cash_minor, 0) + sa.func.coalesce(HeadCount.digital_minor, 0)
                ),
                0,
            ),
        )
        .select_from(Occurrence)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .outerjoin(HeadCount, HeadCount.occurrence_id == Occurrence.id)
        .where(
            Meeting.organisation_id == scope.organisation_id,
            Occurrence.local_date >= start,
            Occurrence.local_date <= end,
            Occurrence.status == "scheduled",
            Occurrence.starts_at <= now,
        )
        .group_by(Meeting.group_id, year, month, HeadCount.currency)
    )
    query = _group_filter(query, scope, Meeting.group_id)
    return [
        CountRow(r[0], date(int(r[1]), int(r[2]), 1), r[3], *(int(v or 0) for v in r[4:]))
        for r in db.session.execute(query)
    ]


def rota_rows(scope: Scope, start: date, end: date, *, now: datetime) -> list[tuple[int, date, int]]:
    """Per group and month: service places filled (confirmed turns) on dates held."""
    year, month = _month(Occurrence.local_date)
    query = (
        sa.select(ServiceRole.group_id, year, month, sa.func.count(Assignment.id))
        .select_from(Assignment)
        .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
        .join(ServiceRole, ServiceRole.id == Assignment.role_id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(
            Meeting.organisation_id == scope.organisation_id,
            Assignment.status == "confirmed",
            Occurrence.local_date >= start,
            Occurrence.local_date <= end,
            Occurrence.status == "scheduled",
            Occurrence.starts_at <= now,
        )
        .group_by(ServiceRole.group_id, year, month)
    )
    query = _group_filter(query, scope, ServiceRole.group_id)
    return [(r[0], date(int(r[1]), int(r[2]), 1), int(r[3])) for r in db.session.execute(query)]


def instants(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """The period as UTC instants [from, until) in the organisation's zone."""
    zone = ZoneInfo(timezone)
    return (
        datetime.combine(start, time(0), zone).astimezone(ZoneInfo("UTC")),
        datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(ZoneInfo("UTC")),
    )


def newsletter_rows(
    scope: Scope, start: date, end: date, *, timezone: str, now: datetime
) -> list[tuple[int | None, int, int]]:
    """Per list owner (a group's id, None for the organisation's own lists): subscribers confirmed at
    the end of the period (or now, if sooner), and issues sent in the period."""
    since, until = instants(start, end, timezone)
    until = min(until, now)
    owner = MailingList.group_id
    in_org = sa.or_(
        MailingList.organisation_id == scope.organisation_id,
        MailingList.group_id.in_(sa.select(Group.id).where(Group.organisation_id == scope.organisation_id)),
    )

    def limited(query):
        query = query.where(in_org)
        if scope.group_id is not None or scope.fellowship is not None or not scope.org_lists:
            query = query.where(MailingList.group_id.is_not(None))
        return _group_filter(query, scope, MailingList.group_id)

    subscribers = limited(
        sa.select(owner, sa.func.count(Subscription.id), sa.literal(0))
        .select_from(Subscription)
        .join(MailingList, MailingList.id == Subscription.list_id)
        .where(
            Subscription.confirmed_at.is_not(None),
            Subscription.confirmed_at < until,
            sa.or_(Subscription.unsubscribed_at.is_(None), Subscription.unsubscribed_at >= until),
            sa.or_(Subscription.bounced_at.is_(None), Subscription.bounced_at >= until),
        )
        .group_by(owner)
    )
    issues = limited(
        sa.select(owner, sa.literal(0), sa.func.count(NewsletterIssue.id))
        .select_from(NewsletterIssue)
        .join(MailingList, MailingList.id == NewsletterIssue.list_id)
        .where(
            NewsletterIssue.state == "sent",
            NewsletterIssue.sent_at >= since,
            NewsletterIssue.sent_at < until,
        )
        .group_by(owner)
    )
    totals: dict[int | None, list[int]] = {}
    for group_id, subs, sent in db.session.execute(sa.union_all(subscribers, issues)):
        entry = totals.setdefault(group_id, [0, 0])
        entry[0] += int(subs or 0)
        entry[1] += int(sent or 0)
    return [(group_id, subs, sent) for group_id, (subs, sent) in totals.items()]
