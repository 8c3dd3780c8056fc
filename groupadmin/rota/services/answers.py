"""What a person answers through the links in rota mail: accept, decline, offer a swap."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.rota.models import FILLING, PENDING_OR_FILLING, Assignment, RotaPerson
from groupadmin.rota.services.grid import busy_for, person_warnings
from groupadmin.rota.services.notifications import day_label, mail_item, tell, tell_secretaries
from groupadmin.rota.services.people import group_people
from groupadmin.rota.services.rules import RotaError, touch


def accept(assignment: Assignment, *, now: datetime) -> str:
    """The person accepts (a request, or a colleague's swap offer). Returns what happened:
    "confirmed", "already" (nothing to do) or "filled" (the place was taken meanwhile)."""
    if assignment.status == "confirmed":
        return "already"
    if assignment.status not in ("proposed", "offered"):
        return "closed"
    group = assignment.occurrence.meeting.group
    if assignment.status == "offered":
        return _accept_offer(assignment, group, now=now)
    assignment.status, assignment.confirmed_via, assignment.responded_at = "confirmed", "link", now
    touch(assignment.person, now)
    audit.record(
        now=now, actor=None, action="rota_assignment.confirmed", obj=assignment, group=group, via="link"
    )
    return "confirmed"


def _accept_offer(assignment: Assignment, group, *, now: datetime) -> str:
    """A colleague takes a swap offer: the original turn is handed over (or, when it is gone, the offer
    fills an open place if there is one); the person who asked and the secretaries are told."""
    original = assignment.swap_from
    if original is not None and original.status in FILLING:
        original.status = "swapped"
        original.responded_at = now
    else:
        filling = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Assignment)
            .where(
                Assignment.occurrence_id == assignment.occurrence_id,
                Assignment.role_id == assignment.role_id,
                Assignment.status.in_(FILLING),
            )
        )
        if filling >= assignment.role.per_occurrence:
            assignment.status, assignment.responded_at = "withdrawn", now
            return "filled"
    assignment.status, assignment.confirmed_via, assignment.responded_at = "confirmed", "swap", now
    touch(assignment.person, now)
    audit.record(
        now=now,
        actor=None,
        action="rota_assignment.swapped",
        obj=assignment,
        group=group,
        from_assignment=original.id if original else None,
    )
    _tell_swapped(assignment, original, group, now=now)
    return "confirmed"


def _tell_swapped(assignment: Assignment, original: Assignment | None, group, *, now: datetime) -> None:
    """The person who asked hears that their colleague took the turn; the secretaries hear of the swap."""
    if original is not None:
        tell(
            original.person,
            key=f"rota-swap-done:{assignment.id}",
            now=now,
            group=group,
            subject=_l("%(name)s will take your turn", name=assignment.person.label),
            template="rota/swap_answer",
            context={
                "accepted": True,
                "colleague": assignment.person.label,
                "item": mail_item(original, ()),
            },
        )
    tell_secretaries(
        group,
        key=f"rota-swap-secretary:{assignment.id}",
        now=now,
        subject=_l(
            "Rota swap: %(role)s on %(date)s",
            role=assignment.role.name,
            date=day_label(assignment.occurrence, group),
        ),
        template="rota/swap_secretary",
        context={
            "assignment": assignment,
            "from_label": original.person.label if original else None,
            "grid_url": mail.external_url("rota.grid", group_slug=group.slug),
        },
    )


def decline(assignment: Assignment, *, now: datetime) -> str:
    """The person cannot (even after accepting: illness happens). The place opens again and the
    secretaries are told; a declined swap offer tells the colleague who asked."""
    if assignment.status == "declined":
        return "already"
    if assignment.status not in PENDING_OR_FILLING:
        return "closed"
    group = assignment.occurrence.meeting.group
    was_offer = assignment.status == "offered"
    assignment.status, assignment.responded_at = "declined", now
    touch(assignment.person, now)
    audit.record(
        now=now, actor=None, action="rota_assignment.declined", obj=assignment, group=group, offer=was_offer
    )
    if was_offer:
        original = assignment.swap_from
        if original is not None and original.status in FILLING:
            tell(
                original.person,
                key=f"rota-swap-refused:{assignment.id}",
                now=now,
                group=group,
                subject=_l("%(name)s cannot take your turn", name=assignment.person.label),
                template="rota/swap_answer",
                context={
                    "accepted": False,
                    "colleague": assignment.person.label,
                    "item": mail_item(original, ("decline", "swap")),
                },
            )
        return "declined"
    tell_secretaries(
        group,
        key=f"rota-declined:{assignment.id}",
        now=now,
        subject=_l(
            "A rota place is open: %(role)s on %(date)s",
            role=assignment.role.name,
            date=day_label(assignment.occurrence, group),
        ),
        template="rota/declined",
        context={
            "assignment": assignment,
            "occurrence_url": mail.external_url(
                "rota.occurrence", group_slug=group.slug, occurrence_id=assignment.occurrence_id
            ),
        },
    )
    return "declined"


def swap_candidates(assignment: Assignment) -> list[RotaPerson]:
    """Colleagues who could take this turn: active, allowed the role, reachable by mail, not away and
    not taken at that time, and who have not declined it."""
    occurrence = assignment.occurrence
    group = occurrence.meeting.group
    busy = busy_for(group, [occurrence])
    result = []
    for person in group_people(group, include_inactive=False):
        if person.id == assignment.person_id or person.contact_email is None:
            continue
        if person_warnings(person, assignment.role, occurrence, busy):
            continue
        result.append(person)
    return result


def pending_offer(assignment: Assignment) -> Assignment | None:
    return db.session.scalar(
        sa.select(Assignment)
        .where(Assignment.swap_from_id == assignment.id, Assignment.status == "offered")
        .order_by(Assignment.id.desc())
        .limit(1)
    )


def offer_swap(assignment: Assignment, colleague_id: int | None, *, now: datetime) -> Assignment:
    """Ask a colleague to take this turn. Until they accept, the turn stays with the person."""
    if assignment.status not in FILLING:
        raise RotaError(_l("This turn is not yours any more."), field="colleague")
    candidates = {p.id: p for p in swap_candidates(assignment)}
    colleague = candidates.get(colleague_id)
    if colleague is None:
        raise RotaError(_l("Choose one of the people listed."), field="colleague")
    previous = pending_offer(assignment)
    if previous is not None:
        previous.status, previous.responded_at = "withdrawn", now
        db.session.flush()
    offer = Assignment(
        occurrence=assignment.occurrence,
        role=assignment.role,
        person=colleague,
        status="offered",
        swap_from=assignment,
        created_at=now,
    )
    db.session.add(offer)
    touch(assignment.person, now)
    db.session.flush()
    group = assignment.occurrence.meeting.group
    audit.record(
        now=now,
        actor=None,
        action="rota_assignment.swap_offered",
        obj=assignment,
        group=group,
        offer_id=offer.id,
    )
    if tell(
        colleague,
        key=f"rota-swap-offer:{offer.id}",
        now=now,
        group=group,
        subject=_l("Could you take a turn on %(date)s?", date=day_label(offer.occurrence, group)),
        template="rota/swap_offer",
        context={"colleague": assignment.person.label, "item": mail_item(offer, ("accept", "decline"))},
    ):
        offer.asked_at = now
    return offer
