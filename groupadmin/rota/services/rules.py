"""The rules every part of the rota shares: the domain's error, which roles a date needs and how many
places are open, the group's rota settings and its local day."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Occurrence
from groupadmin.meetings.schedule import local_today
from groupadmin.rota.models import RotaPerson, RotaSettings, ServiceRole


class RotaError(UserError):
    """A user-facing refusal of the rota: str(error) is a translated message; `problems` maps form
    fields to messages, so a form can show each one beside its field."""


SUMMARY_DAYS = 14  # "the next two weeks" of the weekly summary and the dashboard


def group_today(group: Group, now: datetime) -> date:
    return local_today(group.timezone, now)


def settings_for(group: Group) -> RotaSettings:
    settings = db.session.get(RotaSettings, group.id)
    if settings is None:
        settings = RotaSettings(group_id=group.id, min_gap_days=14, weekly_summary=True)
        db.session.add(settings)
    return settings


def occurrence_attendance(occurrence: Occurrence) -> str:
    """in_person / online / hybrid on that date ("online only this week" makes it online)."""
    return "online" if occurrence.online_only else occurrence.meeting.attendance


def role_applies(
    role: ServiceRole, occurrence: Occurrence, chosen_meeting_ids: set[int] | None = None
) -> bool:
    return applies(role, occurrence_attendance(occurrence), occurrence.meeting_id, chosen_meeting_ids)


def applies(role: ServiceRole, attendance: str, meeting_id: int, chosen_meeting_ids: set[int] | None) -> bool:
    """Whether `role` is needed on a date of `attendance` (in_person / online / hybrid that day) of
    meeting `meeting_id`; `chosen_meeting_ids`: the role's chosen meetings, when already loaded."""
    if role.applies_to == "all":
        return True
    if role.applies_to == "online":
        return attendance in ("online", "hybrid")
    if role.applies_to == "in_person":
        return attendance in ("in_person", "hybrid")
    ids = chosen_meeting_ids if chosen_meeting_ids is not None else {m.id for m in role.meetings}
    return meeting_id in ids


def open_places(
    role: ServiceRole, occurrence: Occurrence, filling: int, chosen_meeting_ids: set[int] | None = None
) -> int:
    """Places of `role` still to fill at `occurrence`, given how many people fill it (asked or
    confirmed): 0 when the meeting does not need the role. The grid, the weekly summary and the
    dashboard all count gaps with this (the dashboard through `places_open`, from columns)."""
    return places_open(
        role, occurrence_attendance(occurrence), occurrence.meeting_id, filling, chosen_meeting_ids
    )


def places_open(
    role: ServiceRole, attendance: str, meeting_id: int, filling: int, chosen_meeting_ids: set[int] | None
) -> int:
    if not applies(role, attendance, meeting_id, chosen_meeting_ids):
        return 0
    return max(role.per_occurrence - filling, 0)


def is_upcoming_gap(occurrence: Occurrence, now: datetime) -> bool:
    """Whether an occurrence's open places are gaps to fill (it takes place, and later than `now`)."""
    return occurrence.status == "scheduled" and occurrence.starts_at > now


def summary_period(group: Group, now: datetime) -> tuple[date, date]:
    today = group_today(group, now)
    return today, today + timedelta(days=SUMMARY_DAYS - 1)


def new_nonce() -> str:
    """A fresh secret for a calendar link (changing it revokes the old link)."""
    return secrets.token_hex(16)


def touch(person: RotaPerson, now: datetime) -> None:
    """The person did something on the rota (retention counts from their last activity)."""
    person.last_active_at = max(person.last_active_at or now, now)
