"""Import: a Meeting Guide JSON feed, or a CSV with the spec's column names or the 12 Step Meeting List
plugin's export headings (day names, 12-hour times such as "7:30 PM", type names).

`plan_import` reads and checks everything and changes nothing; the preview shows each row, its mapping
and every error. `apply_import` re-plans the same content and applies it only when no row has an
error, in the caller's one transaction. Meetings are matched by slug (the Meeting Guide app stores
favourites by it), so importing again updates instead of duplicating; a meeting missing from the file is
archived only when asked, never deleted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings import services
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import Rule, local_today

MAX_ROWS = 5000

# Our field for each (normalised) column heading; None: read but not imported.
COLUMN_MAP = {
    "name": "name",
    "meeting_name": "name",
    "slug": "slug",
    "id": "slug",
    "day": "day",
    "time": "time",
    "start_time": "time",
    "end_time": "end_time",
    "timezone": "timezone",
    "formatted_address": "formatted_address",
    "address": "address",
    "street": "address",
    "city": "city",
    "state": "state",
    "province": "state",
    "postal_code": "postal_code",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "postcode": "postal_code",
    "country": "country",
    "region": "region",
    "sub_region": "sub_region",
    "location": "location",
    "location_name": "location",
    "location_notes": "location_notes",
    "notes": "notes",
    "latitude": "latitude",
    "longitude": "longitude",
    "approximate": "approximate",
    "conference_url": "conference_url",
    "conference_url_notes": "conference_url_notes",
    "conference_phone": "conference_phone",
    "conference_phone_notes": "conference_phone_notes",
    "types": "types",
    "type": "types",
    "venmo": "venmo",
    "square": "square",
    "paypal": "paypal",
    "homegroup_online": "homegroup_online",
    # Read, but not imported: the group is the one importing; the rest is the old tool's bookkeeping,
    # or contact details of people, which we do not take in bulk.
    "group": None,
    "group_notes": None,
    "district": None,
    "updated": None,
    "url": None,
    "edit_url": None,
    "website": None,
    "website_2": None,
    "email": None,
    "phone": None,
    "mailing_address": None,
    "author": None,
    "data_source": None,
    "last_contact": None,
    "feedback_url": None,
    "feedback_emails": None,
    "regions": None,
}
IGNORED_PREFIXES = ("contact_", "entity")

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


class ImportFileError(Exception):
    """The file as a whole cannot be read; str(error) is a translated message."""


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


@dataclass
class ImportPlan:
    kind: str  # json | csv
    columns: list[tuple[str, str | None]]  # (heading in the file, our field or None)
    rows: list[ImportRow]
    to_archive: list[Meeting] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


# ---------------------------------------------------------------------------------------------------
# Reading the file


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_l("The file is not readable text. Save it as UTF-8 CSV or JSON and try again."))


def normalise_heading(heading: str) -> str:
    return re.sub(r"[\s\-]+", "_", (heading or "").strip().lower())


def read_records(filename: str, content: str) -> tuple[str, list[dict], list[str]]:
    """(kind, records with normalised keys, headings as found in the file)."""
    stripped = content.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith(("[", "{")):
        try:
            data = json.loads(content)
        except ValueError as error:
            raise ImportFileError(
                _l(
                    "The JSON file could not be read (line %(line)s): check it is a Meeting Guide feed.",
                    line=getattr(error, "lineno", "?"),
                )
            ) from None
        if isinstance(data, dict) and isinstance(data.get("meetings"), list):
            data = data["meetings"]
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ImportFileError(_l("A Meeting Guide file is a list of meetings: [ {...}, {...} ]."))
        headings: list[str] = []
        for item in data:
            for key in item:
                if key not in headings:
                    headings.append(key)
        return "json", [{normalise_heading(k): v for k, v in item.items()} for item in data], headings
    try:
        sample = content[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(content), dialect=dialect)
    try:
        records = [
            {normalise_heading(k): (v or "").strip() for k, v in row.items() if k is not None}
            for row in reader
        ]
    except csv.Error as error:
        raise ImportFileError(_l("The CSV file could not be read: %(problem)s", problem=str(error))) from None
    headings = list(reader.fieldnames or [])
    if not headings or "name" not in {normalise_heading(h) for h in headings}:
        raise ImportFileError(
            _l("The CSV file needs a heading row with at least Name, Day and Time columns.")
        )
    return "csv", records, headings


def column_mapping(headings: list[str]) -> list[tuple[str, str | None]]:
    mapping = []
    for heading in headings:
        key = normalise_heading(heading)
        target = COLUMN_MAP.get(key)
        mapping.append((heading, target))
    return mapping


# ---------------------------------------------------------------------------------------------------
# Interpreting one record


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
    row = ImportRow(number=number)
    values: dict = {}
    get = record.get
    row.name = _text(get("name")) or ""
    values["name"] = row.name
    if not row.name:
        row.errors.append(_l("Name: missing."))
    slug = _text(get("slug")) or _text(get("id"))
    if slug is not None:
        if not SLUG_OK.match(slug):
            row.errors.append(
                _l("Slug '%(slug)s': use letters, digits, - _ . only, 64 at most.", slug=slug[:70])
            )
        row.slug = slug

    # When
    weekday = None
    day = get("day")
    if isinstance(day, list):
        if len(day) == 1:
            day = day[0]
        else:
            row.errors.append(_l("Day: this meeting is on several days; give each day its own row and slug."))
            day = None
    if day in (None, ""):
        if not any(e for e in row.errors if "Day" in str(e)):
            row.errors.append(_l("Day: missing (the day of the week, e.g. Tuesday or 2)."))
    else:
        try:
            weekday = parse_day(day)
        except ValueError:
            row.errors.append(_l("Day '%(value)s': not a day of the week.", value=str(day)[:40]))
    start = end = None
    if get("time") in (None, ""):
        row.errors.append(_l("Time: missing (e.g. 19:30 or 7:30 PM)."))
    else:
        try:
            start = parse_time(get("time"))
        except ValueError:
            row.errors.append(
                _l("Time '%(value)s': not a time (use 19:30 or 7:30 PM).", value=str(get("time"))[:40])
            )
    if get("end_time") not in (None, ""):
        try:
            end = parse_time(get("end_time"))
        except ValueError:
            row.errors.append(_l("End time '%(value)s': not a time.", value=str(get("end_time"))[:40]))
    duration = 60
    if start and end:
        duration = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % 1440 or 60
    zone = _text(get("timezone")) or default_timezone
    if start is not None and weekday is not None:
        row.rule = Rule("weekly", weekday, None, None, start, duration, zone)

    # Where and how
    for key in (
        "location",
        "formatted_address",
        "address",
        "city",
        "state",
        "postal_code",
        "country",
        "location_notes",
        "notes",
        "conference_url",
        "conference_url_notes",
        "conference_phone",
        "conference_phone_notes",
        "venmo",
        "square",
        "paypal",
        "homegroup_online",
    ):
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
            row.errors.append(
                _l("%(field)s '%(value)s': not a number.", field=FIELD_LABELS[key], value=str(raw)[:40])
            )

    raw_types = get("types")
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
        row.warnings.append(
            _l("Types not in the Meeting Guide list, left out: %(types)s.", types=", ".join(unknown)[:200])
        )
    if kind == "json" or "types" in record:
        values["types"] = sorted(codes - meeting_types.DERIVED_CODES)

    has_conference = bool(values.get("conference_url") or values.get("conference_phone"))
    approximate = str(get("approximate") or "").strip().lower() == "yes"
    online_signal = "TC" in codes or "ONL" in codes or approximate
    has_place = bool(values.get("formatted_address") or values.get("address"))
    if has_conference and (online_signal or not has_place):
        values["attendance"] = "online"
    elif has_conference:
        values["attendance"] = "hybrid"
    else:
        values["attendance"] = "in_person"
        if online_signal and not has_conference:
            row.errors.append(_l("Online meeting without a conference link or phone."))
    if values["attendance"] == "online" and values.get("formatted_address") and not values.get("city"):
        parts = [p.strip() for p in values["formatted_address"].split(",") if p.strip()]
        if len(parts) <= 3:
            values["formatted_address"] = None
            values["city"] = parts[0] if parts else None
            values["state"] = parts[1] if len(parts) == 3 else None
            values["country"] = parts[-1] if len(parts) >= 2 else None
    if values.get("conference_phone"):
        values["conference_phone"] = services.normalise_phone(values["conference_phone"])
    values["listed"] = True
    row.values = values

    for key, message in services.listing_problems(values, row.rule).items():
        label = FIELD_LABELS.get(key, key)
        row.errors.append(_l("%(field)s: %(problem)s", field=label, problem=message))
    return row


# ---------------------------------------------------------------------------------------------------
# Planning and applying


def plan_import(
    group: Group, filename: str, content: str, *, now: datetime, archive_missing: bool = False
) -> ImportPlan:
    """Read and check a file for a group. Changes nothing."""
    kind, records, headings = read_records(filename, content)
    if not records:
        raise ImportFileError(_l("The file has no meetings in it."))
    if len(records) > MAX_ROWS:
        raise ImportFileError(_l("At most %(n)s meetings can be imported at once.", n=MAX_ROWS))
    plan = ImportPlan(kind=kind, columns=column_mapping(headings), rows=[])
    existing = {
        m.slug: m
        for m in db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.organisation_id == group.organisation_id)
            .options(sa.orm.selectinload(Meeting.schedules))
        )
    }
    seen: dict[str, int] = {}
    first_line = 2 if kind == "csv" else 1  # a CSV's first data row is on line 2
    for index, record in enumerate(records):
        row = interpret(record, number=index + first_line, kind=kind, default_timezone=group.timezone)
        if row.slug:
            if row.slug in seen:
                row.errors.append(
                    _l("Slug '%(slug)s' is used by row %(row)s too.", slug=row.slug, row=seen[row.slug])
                )
            seen.setdefault(row.slug, row.number)
            meeting = existing.get(row.slug)
            if meeting is not None and meeting.group_id != group.id:
                row.errors.append(
                    _l(
                        "Slug '%(slug)s' belongs to another group's meeting in the organisation.",
                        slug=row.slug,
                    )
                )
            elif meeting is not None:
                row.meeting = meeting
                row.action = "unchanged" if _same(meeting, row, now) else "update"
        plan.rows.append(row)
    if archive_missing:
        in_file = {row.slug for row in plan.rows if row.slug}
        plan.to_archive = [
            m
            for m in existing.values()
            if m.group_id == group.id and m.status != "archived" and m.slug not in in_file
        ]
    return plan


def _same(meeting: Meeting, row: ImportRow, now: datetime) -> bool:
    if meeting.status != "active":
        return False
    for key, value in services.clean_values(row.values).items():
        if getattr(meeting, key) != value:
            return False
    if row.rule is None:
        return True
    today = local_today(row.rule.timezone, now)
    current = meeting.schedule_on(today)
    return (
        current is not None
        and Rule.of(current).normalised() == row.rule.normalised()
        and meeting.latest_schedule is current
    )


def apply_import(
    group: Group,
    filename: str,
    content: str,
    *,
    actor,
    now: datetime,
    weeks: int,
    archive_missing: bool = False,
) -> ImportPlan:
    """Plan again and apply everything in the caller's transaction; refuses (changing nothing) when any
    row has an error. The caller commits once."""
    plan = plan_import(group, filename, content, now=now, archive_missing=archive_missing)
    if not plan.ok:
        raise ImportFileError(
            _l("The file has errors: nothing was imported. Correct them and upload it again.")
        )
    for row in plan.rows:
        if row.action == "create":
            services.create_meeting(
                group, actor=actor, now=now, rule=row.rule, values=row.values, weeks=weeks, slug=row.slug
            )
        elif row.action == "update":
            meeting = row.meeting
            if meeting.status != "active":
                services.set_status(meeting, "active", actor=actor, now=now, weeks=weeks)
            services.update_meeting(meeting, actor=actor, now=now, values=row.values)
            effective_from = max(local_today(row.rule.timezone, now), date.min)
            if services.schedule_differs(meeting, row.rule, effective_from):
                services.change_schedule(meeting, row.rule, effective_from, actor=actor, now=now, weeks=weeks)
    for meeting in plan.to_archive:
        services.set_status(meeting, "archived", actor=actor, now=now, weeks=weeks)
    audit.record(
        now=now,
        actor=actor,
        action="meetings.imported",
        obj=group,
        group=group,
        kind=plan.kind,
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        archived=len(plan.to_archive),
    )
    return plan
