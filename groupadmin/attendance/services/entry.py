"""One date's count form, shared by the secretary's page and the chair's link: what it shows (the
count as texts, what it asks for, why the date cannot be counted) and saving what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from groupadmin.attendance.models import HeadCount
from groupadmin.attendance.services.counts import (
    CountError,
    clean_count,
    count_for,
    count_problem,
    entry_mode,
    raw_from_count,
    save_count,
    summary,
)
from groupadmin.attendance.services.settings import settings_for
from groupadmin.meetings.models import Occurrence


@dataclass
class Entry:
    """A date's form: its count (if any), the currency its amounts are typed in (the count's own, or
    else the group's), the mode (entry_mode), why no count can be entered (or None), and whether this
    form may change the count."""

    occurrence: Occurrence
    count: HeadCount | None
    currency: str
    mode: str
    problem: str | None
    locale: str
    may_edit: bool = True

    @property
    def typed(self) -> dict:
        """The saved count as the texts the form shows for editing."""
        return raw_from_count(self.count, self.mode, self.locale)

    @property
    def open(self) -> bool:
        """Whether what is typed here can be saved."""
        return self.may_edit and self.problem is None


@dataclass
class Saved:
    count: HeadCount
    changed: list[str]  # empty when nothing had changed
    summary: str  # the count in one line, for the message


def count_entry(occurrence: Occurrence, *, now: datetime, locale: str) -> Entry:
    count = count_for(occurrence)
    currency = count.currency if count is not None else settings_for(occurrence.meeting.group).currency
    return Entry(
        occurrence=occurrence,
        count=count,
        currency=currency,
        mode=entry_mode(occurrence, count),
        problem=count_problem(occurrence, now=now),
        locale=locale,
    )


def record_entry(entry: Entry, raw: dict, *, actor, now: datetime, via: str = "account") -> Saved:
    """Save what was typed in a date's form (texts, as clean_count takes them): cleaned by the count
    rules, then recorded or changed. Raises CountError with a message per field."""
    if entry.problem is not None:
        raise CountError(entry.problem, field="total")
    values = clean_count(raw, mode=entry.mode, currency=entry.currency, locale=entry.locale)
    count, changed = save_count(
        entry.occurrence, values, actor=actor, now=now, currency=entry.currency, via=via
    )
    return Saved(count=count, changed=changed, summary=summary(count, entry.currency, entry.locale))
