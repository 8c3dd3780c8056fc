"""A schedule change from a date: what it would do to the dated occurrences (the preview the edit page
shows before saving), and applying it. Earlier dates stay as they were; later ones are regenerated."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.meetings.display import describe_rule
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, local_today
from groupadmin.meetings.services.generation import horizon_end, occurrence_row
from groupadmin.meetings.services.hooks import OccurrenceChange, occurrences_changed
from groupadmin.meetings.services.notifications import notify_listing_change
from groupadmin.meetings.services.validation import MeetingError, one_off_problems, rule_problems


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


def new_schedule(rule: Rule, effective_from: date, now: datetime) -> MeetingSchedule:
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


def schedule_differs(meeting: Meeting, rule: Rule, effective_from: date | None) -> bool:
    """Whether saving `rule` changes anything: it differs from the latest schedule (the form's)."""
    latest = meeting.latest_schedule
    return latest is None or Rule.of(latest).normalised() != rule.normalised()


def schedule_token(rule: Rule, effective_from: date | None) -> str:
    """A short fingerprint of a schedule change: the edit form carries it from the preview to the save,
    so saving needs the same schedule and date that were previewed."""
    return hashlib.sha256(repr((rule.normalised(), effective_from)).encode()).hexdigest()[:16]


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
    wanted = set(dates_between(rule, effective_from, horizon_end(rule.timezone, now, weeks)))
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
    _sort_existing(preview, existing, rule, wanted)
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
        seen = {occurrence.local_date for occurrence in existing}
        for day in sorted(wanted):
            if day not in seen and day not in started and rule.starts_at(day) > now:
                preview.added.append((day, rule.starts_at(day)))
    return preview


def _sort_existing(preview: SchedulePreview, existing: list[Occurrence], rule: Rule, wanted: set) -> None:
    """Sort the dated occurrences still to come into removed, moved and unchanged (pure)."""
    for occurrence in existing:
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
    _replace_schedules(meeting, rule, effective_from, now=now)
    _apply_preview(meeting, rule, preview, actor=actor, now=now)
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
        new_text = describe_rule_plain(rule) + f" (from {effective_from.isoformat()})"
        notify_listing_change(
            meeting, actor=actor, now=now, changes=[("schedule", describe_rule_plain(old_rule), new_text)]
        )
    return preview


def _replace_schedules(meeting: Meeting, rule: Rule, effective_from: date, *, now: datetime) -> None:
    """Drop the schedules from `effective_from` on; add `rule` from then unless the one before is it."""
    for schedule in [s for s in meeting.schedules if s.effective_from >= effective_from]:
        meeting.schedules.remove(schedule)
    db.session.flush()
    previous = meeting.schedule_on(effective_from) if meeting.schedules else None
    if previous is None or Rule.of(previous).normalised() != rule:
        meeting.schedules.append(new_schedule(rule, effective_from, now))


def _apply_preview(meeting: Meeting, rule: Rule, preview: SchedulePreview, *, actor, now: datetime) -> None:
    """Tell the hook, then remove, move and add the dated occurrences as previewed."""
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
            [occurrence_row(meeting.id, rule, day, now) for day, _start in preview.added],
        )


def describe_rule_plain(rule: Rule) -> str:
    """An English, locale-free summary for the change mail and logs (the pages use `display`)."""
    return str(describe_rule(rule))
