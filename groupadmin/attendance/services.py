"""Head counts and collections: the business rules. Callers (views, jobs, the CLI) commit.

Every function takes the current time as ``now``; nothing here reads the clock, the request or the
signed-in user. Numbers come in as the text people typed and are cleaned here, so the single form, the
catch-up grid and the chair's link share one set of rules and messages.

Anonymity: a count holds numbers, a currency and a short note (which the form asks to keep free of names,
and which refuses anything that looks like an email address or a phone number). The only people it
mentions are the trusted servants who recorded or last changed it; the chair who enters it through the
signed link is not stored at all.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_name,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    list_currencies,
)
from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from groupadmin.attendance.models import AttendanceSettings, HeadCount
from groupadmin.audit import services as audit
from groupadmin.database import UTCDateTime
from groupadmin.extensions import db
from groupadmin.groups import services as group_services
from groupadmin.groups.models import Group
from groupadmin.meetings import services as meeting_services
from groupadmin.meetings.models import Meeting, Occurrence

log = logging.getLogger("groupadmin.attendance")

# A sane ceiling for one meeting's head count, and for one collection (in the currency's major unit).
MAX_PEOPLE = 5_000
MAX_AMOUNT_MAJOR = 1_000_000
NOTE_MAX = 200
# The dashboard lists dates of the last two weeks without a count; older ones are in the catch-up grid.
TO_ENTER_DAYS = 14
TO_ENTER_LIMIT = 20
CATCH_UP_WEEKS, CATCH_UP_MAX_WEEKS = 8, 26
# The morning-after reminder goes out from ATTENDANCE_REMINDER_HOUR (local time of the meeting) for
# this long; a scheduler that was down longer does not send stale reminders.
REMINDER_WINDOW = timedelta(hours=12)
TREND_WEEKS, TREND_MONTHS = 12, 12

PEOPLE_FIELDS = ("total", "newcomers", "in_person", "online")
MONEY_FIELDS = ("cash", "digital")


class CountError(Exception):
    """A user-facing refusal: str(error) is a translated message; `problems` maps fields to messages."""

    def __init__(self, message, *, field: str | None = None, problems: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.problems = dict(problems or ({field: message} if field else {}))

    @classmethod
    def of(cls, problems: dict) -> CountError:
        return cls(next(iter(problems.values())), problems=problems)


class LinkProblem(Exception):
    def __init__(self, message, status: int = 410):
        super().__init__(str(message))
        self.message, self.status = message, status


# ---------------------------------------------------------------------------------------------------
# Settings and money


def default_currency() -> str:
    return current_app.config["ATTENDANCE_DEFAULT_CURRENCY"]


def settings_for(group: Group) -> AttendanceSettings:
    """The group's settings (an unsaved default row when none was saved)."""
    settings = db.session.get(AttendanceSettings, group.id)
    if settings is None:
        settings = AttendanceSettings(group_id=group.id, currency=default_currency(), reminders=True)
    return settings


def currency_choices(locale: str) -> list[tuple[str, str]]:
    codes = sorted(list_currencies())
    return sorted(
        ((c, f"{get_currency_name(c, locale=locale)} ({c})") for c in codes), key=lambda item: item[1].lower()
    )


def save_settings(group: Group, *, actor, now: datetime, currency: str, reminders: bool) -> list[str]:
    currency = (currency or "").strip().upper()
    if currency not in list_currencies():
        raise CountError(_l("Choose a currency from the list."), field="currency")
    settings = db.session.get(AttendanceSettings, group.id)
    if settings is None:
        settings = AttendanceSettings(group_id=group.id, currency=default_currency(), reminders=True)
        db.session.add(settings)
        changed = ["currency", "reminders"]
    else:
        changed = []
    changed = sorted(
        set(changed)
        | {
            name
            for name, value in (("currency", currency), ("reminders", reminders))
            if getattr(settings, name) != value
        }
    )
    settings.currency, settings.reminders, settings.updated_at = currency, bool(reminders), now
    if changed:
        audit.record(
            now=now,
            actor=actor,
            action="headcount.settings",
            object_type="group",
            group=group,
            fields=changed,
        )
    return changed


def precision(currency: str) -> int:
    return get_currency_precision(currency)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-precision(currency))


@functools.lru_cache(maxsize=8192)
def format_money(minor: int | None, currency: str, locale: str, *, whole: bool = False) -> str:
    """ "$45.50" in the reader's language ("45,50 US$" in Spanish); `whole` drops the minor units."""
    if minor is None:
        return ""
    if whole:
        return format_currency(
            round(to_major(minor, currency)), currency, format="¤#,##0", locale=locale, currency_digits=False
        )
    return format_currency(to_major(minor, currency), currency, locale=locale)


def plain_amount(minor: int | None, currency: str) -> str:
    """ "45.50": an amount as a spreadsheet reads it (no symbol, no grouping, a dot)."""
    if minor is None:
        return ""
    return f"{to_major(minor, currency):.{precision(currency)}f}"


def amount_for_input(minor: int | None, currency: str, locale: str) -> str:
    """An amount as the form shows it again for editing, in the reader's decimal symbol."""
    if minor is None:
        return ""
    text = plain_amount(minor, currency)
    return text.replace(".", get_decimal_symbol(locale)) if "." in text else text


_SPACES = re.compile(r"[\s\u00a0\u202f']+")


def _ascii_digits(text: str) -> str:
    """Digits of any script (a phone's Arabic-Indic keyboard) as 0-9; other characters unchanged."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


_AMOUNT = re.compile(r"^[0-9][0-9.,]*$|^[.,][0-9]+$")


def parse_amount(text: str | None, *, currency: str, locale: str) -> int | None:
    """The minor units of what someone typed ("45", "45.50", "45,50", "$1,250.00", "1.250,00 €"), or
    None when nothing was typed. Raises ValueError with a translated message."""
    value = _ascii_digits((text or "").strip())
    if not value:
        return None
    for token in {get_currency_symbol(currency, locale=locale), currency, "$", "€", "£", "¥"}:
        value = value.replace(token, "")
    value = _SPACES.sub("", value)
    if value.startswith("-"):
        raise ValueError(_l("An amount can't be negative."))
    if not _AMOUNT.match(value):
        raise ValueError(_l("Enter an amount such as %(example)s.", example=_example(currency, locale)))
    digits = precision(currency)
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        after = value.rsplit(mark, 1)[1]
        grouping = value.count(mark) > 1 or (len(after) == 3 and mark == get_group_symbol(locale))
        decimal_mark = None if grouping else mark
    else:
        decimal_mark = None
    if decimal_mark is None:
        whole, fraction = value, ""
    else:
        whole, fraction = value.rsplit(decimal_mark, 1)
    # What is left of the whole part may use the other mark to group thousands: 1,250 or 1.250.000.
    groups = re.split(r"[.,]", whole)
    if (
        not all(g.isdigit() for g in groups[1:])
        or any(len(g) != 3 for g in groups[1:])
        or (len(groups) > 1 and not 1 <= len(groups[0]) <= 3)
    ):
        raise ValueError(_l("Enter an amount such as %(example)s.", example=_example(currency, locale)))
    whole = "".join(groups)
    if fraction and not fraction.isdigit():
        raise ValueError(_l("Enter an amount such as %(example)s.", example=_example(currency, locale)))
    whole = whole or "0"
    fraction = fraction.rstrip("0") if len(fraction) > digits else fraction
    if len(fraction) > digits:
        if digits == 0:
            raise ValueError(_l("This currency has no decimal places: enter a whole amount."))
        raise ValueError(_l("Use at most %(n)d decimal places.", n=digits))
    if not whole.isdigit():
        raise ValueError(_l("Enter an amount such as %(example)s.", example=_example(currency, locale)))
    minor = int(whole) * 10**digits + int((fraction or "0").ljust(digits, "0") or "0")
    if minor > MAX_AMOUNT_MAJOR * 10**digits:
        raise ValueError(
            _l(
                "That is more than %(max)s: check the amount.",
                max=format_money(MAX_AMOUNT_MAJOR * 10**digits, currency, locale, whole=True),
            )
        )
    return minor


def _example(currency: str, locale: str) -> str:
    digits = precision(currency)
    pattern = "0." + "0" * digits if digits else "0"
    return format_decimal(Decimal(4550).scaleb(-digits), format=pattern, locale=locale)


def parse_people(text: str | None) -> int | None:
    """A whole number of people from 0 to MAX_PEOPLE, or None when nothing was typed."""
    value = _ascii_digits(_SPACES.sub("", (text or "").strip()))
    if not value:
        return None
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        raise ValueError(_l("A number of people can't be negative."))
    if not (value.isascii() and value.isdigit()):
        raise ValueError(_l("Enter a whole number, such as 12."))
    number = int(value)
    if number > MAX_PEOPLE:
        raise ValueError(_l("That is more than %(max)d: check the number.", max=MAX_PEOPLE))
    return number


# Anything that looks like contact details has no place in a note about a head count.
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_PHONE = re.compile(r"\+?\d[\d\s().\-/]{6,}\d")


def clean_note(text: str | None) -> str | None:
    note = " ".join((text or "").split())
    if not note:
        return None
    if len(note) > NOTE_MAX:
        raise ValueError(_l("Keep the note under %(n)d characters.", n=NOTE_MAX))
    if _EMAIL.search(note) or _PHONE.search(note):
        raise ValueError(_l("Keep the note free of names and contact details."))
    return note


# ---------------------------------------------------------------------------------------------------
# Entering a count


def entry_mode(occurrence: Occurrence, existing: HeadCount | None = None) -> str:
    """What to ask for: "in_person" (a total), "online" (a total, all online) or "hybrid" (the split).
    A date marked online only is an online date; a count that was recorded with both parts stays so."""
    if existing is not None and existing.in_person and existing.online:
        return "hybrid"
    if occurrence.online_only or occurrence.meeting.attendance == "online":
        return "online"
    return occurrence.meeting.attendance


@dataclass
class CountValues:
    total: int | None = None
    newcomers: int | None = None
    in_person: int | None = None
    online: int | None = None
    cash_minor: int | None = None
    digital_minor: int | None = None
    note: str | None = None

    @property
    def counted(self) -> bool:
        return self.total is not None


def clean_count(raw: dict, *, mode: str, currency: str, locale: str) -> CountValues:
    """Turn what was typed into a count, or raise CountError with a message per field.

    `raw` holds the texts of total, newcomers, in_person, online, cash, digital and note, and
    not_counted (a tick: no head count was taken, only the collection or a note). For a hybrid date,
    any two of total, in person and online give the third."""
    problems: dict[str, str] = {}
    people: dict[str, int | None] = {}
    for name in PEOPLE_FIELDS:
        try:
            people[name] = parse_people(raw.get(name))
        except ValueError as error:
            problems[name] = str(error.args[0])
            people[name] = None
    money: dict[str, int | None] = {}
    for name in MONEY_FIELDS:
        try:
            money[name] = parse_amount(raw.get(name), currency=currency, locale=locale)
        except ValueError as error:
            problems[name] = str(error.args[0])
            money[name] = None
    try:
        note = clean_note(raw.get("note"))
    except ValueError as error:
        problems["note"] = str(error.args[0])
        note = None
    values = CountValues(cash_minor=money["cash"], digital_minor=money["digital"], note=note)

    typed = {name for name in PEOPLE_FIELDS if (raw.get(name) or "").strip()}
    if raw.get("not_counted"):
        if typed:
            problems.setdefault("total", _l("Leave the numbers empty, or untick “No head count was taken”."))
    elif not (problems.keys() & set(PEOPLE_FIELDS)):
        total, in_person, online = people["total"], people["in_person"], people["online"]
        if mode == "hybrid":
            known = [v is not None for v in (total, in_person, online)]
            if sum(known) < 2:
                if total is None and in_person is None and online is None:
                    problems["in_person"] = _l("How many were in the room? (Enter 0 if nobody was.)")
                    problems["online"] = _l("How many joined online? (Enter 0 if nobody did.)")
                elif in_person is None:
                    problems["in_person"] = _l("How many were in the room? (Enter 0 if nobody was.)")
                else:
                    problems["online"] = _l("How many joined online? (Enter 0 if nobody did.)")
            elif total is None:
                total = in_person + online
                if total > MAX_PEOPLE:
                    problems["total"] = _l("That is more than %(max)d: check the numbers.", max=MAX_PEOPLE)
            elif in_person is None or online is None:
                part = online if in_person is None else in_person
                if part > total:
                    problems["in_person" if in_person is not None else "online"] = _l(
                        "This part can't be more than the total (%(total)d).", total=total
                    )
                elif in_person is None:
                    in_person = total - online
                else:
                    online = total - in_person
            elif in_person + online != total:
                problems["total"] = _l(
                    "In the room (%(in_person)d) and online (%(online)d) add up to %(sum)d, not %(total)d.",
                    in_person=in_person,
                    online=online,
                    sum=in_person + online,
                    total=total,
                )
        else:
            if total is None:
                problems["total"] = (
                    _l("How many came? Or tick “No head count was taken”.")
                    if mode == "in_person"
                    else _l("How many joined? Or tick “No head count was taken”.")
                )
            elif mode == "online":
                in_person, online = 0, total
            else:
                in_person, online = total, 0
        if (
            "newcomers" not in problems
            and total is not None
            and not problems.keys() & {"total", "in_person", "online"}
        ):
            newcomers = people["newcomers"] or 0
            if newcomers > total:
                problems["newcomers"] = _l(
                    "Newcomers are part of the total, so at most %(total)d.", total=total
                )
            values.total, values.newcomers = total, newcomers
            values.in_person, values.online = in_person, online
        elif "newcomers" not in problems and people["newcomers"]:
            # The other numbers disagree, but newcomers above every total they suggest are wrong whichever
            # is right: say so now rather than one round later.
            candidates = [v for v in (people["total"], (in_person or 0) + (online or 0)) if v is not None]
            if candidates and people["newcomers"] > max(candidates):
                problems["newcomers"] = _l(
                    "Newcomers are part of the total, so at most %(total)d.", total=max(candidates)
                )
    if problems:
        raise CountError.of(problems)
    return values


def count_problem(occurrence: Occurrence, *, now: datetime):
    """Why no count can be entered for this date (a translated message), or None."""
    if occurrence.status == "cancelled":
        return _l("This date was cancelled, so there is nothing to count.")
    if occurrence.status != "scheduled":
        return _l("The meeting was paused on this date, so there is nothing to count.")
    if occurrence.starts_at > now:
        return _l("This meeting has not started yet. Counts can be entered once it has begun.")
    return None


def count_for(occurrence: Occurrence) -> HeadCount | None:
    return db.session.scalar(sa.select(HeadCount).where(HeadCount.occurrence_id == occurrence.id))


_COMPARED = ("total", "newcomers", "in_person", "online", "cash_minor", "digital_minor", "note")


def save_count(
    occurrence: Occurrence,
    values: CountValues,
    *,
    actor,
    now: datetime,
    currency: str,
    via: str = "account",
) -> tuple[HeadCount, list[str]]:
    """Record or change the count of a date. Returns the count and the names of what changed (empty
    when nothing did). Refused for a cancelled, paused or future date. Audited without the note."""
    problem = count_problem(occurrence, now=now)
    if problem:
        raise CountError(problem)
    count = count_for(occurrence)
    created = count is None
    if created:
        count = HeadCount(
            occurrence_id=occurrence.id,
            currency=currency,
            recorded_via=via,
            recorded_by_id=getattr(actor, "id", None),
            recorded_at=now,
        )
        for name in _COMPARED:
            setattr(count, name, getattr(values, name))
        count.updated_by_id, count.updated_at = getattr(actor, "id", None), now
        try:
            with db.session.begin_nested():
                db.session.add(count)
        except sa.exc.IntegrityError:
            # Someone else recorded this date a moment ago: theirs is kept and this becomes a change.
            count = count_for(occurrence)
            created = False
    if created:
        # "No head count was taken" and nothing else is news too: the date is dealt with.
        changed = [n for n in _COMPARED if getattr(values, n) is not None] or ["total"]
    else:
        # A change keeps the count's own currency (the caller parsed the amounts in it).
        changed = [n for n in _COMPARED if getattr(count, n) != getattr(values, n)]
        if not changed:
            return count, []
        for name in changed:
            setattr(count, name, getattr(values, name))
        count.updated_by_id, count.updated_at = getattr(actor, "id", None), now
        db.session.flush()
    meeting = occurrence.meeting
    audit.record(
        now=now,
        actor=actor,
        action="headcount.recorded" if created else "headcount.changed",
        obj=count,
        object_type="head_count",
        group=meeting.group,
        meeting_id=meeting.id,
        occurrence_id=occurrence.id,
        date=occurrence.local_date.isoformat(),
        fields=changed,
        via=via,
    )
    return count, changed


def delete_count(count: HeadCount, *, actor, now: datetime) -> None:
    occurrence = count.occurrence
    audit.record(
        now=now,
        actor=actor,
        action="headcount.removed",
        object_type="head_count",
        group=occurrence.meeting.group,
        meeting_id=occurrence.meeting_id,
        occurrence_id=occurrence.id,
        date=occurrence.local_date.isoformat(),
    )
    db.session.delete(count)


def summary(count: HeadCount | CountValues, currency: str, locale: str) -> str:
    """ "23 people, 2 newcomers, 7 online · $45.50": a count in one line (for messages and lists)."""
    parts = []
    if count.total is None:
        parts.append(str(_l("no head count taken")))
    else:
        parts.append(ngettext("%(num)d person", "%(num)d people", count.total))
        if count.newcomers:
            parts.append(ngettext("%(num)d newcomer", "%(num)d newcomers", count.newcomers))
        if count.online and count.in_person:
            parts.append(str(_l("%(num)d online", num=count.online)))
    text = ", ".join(parts)
    cash, digital = count.cash_minor, count.digital_minor
    if cash is not None or digital is not None:
        text += " · " + format_money((cash or 0) + (digital or 0), currency, locale)
    return text


# ---------------------------------------------------------------------------------------------------
# Lists: counts to enter, recent counts, the catch-up grid


@functools.cache
def _open_dates_statement():
    """Dates that could have a count and have none: scheduled, started between :since and :now. Built
    once with bound parameters (the dashboard runs it on every view)."""
    return (
        sa.select(Occurrence)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(
            Occurrence.status == "scheduled",
            Occurrence.starts_at <= sa.bindparam("now", type_=UTCDateTime()),
            Occurrence.starts_at > sa.bindparam("since", type_=UTCDateTime()),
            # The same bounds as local dates (any zone is within a day of UTC), so that the index on
            # (meeting, date) reads only these dates of each meeting, not its whole history.
            Occurrence.local_date >= sa.bindparam("first_day", type_=sa.Date()),
            Occurrence.local_date <= sa.bindparam("last_day", type_=sa.Date()),
            Meeting.status != "archived",
            ~sa.exists().where(HeadCount.occurrence_id == Occurrence.id),
        )
        .options(sa.orm.contains_eager(Occurrence.meeting))
        .order_by(Occurrence.starts_at.desc(), Occurrence.id)
    )


def _open_dates(now: datetime, since: datetime) -> tuple[sa.Select, dict]:
    params = {
        "now": now,
        "since": since,
        "first_day": (since - timedelta(days=1)).date(),
        "last_day": (now + timedelta(days=1)).date(),
    }
    return _open_dates_statement(), params


@functools.cache
def _to_enter_statement():
    return (
        _open_dates_statement()
        .where(Meeting.group_id.in_(sa.bindparam("group_ids", expanding=True)))
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )


def counts_to_enter(group_ids, *, now: datetime, days: int = TO_ENTER_DAYS, limit: int = TO_ENTER_LIMIT):
    """The started dates of the last `days` days without a count, newest first, for these groups: one
    query, whatever the number of groups (the dashboard)."""
    ids = list(group_ids)
    if not ids:
        return []
    _statement, params = _open_dates(now, now - timedelta(days=days))
    return list(db.session.scalars(_to_enter_statement(), {**params, "group_ids": ids, "limit": limit}))


def recent_counts(group: Group, *, now: datetime, limit: int = 10) -> list[tuple[Occurrence, HeadCount]]:
    return list(
        db.session.execute(
            sa.select(Occurrence, HeadCount)
            .join(HeadCount, HeadCount.occurrence_id == Occurrence.id)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(Meeting.group_id == group.id, Occurrence.starts_at <= now)
            .options(sa.orm.contains_eager(Occurrence.meeting))
            .order_by(Occurrence.starts_at.desc())
            .limit(limit)
        ).all()
    )


def catch_up_rows(
    group: Group, *, now: datetime, weeks: int, meeting_id: int | None = None
) -> list[tuple[Occurrence, HeadCount | None]]:
    """The group's started, scheduled dates of the last `weeks` weeks, newest first, with their counts."""
    query = (
        sa.select(Occurrence, HeadCount)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .outerjoin(HeadCount, HeadCount.occurrence_id == Occurrence.id)
        .where(
            Meeting.group_id == group.id,
            Occurrence.status == "scheduled",
            Occurrence.starts_at <= now,
            Occurrence.starts_at > now - timedelta(weeks=weeks),
        )
        .options(sa.orm.contains_eager(Occurrence.meeting))
        .order_by(Occurrence.starts_at.desc(), Occurrence.id)
    )
    if meeting_id is not None:
        query = query.where(Occurrence.meeting_id == meeting_id)
    return list(db.session.execute(query).all())


def raw_from_count(count: HeadCount | None, mode: str, locale: str) -> dict:
    """A saved count as the texts a form shows for editing."""
    if count is None:
        return {}
    raw = {
        "cash": amount_for_input(count.cash_minor, count.currency, locale),
        "digital": amount_for_input(count.digital_minor, count.currency, locale),
        "note": count.note or "",
        "not_counted": count.total is None,
    }
    if count.total is not None:
        raw["total"] = str(count.total)
        raw["newcomers"] = str(count.newcomers)
        if mode == "hybrid":
            raw["in_person"], raw["online"] = str(count.in_person), str(count.online)
    return raw


def is_blank(raw: dict) -> bool:
    return not any(
        (raw.get(n) or "").strip() for n in (*PEOPLE_FIELDS, *MONEY_FIELDS, "note")
    ) and not raw.get("not_counted")


def save_many(
    group: Group,
    rows: list[tuple[Occurrence, HeadCount | None, dict]],
    *,
    actor,
    now: datetime,
    currency: str,
    locale: str,
) -> int:
    """The catch-up grid: clean every row first and save nothing unless every row is right (so nothing
    typed is lost and nothing is half-saved). Rows left empty are skipped; emptying a row that has a
    count is refused (a count is removed on its own page). Returns how many counts changed."""
    problems: dict[int, dict[str, str]] = {}
    cleaned: list[tuple[Occurrence, CountValues]] = []
    for occurrence, existing, raw in rows:
        if is_blank(raw):
            if existing is not None:
                problems[occurrence.id] = {
                    "total": str(_l("To remove a count, open its date and choose “Remove this count”."))
                }
            continue
        try:
            values = clean_count(raw, mode=entry_mode(occurrence, existing), currency=currency, locale=locale)
        except CountError as error:
            problems[occurrence.id] = {k: str(v) for k, v in error.problems.items()}
            continue
        problem = count_problem(occurrence, now=now)
        if problem:
            problems[occurrence.id] = {"total": str(problem)}
            continue
        cleaned.append((occurrence, values))
    if problems:
        raise GridError(problems)
    saved = 0
    for occurrence, values in cleaned:
        _count, changed = save_count(occurrence, values, actor=actor, now=now, currency=currency)
        saved += bool(changed)
    return saved


class GridError(Exception):
    """Problems of the catch-up grid: {occurrence id: {field: message}}."""

    def __init__(self, problems: dict[int, dict[str, str]]):
        super().__init__(f"{len(problems)} rows")
        self.problems = problems


# ---------------------------------------------------------------------------------------------------
# Trends: the last 12 weeks and the last 12 months


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
    first_weekday = window.first_weekday
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
    for (
        day,
        row_currency,
        meetings,
        total,
        newcomers,
        in_person,
        online,
        collected_n,
        cash,
        digital,
    ) in rows:
        targets = [week_index.get(week_start(day, first_weekday)), month_index.get(day.replace(day=1))]
        for bucket in targets:
            if bucket is None:
                continue
            bucket.meetings += meetings
            bucket.total += total
            bucket.newcomers += newcomers
            bucket.in_person += in_person
            bucket.online += online
            if row_currency == currency:
                bucket.collected_dates += collected_n or 0
                bucket.cash += cash
                bucket.digital += digital
            elif collected_n:
                others.add(row_currency)
    return Trends(
        weeks=Series("weeks", weeks, currency),
        months=Series("months", months, currency),
        currency=currency,
        other_currencies=sorted(others),
        meeting=meeting,
    )


@functools.lru_cache(maxsize=4096)
def format_share(value: float | None, locale: str) -> str:
    return "" if value is None else format_percent(value, locale=locale)


@functools.lru_cache(maxsize=4096)
def format_average(value: float | None, locale: str) -> str:
    return "" if value is None else format_decimal(round(value, 1), format="#,##0.#", locale=locale)


# ---------------------------------------------------------------------------------------------------
# The treasurer's view: collections per month and per meeting, and the CSV ledger


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
    rows = [
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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def neutralise(cell) -> str:
    """A CSV cell that a spreadsheet shows as text and never runs as a formula (OWASP's advice: a
    leading apostrophe before =, +, -, @, tab or carriage return)."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def collections_csv(report: TreasurerReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            str(_l("Date")),
            str(_l("Meeting")),
            str(_l("Head count")),
            str(_l("Cash")),
            str(_l("Digital")),
            str(_l("Total")),
            str(_l("Currency")),
        ]
    )
    for row in report.rows:
        total = (row.cash_minor or 0) + (row.digital_minor or 0)
        writer.writerow(
            [
                neutralise(cell)
                for cell in (
                    row.local_date.isoformat(),
                    row.meeting_name,
                    "" if row.total is None else row.total,
                    plain_amount(row.cash_minor, row.currency),
                    plain_amount(row.digital_minor, row.currency),
                    plain_amount(total, row.currency),
                    row.currency,
                )
            ]
        )
    return "\ufeff" + out.getvalue()  # the byte-order mark makes spreadsheets read UTF-8


# ---------------------------------------------------------------------------------------------------
# The chair's link: signed, bound to one date, valid for a few days


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="groupadmin.count-link")


def link_token(occurrence: Occurrence) -> str:
    return _link_serializer().dumps(
        {"o": occurrence.id, "m": occurrence.meeting_id, "d": occurrence.local_date.isoformat()}
    )


def link_max_age() -> timedelta:
    return timedelta(days=current_app.config["ATTENDANCE_LINK_DAYS"])


def load_link(token: str, *, now: datetime) -> Occurrence:
    """The occurrence a chair's link stands for, or LinkProblem with a clear message."""
    try:
        data = _link_serializer().loads(token, max_age=int(link_max_age().total_seconds()))
    except SignatureExpired as exc:
        raise LinkProblem(_l("This link has expired. The secretary can still enter the count.")) from exc
    except BadSignature as exc:
        raise LinkProblem(_l("This link is not valid. Check that it was copied whole."), 404) from exc
    if not isinstance(data, dict):
        raise LinkProblem(_l("This link is not valid. Check that it was copied whole."), 404)
    occurrence = db.session.get(Occurrence, data.get("o"))
    if (
        occurrence is None
        or occurrence.meeting_id != data.get("m")
        or occurrence.local_date.isoformat() != data.get("d")
    ):
        raise LinkProblem(_l("This date is no longer on the meeting's calendar."))
    return occurrence


def link_may_edit(count: HeadCount | None) -> bool:
    """Through the link, the chair enters a count, or corrects one entered through a link; a count
    the secretary entered is shown, not changed."""
    return count is None or count.recorded_via == "link"


# ---------------------------------------------------------------------------------------------------
# The morning-after reminder


def chairs_for(occurrence_ids) -> dict[int, object]:
    """The chair of each date from the rota (one query), as objects with ``label`` and
    ``contact_email``; {} when the rota is not installed."""
    try:
        from groupadmin.rota.services import chair_for_occurrences
    except ImportError:  # pragma: no cover (the rota ships with the app)
        return {}
    return chair_for_occurrences(occurrence_ids)


def reminder_due_at(occurrence: Occurrence) -> datetime:
    hour = current_app.config["ATTENDANCE_REMINDER_HOUR"]
    zone = ZoneInfo(occurrence.timezone)
    return datetime.combine(occurrence.local_date + timedelta(days=1), time(hour), tzinfo=zone).astimezone(
        UTC
    )


def _day_label(occurrence: Occurrence, locale: str) -> str:
    return format_date(occurrence.local_date, "EEEE d MMMM", locale=locale)


def send_reminders(*, now: datetime) -> int:
    """The morning after a date without a count, one reminder: to its chair (from the rota, with a
    signed link for that date) when the chair has an address, else to the group's secretaries (one
    message per secretary for the dates due at the same moment, with links to the forms).

    Idempotent: the outbox key is the date (chair) or the group, secretary and moment (secretaries), and
    a date belongs to exactly one moment, so ticks, restarts and a second scheduler add nothing.
    Nothing for cancelled or paused dates, archived meetings, or groups that turned reminders off."""
    from groupadmin.mail import services as mail

    statement, params = _open_dates(now, now - REMINDER_WINDOW - timedelta(days=2))
    candidates = list(
        db.session.scalars(
            statement.outerjoin(AttendanceSettings, AttendanceSettings.group_id == Meeting.group_id)
            .where(sa.or_(AttendanceSettings.reminders.is_(None), AttendanceSettings.reminders.is_(True)))
            .options(sa.orm.contains_eager(Occurrence.meeting).joinedload(Meeting.group)),
            params,
        ).unique()
    )
    due = [o for o in candidates if reminder_due_at(o) <= now < reminder_due_at(o) + REMINDER_WINDOW]
    if not due:
        return 0
    chairs = chairs_for([o.id for o in due])
    for_secretaries: dict[tuple[int, datetime], list[Occurrence]] = defaultdict(list)
    sent = 0
    for occurrence in sorted(due, key=lambda o: (o.starts_at, o.id)):
        group = occurrence.meeting.group
        chair = chairs.get(occurrence.id)
        address = getattr(chair, "contact_email", None) if chair is not None else None
        if not address:
            for_secretaries[(group.id, reminder_due_at(occurrence))].append(occurrence)
            continue
        key = f"count-reminder:{occurrence.id}"
        if mail.key_exists(key):
            continue
        locale = group.locale or "en"
        try:
            message = mail.enqueue(
                key=key,
                to=address,
                subject=_l(
                    "How many came to %(meeting)s on %(date)s?",
                    meeting=occurrence.meeting.name,
                    date=_day_label(occurrence, locale),
                ),
                template="attendance/reminder_chair",
                context={
                    "name": chair.label,
                    "occurrence": occurrence,
                    "meeting": occurrence.meeting,
                    "day": _day_label(occurrence, locale),
                    "link": mail.external_url("attendance.link", token=link_token(occurrence)),
                    "days": current_app.config["ATTENDANCE_LINK_DAYS"],
                },
                now=now,
                group=group,
            )
        except mail.MailError:
            log.warning("attendance.reminder_refused", extra={"fields": {"occurrence": occurrence.id}})
            for_secretaries[(group.id, reminder_due_at(occurrence))].append(occurrence)
            continue
        sent += message is not None
    if for_secretaries:
        secretaries = group_services.secretaries_by_group({group_id for group_id, _at in for_secretaries})
        for (group_id, at), occurrences in for_secretaries.items():
            group = occurrences[0].meeting.group
            locale = group.locale or "en"
            for user in secretaries.get(group_id, []):
                key = f"count-reminder:{group_id}:{user.id}:{at:%Y%m%dT%H%MZ}"
                if mail.key_exists(key):
                    continue
                first = occurrences[0]
                subject = (
                    _l(
                        "How many came to %(meeting)s on %(date)s?",
                        meeting=first.meeting.name,
                        date=_day_label(first, user.locale or locale),
                    )
                    if len(occurrences) == 1
                    else _l(
                        "Head counts to enter for %(date)s", date=_day_label(first, user.locale or locale)
                    )
                )
                items = [
                    {
                        "occurrence": o,
                        "meeting": o.meeting,
                        "day": _day_label(o, user.locale or locale),
                        "link": mail.external_url(
                            "attendance.enter", group_slug=group.slug, occurrence_id=o.id
                        ),
                    }
                    for o in occurrences
                ]
                try:
                    message = mail.enqueue(
                        key=key,
                        to=user.email,
                        subject=subject,
                        template="attendance/reminder_secretary",
                        context={
                            "name": user.display_name,
                            "items": items,
                            "dashboard": mail.external_url("home.dashboard"),
                        },
                        now=now,
                        group=group,
                        locale=user.locale or locale,
                    )
                except mail.MailError:
                    log.warning("attendance.reminder_refused", extra={"fields": {"group": group_id}})
                    continue
                sent += message is not None
    if sent:
        log.info("attendance.reminders", extra={"fields": {"messages": sent}})
    return sent


# ---------------------------------------------------------------------------------------------------
# What hangs off an occurrence


def keep_counted_dates(changes, *, now: datetime, actor) -> None:
    """A date with a head count took place: cancelling it is refused until its count is removed, so a
    count is never silently lost nor left on a date that "did not happen". (Pausing, moving and
    removing only touch dates that have not started, which have no count.)"""
    ids = [c.occurrence.id for c in changes if c.kind in ("cancelled", "paused", "removed", "moved")]
    if not ids:
        return
    counted = db.session.scalar(
        sa.select(sa.func.count()).select_from(HeadCount).where(HeadCount.occurrence_id.in_(ids))
    )
    if counted:
        raise meeting_services.MeetingError(
            _l("This date has a head count, so it took place. Remove its count first if it really did not."),
            field="cancelled",
        )
