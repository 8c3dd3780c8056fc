"""Interpreting one record of an import file as a meeting: its values, its weekly schedule, and every
error (the row is not imported) or warning (imported, with something left out). Pure: reads nothing
but the record and the Meeting Guide type list."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from flask_babel import lazy_gettext as _l

from groupadmin.meetings import services
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import Rule

DAY_NAMES = {
    # Meeting Guide numbering: Sunday = 0.
    "sunday": 0,
    "sun": 0,
    "domingo": 0,
    "monday": 1,
    "mon": 1,
    "lunes": 1,
    "tuesday": 2,
    "tue": 2,
    "tues": 2,
    "martes": 2,
    "wednesday": 3,
    "wed": 3,
    "miércoles": 3,
    "miercoles": 3,
    "thursday": 4,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "jueves": 4,
    "friday": 5,
    "fri": 5,
    "viernes": 5,
    "saturday": 6,
    "sat": 6,
    "sábado": 6,
    "sabado": 6,
}
TIME_12H = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m?\.?$", re.IGNORECASE)
TIME_24H = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
SLUG_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,63}$")
FIELD_LABELS = {
    "name": _l("Name"),
    "slug": _l("Slug"),
    "day": _l("Day"),
    "time": _l("Start time"),
    "end_time": _l("End time"),
    "timezone": _l("Time zone"),
    "formatted_address": _l("Address (one line)"),
    "address": _l("Street"),
    "city": _l("City"),
    "state": _l("State / province"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "region": _l("Region"),
    "sub_region": _l("Region (sub-region)"),
    "location": _l("Location name"),
    "location_notes": _l("Location notes"),
    "notes": _l("Public notes"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "approximate": _l("Approximate address"),
    "conference_url": _l("Conference link"),
    "conference_url_notes": _l("Conference link notes"),
    "conference_phone": _l("Dial-in phone"),
    "conference_phone_notes": _l("Dial-in notes"),
    "types": _l("Meeting types"),
    "venmo": _l("Venmo"),
    "square": _l("Cash App"),
    "paypal": _l("PayPal"),
    "homegroup_online": _l("Homegroup code"),
}
# Spec fields that a Meeting Guide JSON object omits when they do not apply: absent means empty.
# (Every field the import sets, but the name, the listing, the attendance option and private notes.)
JSON_CLEARS = tuple(
    f for f in services.MEETING_FIELDS if f not in ("name", "listed", "attendance", "private_notes")
)


# The text fields a record may carry, read as they are (HTML stripped).
TEXT_FIELDS = tuple(f for f in JSON_CLEARS if f not in ("region", "latitude", "longitude", "types"))


@dataclass
class ImportRow:
    number: int
    name: str = ""
    slug: str | None = None
    values: dict = field(default_factory=dict)
    rule: Rule | None = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    action: str = "create"  # create | update | unchanged
    meeting: Meeting | None = None


def parse_day(value) -> int | None:
    """A Python weekday (Monday = 0) from a Meeting Guide day (Sunday = 0) or a day name."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if not 0 <= number <= 6:
            raise ValueError
        return (number + 6) % 7
    if isinstance(value, str):
        number = DAY_NAMES.get(value.strip().lower())
        if number is None:
            raise ValueError
        return (number + 6) % 7
    raise ValueError


def parse_time(value) -> time:
    text = str(value).strip().lower()
    if text == "noon":
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = TIME_24H.match(text)
    if match:
        return time(int(match.group(1)), int(match.group(2)))
    match = TIME_12H.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            raise ValueError
        hour = hour % 12 + (12 if match.group(3) == "p" else 0)
        return time(hour, minute)
    raise ValueError


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = re.sub(r"<[^>]+>", "", value).strip()  # consumers strip HTML; so do we
    return value or None


def interpret(record: dict, *, number: int, kind: str, default_timezone: str) -> ImportRow:
    """One record as a row to import: what it would set, and what is wrong with it."""
    row = ImportRow(number=number)
    errors = row.errors
    row.name, row.slug = _identity(record, errors)
    weekday, start, duration = _when(record, errors)
    zone = _text(record.get("timezone")) or default_timezone
    if start is not None and weekday is not None:
        row.rule = Rule("weekly", weekday, None, None, start, duration, zone)
    values: dict = {"name": row.name, **_where(record, kind, errors)}
    codes = _types(record, kind, values, row.warnings)
    _attendance(record, values, codes, errors)
    if values.get("conference_phone"):
        values["conference_phone"] = services.normalise_phone(values["conference_phone"])
    values["listed"] = True
    row.values = values
    for key, message in services.listing_problems(values, row.rule).items():
        label = FIELD_LABELS.get(key, key)
        errors.append(_l("%(field)s: %(problem)s", field=label, problem=message))
    return row


def _identity(record: dict, errors: list) -> tuple[str, str | None]:
    """(name, slug) of the record."""
    name = _text(record.get("name")) or ""
    if not name:
        errors.append(_l("Name: missing."))
    slug = _text(record.get("slug")) or _text(record.get("id"))
    if slug is not None and not SLUG_OK.match(slug):
        errors.append(_l("Slug '%(slug)s': use letters, digits, - _ . only, 64 at most.", slug=slug[:70]))
    return name, slug


def _when(record: dict, errors: list) -> tuple[int | None, time | None, int]:
    """(Python weekday, start time, length in minutes) of the record."""
    get = record.get
    weekday = None
    day = get("day")
    if isinstance(day, list):
        if len(day) == 1:
            day = day[0]
        else:
            errors.append(_l("Day: this meeting is on several days; give each day its own row and slug."))
            day = None
    if day in (None, ""):
        if not any(e for e in errors if "Day" in str(e)):
            errors.append(_l("Day: missing (the day of the week, e.g. Tuesday or 2)."))
    else:
        try:
            weekday = parse_day(day)
        except ValueError:
            errors.append(_l("Day '%(value)s': not a day of the week.", value=str(day)[:40]))
    start = end = None
    if get("time") in (None, ""):
        errors.append(_l("Time: missing (e.g. 19:30 or 7:30 PM)."))
    else:
        try:
            start = parse_time(get("time"))
        except ValueError:
            errors.append(
                _l("Time '%(value)s': not a time (use 19:30 or 7:30 PM).", value=str(get("time"))[:40])
            )
    if get("end_time") not in (None, ""):
        try:
            end = parse_time(get("end_time"))
        except ValueError:
            errors.append(_l("End time '%(value)s': not a time.", value=str(get("end_time"))[:40]))
    duration = 60
    if start and end:
        duration = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % 1440 or 60
    return weekday, start, duration


def _where(record: dict, kind: str, errors: list) -> dict:
    """The place and contact values of the record (a JSON feed omits what does not apply: absent there
    means empty)."""
    get = record.get
    values: dict = {}
    for key in TEXT_FIELDS:
        if kind == "json" and key in JSON_CLEARS or key in record:
            values[key] = _text(get(key))
    region = _text(get("region"))
    sub_region = _text(get("sub_region"))
    if isinstance(get("regions"), list) and get("regions"):
        region = _text(get("regions")[-1])
    if region or sub_region or "region" in record or kind == "json":
        values["region"] = sub_region or region
    # The 12 Step Meeting List plugin exports the one-line address under "Address".
    if (
        values.get("address")
        and not values.get("formatted_address")
        and not values.get("city")
        and values["address"].count(",") >= 2
    ):
        values["formatted_address"], values["address"] = values["address"], None
    for key in ("latitude", "longitude"):
        raw = get(key)
        if raw in (None, ""):
            if kind == "json" or key in record:
                values[key] = None
            continue
        try:
            values[key] = round(float(raw), 6)
        except (TypeError, ValueError):
            errors.append(
                _l("%(field)s '%(value)s': not a number.", field=FIELD_LABELS[key], value=str(raw)[:40])
            )
    return values


def _types(record: dict, kind: str, values: dict, warnings: list) -> set[str]:
    """Set the record's type codes in `values` (derived ones left out); returns every code it named."""
    raw_types = record.get("types")
    if isinstance(raw_types, str):
        raw_types = [t for t in re.split(r"[,;]", raw_types) if t.strip()]
    codes, unknown = set(), []
    for item in raw_types or []:
        code = meeting_types.code_for(str(item))
        if code is None:
            unknown.append(str(item).strip())
        else:
            codes.add(code)
    if unknown:
        warnings.append(
            _l("Types not in the Meeting Guide list, left out: %(types)s.", types=", ".join(unknown)[:200])
        )
    if kind == "json" or "types" in record:
        values["types"] = sorted(codes - meeting_types.DERIVED_CODES)
    return codes


def _attendance(record: dict, values: dict, codes: set[str], errors: list) -> None:
    """In person, online or hybrid, from the conference details, the place and the online type codes;
    an online meeting keeps only its city, state and country."""
    has_conference = bool(values.get("conference_url") or values.get("conference_phone"))
    approximate = str(record.get("approximate") or "").strip().lower() == "yes"
    online_signal = "TC" in codes or "ONL" in codes or approximate
    has_place = bool(values.get("formatted_address") or values.get("address"))
    if has_conference and (online_signal or not has_place):
        values["attendance"] = "online"
    elif has_conference:
        values["attendance"] = "hybrid"
    else:
        values["attendance"] = "in_person"
        if online_signal and not has_conference:
            errors.append(_l("Online meeting without a conference link or phone."))
    if values["attendance"] == "online" and values.get("formatted_address") and not values.get("city"):
        parts = [p.strip() for p in values["formatted_address"].split(",") if p.strip()]
        if len(parts) <= 3:
            values["formatted_address"] = None
            values["city"] = parts[0] if parts else None
            values["state"] = parts[1] if len(parts) == 3 else None
            values["country"] = parts[-1] if len(parts) >= 2 else None
