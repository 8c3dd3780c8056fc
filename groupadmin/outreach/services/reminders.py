"""The morning digest (one per volunteer and local day: how many follow-ups are due, a link, nothing
else) and the escalations (a request nobody took within four hours; a step two days overdue) to the
group's secretaries or the organisation's outreach volunteers. They only enqueue, under idempotency
keys, so running the job twice sends nothing twice. No subject names a person, a number or a group."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.groups.models import OrgRole
from groupadmin.mail import services as mail
from groupadmin.meetings.schedule import local_today
from groupadmin.outreach.models import FollowUp, Newcomer
from groupadmin.outreach.services.followups import due_for_volunteers
from groupadmin.outreach.services.newcomers import zone_of

log = logging.getLogger("groupadmin.outreach")

UNASSIGNED_AFTER = timedelta(hours=4)
OVERDUE_DAYS = 2


def send_digests(*, now: datetime) -> int:
    """Each volunteer with follow-ups due gets one digest a local day, from the digest hour on."""
    due = due_for_volunteers(now=now, hour=current_app.config["OUTREACH_DIGEST_HOUR"])
    if not due:
        return 0
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(due))))}
    sent = 0
    for user_id, (count, day) in sorted(due.items()):
        user = users.get(user_id)
        if user is None or not user.active:
            continue
        message = mail.enqueue(
            key=f"outreach-digest:{user_id}:{day.isoformat()}",
            to=user.email,
            subject=_l("Your follow-ups for today"),
            template="outreach/digest",
            context={"count": count, "url": mail.external_url("outreach.mine"), "name": user.display_name},
            now=now,
            locale=user.locale,
        )
        sent += message is not None
    if sent:
        log.info("outreach.digests", extra={"fields": {"messages": sent}})
    return sent


def _responsible(newcomers: list[Newcomer]) -> dict[tuple, list[User]]:
    """Who hears of each newcomer's escalation: the group's secretaries, or the organisation's outreach
    volunteers: two queries."""
    by_group = groups.secretaries_by_group({n.group_id for n in newcomers if n.group_id})
    org_ids = {n.organisation_id for n in newcomers if n.group_id is None}
    by_org: dict[int, list[User]] = {}
    if org_ids:
        for org_id, user in db.session.execute(
            sa.select(OrgRole.organisation_id, User)
            .join(User, User.id == OrgRole.user_id)
            .where(OrgRole.organisation_id.in_(org_ids), OrgRole.role == "outreach", User.active.is_(True))
        ):
            by_org.setdefault(org_id, []).append(user)
    return {
        n.id: (by_group.get(n.group_id, []) if n.group_id else by_org.get(n.organisation_id, []))
        for n in newcomers
    }


def send_escalations(*, now: datetime) -> int:
    """A request without a volunteer four hours after it came, and a step two days overdue: one message
    to each responsible person, once per newcomer and reason."""
    unassigned = list(
        db.session.scalars(
            sa.select(Newcomer)
            .where(
                Newcomer.status == "open",
                Newcomer.erased_at.is_(None),
                Newcomer.volunteer_id.is_(None),
                Newcomer.created_at <= now - UNASSIGNED_AFTER,
            )
            .options(sa.orm.joinedload(Newcomer.group), sa.orm.joinedload(Newcomer.organisation))
        ).unique()
    )
    overdue_rows = (
        db.session.execute(
            sa.select(Newcomer, FollowUp)
            .join(FollowUp, FollowUp.newcomer_id == Newcomer.id)
            .where(
                Newcomer.status == "open",
                Newcomer.erased_at.is_(None),
                FollowUp.state == "open",
                FollowUp.due_on <= (now - timedelta(days=OVERDUE_DAYS - 1)).date(),
            )
            .options(sa.orm.joinedload(Newcomer.group), sa.orm.joinedload(Newcomer.organisation))
        )
        .unique()
        .all()
    )
    overdue = []
    for newcomer, follow_up in overdue_rows:
        today = local_today(zone_of(newcomer.organisation, newcomer.group), now)
        if (today - follow_up.due_on).days >= OVERDUE_DAYS:
            overdue.append((newcomer, follow_up))
    everyone = {n.id: n for n in unassigned} | {n.id: n for n, _ in overdue}
    responsible = _responsible(list(everyone.values()))
    sent = 0
    for newcomer in unassigned:
        sent += _escalate(newcomer, "unassigned", responsible[newcomer.id], now=now)
    for newcomer, follow_up in overdue:
        sent += _escalate(newcomer, f"overdue-{follow_up.step}", responsible[newcomer.id], now=now)
    if sent:
        log.info("outreach.escalations", extra={"fields": {"messages": sent}})
    return sent


def _escalate(newcomer: Newcomer, reason: str, people: list[User], *, now: datetime) -> int:
    owner = newcomer.group or newcomer.organisation
    if newcomer.group is not None:
        url = mail.external_url("outreach.group_card", group_slug=owner.slug, newcomer_id=newcomer.id)
    else:
        url = mail.external_url("outreach.org_card", org_slug=owner.slug, newcomer_id=newcomer.id)
    sent = 0
    for user in people:
        message = mail.enqueue(
            key=f"outreach-escalation:{newcomer.id}:{reason}:{user.id}",
            to=user.email,
            subject=_l("A newcomer's follow-up needs someone"),
            template="outreach/escalation",
            context={"reason": reason.split("-")[0], "url": url, "request_number": newcomer.id},
            now=now,
            locale=user.locale,
        )
        sent += message is not None
    return sent
