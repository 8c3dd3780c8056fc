"""Reminders and nudges (a job): one message per person per local day, whatever they have that day;
and the secretaries' weekly summary."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from groupadmin.extensions import db
from groupadmin.groups import services as group_services
from groupadmin.groups.models import Group
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota.models import FILLING, Assignment, RotaPerson, RotaSettings, ServiceRole
from groupadmin.rota.services.grid import load_grid
from groupadmin.rota.services.notifications import day_label, enqueue, mail_item, tell
from groupadmin.rota.services.rules import is_upcoming_gap, summary_period

log = logging.getLogger("groupadmin.rota")


REMINDER_CATCH_UP = timedelta(hours=20)  # a scheduler that was down sends late, not never (within a day)


def reminder_instant(assignment: Assignment, lead_days: int) -> datetime:
    occurrence, role = assignment.occurrence, assignment.role
    day = occurrence.local_date - timedelta(days=lead_days)
    return datetime.combine(day, role.remind_at, tzinfo=ZoneInfo(occurrence.timezone)).astimezone(UTC)


def send_reminders(*, now: datetime) -> int:
    """Enqueue the reminders (confirmed turns) and "please confirm" nudges (unanswered requests) due at
    `now`. Idempotent: the key is the person and the local day, so ticks and restarts add nothing."""
    sent = 0
    for (person_id, day), items in due_reminders(_upcoming_turns(now), now=now).items():
        key = f"rota-reminder:{person_id}:{day.isoformat()}"
        if not mail.key_exists(key) and _remind(items, key=key, now=now):
            sent += 1
    if sent:
        log.info("rota.reminders", extra={"fields": {"messages": sent}})
    return sent


def _upcoming_turns(now: datetime) -> list[Assignment]:
    """The turns (asked or confirmed) of the next 16 days at dates that take place."""
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
            .join(RotaPerson, RotaPerson.id == Assignment.person_id)
            .where(
                Assignment.status.in_(FILLING),
                Occurrence.status == "scheduled",
                Occurrence.starts_at > now,
                Occurrence.starts_at <= now + timedelta(days=16),
                RotaPerson.removed_at.is_(None),
            )
            .options(
                sa.orm.contains_eager(Assignment.occurrence)
                .joinedload(Occurrence.meeting)
                .joinedload(Meeting.group),
                sa.orm.contains_eager(Assignment.person).joinedload(RotaPerson.user),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Occurrence.starts_at, Assignment.id)
        ).unique()
    )


def due_reminders(turns: list[Assignment], *, now: datetime) -> dict[tuple[int, date], list[Assignment]]:
    """(person id, local day) -> the person's turns to mention that day, for each day whose reminder is
    due at `now` (within REMINDER_CATCH_UP of its time); a day gathers every turn reminded on it. Pure."""
    buckets: dict[tuple[int, date], dict] = {}
    for assignment in turns:
        occurrence = assignment.occurrence
        for lead in assignment.role.remind_days or []:
            at = reminder_instant(assignment, int(lead))
            if at < assignment.created_at or at >= occurrence.starts_at:
                continue
            day = at.astimezone(ZoneInfo(occurrence.timezone)).date()
            bucket = buckets.setdefault((assignment.person_id, day), {"due": False, "items": {}})
            bucket["items"][assignment.id] = assignment
            if at <= now < at + REMINDER_CATCH_UP:
                bucket["due"] = True
    return {
        key: sorted(bucket["items"].values(), key=lambda a: (a.occurrence.starts_at, a.role.position))
        for key, bucket in buckets.items()
        if bucket["due"]
    }


def _remind(items: list[Assignment], *, key: str, now: datetime) -> bool:
    """One message to the person of `items` (sorted) about all of them."""
    person, group = items[0].person, items[0].occurrence.meeting.group
    confirmed = [a for a in items if a.status == "confirmed"]
    unanswered = [a for a in items if a.status == "proposed"]
    first = items[0].occurrence
    if unanswered:
        subject = _l(
            "Please confirm: %(role)s on %(date)s",
            role=unanswered[0].role.name,
            date=day_label(unanswered[0].occurrence, group),
        )
    elif len(confirmed) == 1:
        subject = _l(
            "Reminder: %(role)s on %(date)s", role=confirmed[0].role.name, date=day_label(first, group)
        )
    else:
        subject = _l("Reminder: your turns from %(date)s", date=day_label(first, group))
    return tell(
        person,
        key=key,
        now=now,
        group=group,
        subject=subject,
        template="rota/reminder",
        context={
            "confirmed": [mail_item(a, ("decline", "swap")) for a in confirmed],
            "unanswered": [mail_item(a) for a in unanswered],
        },
    )


def summary_of(grid, *, now: datetime):
    """(gaps, unanswered, confirmed) of a grid's upcoming dates: (occurrence, role, open places) and the
    asked and confirmed turns. Pure."""
    gaps, unanswered, confirmed = [], [], []
    for row in grid.rows:
        if not is_upcoming_gap(row.occurrence, now):
            continue
        for cell in row.cells:
            if not cell.applies:
                continue
            if cell.open:
                gaps.append((row.occurrence, cell.role, cell.open))
            for a in cell.filling:
                (confirmed if a.status == "confirmed" else unanswered).append(a)
    return gaps, unanswered, confirmed


def send_weekly_summaries(*, now: datetime) -> int:
    """On the configured weekday, from the configured local hour, each group's secretaries get the
    rota of the next two weeks, gaps first. One message per secretary per group per week."""
    config = current_app.config
    weekday, hour = config["ROTA_SUMMARY_WEEKDAY"], config["ROTA_SUMMARY_HOUR"]
    groups = list(
        db.session.scalars(
            sa.select(Group)
            .where(Group.id.in_(sa.select(ServiceRole.group_id).where(ServiceRole.archived.is_(False))))
            .outerjoin(RotaSettings, RotaSettings.group_id == Group.id)
            .where(sa.or_(RotaSettings.weekly_summary.is_(None), RotaSettings.weekly_summary.is_(True)))
            .order_by(Group.id)
        )
    )
    sent = 0
    for group in groups:
        local = now.astimezone(ZoneInfo(group.timezone))
        if local.weekday() != weekday or local.hour < hour:
            continue
        recipients = [
            u
            for u in group_services.secretaries(group)
            if not mail.key_exists(f"rota-summary:{group.id}:{u.id}:{local.date().isoformat()}")
        ]
        if not recipients:
            continue
        today, last = summary_period(group, now)
        grid = load_grid(group, start=today, end=last, now=now, with_options=False)
        gaps, unanswered, confirmed = summary_of(grid, now=now)
        for user in recipients:
            if enqueue(
                key=f"rota-summary:{group.id}:{user.id}:{today.isoformat()}",
                to=user.email,
                group=group,
                now=now,
                subject=lazy_ngettext(
                    "Rota for the next two weeks: %(num)d open place",
                    "Rota for the next two weeks: %(num)d open places",
                    sum(n for _o, _r, n in gaps),
                )
                if gaps
                else _l("Rota for the next two weeks: every place is filled"),
                template="rota/summary",
                context={
                    "gaps": gaps,
                    "unanswered": unanswered,
                    "confirmed": confirmed,
                    "grid_url": mail.external_url("rota.grid", group_slug=group.slug),
                },
            ):
                sent += 1
    return sent
