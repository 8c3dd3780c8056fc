"""Creating a meeting, changing its listing (the edit page's preview-then-confirm flow included),
pausing, archiving and making it active again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.groups.services import unique_slug
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.meetings.schedule import Rule, local_today
from groupadmin.meetings.services.generation import generate_occurrences
from groupadmin.meetings.services.hooks import OccurrenceChange, occurrences_changed
from groupadmin.meetings.services.notifications import notify_listing_change
from groupadmin.meetings.services.schedules import (
    SchedulePreview,
    change_schedule,
    new_schedule,
    preview_schedule_change,
    schedule_change_problems,
    schedule_differs,
    schedule_token,
)
from groupadmin.meetings.services.validation import (
    MEETING_FIELDS,
    WATCHED_FIELDS,
    MeetingError,
    clean_values,
    listing_problems,
    one_off_problems,
)

STATUSES = ("active", "paused", "archived")


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
    slug = _free_slug(group, slug, values["name"])
    start = effective_from or local_today(rule.timezone, now)
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
    meeting.schedules.append(new_schedule(rule, start, now))
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        now=now, actor=actor, action="meeting.created", obj=meeting, group=group, listed=meeting.listed
    )
    generate_occurrences([meeting], now=now, weeks=weeks)
    return meeting


def _free_slug(group: Group, slug: str | None, name: str) -> str:
    """The slug asked for (refused when another meeting of the organisation has it), or one made from
    the name."""
    if slug is None:
        return unique_slug(Meeting, name, organisation_id=group.organisation_id)
    if db.session.scalar(
        sa.select(Meeting.id).where(Meeting.organisation_id == group.organisation_id, Meeting.slug == slug)
    ):
        raise MeetingError(_l("Another meeting of the organisation uses that slug."), field="slug")
    return slug


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


@dataclass
class EditOutcome:
    """What the edit page's one call did: saved, or (for a schedule change not yet seen) nothing but a
    preview of the dates it changes, with the token that saving it needs."""

    saved: bool
    schedule_changed: bool
    preview: SchedulePreview | None = None
    token: str | None = None


def edit_meeting(
    meeting: Meeting,
    *,
    actor,
    now: datetime,
    values: dict,
    rule: Rule,
    effective_from: date,
    token: str | None,
    weeks: int,
) -> EditOutcome:
    """Preview, then confirm: a schedule change is first shown (which dates change, nothing saved) and
    saved when the same change comes back with the preview's token; anything else is saved at once."""
    changes_schedule = schedule_differs(meeting, rule, effective_from)
    expected = schedule_token(rule, effective_from)
    if changes_schedule and token != expected:
        problems = schedule_change_problems(meeting, rule, effective_from, now=now)
        if problems:
            raise MeetingError.of(problems)
        preview = preview_schedule_change(meeting, rule, effective_from, now=now, weeks=weeks)
        return EditOutcome(saved=False, schedule_changed=True, preview=preview, token=expected)
    save_meeting(
        meeting,
        actor=actor,
        now=now,
        values=values,
        rule=rule if changes_schedule else None,
        effective_from=effective_from,
        weeks=weeks,
    )
    return EditOutcome(saved=True, schedule_changed=changes_schedule)


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


def status_change_count(meeting: Meeting, target: str, *, now: datetime) -> int:
    """How many of the coming dates (the next 500) pausing or archiving, or making active again, marks."""
    marked = "scheduled" if target != "active" else "paused"
    coming = (
        sa.select(Occurrence.status)
        .where(Occurrence.meeting_id == meeting.id, Occurrence.ends_at > now)
        .order_by(Occurrence.starts_at)
        .limit(500)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(coming).where(coming.c.status == marked))
