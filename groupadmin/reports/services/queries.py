"""The report's aggregates, summed in SQL (coordinators never receive a row about one date or person):
one query per subject, grouped by group and month, a fixed number of queries whatever the period.

Dates held, head counts, collections and rota places come from the monthly roll-ups
(``services.rollups``) for the whole months rolled up, from the raw data for the rest; months are those
of the meetings' own local dates, instants are compared in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.newsletters.models import MailingList, NewsletterIssue, Subscription
from groupadmin.reports.models import ReportMonth, ReportStale
from groupadmin.reports.services import rollups


@dataclass(frozen=True)
class Scope:
    """Whose figures: an organisation's groups, perhaps of one fellowship or one group."""

    organisation_id: int
    fellowship: str | None = None
    group_id: int | None = None
    org_lists: bool = True  # the organisation's own newsletter lists count too (not for a group's view)


@dataclass
class CountRow:
    """Sums of one group (group_id) in one month (month); a roll-up's row per group over the period has
    month None, its row per month over the groups has group_id None."""

    group_id: int | None
    month: date | None
    currency: str | None
    held: int
    counted: int
    total: int
    newcomers: int
    in_person: int
    online: int
    collected_dates: int
    collected_minor: int
    rota: int


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
    """Dates held (not cancelled, started by `now`), dates with a head count, the sums of the counts and
    of the collections, service places filled (confirmed rota turns on dates held): per group and per
    month (and currency) from the monthly roll-ups for the whole months already rolled up, per group,
    month and currency from the raw data for the rest of the period and for the group-months marked
    stale. Three queries whatever the period."""
    until = end + timedelta(days=1)
    full_from = start if start.day == 1 else rollups.next_month(start)
    full_until = until if until.day == 1 else rollups.first_of_month(until)
    full_until = min(full_until, rollups.rolled_until() or full_from)
    if full_until <= full_from:
        full_from = full_until = start
    rows = _rollup_rows(scope, full_from, full_until)
    raw = [
        rollups.raw_sums(now=now, organisation_id=scope.organisation_id, since=since, before=before)
        for since, before in ((start, full_from), (full_until, until))
    ]
    raw.append(
        rollups.raw_sums(
            now=now, organisation_id=scope.organisation_id, stale=rollups.stale_months(full_from, full_until)
        )
    )
    query = sa.union_all(*(_raw_filter(q, scope) for q in raw))
    rows += [_count_row(row) for row in db.session.execute(query)]
    return rows


def _raw_filter(query, scope: Scope):
    """Limit the raw sums (grouped over a union) to the scope's group or fellowship."""
    group_id = query.selected_columns.group_id
    if scope.group_id is not None:
        query = query.where(group_id == scope.group_id)
    if scope.fellowship is not None:
        query = query.where(
            group_id.in_(
                sa.select(Group.id).where(
                    Group.organisation_id == scope.organisation_id, Group.fellowship == scope.fellowship
                )
            )
        )
    return query


def _count_row(row) -> CountRow:
    return CountRow(row[0], row[1], row[2], *(int(v or 0) for v in row[3:]))


def _rollup_rows(scope: Scope, since: date, until: date) -> list[CountRow]:
    """The roll-ups' sums of the months in [since, until) but the stale ones: per month and currency
    (group_id None) and per group (month None)."""
    sums = [sa.func.coalesce(sa.func.sum(getattr(ReportMonth, name)), 0) for name in rollups.SUMS]
    not_stale = ~sa.exists().where(
        ReportStale.group_id == ReportMonth.group_id, ReportStale.month == ReportMonth.month
    )

    def limited(query):
        query = query.join(Group, Group.id == ReportMonth.group_id).where(
            Group.organisation_id == scope.organisation_id,
            ReportMonth.month >= since,
            ReportMonth.month < until,
            not_stale,
        )
        if scope.group_id is not None:
            query = query.where(Group.id == scope.group_id)
        if scope.fellowship is not None:
            query = query.where(Group.fellowship == scope.fellowship)
        return query

    by_month = limited(
        sa.select(sa.type_coerce(sa.null(), sa.Integer), ReportMonth.month, ReportMonth.currency, *sums)
    ).group_by(ReportMonth.month, ReportMonth.currency)
    by_group = limited(
        sa.select(ReportMonth.group_id, sa.type_coerce(sa.null(), sa.Date), sa.null(), *sums)
    ).group_by(ReportMonth.group_id)
    return [_count_row(row) for row in db.session.execute(sa.union_all(by_month, by_group))]


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
