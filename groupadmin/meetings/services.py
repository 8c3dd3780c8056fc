"""Meetings and occurrences: the business rules. Callers (views, jobs, the CLI, the import) commit.

Every function takes the current time as ``now`` and how far ahead occurrences are kept as ``weeks``;
nothing here reads the clock, the request or the signed-in user.

The past is never rewritten: an occurrence that has started is history (a head count or a format may
hang off it), so schedule changes, pauses and regeneration only touch occurrences that start after ``now``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group, Membership, Organisation, OrgRole
from groupadmin.groups.services import unique_slug
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.models import ATTENDANCE, Meeting, MeetingSchedule, Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, gap_dates, local_today

log = logging.getLogger("groupadmin.meetings")


class MeetingError(Exception):
    """A user-facing refusal: str(error) is a translated message; `problems` maps fields to messages
    (so a form can show each one beside its field)."""

    def __init__(self, message, *, field: str | None = None, problems: dict | None = None):
        super().__init__(str(message))
        self.problems = dict(problems or ({field: message} if field else {}))

    @classmethod
    def of(cls, problems: dict) -> MeetingError:
        return cls(next(iter(problems.values())), problems=problems)


# Columns of Meeting that the form and the import set (the schedule is separate: a Rule).
MEETING_FIELDS = (
    "name",
    "listed",
    "attendance",
    "location",
    "formatted_address",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "region",
    "latitude",
    "longitude",
    "location_notes",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "notes",
    "private_notes",
    "types",
    "venmo",
    "square",
    "paypal",
    "homegroup_online",
)
ADDRESS_FIELDS = ("location", "formatted_address", "address", "city", "state", "postal_code", "country")
# A change of any of these on a listed meeting is audited and mailed to the group's other secretaries
# and the organisation's admins (a hijacked account swapping a Zoom link must not go unnoticed).
WATCHED_FIELDS = (*ADDRESS_FIELDS, "conference_url", "conference_phone")

# Hosts that meeting finders (TSML UI) recognise as conference providers; others show as inactive.
KNOWN_CONFERENCE_HOSTS = (
    "bluejeans.com",
    "discord.gg",
    "freeconference.com",
    "freeconferencecall.com",
    "goto.com",
    "gotomeet.me",
    "gotomeeting.com",
    "horizon.meta.com",
    "maps.secondlife.com",
    "meet.google.com",
    "meet.jit.si",
    "meetings.dialpad.com",
    "signal.group",
    "skype.com",
    "slurl.com",
    "teams.live.com",
    "teams.microsoft.com",
    "vrchat.com",
    "webex.com",
    "zoho.com",
    "zoom.us",
)
PHONE_CLEAN = re.compile(r"[\s\-().]")
PHONE_OK = re.compile(r"^\+?[0-9][0-9,*#]*$")


# ---------------------------------------------------------------------------------------------------
# The one hook for what hangs off an occurrence


@dataclass(frozen=True)
class OccurrenceChange:
    """An occurrence that is about to change in a way that matters to what hangs off it.

    kind: "cancelled" (by the secretary), "restored" (back to scheduled), "paused" (the meeting is paused
    or archived), "moved" (its start changed: ``previous_starts_at`` says from what) or "removed" (its
    date is no longer in the schedule; the row is deleted right after the hook returns).
    """

    occurrence: Occurrence
    kind: str
    previous_starts_at: datetime | None = None


_listeners: list[Callable] = []


def on_occurrences_changed(listener: Callable) -> Callable:
    """Register ``listener(changes, *, now, actor)``. Listeners are registered explicitly, in order, by
    `groupadmin.create_app` (register_hooks): head counts first (they may refuse the change: a date
    with a count took place), then the rota (it releases the date's turns and tells the people)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def occurrences_changed(changes: list[OccurrenceChange], *, now: datetime, actor) -> None:
    """THE hook: every path that cancels, restores, pauses, moves or removes an occurrence calls this,
    once per operation, in the same transaction and before a removed row is deleted."""
    if not changes:
        return
    for listener in list(_listeners):
        listener(changes, now=now, actor=actor)


# ---------------------------------------------------------------------------------------------------
# Validation shared by the form and the import


def normalise_phone(value: str | None) -> str | None:
    if not value:
        return None
    return PHONE_CLEAN.sub("", value.strip()) or None


def conference_host_is_known(url: str | None) -> bool:
    if not url:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == known or host.endswith("." + known) for known in KNOWN_CONFERENCE_HOSTS)


def listing_problems(values: dict, rule: Rule | None = None) -> dict[str, str]:
    """What is wrong with a meeting's values, as {field: message}; empty when all is well.

    `values` uses Meeting's column names; `rule` is the schedule (checked when given).
    """
    problems: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        problems["name"] = _l("Give the meeting a name.")
    elif len(name) > 255:
        problems["name"] = _l("Keep the name under 255 characters (under 64 reads best in apps).")
    attendance = values.get("attendance") or "in_person"
    if attendance not in ATTENDANCE:
        problems["attendance"] = _l("Choose in person, online or hybrid.")
    has_address = bool(values.get("formatted_address") or (values.get("address") and values.get("city")))
    if attendance in ("in_person", "hybrid") and not has_address:
        problems["formatted_address"] = _l(
            "An in-person or hybrid meeting needs an address: a one-line address, or the street and the city."
        )
    url = values.get("conference_url")
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or " " in url:
            problems["conference_url"] = _l("Use a full https:// link that opens the video meeting.")
        elif len(url) > 500:
            problems["conference_url"] = _l("That link is too long (500 characters at most).")
    phone = values.get("conference_phone")
    if phone and not PHONE_OK.match(phone):
        problems["conference_phone"] = _l(
            "Use digits, with + , * # where needed, e.g. +1 646 558 8656,,123#."
        )
    if attendance in ("online", "hybrid") and not (url or phone) and "conference_url" not in problems:
        problems["conference_url"] = _l(
            "An online or hybrid meeting needs a conference link or a phone number."
        )
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        problems["latitude"] = _l("Give both latitude and longitude, or neither.")
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems["latitude"] = _l("Latitude runs from -90 to 90 and longitude from -180 to 180.")
    if values.get("venmo") and not re.fullmatch(r"@[A-Za-z0-9_\-]{1,60}", values["venmo"]):
        problems["venmo"] = _l("A Venmo handle starts with @, e.g. @TuesdayGroup.")
    if values.get("square") and not re.fullmatch(r"\$[A-Za-z0-9_\-]{1,60}", values["square"]):
        problems["square"] = _l("A Cash App cashtag starts with $, e.g. $TuesdayGroup.")
    if values.get("paypal") and not re.fullmatch(r"[A-Za-z0-9_\-.]{1,60}", values["paypal"]):
        problems["paypal"] = _l("Give the PayPal.me name only, e.g. TuesdayGroup (not the whole link).")
    unknown = [t for t in values.get("types") or [] if t not in meeting_types.codes()]
    if unknown:
        problems["types"] = _l("Unknown meeting types: %(codes)s.", codes=", ".join(unknown))
    if rule is not None:
        problems.update(rule_problems(rule))
    return problems


def rule_problems(rule: Rule) -> dict[str, str]:
    problems: dict[str, str] = {}
    if rule.timezone not in available_timezones():
        problems["timezone"] = _l("Choose a time zone from the list.")
    if rule.recurrence in ("weekly", "monthly") and rule.weekday not in range(7):
        problems["weekday"] = _l("Choose the day of the week.")
    if rule.recurrence == "monthly" and rule.month_week not in (1, 2, 3, 4, -1):
        problems["month_week"] = _l("Choose which week of the month.")
    if rule.recurrence == "once" and rule.on_date is None:
        problems["on_date"] = _l("Choose the date of the meeting.")
    if rule.recurrence not in ("weekly", "monthly", "once"):
        problems["recurrence"] = _l("Choose how often the meeting meets.")
    if not 5 <= (rule.duration_minutes or 0) <= 720:
        problems["duration_minutes"] = _l("A meeting lasts between 5 minutes and 12 hours.")
    if (
        rule.recurrence == "once"
        and rule.on_date is not None
        and rule.start_time is not None
        and "timezone" not in problems
        and not rule.exists_on(rule.on_date)
    ):
        problems["start_time"] = _l(
            "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward over it. "
            "Choose another time, e.g. %(later)s.",
            time=rule.start_time.strftime("%H:%M"),
            date=rule.on_date.isoformat(),
            zone=rule.timezone.replace("_", " "),
            later=rule.local_start(rule.on_date).strftime("%H:%M"),
        )
    return problems


def one_off_problems(rule: Rule, *, now: datetime) -> dict[str, str]:
    """A one-off meeting must still be to come: one in the past would never get a date."""
    if rule.recurrence != "once" or rule.on_date is None or rule.start_time is None:
        return {}
    if rule.timezone not in available_timezones() or rule.starts_at(rule.on_date) > now:
        return {}
    if rule.on_date < local_today(rule.timezone, now):
        return {"on_date": _l("That date has passed: a one-off meeting needs a date still to come.")}
    return {"start_time": _l("That time has passed today: a one-off meeting needs a time still to come.")}


def shifted_dates(rule: Rule, *, now: datetime, days: int = 366) -> list[tuple[date, datetime]]:
    """(local date, actual local start) for the coming dates of a weekly or monthly rule whose start
    time falls in a daylight-saving gap: those dates' meetings start as much later as the clocks jump."""
    if rule.recurrence == "once" or rule.timezone not in available_timezones():
        return []
    today = local_today(rule.timezone, now)
    return [(day, rule.local_start(day)) for day in gap_dates(rule, today, today + timedelta(days=days))]


def clean_values(values: dict) -> dict:
    """Strip text, turn empty strings into None, normalise the phone and the types."""
    cleaned = {}
    for key in MEETING_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[key] = value
    if "conference_phone" in cleaned:
        cleaned["conference_phone"] = normalise_phone(cleaned["conference_phone"])
    if "types" in cleaned:
        cleaned["types"] = sorted(set(cleaned["types"] or []) - meeting_types.DERIVED_CODES)
    if "name" in cleaned and cleaned["name"] is None:
        cleaned["name"] = ""
    return cleaned


# ---------------------------------------------------------------------------------------------------
# Creating and changing meetings


def create_meeting(
    group: Group,
    *,
    actor,
    now: datetime,
    rule: Rule,
    values: dict,
    weeks: int,
    slug: str | None = None,
    effective_from: date | None = None,
) -> Meeting:
    """Create a meeting with its first schedule, and generate its occurrences at once."""
    values = clean_values(values)
    problems = listing_problems(values, rule)
    problems = one_off_problems(rule, now=now) | problems
    if problems:
        raise MeetingError.of(problems)
    rule = rule.normalised()
    if slug is None:
        slug = unique_slug(Meeting, values["name"], organisation_id=group.organisation_id)
    elif db.session.scalar(
        sa.select(Meeting.id).where(Meeting.organisation_id == group.organisation_id, Meeting.slug == slug)
    ):
        raise MeetingError(_l("Another meeting of the organisation uses that slug."), field="slug")
    today = local_today(rule.timezone, now)
    start = effective_from or today
    if rule.recurrence == "once" and rule.on_date < start:
        start = rule.on_date
    meeting = Meeting(
        organisation_id=group.organisation_id,
        group=group,
        slug=slug,
        status="active",
        created_at=now,
        updated_at=now,
        **{"listed": True, "types": [], **values},
    )
    meeting.schedules.append(_schedule(rule, start, now))
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="meeting.created",
        obj=meeting,
        group=group,
        listed=meeting.listed,
    )
    generate_occurrences([meeting], now=now, weeks=weeks)
    return meeting


def _schedule(rule: Rule, effective_from: date, now: datetime) -> MeetingSchedule:
    return MeetingSchedule(
        effective_from=effective_from,
        recurrence=rule.recurrence,
        weekday=rule.weekday,
        month_week=rule.month_week,
        on_date=rule.on_date,
        start_time=rule.start_time,
        duration_minutes=rule.duration_minutes,
        timezone=rule.timezone,
        created_at=now,
    )


def update_meeting(meeting: Meeting, *, actor, now: datetime, values: dict) -> list[str]:
    """Change the listing and notes (not the schedule: see `change_schedule`). Returns changed fields."""
    values = clean_values(values)
    merged = {key: getattr(meeting, key) for key in MEETING_FIELDS} | values
    problems = listing_problems(merged)
    if problems:
        raise MeetingError.of(problems)
    was_listed = meeting.listed
    before = {key: getattr(meeting, key) for key in values}
    changed = [key for key, value in values.items() if before[key] != value]
    if not changed:
        return []
    for key in changed:
        setattr(meeting, key, values[key])
    meeting.updated_at = now
    audit.record(
        now=now, actor=actor, action="meeting.updated", obj=meeting, group=meeting.group, fields=changed
    )
    watched = [key for key in changed if key in WATCHED_FIELDS]
    if not was_listed and meeting.listed:
        watched.append("listed")
    if watched and (was_listed or meeting.listed):
        notify_listing_change(
            meeting,
            actor=actor,
            now=now,
            changes=[(key, _display(before.get(key)), _display(getattr(meeting, key))) for key in watched],
        )
    return changed


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass
class SchedulePreview:
    """What a schedule change would do to the dated occurrences (before it is saved)."""

    effective_from: date
    removed: list[Occurrence] = field(default_factory=list)
    moved: list[tuple[Occurrence, datetime]] = field(default_factory=list)  # (occurrence, new UTC start)
    added: list[tuple[date, datetime]] = field(default_factory=list)  # (local date, UTC start)
    unchanged: int = 0
    rule_changed: bool = True

    @property
    def touches_anything(self) -> bool:
        return bool(self.removed or self.moved or self.added)


def schedule_change_problems(meeting: Meeting, rule: Rule, effective_from: date | None, *, now) -> dict:
    problems = rule_problems(rule)
    if effective_from is None:
        problems["effective_from"] = _l("Choose the date from which the new schedule applies.")
        return problems
    today = local_today(meeting.latest_schedule.timezone, now)
    if effective_from < today:
        problems["effective_from"] = _l("Past dates stay as they were: choose today or a later date.")
    if effective_from > today + timedelta(days=731):
        problems["effective_from"] = _l("Choose a date within the next two years.")
    if rule.recurrence == "once" and rule.on_date and rule.on_date < effective_from:
        problems["on_date"] = _l("A one-off meeting's date must be on or after the date the change applies.")
    return one_off_problems(rule, now=now) | problems


def preview_schedule_change(
    meeting: Meeting, rule: Rule, effective_from: date, *, now: datetime, weeks: int
) -> SchedulePreview:
    """Which dated occurrences a schedule change from `effective_from` removes, moves and adds."""
    rule = rule.normalised()
    current = meeting.schedule_on(effective_from)
    later = [s for s in meeting.schedules if s.effective_from > effective_from]
    preview = SchedulePreview(effective_from=effective_from)
    preview.rule_changed = current is None or Rule.of(current).normalised() != rule or bool(later)
    horizon_end = _horizon_end(rule.timezone, now, weeks)
    wanted = {d: rule for d in dates_between(rule, effective_from, horizon_end)}
    existing = list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(
                Occurrence.meeting_id == meeting.id,
                Occurrence.local_date >= effective_from,
                Occurrence.starts_at > now,
            )
            .order_by(Occurrence.local_date)
        )
    )
    seen = set()
    for occurrence in existing:
        seen.add(occurrence.local_date)
        if occurrence.local_date not in wanted:
            preview.removed.append(occurrence)
            continue
        new_start = rule.starts_at(occurrence.local_date)
        new_end = rule.ends_at(occurrence.local_date)
        if (
            new_start != occurrence.starts_at
            or new_end != occurrence.ends_at
            or occurrence.timezone != rule.timezone
        ):
            preview.moved.append((occurrence, new_start))
        else:
            preview.unchanged += 1
    started = set(
        db.session.scalars(
            sa.select(Occurrence.local_date).where(
                Occurrence.meeting_id == meeting.id,
                Occurrence.local_date >= effective_from,
                Occurrence.starts_at <= now,
            )
        )
    )
    if meeting.is_active:
        for day in sorted(wanted):
            if day not in seen and day not in started and rule.starts_at(day) > now:
                preview.added.append((day, rule.starts_at(day)))
    return preview


def change_schedule(
    meeting: Meeting, rule: Rule, effective_from: date, *, actor, now: datetime, weeks: int
) -> SchedulePreview:
    """Apply a schedule change from a date: later occurrences are regenerated, earlier ones stay."""
    problems = schedule_change_problems(meeting, rule, effective_from, now=now)
    if problems:
        raise MeetingError.of(problems)
    rule = rule.normalised()
    preview = preview_schedule_change(meeting, rule, effective_from, now=now, weeks=weeks)
    if not preview.rule_changed:
        return preview
    old_rule = Rule.of(meeting.schedule_on(effective_from)).normalised()
    for schedule in [s for s in meeting.schedules if s.effective_from >= effective_from]:
        meeting.schedules.remove(schedule)
    db.session.flush()
    previous = meeting.schedule_on(effective_from) if meeting.schedules else None
    if previous is None or Rule.of(previous).normalised() != rule:
        meeting.schedules.append(_schedule(rule, effective_from, now))
    changes = [OccurrenceChange(o, "removed") for o in preview.removed]
    changes += [OccurrenceChange(o, "moved", previous_starts_at=o.starts_at) for o, _start in preview.moved]
    occurrences_changed(changes, now=now, actor=actor)
    for occurrence in preview.removed:
        db.session.delete(occurrence)
    for occurrence, new_start in preview.moved:
        occurrence.starts_at = new_start
        occurrence.ends_at = rule.ends_at(occurrence.local_date)
        occurrence.timezone = rule.timezone
        occurrence.updated_at = now
    db.session.flush()
    if preview.added:
        db.session.execute(
            sa.insert(Occurrence),
            [_occurrence_row(meeting.id, rule, day, now) for day, _start in preview.added],
        )
    meeting.updated_at = now
    audit.record(
        now=now,
        actor=actor,
        action="meeting.schedule_changed",
        obj=meeting,
        group=meeting.group,
        effective_from=effective_from.isoformat(),
        removed=len(preview.removed),
        moved=len(preview.moved),
        added=len(preview.added),
    )
    if meeting.listed:
        notify_listing_change(
            meeting,
            actor=actor,
            now=now,
            changes=[
                (
                    "schedule",
                    describe_rule_plain(old_rule),
                    describe_rule_plain(rule) + f" (from {effective_from.isoformat()})",
                )
            ],
        )
    return preview


def describe_rule_plain(rule: Rule) -> str:
    """An English, locale-free summary for the change mail and logs (the pages use `display`)."""
    from groupadmin.meetings.display import describe_rule

    return str(describe_rule(rule))


def set_status(meeting: Meeting, status: str, *, actor, now: datetime, weeks: int) -> None:
    """Pause, archive or make active again. Pausing and archiving mark the meeting's future dates
    "paused" (kept, with their notes); making active restores them and generates what is missing."""
    if status not in ("active", "paused", "archived"):
        raise MeetingError(_l("Unknown status."))
    if status == meeting.status:
        return
    previous = meeting.status
    meeting.status = status
    meeting.updated_at = now
    future = list(
        db.session.scalars(
            sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id, Occurrence.starts_at > now)
        )
    )
    if status == "active":
        waking = [o for o in future if o.status == "paused"]
        occurrences_changed([OccurrenceChange(o, "restored") for o in waking], now=now, actor=actor)
        for occurrence in waking:
            occurrence.status = "scheduled"
            occurrence.updated_at = now
        db.session.flush()
        generate_occurrences([meeting], now=now, weeks=weeks)
    elif previous == "active":
        sleeping = [o for o in future if o.status == "scheduled"]
        occurrences_changed([OccurrenceChange(o, "paused") for o in sleeping], now=now, actor=actor)
        for occurrence in sleeping:
            occurrence.status = "paused"
            occurrence.updated_at = now
    audit.record(
        now=now,
        actor=actor,
        action=f"meeting.{ {'active': 'resumed', 'paused': 'paused', 'archived': 'archived'}[status] }",
        obj=meeting,
        group=meeting.group,
        previous=previous,
    )


def update_occurrence(
    occurrence: Occurrence,
    *,
    actor,
    now: datetime,
    cancelled: bool,
    online_only: bool,
    venue_location: str | None,
    venue_address: str | None,
    note: str | None,
) -> list[str]:
    """Per-date changes: cancel or restore, online only this week, another venue, a note."""
    meeting = occurrence.meeting
    if occurrence.status == "paused":
        raise MeetingError(_l("The meeting is paused: make it active again before changing its dates."))
    venue_location = (venue_location or "").strip() or None
    venue_address = (venue_address or "").strip() or None
    note = (note or "").strip() or None
    if online_only and not (meeting.conference_url or meeting.conference_phone):
        raise MeetingError(
            _l("Add a conference link or phone to the meeting first, so people can join online."),
            field="online_only",
        )
    if online_only and (venue_location or venue_address):
        raise MeetingError(
            _l("A date is either online only or at another venue, not both."), field="online_only"
        )
    if venue_location and not venue_address:
        raise MeetingError(_l("Give the other venue's address too."), field="venue_address")
    values = {
        "status": "cancelled" if cancelled else "scheduled",
        "online_only": bool(online_only),
        "venue_location": venue_location,
        "venue_address": venue_address,
        "note": note,
    }
    changed = [key for key, value in values.items() if getattr(occurrence, key) != value]
    if not changed:
        return []
    if "status" in changed:
        kind = "cancelled" if cancelled else "restored"
        occurrences_changed([OccurrenceChange(occurrence, kind)], now=now, actor=actor)
    for key in changed:
        setattr(occurrence, key, values[key])
    occurrence.updated_at = now
    meeting.updated_at = now
    audit.record(
        now=now,
        actor=actor,
        action="occurrence.updated",
        obj=occurrence,
        group=meeting.group,
        meeting_id=meeting.id,
        date=occurrence.local_date.isoformat(),
        fields=changed,
    )
    return changed


# ---------------------------------------------------------------------------------------------------
# Generating occurrences


def _horizon_end(zone: str, now: datetime, weeks: int) -> date:
    return local_today(zone, now) + timedelta(weeks=weeks)


def _occurrence_row(meeting_id: int, rule: Rule, day: date, now: datetime, status: str = "scheduled") -> dict:
    return {
        "meeting_id": meeting_id,
        "local_date": day,
        "starts_at": rule.starts_at(day),
        "ends_at": rule.ends_at(day),
        "timezone": rule.timezone,
        "status": status,
        "online_only": False,
        "created_at": now,
        "updated_at": now,
    }


def expected_dates(meeting: Meeting, *, now: datetime, weeks: int) -> list[tuple[date, Rule]]:
    """(local date, rule) for every date from today to the horizon, each under the schedule in force."""
    schedules = meeting.schedules
    result = []
    for i, schedule in enumerate(schedules):
        rule = Rule.of(schedule)
        first = max(schedule.effective_from, local_today(rule.timezone, now))
        last = _horizon_end(rule.timezone, now, weeks)
        if i + 1 < len(schedules):
            last = min(last, schedules[i + 1].effective_from - timedelta(days=1))
        result += [(day, rule) for day in dates_between(rule, first, last) if rule.starts_at(day) > now]
    return result


def generate_occurrences(meetings: Iterable[Meeting] | None = None, *, now: datetime, weeks: int) -> int:
    """Keep dated occurrences generated `weeks` ahead for the given meetings (default: every active
    meeting). Idempotent: existing dates are left alone. Returns how many were created."""
    if meetings is None:
        meetings = db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.status == "active")
            .options(sa.orm.selectinload(Meeting.schedules))
        ).all()
    meetings = [m for m in meetings if m.status == "active"]
    if not meetings:
        return 0
    created = 0
    # In chunks, so a very large organisation neither holds everything in memory nor builds huge IN lists.
    for start in range(0, len(meetings), 500):
        chunk = meetings[start : start + 500]
        earliest = now.date() - timedelta(days=2)  # the earliest "today" of any zone, with room
        existing = set(
            (meeting_id, day)
            for meeting_id, day in db.session.execute(
                sa.select(Occurrence.meeting_id, Occurrence.local_date).where(
                    Occurrence.meeting_id.in_([m.id for m in chunk]), Occurrence.local_date >= earliest
                )
            ).all()
        )
        rows = [
            _occurrence_row(meeting.id, rule, day, now)
            for meeting in chunk
            for day, rule in expected_dates(meeting, now=now, weeks=weeks)
            if (meeting.id, day) not in existing
        ]
        if rows:
            db.session.execute(sa.insert(Occurrence), rows)
            created += len(rows)
    if created:
        log.info("occurrences generated", extra={"fields": {"created": created, "meetings": len(meetings)}})
    return created


# ---------------------------------------------------------------------------------------------------
# Listing-change notices


def notify_listing_change(
    meeting: Meeting, *, actor, now: datetime, changes: list[tuple[str, str, str]]
) -> None:
    """Audit a change of a listed meeting's address, time, conference link or phone, and mail it to the
    group's other secretaries and the organisation's admins (through the outbox, in this transaction)."""
    event = audit.record(
        now=now,
        actor=actor,
        action="meeting.listing_changed",
        obj=meeting,
        group=meeting.group,
        fields=[key for key, _old, _new in changes],
    )
    db.session.flush()
    recipients = listing_watchers(meeting.group, exclude_user_id=getattr(actor, "id", None))
    if not recipients:
        return
    from groupadmin.mail import services as mail

    group = meeting.group
    base = current_app.config["BASE_URL"]
    context = {
        "meeting_name": meeting.name,
        "group_name": group.mail_name,
        "actor_name": getattr(actor, "display_name", None),
        "changes": [
            {"field": key, "label": str(FIELD_LABELS.get(key, key)), "old": old, "new": new}
            for key, old, new in changes
        ],
        "when": now,
        "meeting_url": f"{base}/groups/{group.slug}/meetings/{meeting.id}/",
        "audit_url": f"{base}/groups/{group.slug}/audit",
    }
    for user in recipients:
        mail.enqueue(
            key=f"listing-change:{event.id}:{user.id}",
            to=user.email,
            subject=str(
                _l(
                    "Listing changed: %(meeting)s (%(group)s)",
                    meeting=meeting.name,
                    group=group.mail_name,
                )
            ),
            template="meetings/listing_change",
            context=context,
            now=now,
            group=group,
        )


def listing_watchers(group: Group, *, exclude_user_id: int | None) -> list:
    """Account holders told of listing changes: the group's secretaries and its organisation's admins."""
    from groupadmin.auth.models import User

    secretaries = sa.select(Membership.user_id).where(
        Membership.group_id == group.id, Membership.role == "secretary"
    )
    admins = sa.select(OrgRole.user_id).where(
        OrgRole.organisation_id == group.organisation_id, OrgRole.role == "admin"
    )
    query = (
        sa.select(User)
        .where(sa.or_(User.id.in_(secretaries), User.id.in_(admins)), User.active.is_(True))
        .order_by(User.id)
    )
    if exclude_user_id is not None:
        query = query.where(User.id != exclude_user_id)
    return list(db.session.scalars(query))


FIELD_LABELS = {
    "location": _l("Location"),
    "formatted_address": _l("Address"),
    "address": _l("Street"),
    "city": _l("City"),
    "state": _l("State / province"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "conference_url": _l("Conference link"),
    "conference_phone": _l("Conference phone"),
    "schedule": _l("Day and time"),
    "listed": _l("Listed publicly"),
}


# ---------------------------------------------------------------------------------------------------
# Reading


def group_meetings(group: Group, *, archived: bool = False) -> list[Meeting]:
    query = (
        sa.select(Meeting)
        .where(Meeting.group_id == group.id)
        .options(sa.orm.selectinload(Meeting.schedules))
        .order_by(Meeting.name, Meeting.id)
    )
    query = (
        query.where(Meeting.status == "archived") if archived else query.where(Meeting.status != "archived")
    )
    return list(db.session.scalars(query))


def count_archived(group: Group) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Meeting)
        .where(Meeting.group_id == group.id, Meeting.status == "archived")
    )


def next_occurrences(meeting_ids: list[int], *, now: datetime, days: int = 40) -> dict[int, Occurrence]:
    """The next occurrence (not yet ended) of each meeting, in one query."""
    if not meeting_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Occurrence)
        .where(
            Occurrence.meeting_id.in_(meeting_ids),
            Occurrence.ends_at > now,
            Occurrence.starts_at < now + timedelta(days=days),
        )
        .order_by(Occurrence.starts_at)
    )
    result: dict[int, Occurrence] = {}
    for occurrence in rows:
        result.setdefault(occurrence.meeting_id, occurrence)
    return result


def upcoming_occurrences(meeting: Meeting, *, now: datetime, limit: int = 60) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at > now)
            .order_by(Occurrence.starts_at)
            .limit(limit)
        )
    )


def past_occurrences_query(meeting: Meeting, *, now: datetime):
    return (
        sa.select(Occurrence)
        .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at <= now)
        .order_by(Occurrence.starts_at.desc())
    )


# ---------------------------------------------------------------------------------------------------
# The public meetings page


class Page:
    """A page of rows of a multi-entity select (Flask-SQLAlchemy's paginate gives scalars only); the
    same attributes as its Pagination, for the `pagination` macro. Two queries: the count and the page."""

    def __init__(self, query, *, page: int, per_page: int):
        self.total = db.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(1, page), self.pages)
        self.items = db.session.execute(query.limit(per_page).offset((self.page - 1) * per_page)).all()

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


@dataclass
class PublicFilters:
    day: int | None = None  # Python weekday
    type: str | None = None
    attendance: str | None = None
    group: str | None = None  # group slug


def public_meetings_query(organisation: Organisation, filters: PublicFilters, *, today: date):
    """Active, listed meetings of the organisation (weekly and monthly, and one-off ones still to come),
    with their group; ordered by day of the current schedule, time and name."""
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
    query = (
        sa.select(Meeting, MeetingSchedule, Group)
        .join(Group, Group.id == Meeting.group_id)
        .join(
            MeetingSchedule,
            sa.and_(
                MeetingSchedule.meeting_id == Meeting.id,
                MeetingSchedule.effective_from == sa.func.coalesce(current, first),
            ),
        )
        .where(
            Meeting.organisation_id == organisation.id, Meeting.status == "active", Meeting.listed.is_(True)
        )
        .where(sa.or_(MeetingSchedule.recurrence != "once", MeetingSchedule.on_date >= today))
    )
    if filters.day is not None:
        query = query.where(MeetingSchedule.weekday == filters.day)
    if filters.attendance:
        query = query.where(Meeting.attendance == filters.attendance)
    if filters.group:
        query = query.where(Group.slug == filters.group)
    if filters.type:
        # Types are a JSON list: match the quoted code in its text form (same on SQLite and PostgreSQL).
        query = query.where(sa.cast(Meeting.types, sa.String).like(f'%"{filters.type}"%'))
    weekday_order = sa.case((MeetingSchedule.weekday.is_(None), 7), else_=MeetingSchedule.weekday)
    return query.order_by(weekday_order, MeetingSchedule.start_time, Meeting.name, Meeting.id)


def public_type_codes(organisation: Organisation, *, today: date) -> set[str]:
    """The type codes used by the meetings the public page lists (active, listed, not a past one-off),
    in one query whatever the number of meetings: the filter offers only these."""
    query = (
        public_meetings_query(organisation, PublicFilters(), today=today)
        .with_only_columns(sa.cast(Meeting.types, sa.String))
        .order_by(None)
        .distinct()
    )
    used: set[str] = set()
    for text in db.session.scalars(query):
        try:
            used.update(code for code in json.loads(text or "[]") if isinstance(code, str))
        except (TypeError, ValueError):
            continue
    return used & meeting_types.codes()


def organisation_groups_with_listed_meetings(organisation: Organisation) -> list[Group]:
    return list(
        db.session.scalars(
            sa.select(Group)
            .where(
                Group.organisation_id == organisation.id,
                Group.id.in_(
                    sa.select(Meeting.group_id).where(
                        Meeting.organisation_id == organisation.id,
                        Meeting.status == "active",
                        Meeting.listed.is_(True),
                    )
                ),
            )
            .order_by(Group.name)
        )
    )


def public_meeting(organisation: Organisation, slug: str) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.organisation_id == organisation.id,
            Meeting.slug == slug,
            Meeting.listed.is_(True),
            Meeting.status != "archived",
        )
        .options(sa.orm.selectinload(Meeting.schedules), sa.orm.joinedload(Meeting.group))
    )


def save_meeting(
    meeting: Meeting,
    *,
    actor,
    now: datetime,
    values: dict,
    rule: Rule | None,
    effective_from: date | None,
    weeks: int,
) -> tuple[list[str], SchedulePreview | None]:
    """The edit form's one call: the listing, then (when it differs) the schedule from a date."""
    problems = listing_problems({key: getattr(meeting, key) for key in MEETING_FIELDS} | clean_values(values))
    preview = None
    if rule is not None and schedule_differs(meeting, rule, effective_from):
        problems |= schedule_change_problems(meeting, rule, effective_from, now=now)
    if problems:
        raise MeetingError.of(problems)
    changed = update_meeting(meeting, actor=actor, now=now, values=values)
    if rule is not None and schedule_differs(meeting, rule, effective_from):
        preview = change_schedule(meeting, rule, effective_from, actor=actor, now=now, weeks=weeks)
        changed.append("schedule")
    return changed, preview


def schedule_differs(meeting: Meeting, rule: Rule, effective_from: date | None) -> bool:
    """Whether saving `rule` changes anything: it differs from the latest schedule (the form's)."""
    latest = meeting.latest_schedule
    return latest is None or Rule.of(latest).normalised() != rule.normalised()
