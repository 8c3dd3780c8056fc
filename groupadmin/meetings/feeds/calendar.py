"""The public iCalendar feed of an organisation's (or one group's) active, listed meetings, written with
the one iCalendar writer (`groupadmin.ical`).

One recurring event per schedule period (a schedule change ends one series and starts another),
cancelled dates as EXDATE, changed dates (online only, another venue, a note) as overrides with
RECURRENCE-ID; one-off meetings as single events. UIDs are stable per meeting and schedule. Event titles
follow the discretion rule. Three queries whatever the number of meetings.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation, discreet
from groupadmin.ical import Feed
from groupadmin.meetings.feeds.common import MEETING_COLUMNS, aware, one_line, public
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, local_today

ICS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ICS_MONTH_WEEK = {1: "1", 2: "2", 3: "3", 4: "4", -1: "-1"}
OVERRIDE_HISTORY_DAYS = 365


def ics(
    organisation: Organisation,
    *,
    now: datetime,
    base_url: str,
    group: Group | None = None,
    name: str | None = None,
) -> bytes:
    """The organisation's (or one group's) active, listed meetings as an iCalendar document."""
    host = urlsplit(base_url).hostname or "groupadmin"
    today = local_today(organisation.timezone, now)
    meetings, schedules, overrides = _load(organisation, group, today)
    zones = sorted({rule.timezone for periods in schedules.values() for _start, rule in periods})
    hint = (zones[0] if len(zones) == 1 else organisation.timezone) if zones else None
    feed = Feed(
        name=name or organisation.name, prodid="-//groupadmin//meetings//EN", timezone=hint, cache_events=True
    )
    for meeting in meetings:
        _add_meeting(
            feed,
            meeting,
            schedules.get(meeting.id, []),
            overrides.get(meeting.id, {}),
            host=host,
            url=f"{base_url}/meetings/{organisation.slug}/{meeting.slug}",
        )
    return feed.to_bytes()


# ---------------------------------------------------------------------------------------------------
# Loading: plain rows


def _load(organisation: Organisation, group: Group | None, today: date):
    """(meeting rows, {meeting id: [(effective from, Rule)]}, {meeting id: {date: override row}})."""
    query = (
        sa.select(*MEETING_COLUMNS)
        .join(Group, Group.id == Meeting.group_id)
        .where(*public(organisation))
        .order_by(Meeting.id)
    )
    if group is not None:
        query = query.where(Meeting.group_id == group.id)
    meetings = db.session.execute(query).all()
    if not meetings:
        return meetings, {}, {}
    meeting_filter = sa.and_(*public(organisation), *([Meeting.group_id == group.id] if group else []))
    return meetings, _schedules(meeting_filter), _overrides(meeting_filter, today)


def _schedules(meeting_filter) -> dict[int, list[tuple[date, Rule]]]:
    schedules: dict[int, list] = {}
    for s in db.session.scalars(
        sa.select(MeetingSchedule)
        .join(Meeting, Meeting.id == MeetingSchedule.meeting_id)
        .where(meeting_filter)
        .order_by(MeetingSchedule.meeting_id, MeetingSchedule.effective_from)
    ):
        schedules.setdefault(s.meeting_id, []).append((s.effective_from, Rule.of(s)))
    return schedules


def _overrides(meeting_filter, today: date) -> dict[int, dict[date, object]]:
    """The dates (of the last year and to come) that are cancelled or changed."""
    overrides: dict[int, dict[date, object]] = {}
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
    return overrides


# ---------------------------------------------------------------------------------------------------
# Events


def _add_meeting(feed: Feed, meeting, periods, overrides, *, host: str, url: str) -> None:
    """One event (or series, with its overrides) per schedule period of the meeting."""
    title = discreet(meeting.name, fellowship=meeting.fellowship, mail_naming=meeting.mail_naming)
    stamp = aware(meeting.updated_at)
    for index, (effective_from, rule) in enumerate(periods):
        until = periods[index + 1][0] - timedelta(days=1) if index + 1 < len(periods) else None
        first = _first_date(rule, effective_from, until)
        if first is None:
            continue
        common = {
            "stamp": stamp,
            "summary": title,
            "url": url,
            "duration": timedelta(minutes=rule.duration_minutes),
        }
        uid = f"meeting-{meeting.id}-{effective_from:%Y%m%d}@{host}"
        if rule.recurrence == "once":
            override = overrides.get(first)
            extra, location = _override_text(override, meeting)
            cancelled = override is not None and override.status == "cancelled"
            feed.event(
                uid,
                last_modified=stamp,
                start=_local(first, rule),
                location=location,
                description=_description(meeting, url, extra),
                status="CANCELLED" if cancelled else None,
                **common,
            )
        else:
            _add_series(feed, meeting, rule, first, until, overrides, uid=uid, common=common)


def _first_date(rule: Rule, effective_from: date, until: date | None) -> date | None:
    """The first date of a schedule period, or None when the period has none."""
    if rule.recurrence == "once":
        if rule.on_date is None or rule.on_date < effective_from or (until and rule.on_date > until):
            return None
        return rule.on_date
    last = until or effective_from + timedelta(days=400)
    for horizon in (40, 400):  # a weekly or monthly rule has a date within 40 days: look no further
        dates = dates_between(rule, effective_from, min(last, effective_from + timedelta(days=horizon)))
        if dates:
            return dates[0]
    return None


def _add_series(feed: Feed, meeting, rule: Rule, first: date, until, overrides, *, uid, common) -> None:
    """A recurring event from `first` (to `until`), its cancelled dates excluded, its changed dates
    overridden."""
    in_period = {day: o for day, o in overrides.items() if day >= first and (until is None or day <= until)}
    rule_dates = set(dates_between(rule, first, max(in_period, default=first)))
    cancelled = sorted(day for day, o in in_period.items() if o.status == "cancelled" and day in rule_dates)
    feed.event(
        uid,
        last_modified=common["stamp"],
        start=_local(first, rule),
        rrule=_rrule(rule, until),
        exdates=[_local(day, rule) for day in cancelled],
        location=_location(meeting),
        description=_description(meeting, common["url"]),
        **common,
    )
    for day in sorted(in_period):
        override = in_period[day]
        if override.status == "cancelled" or day not in rule_dates:
            continue
        extra, location = _override_text(override, meeting)
        feed.event(
            uid,
            recurrence_id=_local(day, rule),
            start=_local(day, rule),
            location=location,
            description=_description(meeting, common["url"], extra),
            **common,
        )


def _rrule(rule: Rule, until: date | None) -> dict:
    if rule.recurrence == "weekly":
        rrule = {"freq": "WEEKLY", "byday": ICS_DAYS[rule.weekday]}
    else:
        rrule = {"freq": "MONTHLY", "byday": f"{ICS_MONTH_WEEK[rule.month_week]}{ICS_DAYS[rule.weekday]}"}
    if until is not None:
        rrule["until"] = datetime.combine(until, time(23, 59, 59), tzinfo=ZoneInfo(rule.timezone))
    return rrule


def _local(day: date, rule: Rule) -> datetime:
    """The local wall-clock start on `day` in the meeting's zone (as calendar apps read it with TZID)."""
    at = rule.start_time.replace(second=0, microsecond=0)
    return datetime.combine(day, at, tzinfo=ZoneInfo(rule.timezone))


def _description(meeting, url: str, extra: list[str] | None = None) -> str:
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
    parts.append(url)
    return "\n".join(parts)


def _location(meeting) -> str:
    if meeting.attendance == "online":
        return meeting.conference_url or "Online"
    return ", ".join(p for p in (meeting.location, one_line(meeting)) if p)


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
