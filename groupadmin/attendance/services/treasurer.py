"""The treasurer's view: every recorded collection of a period, with sums per month and per meeting
(per currency), and the same ledger as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.models import HeadCount
from groupadmin.attendance.services.figures import add_months, group_today
from groupadmin.attendance.services.money import plain_amount
from groupadmin.attendance.services.settings import settings_for
from groupadmin.exports import csv_text
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting, Occurrence


@dataclass
class LedgerRow:
    local_date: date
    meeting_id: int
    meeting_name: str
    total: int | None
    cash_minor: int | None
    digital_minor: int | None
    currency: str


@dataclass
class MoneyLine:
    label: str
    currency: str
    dates: int = 0
    cash: int = 0
    digital: int = 0
    start: date | None = None

    @property
    def total(self) -> int:
        return self.cash + self.digital

    @property
    def average(self) -> float | None:
        return self.total / self.dates if self.dates else None


@dataclass
class TreasurerReport:
    start: date
    end: date
    rows: list[LedgerRow]
    months: list[MoneyLine]
    meetings: list[MoneyLine]
    totals: list[MoneyLine]  # one per currency

    @property
    def has_collections(self) -> bool:
        return any(line.dates for line in self.totals)


def available_years(group: Group, *, today: date) -> list[int]:
    """The years from the group's first count to this one, newest first (one query)."""
    first = db.session.scalar(
        sa.select(sa.func.min(Occurrence.local_date))
        .join(HeadCount, HeadCount.occurrence_id == Occurrence.id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(Meeting.group_id == group.id)
    )
    return list(range(today.year, min(first.year, today.year) - 1, -1)) if first else [today.year]


def treasurer_report(group: Group, *, start: date, end: date, currency: str, locale: str) -> TreasurerReport:
    """Every recorded collection of the group's dates from `start` to `end` (local dates, inclusive),
    with sums per month (every month of the period, empty ones too) and per meeting, per currency.
    One query."""
    return sum_collections(_ledger(group, start, end), start=start, end=end, currency=currency, locale=locale)


def _ledger(group: Group, start: date, end: date) -> list[LedgerRow]:
    return [
        LedgerRow(*r)
        for r in db.session.execute(
            sa.select(
                Occurrence.local_date,
                Meeting.id,
                Meeting.name,
                HeadCount.total,
                HeadCount.cash_minor,
                HeadCount.digital_minor,
                HeadCount.currency,
            )
            .select_from(HeadCount)
            .join(Occurrence, Occurrence.id == HeadCount.occurrence_id)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                Meeting.group_id == group.id,
                Occurrence.local_date >= start,
                Occurrence.local_date <= end,
                sa.or_(HeadCount.cash_minor.is_not(None), HeadCount.digital_minor.is_not(None)),
            )
            .order_by(Occurrence.local_date, Meeting.name, Occurrence.starts_at)
        )
    ]


def sum_collections(
    rows: list[LedgerRow], *, start: date, end: date, currency: str, locale: str
) -> TreasurerReport:
    """The ledger's sums per month, per meeting and in all, per currency (the group's `currency` first)."""
    months: dict[tuple[date, str], MoneyLine] = {}
    month = start.replace(day=1)
    while month <= end:
        months[(month, currency)] = MoneyLine(
            format_date(month, "LLLL y", locale=locale), currency, start=month
        )
        month = add_months(month, 1)
    meetings: dict[tuple[int, str], MoneyLine] = {}
    totals: dict[str, MoneyLine] = {currency: MoneyLine("", currency)}
    for row in rows:
        key = row.local_date.replace(day=1)
        lines = (
            months.get((key, row.currency))
            or months.setdefault(
                (key, row.currency),
                MoneyLine(format_date(key, "LLLL y", locale=locale), row.currency, start=key),
            ),
            meetings.get((row.meeting_id, row.currency))
            or meetings.setdefault((row.meeting_id, row.currency), MoneyLine(row.meeting_name, row.currency)),
            totals.get(row.currency) or totals.setdefault(row.currency, MoneyLine("", row.currency)),
        )
        for line in lines:
            line.dates += 1
            line.cash += row.cash_minor or 0
            line.digital += row.digital_minor or 0
    return TreasurerReport(
        start=start,
        end=end,
        rows=rows,
        months=sorted(
            months.values(), key=lambda line: (line.start, line.currency != currency, line.currency)
        ),
        meetings=sorted(meetings.values(), key=lambda line: (line.label.lower(), line.currency)),
        totals=sorted(totals.values(), key=lambda line: (line.currency != currency, line.currency)),
    )


def collections_csv(report: TreasurerReport) -> str:
    header = [
        _l("Date"),
        _l("Meeting"),
        _l("Head count"),
        _l("Cash"),
        _l("Digital"),
        _l("Total"),
        _l("Currency"),
    ]
    rows = [
        (
            row.local_date.isoformat(),
            row.meeting_name,
            "" if row.total is None else row.total,
            plain_amount(row.cash_minor, row.currency),
            plain_amount(row.digital_minor, row.currency),
            plain_amount((row.cash_minor or 0) + (row.digital_minor or 0), row.currency),
            row.currency,
        )
        for row in report.rows
    ]
    return csv_text([header, *rows])


# ---------------------------------------------------------------------------------------------------
# The treasurer's page and its CSV


@dataclass(frozen=True)
class Period:
    """The treasurer's period: a calendar year, or the last 12 months (kind "last12", year None)."""

    kind: str
    year: int | None
    start: date
    end: date

    @property
    def file_part(self) -> str:
        return str(self.year) if self.kind == "year" else f"{self.start:%Y-%m}-to-{self.end:%Y-%m}"


def period(group: Group, *, now: datetime, year: int | None) -> Period:
    """The year asked for (from 1970 to this one), or else the last 12 months."""
    today = group_today(group, now)
    if year is not None and 1970 <= year <= today.year:
        return Period("year", year, date(year, 1, 1), date(year, 12, 31))
    return Period("last12", None, add_months(today.replace(day=1), -11), today)


@dataclass
class TreasurerPage:
    report: TreasurerReport
    period: Period
    years: list[int]
    currency: str


def treasurer_page(group: Group, *, now: datetime, year: int | None, locale: str) -> TreasurerPage:
    chosen = period(group, now=now, year=year)
    currency = settings_for(group).currency
    report = treasurer_report(group, start=chosen.start, end=chosen.end, currency=currency, locale=locale)
    years = available_years(group, today=group_today(group, now))
    return TreasurerPage(report=report, period=chosen, years=years, currency=currency)


def treasurer_csv(group: Group, *, now: datetime, year: int | None, locale: str) -> tuple[str, str]:
    """The ledger of the period as CSV: its file name and its text."""
    chosen = period(group, now=now, year=year)
    currency = settings_for(group).currency
    report = treasurer_report(group, start=chosen.start, end=chosen.end, currency=currency, locale=locale)
    return f"collections-{group.slug}-{chosen.file_part}.csv", collections_csv(report)
