"""The service roles of a group (chair, speaker, ...), their order and reminders, and the rota settings."""

from __future__ import annotations

import re
from datetime import datetime, time

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings.models import Meeting
from groupadmin.rota.models import APPLIES_TO, DEFAULT_REMIND_AT, DEFAULT_REMIND_DAYS, ROLE_KINDS, ServiceRole
from groupadmin.rota.services.rules import RotaError, settings_for

# The usual roles, offered in one click to a group starting its rota (name, kind, applies to).
DEFAULT_ROLES = (
    (_l("Chair"), "chair", "all"),
    (_l("Speaker"), "speaker", "all"),
    (_l("Tech host"), "tech_host", "online"),
    (_l("Greeter"), "greeter", "in_person"),
    (_l("Literature"), "literature", "in_person"),
    (_l("7th Tradition"), "seventh_tradition", "all"),
    (_l("Coffee"), "coffee", "in_person"),
)


def group_roles(group: Group, *, archived: bool = False) -> list[ServiceRole]:
    return list(
        db.session.scalars(
            sa.select(ServiceRole)
            .where(ServiceRole.group_id == group.id, ServiceRole.archived.is_(archived))
            .options(sa.orm.selectinload(ServiceRole.meetings))
            .order_by(ServiceRole.position, ServiceRole.id)
        )
    )


def parse_remind_days(text: str) -> list[int]:
    """ "3, 1" -> [3, 1]; RotaError for anything else. An empty text means no reminders."""
    days = []
    for part in re.split(r"[,\s;]+", (text or "").strip()):
        if not part:
            continue
        if not part.isdigit() or not 0 <= int(part) <= 14:
            raise RotaError(
                _l("Give whole numbers of days from 0 to 14, separated by commas (e.g. 3, 1)."),
                field="remind_days",
            )
        days.append(int(part))
    return sorted(set(days), reverse=True)[:4]


def save_role(
    group: Group,
    role: ServiceRole | None,
    *,
    actor,
    now: datetime,
    name: str,
    kind: str,
    per_occurrence: int,
    applies_to: str,
    meeting_ids: list[int],
    remind_days: list[int],
    remind_at: time,
) -> ServiceRole:
    name = " ".join((name or "").split())
    taken = bool(name) and len(name) <= 60 and _name_taken(group, role, name)
    meetings = _meetings_of(group, meeting_ids)
    problems = role_problems(
        name=name,
        taken=taken,
        kind=kind,
        applies_to=applies_to,
        per_occurrence=per_occurrence,
        meetings=meetings,
    )
    if problems:
        raise RotaError.of(problems)
    creating = role is None
    if creating:
        position = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(ServiceRole.position), 0)).where(
                ServiceRole.group_id == group.id
            )
        )
        role = ServiceRole(group_id=group.id, created_at=now, position=position + 1)
        db.session.add(role)
    role.name, role.kind, role.per_occurrence, role.applies_to = name, kind, per_occurrence, applies_to
    role.meetings = meetings if applies_to == "chosen" else []
    role.remind_days = list(remind_days)
    role.remind_at = remind_at
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota_role.created" if creating else "rota_role.updated",
        obj=role,
        group=group,
        kind=kind,
    )
    return role


def _name_taken(group: Group, role: ServiceRole | None, name: str) -> bool:
    return bool(
        db.session.scalar(
            sa.select(ServiceRole.id).where(
                ServiceRole.group_id == group.id,
                sa.func.lower(ServiceRole.name) == name.lower(),
                ServiceRole.id != (role.id if role else -1),
            )
        )
    )


def _meetings_of(group: Group, meeting_ids: list[int]) -> list[Meeting]:
    if not meeting_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.group_id == group.id, Meeting.id.in_(meeting_ids))
        )
    )


def role_problems(*, name: str, taken: bool, kind, applies_to, per_occurrence, meetings) -> dict:
    """What is wrong with a role's settings, field by field (empty: nothing). Pure."""
    problems = {}
    if not name:
        problems["name"] = _l("Give the role a name.")
    elif len(name) > 60:
        problems["name"] = _l("Use at most 60 characters.")
    elif taken:
        problems["name"] = _l("The group has a role with this name already.")
    if kind not in ROLE_KINDS:
        problems["kind"] = _l("Choose what kind of role this is.")
    if applies_to not in APPLIES_TO:
        problems["applies_to"] = _l("Choose which meetings need this role.")
    if not isinstance(per_occurrence, int) or not 1 <= per_occurrence <= 10:
        problems["per_occurrence"] = _l("From 1 to 10 people.")
    if applies_to == "chosen" and not meetings:
        problems["meetings"] = _l("Choose at least one meeting, or another option above.")
    return problems


def add_default_roles(group: Group, *, actor, now: datetime) -> int:
    """Add the usual roles the group does not have yet (by kind). Returns how many were added."""
    existing = {r.kind for r in group_roles(group)} | {r.kind for r in group_roles(group, archived=True)}
    names = {r.name.lower() for r in group_roles(group)} | {
        r.name.lower() for r in group_roles(group, archived=True)
    }
    added = 0
    for name, kind, applies_to in DEFAULT_ROLES:
        with force_locale(group.locale):
            name = str(name)
        if kind in existing or name.lower() in names:
            continue
        save_role(
            group,
            None,
            actor=actor,
            now=now,
            name=name,
            kind=kind,
            per_occurrence=1,
            applies_to=applies_to,
            meeting_ids=[],
            remind_days=list(DEFAULT_REMIND_DAYS),
            remind_at=DEFAULT_REMIND_AT,
        )
        added += 1
    return added


def set_role_archived(role: ServiceRole, archived: bool, *, actor, now: datetime) -> None:
    role.archived = archived
    audit.record(
        now=now,
        actor=actor,
        action="rota_role.archived" if archived else "rota_role.restored",
        obj=role,
        group=db.session.get(Group, role.group_id),
    )


def move_role(role: ServiceRole, direction: int, *, group: Group) -> None:
    roles = group_roles(group)
    for i, r in enumerate(roles):
        r.position = i
    index = next(i for i, r in enumerate(roles) if r.id == role.id)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(roles):
        roles[index].position, roles[other].position = roles[other].position, roles[index].position


ROLE_CHANGES = ("archive", "restore", "up", "down")


def change_role(role: ServiceRole, change: str, *, group: Group, actor, now: datetime) -> None:
    """One of ROLE_CHANGES: archive or restore the role, or move it up or down the rota's columns."""
    if change in ("archive", "restore"):
        set_role_archived(role, change == "archive", actor=actor, now=now)
    elif change in ("up", "down"):
        move_role(role, 1 if change == "down" else -1, group=group)


def update_settings(group: Group, *, actor, now: datetime, min_gap_days: int, weekly_summary: bool) -> None:
    if not isinstance(min_gap_days, int) or not 0 <= min_gap_days <= 120:
        raise RotaError(_l("From 0 to 120 days."), field="min_gap_days")
    settings = settings_for(group)
    settings.min_gap_days, settings.weekly_summary = min_gap_days, bool(weekly_summary)
    audit.record(
        now=now,
        actor=actor,
        action="rota_settings.updated",
        obj=group,
        object_type="rota_settings",
        group=group,
        min_gap_days=min_gap_days,
        weekly_summary=bool(weekly_summary),
    )
