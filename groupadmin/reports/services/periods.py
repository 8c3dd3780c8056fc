"""The period a report covers: a month, a quarter, a year or custom dates, in the organisation's calendar.

Presets ("last quarter") are resolved against the organisation's today; every link and export then
carries the explicit dates, so a file downloaded next week covers the same days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.services.figures import add_months
from groupadmin.errors import UserError
from groupadmin.web import MAX_DATE, MIN_DATE

PRESETS = {
    "last-month": _l("Last month"),
    "this-month": _l("This month so far"),
    "last-quarter": _l("Last quarter"),
    "this-quarter": _l("This quarter so far"),
    "last-year": _l("Last year"),
    "this-year": _l("This year so far"),
    "custom": _l("Dates of my choice"),
}
DEFAULT_PRESET = "last-month"
MAX_DAYS = 366 * 10  # ten years at most in one report


class PeriodError(UserError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def kind(self) -> str:
        """month | quarter | year | custom: what the dates make, whatever preset chose them."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return "custom"
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        if months == 1:
            return "month"
        if months == 3 and self.start.month in (1, 4, 7, 10):
            return "quarter"
        if months == 12 and self.start.month == 1:
            return "year"
        return "custom"

    @property
    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        first, out = self.start.replace(day=1), []
        while first <= self.end:
            out.append(first)
            first = add_months(first, 1)
        return out

    def label(self, locale: str) -> str:
        kind = self.kind
        if kind == "month":
            return format_date(self.start, "LLLL y", locale=locale)
        if kind == "quarter":
            return gettext("Q%(n)s %(year)s", n=(self.start.month - 1) // 3 + 1, year=self.start.year)
        if kind == "year":
            return str(self.start.year)
        return gettext(
            "%(start)s to %(end)s",
            start=format_date(self.start, "medium", locale=locale),
            end=format_date(self.end, "medium", locale=locale),
        )

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def org_today(organisation, now: datetime) -> date:
    return now.astimezone(ZoneInfo(organisation.timezone)).date()


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, add_months(first, 1) - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first = quarter_start(day)
    return Period(first, add_months(first, 3) - timedelta(days=1))


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def preset(name: str, today: date) -> Period:
    """A preset's dates; the "so far" ones end today."""
    if name == "last-month":
        return month_of(add_months(today.replace(day=1), -1))
    if name == "this-month":
        return Period(today.replace(day=1), today)
    if name == "last-quarter":
        return quarter_of(add_months(quarter_start(today), -3))
    if name == "this-quarter":
        return Period(quarter_start(today), today)
    if name == "last-year":
        return year_of(date(today.year - 1, 1, 1))
    if name == "this-year":
        return Period(date(today.year, 1, 1), today)
    raise ValueError(name)


def choose(name: str | None, start: date | None, end: date | None, *, today: date) -> Period:
    """The period asked for: a preset, or custom dates (both needed, within the years a person can mean,
    in order, ten years at most).
    Raises PeriodError (beside the date fields) for custom dates that do not make a period."""
    name = name if name in PRESETS else (None if start or end else DEFAULT_PRESET)
    if name and name != "custom":
        return preset(name, today)
    problems = {}
    if start is None:
        problems["start"] = _l("Enter the first day, as on a calendar.")
    if end is None:
        problems["end"] = _l("Enter the last day, as on a calendar.")
    if problems:
        raise PeriodError.of(problems)
    for field, day in (("start", start), ("end", end)):
        if not MIN_DATE <= day <= MAX_DATE:
            problems[field] = _l(
                "Choose a day between %(first)s and %(last)s.", first=MIN_DATE.year, last=MAX_DATE.year
            )
    if problems:
        raise PeriodError.of(problems)
    if end < start:
        raise PeriodError(_l("The last day comes before the first."), field="end")
    if (end - start).days > MAX_DAYS:
        raise PeriodError(_l("A report covers ten years at most."), field="end")
    return Period(start, end)


def ignored_dates(name: str | None, start: date | None, end: date | None, period: Period) -> bool:
    """Dates were typed but a preset chose the period: the page says the dates are not used. (The preset
    wins: the page's links carry the dates they show, so switching the preset must still work.)"""
    typed = start is not None or end is not None
    return name in PRESETS and name != "custom" and typed and (start, end) != (period.start, period.end)


def previous(frequency: str, today: date) -> Period:
    """The period a subscription delivers on `today`: the month or quarter before today's."""
    return preset("last-month" if frequency == "monthly" else "last-quarter", today)
