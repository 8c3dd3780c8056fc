"""Recording a follow-up (an outcome and a short note), snoozing one, and what is due for whom."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit_log
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.meetings.schedule import local_today
from groupadmin.outreach.models import OUTCOMES, FollowUp, Newcomer
from groupadmin.outreach.services.erasure import do_not_contact
from groupadmin.outreach.services.newcomers import touch, zone_of

log = logging.getLogger("groupadmin.outreach")

# Outcomes after which the plan goes on; the others end it.
CONTINUE = ("reached", "left_message", "no_answer")
MAX_SNOOZE = timedelta(days=90)


class FollowUpError(UserError):
    """A follow-up that cannot be recorded as typed."""


def follow_up_of(newcomer: Newcomer, follow_up_id: int) -> FollowUp | None:
    return next((f for f in newcomer.follow_ups if f.id == follow_up_id), None)


def record(
    newcomer: Newcomer,
    follow_up: FollowUp,
    *,
    outcome: str,
    note: str | None,
    confirmed: bool,
    actor,
    now: datetime,
) -> None:
    """Record an open step's outcome. "Declined" and "wrong number" close the remaining steps; "asked not
    to be contacted" (which must be confirmed) erases the contact details at once."""
    if follow_up.state != "open" or newcomer.is_erased:
        raise FollowUpError(_l("This follow-up is recorded already."))
    if outcome not in OUTCOMES:
        raise FollowUpError(_l("Choose what happened."), field="outcome")
    if outcome == "do_not_contact" and not confirmed:
        raise FollowUpError(
            _l("Tick the box to confirm: this erases the person's name and contact details now."),
            field="confirm_erase",
        )
    today = local_today(zone_of(newcomer.organisation, newcomer.group), now)
    follow_up.state, follow_up.outcome, follow_up.done_at = "done", outcome, now
    follow_up.done_by_id = actor.id
    follow_up.note = (note or "").strip() or None if outcome != "do_not_contact" else None
    if newcomer.first_attempt_days is None:
        start = local_today(zone_of(newcomer.organisation, newcomer.group), newcomer.created_at)
        newcomer.first_attempt_days = (today - start).days
    if outcome == "reached":
        newcomer.reached = True
    audit_log.record(
        now=now,
        actor=actor,
        action="outreach.follow_up_recorded",
        obj=newcomer,
        group=newcomer.group,
        organisation=newcomer.organisation,
        step=follow_up.step,
        outcome=outcome,
    )
    if outcome == "do_not_contact":
        do_not_contact(newcomer, now=now)
        return
    if outcome not in CONTINUE:
        _close(newcomer, now=now)
    elif not any(f.state == "open" for f in newcomer.follow_ups):
        newcomer.status, newcomer.closed_at = "closed", now
    touch(newcomer, now=now)


def _close(newcomer: Newcomer, *, now: datetime) -> None:
    for follow_up in newcomer.follow_ups:
        if follow_up.state == "open":
            follow_up.state = "closed"
    newcomer.status, newcomer.closed_at = "closed", now


def snooze(newcomer: Newcomer, follow_up: FollowUp, *, until: date | None, actor, now: datetime) -> None:
    """Move an open step to a later date (within 90 days)."""
    if follow_up.state != "open" or newcomer.is_erased:
        raise FollowUpError(_l("This follow-up is recorded already."))
    today = local_today(zone_of(newcomer.organisation, newcomer.group), now)
    if until is None or not today < until <= today + MAX_SNOOZE:
        raise FollowUpError(_l("Choose a date after today, within 90 days."), field="until")
    follow_up.due_on = until
    touch(newcomer, now=now)
    audit_log.record(
        now=now,
        actor=actor,
        action="outreach.follow_up_snoozed",
        obj=newcomer,
        group=newcomer.group,
        organisation=newcomer.organisation,
        step=follow_up.step,
        until=until.isoformat(),
    )


@functools.cache
def _due_statement(some_volunteers: bool):
    """Open follow-ups due by :due_by (a day ahead of UTC: every zone's today) with their zone, of every
    volunteer or of :user_ids. Built once with bound parameters."""
    statement = due_rows_statement(Newcomer.volunteer_id, FollowUp.due_on)
    if some_volunteers:
        statement = statement.where(Newcomer.volunteer_id.in_(sa.bindparam("user_ids", expanding=True)))
    return statement


def due_rows_statement(*columns) -> sa.Select:
    """`columns`, then the zone, of the open follow-ups due by :due_by (see `_due_statement`)."""
    zone = sa.func.coalesce(Group.timezone, Organisation.timezone)
    return (
        sa.select(*columns, zone)
        .join(Newcomer, Newcomer.id == FollowUp.newcomer_id)
        .join(Organisation, Organisation.id == Newcomer.organisation_id)
        .outerjoin(Group, Group.id == Newcomer.group_id)
        .where(
            FollowUp.state == "open",
            Newcomer.volunteer_id.is_not(None),
            Newcomer.erased_at.is_(None),
            FollowUp.due_on <= sa.bindparam("due_by", type_=sa.Date()),
        )
    )


def due_by(now: datetime) -> date:
    """The latest due date any zone can call today (the :due_by of `due_rows_statement`)."""
    return (now + timedelta(days=1)).date()


def is_due(due_on: date, zone: str, now: datetime, hour: int | None = None) -> bool:
    """Whether a step due on `due_on` is due today or overdue in `zone` (and, with `hour`, whether the
    zone's local time is past that hour)."""
    local_now = now.astimezone(_zone(zone))
    return due_on <= local_now.date() and (hour is None or local_now.hour >= hour)


def due_for_volunteers(
    user_ids=None, *, now: datetime, hour: int | None = None
) -> dict[int, tuple[int, date]]:
    """Open follow-ups due (today or overdue, in each newcomer's local date) per volunteer, with the
    local date of the first zone counted: one query. `hour`: count a zone only once its local time is
    past that hour (the morning digest); `user_ids`: only these volunteers."""
    params = {"due_by": due_by(now)}
    if user_ids is not None:
        params["user_ids"] = list(user_ids)
    result: dict[int, tuple[int, date]] = {}
    for volunteer_id, due_on, tz in db.session.execute(_due_statement(user_ids is not None), params):
        if is_due(due_on, tz, now, hour):
            count, day = result.get(volunteer_id, (0, now.astimezone(_zone(tz)).date()))
            result[volunteer_id] = (count + 1, day)
    return result


def _zone(name: str):
    from_cache = _ZONES.get(name)
    if from_cache is None:
        from_cache = _ZONES[name] = ZoneInfo(name)
    return from_cache


_ZONES: dict = {}
