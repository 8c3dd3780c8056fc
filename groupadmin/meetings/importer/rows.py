"""Interpreting one record of an import file as meetings (one per day when `day` is a list): values,
weekly schedule, and every problem (the row is not imported unless skipped) or warning (imported, with
what was changed or left out said). Pure: reads nothing but the record and the type list."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from urllib.parse import unquote

from flask_babel import lazy_gettext as _l

from groupadmin.meetings import services
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.importer.vocabulary import (
    day_number,
    fixed_zone,
    html_to_text,
    parse_time,
    type_code,
)
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import Rule

DAY_SUFFIX = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # Meeting Guide numbering
# Any slug the spec allows (URL-safe: no spaces, slashes, ? or #), kept exactly as written.
SLUG_OK = re.compile(r"^[^\s/?#\\]{1,255}$")
REGION_SEPARATOR = " > "
FIELD_LABELS = {
    "name": _l("Name"),
    "slug": _l("Slug"),
    "day": _l("Day"),
    "time": _l("Start time"),
    "start_time": _l("Start time"),
    "duration_minutes": _l("Length"),
    "recurrence": _l("How often"),
    "weekday": _l("Day"),
    "month_week": _l("Week of the month"),
    "on_date": _l("Date"),
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
    "attendance": _l("Attendance (in person, online, hybrid)"),
    "group": _l("Group"),
}
# Kinds of problem, for the preview's summary (in this order).
PROBLEM_KINDS = {
    "group": _l("Rows without a group"),
    "name": _l("Rows without a name"),
    "when": _l("Day or time missing or not understood"),
    "timezone": _l("Time zones to correct"),
    "slug": _l("Slugs that cannot be used"),
    "duplicate": _l("The same slug on several rows"),
    "conflict": _l("Slugs used by another group's meetings"),
    "place": _l("Addresses missing or incomplete"),
    "online": _l("Online meetings without a link or phone"),
    "conference": _l("Conference links or phones that cannot be used"),
    "payment": _l("7th Tradition handles that cannot be used"),
    "other": _l("Other problems"),
}
_FIELD_KIND = {
    "name": "name",
    "timezone": "timezone",
    "weekday": "when",
    "start_time": "when",
    "duration_minutes": "when",
    "formatted_address": "place",
    "address": "place",
    "city": "place",
    "conference_url": "conference",
    "conference_phone": "conference",
    "venmo": "payment",
    "square": "payment",
    "paypal": "payment",
}
# Spec fields that a Meeting Guide JSON object omits when they do not apply: absent means empty.
# (Every field the import sets, but the name, the listing, the attendance option and private notes.)
JSON_CLEARS = tuple(
    f for f in services.MEETING_FIELDS if f not in ("name", "listed", "attendance", "private_notes")
)
# The text fields a record may carry (HTML turned into text, entities decoded).
TEXT_FIELDS = tuple(f for f in JSON_CLEARS if f not in ("region", "latitude", "longitude", "types"))
ATTENDANCE_OPTIONS = {
    "in_person": "in_person",
    "in person": "in_person",
    "inperson": "in_person",
    "online": "online",
    "hybrid": "hybrid",
    "inactive": "inactive",  # TSML: temporarily closed, no way to join online
}
YES = {"yes", "y", "true", "1", "oui", "ja", "sim", "si", "sí", "approximate"}
NO = {"no", "n", "false", "0", "non", "nein", "não", "nao", "nee", "nej", ""}


@dataclass
class Problem:
    """One reason a row cannot be imported as it is; `kind` groups it in the preview's summary."""

    kind: str
    message: object

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class ImportRow:
    number: int
    name: str = ""
    slug: str | None = None
    values: dict = field(default_factory=dict)
    rule: Rule | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list = field(default_factory=list)
    action: str = "create"  # create | update | unchanged | skip
    meeting: Meeting | None = None
    group_key: str | None = None  # the file's group (group, group_id or district), for an organisation
    zone_given: bool = False  # the row names its own time zone

    def problem(self, kind: str, message) -> None:
        self.errors.append(Problem(kind, message))


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
        number = day_number(value)
        if number is None:
            raise ValueError
        return (number + 6) % 7
    raise ValueError


def _text(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    if not isinstance(value, str):
        return None
    return html_to_text(value) or None


def _line(value) -> str | None:
    """A one-line value (a name, a slug): text with its whitespace collapsed."""
    text = _text(value)
    return re.sub(r"\s+", " ", text).strip() if text else None


def interpret(record: dict, *, number: int, kind: str, default_timezone: str) -> list[ImportRow]:
    """One record as rows to import (one per day): what each would set, and what is wrong with it."""
    base = ImportRow(number=number)
    base.name, base.slug = _identity(record, base)
    base.group_key = (
        _line(record.get("group")) or _line(record.get("group_id")) or _line(record.get("district"))
    )
    start, duration = _time(record, base)
    zone = _zone(record, base, default_timezone)
    values: dict = {"name": base.name, **_where(record, kind, base)}
    codes = _types(record, kind, values, base.warnings)
    _attendance(record, values, codes, base)
    _conference(values, base)
    _payments(values, base)
    values["listed"] = True
    days = _days(record, base)
    rows = []
    for weekday, suffix in days or [(None, None)]:
        row = ImportRow(
            number=number,
            name=base.name,
            slug=f"{base.slug}-{suffix}" if base.slug and suffix else base.slug,
            values=dict(values),
            errors=list(base.errors),
            warnings=list(base.warnings),
            group_key=base.group_key,
            zone_given=base.zone_given,
        )
        if start is not None and weekday is not None:
            row.rule = Rule("weekly", weekday, None, None, start, duration, zone)
        elif not days and start is None and not any(p.kind == "when" for p in row.errors):
            row.rule = Rule("appointment", None, None, None, None, 60, zone)
        problems = services.listing_problems(values) | _rule_problems(row.rule)
        # What the form would warn about after saving (finders drop or grey the meeting), beside the row.
        row.warnings.extend(services.listing_warnings(values))
        for key, message in problems.items():
            if key in ("name", "timezone") and any(p.kind == key for p in row.errors):
                continue  # said already, in the file's words
            label = FIELD_LABELS.get(key)  # never the internal name: the message alone if unnamed
            text = _l("%(field)s: %(problem)s", field=label, problem=message) if label else message
            row.problem(_FIELD_KIND.get(key, "other"), text)
        rows.append(row)
    return rows


def _rule_problems(rule: Rule | None) -> dict:
    """The schedule checks of the meeting form."""
    return services.rule_problems(rule) if rule is not None else {}


def _identity(record: dict, row: ImportRow) -> tuple[str, str | None]:
    """(name, slug) of the record."""
    name = _line(record.get("name")) or ""
    if not name:
        row.problem("name", _l("Name: missing (a meeting needs a name to be listed)."))
    slug = record.get("slug")
    if slug in (None, ""):
        slug = record.get("id")
    slug = str(slug).strip() if slug not in (None, "") and not isinstance(slug, (bool, list, dict)) else None
    if slug is not None and not SLUG_OK.match(slug):
        row.problem(
            "slug",
            _l(
                "Slug '%(slug)s': a slug has no spaces, slashes, ? or #, and 255 characters at most.",
                slug=slug[:70],
            ),
        )
    return name, slug


def _days(record: dict, row: ImportRow) -> list[tuple[int, str | None]]:
    """(Python weekday, slug suffix or None) for each day the record meets; the first day keeps the slug
    as it is (finder apps keep favourites by it), the others get the day's name after it."""
    day = record.get("day")
    items = day if isinstance(day, list) else [day]
    items = [item for item in items if item not in (None, "")]
    if not items:
        if record.get("time") not in (None, ""):
            row.problem("when", _l("Day: missing (the day of the week, e.g. Tuesday or 2)."))
        return []  # no day and no time: a meeting by appointment, as the spec allows
    days: list[tuple[int, str | None]] = []
    for item in items:
        try:
            weekday = parse_day(item)
        except ValueError:
            row.problem("when", _l("Day '%(value)s': not a day of the week.", value=str(item)[:40]))
            continue
        if weekday not in [d for d, _ in days]:
            days.append((weekday, DAY_SUFFIX[(weekday + 1) % 7] if days else None))
    return days


def _time(record: dict, row: ImportRow) -> tuple[time | None, int]:
    """(start time, length in minutes) of the record."""
    get = record.get
    start = end = None
    if get("time") in (None, ""):
        if get("day") not in (None, "", []):
            row.problem("when", _l("Time: missing (e.g. 19:30 or 7:30 PM)."))
    else:
        try:
            start = parse_time(get("time"))
        except ValueError:
            row.problem(
                "when",
                _l("Time '%(value)s': not a time (use 19:30 or 7:30 PM).", value=str(get("time"))[:40]),
            )
    if get("end_time") not in (None, ""):
        try:
            end = parse_time(get("end_time"))
        except ValueError:
            row.problem("when", _l("End time '%(value)s': not a time.", value=str(get("end_time"))[:40]))
    duration = 60
    if start and end:
        duration = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % 1440 or 60
    return start, duration


def _zone(record: dict, row: ImportRow, default_timezone: str) -> str:
    """The row's own IANA zone, or the one chosen for the file; fixed-offset names are refused with the
    zone to use instead."""
    name = _line(record.get("timezone"))
    if not name:
        return default_timezone
    row.zone_given = True
    instead = fixed_zone(name)
    if instead:
        row.problem(
            "timezone",
            _l(
                "Time zone '%(zone)s' has no daylight saving: name the place's zone instead, e.g. %(iana)s.",
                zone=name[:40],
                iana=instead,
            ),
        )
    elif instead == "" or name not in services.known_zones():
        row.problem(
            "timezone",
            _l(
                "Time zone '%(zone)s': use a zone named after a place, e.g. America/New_York or "
                "Europe/London.",
                zone=name[:40],
            ),
        )
    return name


def _where(record: dict, kind: str, row: ImportRow) -> dict:
    """The place and contact values of the record (a JSON feed omits what does not apply: absent there
    means empty)."""
    get = record.get
    values: dict = {}
    for key in TEXT_FIELDS:
        if kind == "json" and key in JSON_CLEARS or key in record:
            values[key] = _text(get(key))
    for key in (
        "name",
        "location",
        "address",
        "city",
        "state",
        "postal_code",
        "country",
        "formatted_address",
    ):
        if values.get(key):
            values[key] = re.sub(r"\s*\n\s*", ", ", values[key])
    region = _region(record)
    if region or "region" in record or "regions" in record or kind == "json":
        if region and len(region) > 120:
            row.warnings.append(_l("Region shortened to 120 characters: %(region)s.", region=region[:200]))
            region = region[:120]
        values["region"] = region
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
            row.problem(
                "place",
                _l("%(field)s '%(value)s': not a number.", field=FIELD_LABELS[key], value=str(raw)[:40]),
            )
    return values


def _region(record: dict) -> str | None:
    """The whole region: a `regions` hierarchy, or region and sub-region, joined most general first."""
    regions = record.get("regions")
    if isinstance(regions, str):
        regions = [part for part in re.split(r"\s*[>|]\s*", regions)]
    if isinstance(regions, list) and regions:
        parts = [_line(part) for part in regions]
    else:
        parts = [_line(record.get("region")), _line(record.get("sub_region"))]
    parts = [part for part in parts if part]
    return REGION_SEPARATOR.join(dict.fromkeys(parts)) or None


def _types(record: dict, kind: str, values: dict, warnings: list) -> set[str]:
    """Set the record's type codes in `values` (derived ones left out); returns every code it named."""
    raw_types = record.get("types")
    if isinstance(raw_types, str):
        raw_types = [t for t in re.split(r"[,;\n]", html_to_text(raw_types)) if t.strip()]
    codes, unknown = set(), []
    for item in raw_types or []:
        text = html_to_text(str(item))
        code = type_code(text)
        if code is None:
            unknown.append(text.strip())
        else:
            codes.add(code)
    if unknown:
        warnings.append(
            _l("Types not in the Meeting Guide list, left out: %(types)s.", types=", ".join(unknown)[:200])
        )
    if kind == "json" or "types" in record:
        values["types"] = sorted(codes - meeting_types.DERIVED_CODES)
    return codes


def _approximate(record: dict, row: ImportRow) -> bool | None:
    """The record's `approximate` (yes/no, or a boolean); None when it does not say."""
    value = record.get("approximate")
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return None if text == "" else False
    row.warnings.append(
        _l("Approximate '%(value)s': not yes or no, read from the address.", value=str(value)[:40])
    )
    return None


def _specific_address(values: dict) -> bool:
    """A street address (not only a city or region)."""
    if values.get("address"):
        return True
    line = values.get("formatted_address") or ""
    parts = [p.strip() for p in line.split(",") if p.strip()]
    return len(parts) >= 4 or bool(parts and re.search(r"\d", parts[0]))


def _attendance(record: dict, values: dict, codes: set[str], row: ImportRow) -> None:
    """In person, online or hybrid: TSML's `attendance_option` when the file has it, else the spec's rules
    (a street address that is not approximate plus a link or phone is hybrid; TC: the building is closed
    for now, so online when there is a link or phone, else in person with a note saying so)."""
    has_conference = bool(values.get("conference_url") or values.get("conference_phone"))
    approximate = _approximate(record, row)
    if approximate is None:
        approximate = not _specific_address(values)
    raw_option = _line(record.get("attendance_option"))
    option = ATTENDANCE_OPTIONS.get((raw_option or "").casefold().replace("-", "_"))
    if raw_option and option is None:
        row.warnings.append(
            _l(
                "Attendance option '%(value)s' not understood: read from the address and link.",
                value=raw_option[:40],
            )
        )
    if option is None:
        if "TC" in codes:
            option = "online" if has_conference else "inactive"
        elif has_conference:
            option = "online" if approximate else "hybrid"
        else:
            option = "in_person"
            if "ONL" in codes:
                row.problem("online", _l("Online meeting without a conference link or phone."))
    types = set(values.get("types") or [])
    if option == "inactive":
        # Kept as the source says it: in person, temporarily closed (finders list it as inactive).
        option = "in_person"
        values["types"] = sorted(types | {"TC"})
    elif "TC" in types:
        values["types"] = sorted(types - {"TC"})  # online while the building is closed: online says it
    values["attendance"] = option
    if option == "online" and values.get("formatted_address") and not values.get("city"):
        _city_of(values, approximate)


def _city_of(values: dict, approximate: bool) -> None:
    """An online meeting's city, state and country from its one-line address (finders place online
    meetings by them): an approximate address is only that; a street address is kept as well."""
    parts = [p.strip() for p in values["formatted_address"].split(",") if p.strip()]
    if approximate and len(parts) <= 3:
        values["formatted_address"] = None
        values["city"] = parts[0] if parts else None
        values["state"] = parts[1] if len(parts) == 3 else None
        values["country"] = parts[-1] if len(parts) >= 2 else None
    elif len(parts) >= 4:
        values["city"], values["country"] = parts[-3], parts[-1]
        values["state"] = re.sub(r"\s*[0-9][0-9A-Za-z\- ]*$", "", parts[-2]) or None


def _conference(values: dict, row: ImportRow) -> None:
    """The dial-in sequence as the form stores it; the link is kept as given (an http:// one too: the
    preview warns, from the form's listing warnings)."""
    if values.get("conference_phone"):
        values["conference_phone"] = services.normalise_phone(values["conference_phone"])


_PAYPAL = re.compile(r"^(?:https?://)?(?:www\.)?paypal\.(?:me|com/paypalme)/([^/?#]+)", re.I)
_VENMO = re.compile(r"^(?:https?://)?(?:www\.|account\.)?venmo\.com/(?:u/|code\?user_id=)?@?([^/?#]+)", re.I)
_SQUARE = re.compile(r"^(?:https?://)?(?:www\.)?cash\.app/\$?([^/?#]+)", re.I)


def _payments(values: dict, row: ImportRow) -> None:
    """7th Tradition links reduced to the handles the spec asks for (@venmo, $cashtag, PayPal.me name)."""
    for key, pattern, prefix in (("paypal", _PAYPAL, ""), ("venmo", _VENMO, "@"), ("square", _SQUARE, "$")):
        value = values.get(key)
        if not value:
            continue
        match = pattern.match(value)
        handle = unquote(match.group(1)) if match else value.strip()
        if prefix and not handle.startswith(prefix):
            handle = prefix + handle
        if handle != value:
            values[key] = handle
            row.warnings.append(
                _l(
                    "%(field)s '%(value)s' read as %(handle)s.",
                    field=FIELD_LABELS[key],
                    value=value[:80],
                    handle=handle,
                )
            )
