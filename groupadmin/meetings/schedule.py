"""Pure date arithmetic for schedules: which local dates a rule gives between two dates.

No database here: the same functions serve the generator, the schedule-change preview, the feeds and
the tests. Weekdays are Python's (Monday = 0 … Sunday = 6); the Meeting Guide feed converts.

Local times that daylight saving skips or repeats follow RFC 5545 (3.3.5), as calendar apps reading our
iCalendar feed do, so our dates and theirs agree:

- a time in a spring-forward gap (02:30 on the night the clocks jump from 02:00 to 03:00) is read with
  the offset before the gap, so the meeting starts as much later as the clocks jump (03:30 EDT);
- a time that occurs twice (01:30 on the night the clocks go back) is the first of the two.

A one-off meeting at a time that does not exist is refused (see the services); a weekly or monthly
meeting keeps its time and is shifted forward on the one date a year it falls in a gap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rule:
    """When a meeting meets: the parts of a schedule that decide its dates and times."""

    recurrence: str  # weekly | monthly | once | appointment (no day or time: no dates)
    weekday: int | None
    month_week: int | None
    on_date: date | None
    start_time: time | None  # None by appointment
    duration_minutes: int
    timezone: str

    @classmethod
    def of(cls, schedule) -> Rule:
        return cls(
            schedule.recurrence,
            schedule.weekday,
            schedule.month_week,
            schedule.on_date,
            schedule.start_time,
            schedule.duration_minutes,
            schedule.timezone,
        )

    def normalised(self) -> Rule:
        """Drop the parts the recurrence does not use, so equal schedules compare equal."""
        if self.recurrence == "appointment":
            return Rule("appointment", None, None, None, None, self.duration_minutes, self.timezone)
        return Rule(
            self.recurrence,
            # A one-off meeting keeps its date's weekday too, so lists sort and filter it by day.
            self.on_date.weekday() if self.recurrence == "once" and self.on_date else self.weekday,
            self.month_week if self.recurrence == "monthly" else None,
            self.on_date if self.recurrence == "once" else None,
            self.start_time.replace(second=0, microsecond=0) if self.start_time else None,
            self.duration_minutes,
            self.timezone,
        )

    def starts_at(self, day: date) -> datetime:
        """The UTC start on a local date; in a daylight-saving gap, shifted forward (see the module)."""
        # fold=0: the offset before a gap, the first of two repeated times (RFC 5545).
        local = datetime.combine(day, self.start_time, tzinfo=ZoneInfo(self.timezone)).replace(fold=0)
        return local.astimezone(UTC)

    def exists_on(self, day: date) -> bool:
        """Whether the start time exists on that local date (False in a spring-forward gap)."""
        return local_time_exists(day, self.start_time, self.timezone)

    def local_start(self, day: date) -> datetime:
        """The local start that a date's meeting actually has (03:30 for 02:30 in a one-hour gap)."""
        return self.starts_at(day).astimezone(ZoneInfo(self.timezone))

    def ends_at(self, day: date) -> datetime:
        return self.starts_at(day) + timedelta(minutes=self.duration_minutes)


def local_time_exists(day: date, at: time, zone: str) -> bool:
    """False when the clocks jump over that local time on that date (a spring-forward gap)."""
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local.replace(tzinfo=None)


def gap_dates(rule: Rule, first: date, last: date) -> list[date]:
    """The dates the rule gives from `first` to `last` whose start time falls in a daylight-saving gap."""
    return [day for day in dates_between(rule, first, last) if not rule.exists_on(day)]


def local_today(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The nth (1–4) or last (-1) given weekday of a month; None when the month has no such day."""
    days = [
        d
        for d in calendar.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    if n == -1:
        return days[-1]
    return days[n - 1] if 1 <= n <= len(days) else None


def dates_between(rule: Rule, first: date, last: date) -> list[date]:
    """Every local date the rule gives from `first` to `last`, both included."""
    if last < first:
        return []
    if rule.recurrence == "appointment":
        return []  # by appointment: no dates
    if rule.recurrence == "once":
        return [rule.on_date] if rule.on_date and first <= rule.on_date <= last else []
    if rule.recurrence == "weekly":
        start = first + timedelta(days=(rule.weekday - first.weekday()) % 7)
        return (
            [start + timedelta(weeks=i) for i in range((last - start).days // 7 + 1)] if start <= last else []
        )
    if rule.recurrence == "monthly":
        result = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            day = nth_weekday(year, month, rule.weekday, rule.month_week)
            if day and first <= day <= last:
                result.append(day)
            month += 1
            if month == 13:
                year, month = year + 1, 1
        return result
    raise ValueError(f"unknown recurrence {rule.recurrence!r}")


def next_date(rule: Rule, on_or_after: date) -> date | None:
    """The first date the rule gives on or after a date (looking a little over a year ahead)."""
    dates = dates_between(rule, on_or_after, on_or_after + timedelta(days=400))
    return dates[0] if dates else None
