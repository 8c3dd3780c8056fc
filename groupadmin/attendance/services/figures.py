"""Trends: averages and sums of a group's counts (or one meeting's) over the last 12 weeks and the last
12 months, in the group's calendar; and the calendar arithmetic they and the treasurer share."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext

from groupadmin.attendance.models import AttendanceSettings, HeadCount
from groupadmin.attendance.services.settings import default_currency
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence

TREND_WEEKS, TREND_MONTHS = 12, 12


@dataclass
class Bucket:
    start: date
    label: str  # short, under a bar: "17 Nov", "Nov"
    long_label: str  # in the table: "Week of 17 Nov 2026", "November 2026"
    meetings: int = 0  # dates with a head count
    total: int = 0
    newcomers: int = 0
    in_person: int = 0
    online: int = 0
    collected_dates: int = 0  # dates with a collection recorded
    cash: int = 0
    digital: int = 0

    @property
    def average(self) -> float | None:
        return self.total / self.meetings if self.meetings else None

    @property
    def average_in_person(self) -> float | None:
        return self.in_person / self.meetings if self.meetings else None

    @property
    def average_online(self) -> float | None:
        return self.online / self.meetings if self.meetings else None

    @property
    def online_share(self) -> float | None:
        return self.online / self.total if self.total else None

    @property
    def collections(self) -> int | None:
        return self.cash + self.digital if self.collected_dates else None


@dataclass
class Series:
    period: str  # weeks | months
    buckets: list[Bucket]
    currency: str

    @property
    def has_counts(self) -> bool:
        return any(b.meetings for b in self.buckets)

    @property
    def has_collections(self) -> bool:
        return any(b.collected_dates for b in self.buckets)

    @property
    def has_data(self) -> bool:
        return self.has_counts or self.has_collections

    @property
    def totals(self) -> Bucket:
        whole = Bucket(self.buckets[0].start, "", "")
        for b in self.buckets:
            for name in (
                "meetings",
                "total",
                "newcomers",
                "in_person",
                "online",
                "collected_dates",
                "cash",
                "digital",
            ):
                setattr(whole, name, getattr(whole, name) + getattr(b, name))
        return whole


@dataclass
class Trends:
    weeks: Series
    months: Series
    currency: str
    other_currencies: list[str] = field(default_factory=list)
    meeting: Meeting | None = None


def week_start(day: date, first_weekday: int) -> date:
    """The first day of `day`'s week, weeks starting on `first_weekday` (Monday = 0)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def group_today(group: Group, now: datetime) -> date:
    return now.astimezone(ZoneInfo(group.timezone)).date()


@dataclass(frozen=True)
class TrendWindow:
    """The weeks and months shown, in the group's calendar (its zone, and the first day of the week of
    the reader's language)."""

    today: date
    first_weekday: int
    week_starts: tuple[date, ...]
    month_starts: tuple[date, ...]

    @property
    def since(self) -> date:
        return min(self.week_starts[0], self.month_starts[0])


def trend_window(group: Group, *, now: datetime, locale: str) -> TrendWindow:
    today = group_today(group, now)
    first_weekday = Locale.parse(locale).first_week_day
    this_week = week_start(today, first_weekday)
    this_month = today.replace(day=1)
    return TrendWindow(
        today=today,
        first_weekday=first_weekday,
        week_starts=tuple(this_week - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)),
        month_starts=tuple(add_months(this_month, -n) for n in range(TREND_MONTHS - 1, -1, -1)),
    )


@functools.cache
def _trend_statement(one_meeting: bool):
    """Sums per date and currency over a group's dates (or one meeting's) between :since and :today.
    Built once with bound parameters: the group page runs it on every view."""
    collected = sa.case(
        (sa.or_(HeadCount.cash_minor.is_not(None), HeadCount.digital_minor.is_not(None)), 1), else_=0
    )
    query = (
        sa.select(
            Occurrence.local_date,
            HeadCount.currency,
            sa.func.count(HeadCount.total),
            sa.func.coalesce(sa.func.sum(HeadCount.total), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.newcomers), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.in_person), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.online), 0),
            sa.func.sum(collected),
            sa.func.coalesce(sa.func.sum(HeadCount.cash_minor), 0),
            sa.func.coalesce(sa.func.sum(HeadCount.digital_minor), 0),
            # The group's chosen currency rides along, so the page needs no query of its own for it.
            sa.select(AttendanceSettings.currency)
            .where(AttendanceSettings.group_id == sa.bindparam("group_id", type_=sa.Integer()))
            .scalar_subquery(),
        )
        .select_from(HeadCount)
        .join(Occurrence, Occurrence.id == HeadCount.occurrence_id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(
            Meeting.group_id == sa.bindparam("group_id", type_=sa.Integer()),
            Occurrence.local_date >= sa.bindparam("since", type_=sa.Date()),
            Occurrence.local_date <= sa.bindparam("today", type_=sa.Date()),
        )
        .group_by(Occurrence.local_date, HeadCount.currency)
        .order_by(Occurrence.local_date, HeadCount.currency)
    )
    if one_meeting:
        query = query.where(Occurrence.meeting_id == sa.bindparam("meeting_id", type_=sa.Integer()))
    return query


def trend_rows(
    group: Group, window: TrendWindow, *, meeting: Meeting | None = None
) -> tuple[list[tuple], str | None]:
    """Sums per date and currency of the group's counts (or one meeting's) in the window, and the
    group's chosen currency (None when it chose none, or there are no counts in the window). One query,
    whatever the amount of history (the indexes on meetings, (meeting, date) and counts)."""
    params = {"group_id": group.id, "since": window.since, "today": window.today}
    if meeting is not None:
        params["meeting_id"] = meeting.id
    rows = [tuple(row) for row in db.session.execute(_trend_statement(meeting is not None), params)]
    chosen = rows[0][-1] if rows else None
    return [row[:-1] for row in rows], chosen


def trends(
    group: Group, *, now: datetime, locale: str, meeting: Meeting | None = None, currency: str | None = None
) -> Trends:
    """Averages and sums per week (12) and per month (12) of the group's counts (or one meeting's):
    the database sums per date; the dates are put into weeks and months here (no dialect's date
    functions), in the group's calendar."""
    window = trend_window(group, now=now, locale=locale)
    rows, chosen = trend_rows(group, window, meeting=meeting)
    currency = currency or chosen or default_currency()
    return build_trends(rows, window, currency=currency, locale=locale, meeting=meeting)


def build_trends(
    rows: list[tuple], window: TrendWindow, *, currency: str, locale: str, meeting: Meeting | None = None
) -> Trends:
    """The weeks and months of the window, filled with the sums per date and currency (`trend_rows`);
    collections in another currency than `currency` are named, not added."""
    week_of = gettext("Week of %(date)s")
    weeks = [
        Bucket(
            s,
            format_date(s, "d MMM", locale=locale),
            week_of % {"date": format_date(s, "d MMM y", locale=locale)},
        )
        for s in window.week_starts
    ]
    months = [
        Bucket(s, format_date(s, "LLL", locale=locale), format_date(s, "LLLL y", locale=locale))
        for s in window.month_starts
    ]
    week_index = {b.start: b for b in weeks}
    month_index = {b.start: b for b in months}
    others: set[str] = set()
    for row in rows:
        day = row[0]
        targets = [week_index.get(week_start(day, window.first_weekday)), month_index.get(day.replace(day=1))]
        for bucket in targets:
            if bucket is not None and not _add(bucket, row, currency) and row[7]:
                others.add(row[1])
    return Trends(
        weeks=Series("weeks", weeks, currency),
        months=Series("months", months, currency),
        currency=currency,
        other_currencies=sorted(others),
        meeting=meeting,
    )


def _add(bucket: Bucket, row: tuple, currency: str) -> bool:
    """Add a date's sums to a bucket; whether its collections were in `currency` (and so added)."""
    _day, row_currency, meetings, total, newcomers, in_person, online, collected_n, cash, digital = row
    bucket.meetings += meetings
    bucket.total += total
    bucket.newcomers += newcomers
    bucket.in_person += in_person
    bucket.online += online
    if row_currency != currency:
        return False
    bucket.collected_dates += collected_n or 0
    bucket.cash += cash
    bucket.digital += digital
    return True


@functools.lru_cache(maxsize=4096)
def format_share(value: float | None, locale: str) -> str:
    return "" if value is None else format_percent(value, locale=locale)


@functools.lru_cache(maxsize=4096)
def format_average(value: float | None, locale: str) -> str:
    return "" if value is None else format_decimal(round(value, 1), format="#,##0.#", locale=locale)
