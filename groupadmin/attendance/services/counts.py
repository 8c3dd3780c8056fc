"""The count rules: what may be typed (people, amounts, a note), when a date can be counted, and
recording, changing and removing the count of one date (audited without the note).

Numbers come in as the text people typed and are cleaned here, so the single form, the catch-up grid
and the chair's link share one set of rules and messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from groupadmin.attendance.models import HeadCount
from groupadmin.attendance.services.money import (
    SPACES,
    amount_for_input,
    ascii_digits,
    format_money,
    parse_amount,
)
from groupadmin.audit import services as audit
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.meetings.models import Occurrence

# A sane ceiling for one meeting's head count.
MAX_PEOPLE = 5_000
NOTE_MAX = 200

PEOPLE_FIELDS = ("total", "newcomers", "in_person", "online")
MONEY_FIELDS = ("cash", "digital")

# Anything that looks like contact details has no place in a note about a head count.
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_PHONE = re.compile(r"\+?\d[\d\s().\-/]{6,}\d")

_COMPARED = ("total", "newcomers", "in_person", "online", "cash_minor", "digital_minor", "note")


class CountError(UserError):
    """A head count (or its settings) refused: str(error) is a translated message; `problems` maps
    fields to messages."""


# ---------------------------------------------------------------------------------------------------
# What may be typed


def parse_people(text: str | None) -> int | None:
    """A whole number of people from 0 to MAX_PEOPLE, or None when nothing was typed."""
    value = ascii_digits(SPACES.sub("", (text or "").strip()))
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


def clean_note(text: str | None) -> str | None:
    note = " ".join((text or "").split())
    if not note:
        return None
    if len(note) > NOTE_MAX:
        raise ValueError(_l("Keep the note under %(n)d characters.", n=NOTE_MAX))
    if _EMAIL.search(note) or _PHONE.search(note):
        raise ValueError(_l("Keep the note free of names and contact details."))
    return note


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
    people = {name: _parsed(problems, name, parse_people, raw.get(name)) for name in PEOPLE_FIELDS}
    money = {
        name: _parsed(problems, name, parse_amount, raw.get(name), currency=currency, locale=locale)
        for name in MONEY_FIELDS
    }
    note = _parsed(problems, "note", clean_note, raw.get("note"))
    values = CountValues(cash_minor=money["cash"], digital_minor=money["digital"], note=note)

    typed = {name for name in PEOPLE_FIELDS if (raw.get(name) or "").strip()}
    if raw.get("not_counted"):
        if typed:
            problems.setdefault("total", _l("Leave the numbers empty, or untick “No head count was taken”."))
    elif not (problems.keys() & set(PEOPLE_FIELDS)):
        total, in_person, online = _people_of_mode(people, mode, problems)
        _newcomers(values, people, (total, in_person, online), problems)
    if problems:
        raise CountError.of(problems)
    return values


def _parsed(problems: dict, name: str, parse, *args, **kwargs):
    """`parse(*args)`, or None with its message put in `problems` under `name`."""
    try:
        return parse(*args, **kwargs)
    except ValueError as error:
        problems[name] = str(error.args[0])
        return None


def _people_of_mode(people: dict, mode: str, problems: dict) -> tuple:
    """Total, in the room and online, from what was typed for a date of this mode."""
    total, in_person, online = people["total"], people["in_person"], people["online"]
    if mode == "hybrid":
        return _hybrid(total, in_person, online, problems)
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
    return total, in_person, online


def _hybrid(total, in_person, online, problems: dict) -> tuple:
    """Any two of total, in the room and online give the third; all three must add up."""
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
    return total, in_person, online


def _newcomers(values: CountValues, people: dict, split: tuple, problems: dict) -> None:
    """Newcomers are part of the total; when the numbers are right, they go into `values`."""
    total, in_person, online = split
    if (
        "newcomers" not in problems
        and total is not None
        and not problems.keys() & {"total", "in_person", "online"}
    ):
        newcomers = people["newcomers"] or 0
        if newcomers > total:
            problems["newcomers"] = _l("Newcomers are part of the total, so at most %(total)d.", total=total)
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


# ---------------------------------------------------------------------------------------------------
# Recording, changing and removing the count of a date


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
        count = _insert(occurrence, values, actor=actor, now=now, currency=currency, via=via)
        if count is None:
            # Someone else recorded this date a moment ago: theirs is kept and this becomes a change.
            count, created = count_for(occurrence), False
    if created:
        # "No head count was taken" and nothing else is news too: the date is dealt with.
        changed = [n for n in _COMPARED if getattr(values, n) is not None] or ["total"]
    else:
        changed = _change(count, values, actor=actor, now=now)
        if not changed:
            return count, []
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


def _insert(occurrence: Occurrence, values: CountValues, *, actor, now, currency, via) -> HeadCount | None:
    """A new count of the date, or None when the date has one already (recorded a moment ago)."""
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
        return None
    return count


def _change(count: HeadCount, values: CountValues, *, actor, now) -> list[str]:
    """Apply what differs to a saved count; the names of what changed."""
    # A change keeps the count's own currency (the caller parsed the amounts in it).
    changed = [n for n in _COMPARED if getattr(count, n) != getattr(values, n)]
    if changed:
        for name in changed:
            setattr(count, name, getattr(values, name))
        count.updated_by_id, count.updated_at = getattr(actor, "id", None), now
        db.session.flush()
    return changed


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


def remove_count(occurrence: Occurrence, *, actor, now: datetime) -> bool:
    """Remove the date's count, if it has one; whether it had."""
    count = count_for(occurrence)
    if count is None:
        return False
    delete_count(count, actor=actor, now=now)
    return True


# ---------------------------------------------------------------------------------------------------
# A count as text


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
