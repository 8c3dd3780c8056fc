"""The public feeds: the Meeting Guide JSON feed and iCalendar.

Both read plain rows (no ORM objects) in a fixed number of queries whatever the number of meetings,
and both have a cheap version (one aggregate query) for ETag/Last-Modified, so a 304 costs little.
Nothing here publishes private notes, unlisted meetings, paused or archived ones, or personal data.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from icalendar import Timezone

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation, discreet
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, local_today

MEETING_GUIDE_DAY = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 0}  # Python weekday → Sunday = 0
ICS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ICS_MONTH_WEEK = {1: "1", 2: "2", 3: "3", 4: "4", -1: "-1"}
OVERRIDE_HISTORY_DAYS = 365

_MEETING_COLUMNS = (
    Meeting.id,
    Meeting.slug,
    Meeting.name,
    Meeting.attendance,
    Meeting.location,
    Meeting.formatted_address,
    Meeting.address,
    Meeting.city,
    Meeting.state,
    Meeting.postal_code,
    Meeting.country,
    Meeting.region,
    Meeting.latitude,
    Meeting.longitude,
    Meeting.location_notes,
    Meeting.conference_url,
    Meeting.conference_url_notes,
    Meeting.conference_phone,
    Meeting.conference_phone_notes,
    Meeting.notes,
    Meeting.types,
    Meeting.venmo,
    Meeting.square,
    Meeting.paypal,
    Meeting.homegroup_online,
    Meeting.updated_at,
    Group.slug.label("group_slug"),
    Group.name.label("group_name"),
    Group.fellowship,
    Group.mail_naming,
    Group.display_name.label("group_display_name"),
)


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime


def feed_version(organisation: Organisation, *, now: datetime, base_url: str, scope: str) -> FeedVersion:
    """A cheap fingerprint of everything a feed of the organisation shows: one aggregate query.

    Every change a feed shows bumps ``Meeting.updated_at`` (meeting, schedule, per-date override, and
    the group's name through the listener in ``models``); the day is part of it because "this week"
    moves on; `scope` names the representation (feed kind and filters).
    """
    count, latest = db.session.execute(
        sa.select(sa.func.count(Meeting.id), sa.func.max(Meeting.updated_at)).where(
            Meeting.organisation_id == organisation.id
        )
    ).one()
    latest = _aware(latest) or organisation.created_at
    today = local_today(organisation.timezone, now)
    fingerprint = repr(
        (
            scope,
            count,
            latest.isoformat(),
            today.isoformat(),
            base_url,
            organisation.slug,
            organisation.name,
            organisation.contact_email,
            organisation.website_url,
            organisation.phone,
            organisation.timezone,
        )
    )
    return FeedVersion(
        etag=hashlib.sha256(fingerprint.encode()).hexdigest()[:32],
        last_modified=max(latest, datetime.combine(today, time(), tzinfo=UTC) - timedelta(days=1)).replace(
            microsecond=0
        ),
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns aggregate results untyped
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _current_schedule_join(today: date):
    current = (
        sa.select(sa.func.max(MeetingSchedule.effective_from))
        .where(MeetingSchedule.meeting_id == Meeting.id, MeetingSchedule.effective_from <= today)
        .correlate(Meeting)
        .scalar_subquery()
    )
    first = (
        sa.select(sa.func.min(MeetingSchedule.effective_from))
        .where(MeetingSchedule.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    return sa.and_(
        MeetingSchedule.meeting_id == Meeting.id,
        MeetingSchedule.effective_from == sa.func.coalesce(current, first),
    )


def _public(organisation: Organisation):
    return (
        Meeting.organisation_id == organisation.id,
        Meeting.status == "active",
        Meeting.listed.is_(True),
    )


# ---------------------------------------------------------------------------------------------------
# Meeting Guide JSON


def meeting_guide(
    organisation: Organisation, *, now: datetime, base_url: str, fellowship: str | None = None
) -> list[dict]:
    """Every active, listed, weekly meeting of the organisation in the Meeting Guide format."""
    today = local_today(organisation.timezone, now)
    query = (
        sa.select(
            *_MEETING_COLUMNS,
            MeetingSchedule.weekday,
            MeetingSchedule.start_time,
            MeetingSchedule.duration_minutes,
            MeetingSchedule.timezone,
        )
        .join(Group, Group.id == Meeting.group_id)
        .join(MeetingSchedule, _current_schedule_join(today))
        .where(*_public(organisation), MeetingSchedule.recurrence == "weekly")
        .order_by(MeetingSchedule.weekday, MeetingSchedule.start_time, Meeting.name, Meeting.id)
    )
    if fellowship:
        query = query.where(Group.fellowship == fellowship)
    rows = db.session.connection().execute(query).all()  # Core: no ORM row machinery for 4,000 rows
    # Meetings online only on a date this week carry TC ("location temporarily closed").
    online_this_week = dict(
        db.session.execute(
            sa.select(Occurrence.meeting_id, sa.func.min(Occurrence.local_date))
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                *_public(organisation),
                Occurrence.online_only.is_(True),
                Occurrence.status == "scheduled",
                Occurrence.local_date >= today,
                Occurrence.local_date < today + timedelta(days=7),
            )
            .group_by(Occurrence.meeting_id)
        ).all()
    )
    entity = _entity(organisation)
    return [
        _meeting_guide_row(row, online_this_week.get(row.id), entity, base_url, organisation) for row in rows
    ]


def _entity(organisation: Organisation) -> dict:
    entity = {
        "entity": organisation.name,
        "entity_email": organisation.contact_email,
        "entity_phone": organisation.phone,
        "entity_website_url": organisation.website_url,
    }
    if organisation.contact_email:
        entity["feedback_emails"] = [organisation.contact_email]
    return {k: v for k, v in entity.items() if v}


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _meeting_guide_row(row, online_day: date | None, entity: dict, base_url: str, organisation) -> dict:
    """One meeting in the Meeting Guide format; optional fields that do not apply are left out."""
    start = row.start_time
    end_minutes = (start.hour * 60 + start.minute + row.duration_minutes) % 1440
    types = sorted(set(row.types or []))
    updated = row.updated_at
    if updated.tzinfo is not None:
        updated = updated.astimezone(UTC)
    item = {
        "name": row.name,
        "slug": row.slug,
        "day": MEETING_GUIDE_DAY[row.weekday],
        "time": f"{start.hour:02d}:{start.minute:02d}",
        "end_time": f"{end_minutes // 60:02d}:{end_minutes % 60:02d}",
        "timezone": row.timezone,
        "types": types,
    }
    optional = [
        ("notes", row.notes),
        ("region", row.region),
        ("group", row.group_name),
        ("venmo", row.venmo),
        ("square", row.square),
        ("paypal", row.paypal),
        ("homegroup_online", row.homegroup_online),
    ]
    if row.attendance == "online":
        place = ", ".join(p for p in (row.city, row.state, row.country) if p) or row.region
        optional += [("formatted_address", place), ("approximate", "yes")]
    else:
        optional += [
            ("location", row.location),
            ("location_notes", row.location_notes),
            ("formatted_address", _one_line(row)),
            ("approximate", "no"),
        ]
        if row.latitude is not None and row.longitude is not None:
            optional += [("latitude", round(row.latitude, 5)), ("longitude", round(row.longitude, 5))]
    if online_day is not None or row.attendance != "in_person":
        optional += [
            ("conference_url", row.conference_url),
            ("conference_url_notes", row.conference_url_notes),
            ("conference_phone", row.conference_phone),
            ("conference_phone_notes", row.conference_phone_notes),
        ]
    if online_day is not None:
        item["types"] = sorted({*types, "TC"})
        line = f"Online only on {online_day.isoformat()}."
        optional.append(("notes", f"{row.notes}\n{line}" if row.notes else line))
    for key, value in optional:
        if value is not None and value != "":
            item[key] = value
    item["updated"] = f"{updated:%Y-%m-%d %H:%M:%S}"
    item["url"] = f"{base_url}/meetings/{organisation.slug}/{row.slug}"
    item["edit_url"] = f"{base_url}/groups/{row.group_slug}/meetings/{row.id}/edit"
    item.update(entity)
    return item


def _one_line(row) -> str | None:
    if row.formatted_address:
        return row.formatted_address
    parts = [row.address, row.city, " ".join(p for p in (row.state, row.postal_code) if p), row.country]
    return ", ".join(p for p in parts if p) or None


# ---------------------------------------------------------------------------------------------------
# iCalendar


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > (75 if not parts else 74):
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


@functools.lru_cache(maxsize=64)
def vtimezone(zone: str) -> str:
    text = (
        Timezone.from_tzid(zone, first_date=date(2000, 1, 1), last_date=date(2038, 1, 1)).to_ical().decode()
    )
    return text.replace("\r\n", "\n").strip().replace("\n", "\r\n")


def _local(day: date, at: time) -> str:
    return f"{day:%Y%m%d}T{at.hour:02d}{at.minute:02d}00"


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(
    organisation: Organisation,
    *,
    now: datetime,
    base_url: str,
    group: Group | None = None,
    name: str | None = None,
) -> str:
    """The organisation's (or one group's) active, listed meetings as an iCalendar document.

    One recurring event per schedule period (a schedule change ends one series and starts another),
    cancelled dates as EXDATE, changed dates (online only, another venue, a note) as overrides with
    RECURRENCE-ID; one-off meetings as single events. UIDs are stable per meeting and schedule.
    """
    host = urlsplit(base_url).hostname or "groupadmin"
    today = local_today(organisation.timezone, now)
    query = (
        sa.select(*_MEETING_COLUMNS)
        .join(Group, Group.id == Meeting.group_id)
        .where(*_public(organisation))
        .order_by(Meeting.id)
    )
    if group is not None:
        query = query.where(Meeting.group_id == group.id)
    meetings = db.session.execute(query).all()
    ids = [m.id for m in meetings]
    schedules: dict[int, list] = {}
    overrides: dict[int, dict[date, object]] = {}
    if ids:
        meeting_filter = sa.and_(*_public(organisation), *([Meeting.group_id == group.id] if group else []))
        for s in db.session.scalars(
            sa.select(MeetingSchedule)
            .join(Meeting, Meeting.id == MeetingSchedule.meeting_id)
            .where(meeting_filter)
            .order_by(MeetingSchedule.meeting_id, MeetingSchedule.effective_from)
        ):
            schedules.setdefault(s.meeting_id, []).append((s.effective_from, Rule.of(s)))
        for o in db.session.execute(
            sa.select(
                Occurrence.meeting_id,
                Occurrence.local_date,
                Occurrence.status,
                Occurrence.online_only,
                Occurrence.venue_location,
                Occurrence.venue_address,
                Occurrence.note,
            )
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                meeting_filter,
                Occurrence.local_date >= today - timedelta(days=OVERRIDE_HISTORY_DAYS),
                sa.or_(
                    Occurrence.status == "cancelled",
                    Occurrence.online_only.is_(True),
                    Occurrence.venue_location.is_not(None),
                    Occurrence.venue_address.is_not(None),
                    Occurrence.note.is_not(None),
                ),
            )
        ):
            overrides.setdefault(o.meeting_id, {})[o.local_date] = o
    zones = sorted({rule.timezone for periods in schedules.values() for _start, rule in periods})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//groupadmin//meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name or organisation.name)}",
    ]
    if zones:
        lines.append(f"X-WR-TIMEZONE:{zones[0] if len(zones) == 1 else organisation.timezone}")
    out = ["\r\n".join(_fold(line) for line in lines)]
    out += [vtimezone(zone) for zone in zones]
    events: list[str] = []
    for meeting in meetings:
        events += _meeting_events(
            meeting,
            schedules.get(meeting.id, []),
            overrides.get(meeting.id, {}),
            host=host,
            base_url=base_url,
            organisation=organisation,
        )
    out.append("\r\n".join(_fold(line) for line in events) if events else "")
    out.append("END:VCALENDAR\r\n")
    return "\r\n".join(part for part in out if part)


def _description(meeting, base_url: str, organisation, extra: list[str] | None = None) -> str:
    parts = list(extra or [])
    if meeting.attendance in ("online", "hybrid"):
        if meeting.conference_url:
            parts.append(
                meeting.conference_url
                + (f" ({meeting.conference_url_notes})" if meeting.conference_url_notes else "")
            )
        if meeting.conference_phone:
            parts.append(
                meeting.conference_phone
                + (f" ({meeting.conference_phone_notes})" if meeting.conference_phone_notes else "")
            )
    if meeting.location_notes and meeting.attendance != "online":
        parts.append(meeting.location_notes)
    if meeting.notes:
        parts.append(meeting.notes)
    parts.append(f"{base_url}/meetings/{organisation.slug}/{meeting.slug}")
    return "\n".join(parts)


def _location(meeting) -> str:
    if meeting.attendance == "online":
        return meeting.conference_url or "Online"
    return ", ".join(p for p in (meeting.location, _one_line(meeting)) if p)


def _meeting_events(meeting, periods, overrides, *, host, base_url, organisation) -> list[str]:
    title = discreet(meeting.name, fellowship=meeting.fellowship, mail_naming=meeting.mail_naming)
    stamp = _utc(_aware(meeting.updated_at))
    url = f"{base_url}/meetings/{organisation.slug}/{meeting.slug}"
    events: list[str] = []
    for index, (effective_from, rule) in enumerate(periods):
        until = periods[index + 1][0] - timedelta(days=1) if index + 1 < len(periods) else None
        if rule.recurrence == "once":
            if rule.on_date is None or rule.on_date < effective_from or (until and rule.on_date > until):
                continue
            first = rule.on_date
        else:
            dates = dates_between(rule, effective_from, until or effective_from + timedelta(days=400))
            if not dates:
                continue
            first = dates[0]
        uid = f"meeting-{meeting.id}-{effective_from:%Y%m%d}@{host}"
        tz = rule.timezone
        base = [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
        ]
        common = [f"SUMMARY:{_escape(title)}", f"URL:{url}"]
        duration = f"DURATION:PT{rule.duration_minutes}M"
        if rule.recurrence == "once":
            override = overrides.get(first)
            extra, location = _override_text(override, meeting)
            events += base + [
                f"DTSTART;TZID={tz}:{_local(first, rule.start_time)}",
                duration,
                *common,
                f"LOCATION:{_escape(location)}",
                f"DESCRIPTION:{_escape(_description(meeting, base_url, organisation, extra))}",
            ]
            if override is not None and override.status == "cancelled":
                events.append("STATUS:CANCELLED")
            events.append("END:VEVENT")
            continue
        if rule.recurrence == "weekly":
            rrule = f"RRULE:FREQ=WEEKLY;BYDAY={ICS_DAYS[rule.weekday]}"
        else:
            rrule = f"RRULE:FREQ=MONTHLY;BYDAY={ICS_MONTH_WEEK[rule.month_week]}{ICS_DAYS[rule.weekday]}"
        if until is not None:
            rrule += ";UNTIL=" + _utc(datetime.combine(until, time(23, 59, 59), tzinfo=ZoneInfo(tz)))
        in_period = {
            day: o for day, o in overrides.items() if day >= first and (until is None or day <= until)
        }
        rule_dates = set(dates_between(rule, first, max(in_period, default=first)))
        cancelled = sorted(
            day for day, o in in_period.items() if o.status == "cancelled" and day in rule_dates
        )
        events += base + [
            f"DTSTART;TZID={tz}:{_local(first, rule.start_time)}",
            duration,
            rrule,
            *common,
            f"LOCATION:{_escape(_location(meeting))}",
            f"DESCRIPTION:{_escape(_description(meeting, base_url, organisation))}",
        ]
        if cancelled:
            events.append(f"EXDATE;TZID={tz}:" + ",".join(_local(day, rule.start_time) for day in cancelled))
        events.append("END:VEVENT")
        for day in sorted(in_period):
            override = in_period[day]
            if override.status == "cancelled" or day not in rule_dates:
                continue
            extra, location = _override_text(override, meeting)
            events += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                f"DTSTAMP:{stamp}",
                f"RECURRENCE-ID;TZID={tz}:{_local(day, rule.start_time)}",
                f"DTSTART;TZID={tz}:{_local(day, rule.start_time)}",
                duration,
                f"SUMMARY:{_escape(title)}",
                f"URL:{url}",
                f"LOCATION:{_escape(location)}",
                f"DESCRIPTION:{_escape(_description(meeting, base_url, organisation, extra))}",
                "END:VEVENT",
            ]
    return events


def _override_text(override, meeting) -> tuple[list[str], str]:
    """(description lines, location) for a date with overrides."""
    if override is None:
        return [], _location(meeting)
    extra: list[str] = []
    location = _location(meeting)
    if override.status == "cancelled":
        extra.append("Cancelled on this date.")
    if override.online_only:
        extra.append("Online only on this date.")
        location = meeting.conference_url or "Online"
    if override.venue_location or override.venue_address:
        extra.append("At another venue on this date.")
        location = ", ".join(p for p in (override.venue_location, override.venue_address) if p)
    if override.note:
        extra.append(override.note)
    return extra, location
