"""The morning-after reminder: once per date without a count, to its chair (from the rota, with a
signed link) or else to the group's secretaries. It only enqueues, under idempotency keys."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.models import AttendanceSettings
from groupadmin.attendance.services.links import link_token
from groupadmin.attendance.services.queries import open_dates
from groupadmin.extensions import db
from groupadmin.groups import services as group_services
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota import services as rota_services

log = logging.getLogger("groupadmin.attendance")

# The morning-after reminder goes out from ATTENDANCE_REMINDER_HOUR (local time of the meeting) for
# this long; a scheduler that was down longer does not send stale reminders.
REMINDER_WINDOW = timedelta(hours=12)


def chairs_for(occurrence_ids) -> dict[int, object]:
    """The chair of each date from the rota (one query), as objects with ``label`` and
    ``contact_email``."""
    return rota_services.chair_for_occurrences(occurrence_ids)


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
    due = due_dates(now)
    if not due:
        return 0
    chairs = chairs_for([o.id for o in due])
    for_secretaries: dict[tuple[int, datetime], list[Occurrence]] = defaultdict(list)
    sent = 0
    for occurrence in sorted(due, key=lambda o: (o.starts_at, o.id)):
        chair = chairs.get(occurrence.id)
        address = getattr(chair, "contact_email", None) if chair is not None else None
        outcome = _remind_chair(occurrence, chair, address, now=now) if address else None
        if outcome is None:  # no chair with an address, or the mail refused it
            for_secretaries[(occurrence.meeting.group.id, reminder_due_at(occurrence))].append(occurrence)
        else:
            sent += outcome
    if for_secretaries:
        sent += _remind_secretaries(for_secretaries, now=now)
    if sent:
        log.info("attendance.reminders", extra={"fields": {"messages": sent}})
    return sent


def due_dates(now: datetime) -> list[Occurrence]:
    """The dates without a count whose reminder is due now (within REMINDER_WINDOW of its moment), of
    groups that did not turn reminders off, their meetings and groups loaded."""
    statement, params = open_dates(now, now - REMINDER_WINDOW - timedelta(days=2))
    candidates = list(
        db.session.scalars(
            statement.outerjoin(AttendanceSettings, AttendanceSettings.group_id == Meeting.group_id)
            .where(sa.or_(AttendanceSettings.reminders.is_(None), AttendanceSettings.reminders.is_(True)))
            .options(sa.orm.contains_eager(Occurrence.meeting).joinedload(Meeting.group)),
            params,
        ).unique()
    )
    return [o for o in candidates if reminder_due_at(o) <= now < reminder_due_at(o) + REMINDER_WINDOW]


def _remind_chair(occurrence: Occurrence, chair, address: str, *, now: datetime) -> int | None:
    """1 when the chair's reminder was enqueued, 0 when it was already, None when mail refused it."""
    key = f"count-reminder:{occurrence.id}"
    if mail.key_exists(key):
        return 0
    group = occurrence.meeting.group
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
        return None
    return int(message is not None)


def _remind_secretaries(
    for_secretaries: dict[tuple[int, datetime], list[Occurrence]], *, now: datetime
) -> int:
    """One message per secretary of each group for its dates due at the same moment."""
    secretaries = group_services.secretaries_by_group({group_id for group_id, _at in for_secretaries})
    sent = 0
    for (group_id, at), occurrences in for_secretaries.items():
        for user in secretaries.get(group_id, []):
            sent += _remind_secretary(user, occurrences, at=at, now=now)
    return sent


def _remind_secretary(user, occurrences: list[Occurrence], *, at: datetime, now: datetime) -> int:
    group = occurrences[0].meeting.group
    key = f"count-reminder:{group.id}:{user.id}:{at:%Y%m%dT%H%MZ}"
    if mail.key_exists(key):
        return 0
    locale = user.locale or group.locale or "en"
    first = occurrences[0]
    subject = (
        _l(
            "How many came to %(meeting)s on %(date)s?",
            meeting=first.meeting.name,
            date=_day_label(first, locale),
        )
        if len(occurrences) == 1
        else _l("Head counts to enter for %(date)s", date=_day_label(first, locale))
    )
    items = [
        {
            "occurrence": o,
            "meeting": o.meeting,
            "day": _day_label(o, locale),
            "link": mail.external_url("attendance.enter", group_slug=group.slug, occurrence_id=o.id),
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
            locale=locale,
        )
    except mail.MailError:
        log.warning("attendance.reminder_refused", extra={"fields": {"group": group.id}})
        return 0
    return int(message is not None)
