"""Who follows a newcomer: the candidates (a group's sponsors and secretaries, or an organisation's
outreach volunteers), the suggestion (fewest newcomers followed, not away on the rota today), assigning
and handing back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit_log
from groupadmin.auth.models import User
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.models import Membership, OrgRole
from groupadmin.meetings.schedule import local_today
from groupadmin.outreach.models import Newcomer
from groupadmin.outreach.services.followups import due_for_volunteers
from groupadmin.outreach.services.newcomers import touch, zone_of
from groupadmin.outreach.services.settings import is_group
from groupadmin.rota.models import Blackout, RotaPerson

log = logging.getLogger("groupadmin.outreach")


class AssignError(UserError):
    """An assignment that cannot be made."""


@dataclass
class Candidate:
    user: User
    newcomers: int  # the open newcomers they follow
    due: int  # their follow-ups due today or overdue (as on their dashboard and in their digest)
    away: bool


def candidates(owner, *, now: datetime) -> list[Candidate]:
    """Who may follow the owner's newcomers, with how many open newcomers they follow, their follow-ups
    due today and whether the rota has them away today; the suggestion first (not away, fewest
    newcomers, fewest due, then by name): four queries."""
    if is_group(owner):
        users = db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.group_id == owner.id,
                Membership.role.in_(("secretary", "sponsor")),
                User.active.is_(True),
            )
            .distinct()
        ).all()
        zone = owner.timezone
    else:
        users = db.session.scalars(
            sa.select(User)
            .join(OrgRole, OrgRole.user_id == User.id)
            .where(OrgRole.organisation_id == owner.id, OrgRole.role == "outreach", User.active.is_(True))
            .distinct()
        ).all()
        zone = owner.timezone
    ids = [u.id for u in users]
    if not ids:
        return []
    loads = dict(
        db.session.execute(
            sa.select(Newcomer.volunteer_id, sa.func.count(Newcomer.id))
            .where(Newcomer.volunteer_id.in_(ids), Newcomer.status == "open")
            .group_by(Newcomer.volunteer_id)
        ).all()
    )
    due = due_for_volunteers(ids, now=now)
    today = local_today(zone, now)
    away_query = (
        sa.select(RotaPerson.user_id)
        .join(Blackout, Blackout.person_id == RotaPerson.id)
        .where(RotaPerson.user_id.in_(ids), Blackout.starts_on <= today, Blackout.ends_on >= today)
    )
    if is_group(owner):
        away_query = away_query.where(RotaPerson.group_id == owner.id)
    away = set(db.session.scalars(away_query))
    found = [Candidate(u, loads.get(u.id, 0), due.get(u.id, (0, None))[0], u.id in away) for u in users]
    return sorted(found, key=lambda c: (c.away, c.newcomers, c.due, c.user.display_name, c.user.id))


def suggestion(owner, *, now: datetime) -> User | None:
    found = candidates(owner, now=now)
    return found[0].user if found and not found[0].away else None


def assign(newcomer: Newcomer, owner, volunteer_id: int | None, *, actor, now: datetime) -> None:
    """Give the newcomer to one of the owner's candidates (AssignError for anyone else)."""
    chosen = next((c.user for c in candidates(owner, now=now) if c.user.id == volunteer_id), None)
    if chosen is None:
        raise AssignError(_l("Choose a volunteer from the list."), field="volunteer")
    if newcomer.is_erased or newcomer.status != "open":
        raise AssignError(_l("This newcomer's follow-ups are over."))
    newcomer.volunteer_id, newcomer.assigned_at = chosen.id, now
    touch(newcomer, now=now)
    audit_log.record(
        now=now,
        actor=actor,
        action="outreach.assigned",
        obj=newcomer,
        group=newcomer.group,
        organisation=newcomer.organisation,
        volunteer_id=chosen.id,
    )
    log.info("outreach.assigned", extra={"fields": {"newcomer_id": newcomer.id, "volunteer_id": chosen.id}})


def hand_back(newcomer: Newcomer, *, actor, now: datetime) -> None:
    """The volunteer gives the newcomer back: nobody follows them until someone is assigned again (the
    unassigned-request escalation counts again from now)."""
    if newcomer.volunteer_id != actor.id:
        raise AssignError(_l("Only the newcomer's volunteer can hand them back."))
    newcomer.volunteer_id, newcomer.assigned_at = None, None
    newcomer.last_activity_at = now
    touch(newcomer, now=now)
    audit_log.record(
        now=now,
        actor=actor,
        action="outreach.handed_back",
        obj=newcomer,
        group=newcomer.group,
        organisation=newcomer.organisation,
    )


def today_for(newcomer: Newcomer, now: datetime):
    return local_today(zone_of(newcomer.organisation, newcomer.group), now)
