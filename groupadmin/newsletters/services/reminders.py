"""Meeting reminders for members: "remind me before this meeting" on a meeting's public page, with the
same subscriber record, double opt-in and limits as a list. A message the evening before (18:00 in the
meeting's zone) or two hours before each date, as the person chose, carrying that date's change
(cancelled, online only this week, another venue, a note) with the link or address; a discreet subject;
the same one-click stop. One reminder per reminder and date (a row records it); a change to the date
after its reminder went out sends one short correction, never a second reminder."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import lazy_gettext as _l

from groupadmin import signing
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.newsletters.models import MeetingReminder, ReminderSent, Subscriber
from groupadmin.newsletters.services.signup import (
    CONFIRM_MAX_AGE,
    checked_address,
    preferences_url,
    subscriber_for,
    within_limits,
)

log = logging.getLogger("groupadmin.newsletters")

EVENING = time(18, 0)
# The furthest ahead of a date a reminder goes: the evening before a meeting late at night.
LOOK_AHEAD = timedelta(hours=31)
STOP_MAX_AGE = timedelta(days=400)
WORDING = _l("I agree to receive an email before each date of this meeting. One click stops them.")


def send_time(reminder: MeetingReminder, occurrence: Occurrence) -> datetime:
    if reminder.timing == "two_hours":
        return occurrence.starts_at - timedelta(hours=2)
    day_before = occurrence.local_date - timedelta(days=1)
    return datetime.combine(day_before, EVENING, tzinfo=ZoneInfo(occurrence.timezone))


# ---------------------------------------------------------------------------------------------------
# Asking and confirming


def request_reminder(meeting: Meeting, *, email: str, timing: str, client: str | None, now: datetime) -> None:
    """Someone asked to be reminded of a meeting: one message (a confirmation link, or "you have it
    already"), within the limits; the same answer whatever the address."""
    address = checked_address(email)
    if not within_limits(address, client=client, now=now):
        return
    subscriber = subscriber_for(address, first_name=None, language=meeting.group.locale, now=now)
    db.session.flush()
    reminder = db.session.scalar(
        sa.select(MeetingReminder).filter_by(meeting_id=meeting.id, subscriber_id=subscriber.id)
    )
    if reminder is None:
        reminder = MeetingReminder(meeting=meeting, subscriber=subscriber, requests=0, status="unconfirmed")
        db.session.add(reminder)
    reminder.requests += 1
    if reminder.status != "confirmed":
        reminder.status, reminder.timing, reminder.requested_at = "unconfirmed", timing, now
        reminder.consent_at, reminder.consent_wording = now, str(WORDING)
    db.session.flush()
    _send_request_answer(reminder, now)


def _send_request_answer(reminder: MeetingReminder, now: datetime) -> None:
    meeting, subscriber = reminder.meeting, reminder.subscriber
    context = {"meeting_name": meeting.group.discreet(meeting.name), "timing": reminder.timing}
    if reminder.status == "confirmed":
        kind, subject = "remind_already", _l("You have these reminders already")
        context["preferences_url"] = preferences_url(subscriber)
    else:
        kind, subject = "remind_confirm", _l("Please confirm your reminders")
        token = signing.sign("news-remind-confirm", {"r": reminder.id, "n": reminder.requests})
        context["confirm_url"] = mail.external_url("newsletters.remind_confirm", token=token)
    mail.enqueue(
        key=f"news-{kind}:{reminder.id}:{reminder.requests}",
        to=subscriber.email,
        subject=subject,
        template=f"newsletters/{kind}",
        context=context,
        now=now,
        group=meeting.group,
        locale=subscriber.language,
    )


def load_reminder_confirmation(token: str) -> MeetingReminder:
    data = signing.unsign("news-remind-confirm", token, max_age=CONFIRM_MAX_AGE)
    reminder = db.session.get(MeetingReminder, data["r"]) if isinstance(data.get("r"), int) else None
    if reminder is None or reminder.status == "unsubscribed":
        raise LinkProblem(_l("This request has expired. You can ask again on the meeting's page."))
    if reminder.status != "confirmed" and data.get("n") != reminder.requests:
        raise LinkProblem(_l("A newer confirmation link was sent. Please use the latest one."))
    return reminder


def confirm_reminder(reminder: MeetingReminder, *, now: datetime) -> None:
    if reminder.status != "confirmed":
        reminder.status, reminder.confirmed_at = "confirmed", now


# ---------------------------------------------------------------------------------------------------
# Stopping


def stop_url(reminder: MeetingReminder) -> str:
    token = signing.sign("news-remind-stop", {"r": reminder.id, "h": reminder.subscriber.email_hash[:16]})
    return mail.external_url("newsletters.remind_stop", token=token)


def load_stop(token: str) -> MeetingReminder | None:
    data = signing.unsign("news-remind-stop", token, max_age=STOP_MAX_AGE, expired=LinkProblem.INVALID)
    reminder = db.session.get(MeetingReminder, data["r"]) if isinstance(data.get("r"), int) else None
    if reminder is None or reminder.subscriber.email_hash[:16] != data.get("h"):
        return None
    return reminder


def stop_reminder(reminder: MeetingReminder, *, now: datetime) -> None:
    """No more reminders of this meeting; those still waiting are cancelled."""
    for prefix in ("news-remind", "news-remind-fix"):
        mail.cancel_waiting(key_like=f"{prefix}:{reminder.id}:%", reason="cancelled: reminders stopped")
    if reminder.status != "unsubscribed":
        reminder.status, reminder.unsubscribed_at = "unsubscribed", now


def reminders_of(subscriber: Subscriber) -> list[MeetingReminder]:
    return list(
        db.session.scalars(
            sa.select(MeetingReminder)
            .where(MeetingReminder.subscriber_id == subscriber.id, MeetingReminder.status != "unsubscribed")
            .options(sa.orm.joinedload(MeetingReminder.meeting))
            .order_by(MeetingReminder.id)
        )
    )


def reminder_of(subscriber: Subscriber, reminder_id: int) -> MeetingReminder | None:
    return db.session.scalar(
        sa.select(MeetingReminder).filter_by(id=reminder_id, subscriber_id=subscriber.id)
    )


# ---------------------------------------------------------------------------------------------------
# The job: reminders due, and corrections


def send_due_reminders(*, now: datetime) -> int:
    """Enqueue every reminder whose time has come for a date still to start (once per date), and a
    correction for every reminded date changed since. Returns how many messages were enqueued."""
    sent = 0
    pairs = db.session.execute(
        sa.select(MeetingReminder, Occurrence)
        .join(Meeting, Meeting.id == MeetingReminder.meeting_id)
        .join(Occurrence, Occurrence.meeting_id == Meeting.id)
        .outerjoin(
            ReminderSent,
            sa.and_(
                ReminderSent.reminder_id == MeetingReminder.id, ReminderSent.occurrence_id == Occurrence.id
            ),
        )
        .where(
            MeetingReminder.status == "confirmed",
            Meeting.status == "active",
            Occurrence.starts_at > now,
            Occurrence.starts_at <= now + LOOK_AHEAD,
            ReminderSent.reminder_id.is_(None),
        )
        .options(sa.orm.joinedload(MeetingReminder.subscriber), sa.orm.joinedload(MeetingReminder.meeting))
    ).all()
    for reminder, occurrence in pairs:
        if send_time(reminder, occurrence) <= now:
            _enqueue(reminder, occurrence, "remind", f"news-remind:{reminder.id}:{occurrence.id}", now)
            db.session.add(
                ReminderSent(
                    reminder_id=reminder.id,
                    occurrence_id=occurrence.id,
                    sent_at=now,
                    told_at=occurrence.updated_at,
                )
            )
            sent += 1
    return sent + _send_corrections(now)


def _send_corrections(now: datetime) -> int:
    rows = db.session.execute(
        sa.select(ReminderSent, MeetingReminder, Occurrence)
        .join(MeetingReminder, MeetingReminder.id == ReminderSent.reminder_id)
        .join(Occurrence, Occurrence.id == ReminderSent.occurrence_id)
        .where(
            MeetingReminder.status == "confirmed",
            Occurrence.starts_at > now,
            Occurrence.updated_at > ReminderSent.told_at,
        )
    ).all()
    for record, reminder, occurrence in rows:
        stamp = int(occurrence.updated_at.timestamp())
        _enqueue(
            reminder, occurrence, "remind_fix", f"news-remind-fix:{reminder.id}:{occurrence.id}:{stamp}", now
        )
        record.told_at = occurrence.updated_at
    return len(rows)


def _enqueue(reminder: MeetingReminder, occurrence: Occurrence, kind: str, key: str, now: datetime) -> None:
    meeting, subscriber = reminder.meeting, reminder.subscriber
    name = meeting.group.discreet(meeting.name)
    local = occurrence.local_start
    context = {
        "meeting_name": name,
        "occurrence": occurrence,
        "meeting": meeting,
        "local_start": local,
        "preferences_url": preferences_url(subscriber),
        "unsubscribe_url": None,  # the footer's link is the preference page; the header one-click
    }
    day = format_date(local.date(), "d MMM", locale=subscriber.language)
    subject = (
        _l("Reminder: %(meeting)s, %(day)s", meeting=name, day=day)
        if kind == "remind"
        else _l("Change: %(meeting)s, %(day)s", meeting=name, day=day)
    )
    mail.enqueue(
        key=key,
        to=subscriber.email,
        subject=subject,
        template=f"newsletters/{kind}",
        context=context,
        now=now,
        group=meeting.group,
        locale=subscriber.language,
        unsubscribe_url=stop_url(reminder),
    )
