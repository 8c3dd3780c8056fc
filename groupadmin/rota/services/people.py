"""The people who take turns: names, contact details kept with consent, dates away, and forgetting
(on request, or after months without a turn)."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from groupadmin import crypto
from groupadmin.audit import services as audit
from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups.models import Group, Membership
from groupadmin.mail import services as mail
from groupadmin.mail.models import UndeliverableAddress
from groupadmin.meetings.models import Occurrence
from groupadmin.rota.models import FILLING, PENDING_OR_FILLING, Assignment, Blackout, RotaPerson, ServiceRole
from groupadmin.rota.services.notifications import tell_secretaries
from groupadmin.rota.services.rules import RotaError, new_nonce, touch

log = logging.getLogger("groupadmin.rota")


def consent_wording(group: Group) -> str:
    """The wording a person agrees to when their email or phone is kept (stored with the consent)."""
    months = current_app.config["ROTA_INACTIVE_FORGET_MONTHS"]
    with force_locale(group.locale):
        return str(
            _l(
                "I agree that %(group)s keeps my email address and phone number to send me rota messages "
                "(requests, reminders and changes), and deletes them when I ask or after %(months)s months "
                "without a turn.",
                group=group.discreet_name,
                months=months,
            )
        )


_NAME_CHARS = re.compile(r"^[^\W\d_][^\W\d_'’.\- ]*(?:[ '’.\-]+[^\W\d_]+)*\.?$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{4,28}[0-9]$")


def clean_display_name(name: str) -> str:
    """Trimmed, single-spaced, and a bare last initial gets its full stop ("Sam T" -> "Sam T.")."""
    name = " ".join((name or "").split())
    words = name.split(" ")
    if len(words) > 1 and len(words[-1]) == 1 and words[-1].isalpha():
        words[-1] = words[-1].upper() + "."
    return " ".join(words)


def name_problem(name: str):
    """Why a display name is not a first name and initial, or None."""
    if not name:
        return _l("Give a first name and an initial, e.g. “Sam T.”.")
    if len(name) > 40:
        return _l("Use at most 40 characters.")
    if not _NAME_CHARS.match(name):
        return _l("Use letters only: a first name and an initial, e.g. “Sam T.”.")
    words = name.split(" ")
    if len(words) > 1 and len(words[-1].rstrip(".")) > 2:
        return _l(
            "Use the first name and only the initial of the last name (e.g. “Sam T.”): others see the rota."
        )
    return None


def group_people(group: Group, *, include_inactive: bool = True) -> list[RotaPerson]:
    query = (
        sa.select(RotaPerson)
        .where(RotaPerson.group_id == group.id, RotaPerson.removed_at.is_(None))
        .options(
            sa.orm.selectinload(RotaPerson.roles),
            sa.orm.selectinload(RotaPerson.blackouts),
            sa.orm.joinedload(RotaPerson.user),
        )
        .order_by(sa.func.lower(RotaPerson.display_name), RotaPerson.id)
    )
    if not include_inactive:
        query = query.where(RotaPerson.active.is_(True))
    return list(db.session.scalars(query))


def unreachable_people(people: list[RotaPerson]) -> set[int]:
    """Ids of the people whose address is on the undeliverable list (refused, or they asked us to stop
    mail), in one query: the secretary should reach them another way."""

    hashes = {p.email_hash: p.id for p in people if p.email_hash}
    if not hashes:
        return set()
    flagged = db.session.scalars(
        sa.select(UndeliverableAddress.address_hash).where(
            UndeliverableAddress.address_hash.in_(list(hashes))
        )
    )
    return {hashes[h] for h in flagged}


def linkable_users(group: Group) -> list[User]:
    """Account holders with a role in the group, who may be linked to a rota person."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.id.in_(sa.select(Membership.user_id).where(Membership.group_id == group.id)))
            .order_by(User.display_name, User.id)
        )
    )


def save_person(
    group: Group,
    person: RotaPerson | None,
    *,
    actor,
    now: datetime,
    display_name: str,
    email: str | None,
    phone: str | None,
    consent: bool,
    role_ids: list[int],
    active: bool,
    user_id: int | None,
) -> RotaPerson:
    """Create or update a rota person. Email and phone are kept only with the person's consent."""
    display_name = clean_display_name(display_name)
    email = (email or "").strip() or None
    phone = " ".join((phone or "").split()) or None
    email, email_hash, email_problem = _checked_email(group, person, email)
    roles = _roles_of(group, role_ids)
    linkable = {u.id for u in linkable_users(group)} if user_id is not None else set()
    problems = person_problems(
        display_name=display_name,
        email_problem=email_problem,
        phone=phone,
        has_contact=bool(email or phone),
        consent=consent,
        user_id=user_id,
        linkable=linkable,
    )
    if problems:
        raise RotaError.of(problems)
    return _apply_person(
        group,
        person,
        actor=actor,
        now=now,
        display_name=display_name,
        contact=(email, email_hash, phone),
        roles=roles,
        active=active,
        user_id=user_id,
    )


def _checked_email(group: Group, person: RotaPerson | None, email: str | None):
    """(normalised email, its lookup hash, problem or None): the address must be valid and not
    another rota person's of the group."""
    if not email:
        return email, None, None
    try:
        email = mail.normalise_address(email)
    except mail.MailError:
        return email, None, _l("This is not a valid email address.")
    email_hash = crypto.lookup_hash(email)
    clash = db.session.scalar(
        sa.select(RotaPerson.id).where(
            RotaPerson.group_id == group.id,
            RotaPerson.email_hash == email_hash,
            RotaPerson.id != (person.id if person else -1),
        )
    )
    return email, email_hash, _l("Another person on the rota has this email address.") if clash else None


def _roles_of(group: Group, role_ids: list[int]) -> list[ServiceRole]:
    if not role_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(ServiceRole).where(ServiceRole.group_id == group.id, ServiceRole.id.in_(role_ids))
        )
    )


def person_problems(
    *, display_name, email_problem, phone, has_contact: bool, consent: bool, user_id, linkable: set[int]
) -> dict:
    """What is wrong with a person's details, field by field (empty: nothing). Pure."""
    problems = {}
    problem = name_problem(display_name)
    if problem:
        problems["display_name"] = problem
    if email_problem:
        problems["email"] = email_problem
    if phone and not _PHONE.match(phone):
        problems["phone"] = _l("Use digits, spaces and an optional + at the start, e.g. +1 555 010 0199.")
    if has_contact and not consent:
        problems["consent"] = _l(
            "Keep an email address or phone number only when the person has agreed: tick the box, or leave "
            "both empty."
        )
    if user_id is not None and user_id not in linkable:
        problems["user_id"] = _l("Choose one of the group's members, or nobody.")
    return problems


def _apply_person(group, person, *, actor, now, display_name, contact, roles, active, user_id) -> RotaPerson:
    email, email_hash, phone = contact
    creating = person is None
    if creating:
        person = RotaPerson(group_id=group.id, created_at=now, last_active_at=now)
        db.session.add(person)
    contact_changed = creating or person.email != email or person.phone != phone
    if person.email and person.email != email:
        mail.forget_address(person.email, now=now)  # the old address leaves the outbox too
    person.display_name = display_name
    person.email, person.email_hash, person.phone = email, email_hash, phone
    if email or phone:
        if contact_changed or person.consent_at is None:
            person.consent_at, person.consent_by_id, person.consent_wording = (
                now,
                getattr(actor, "id", None),
                (consent_wording(group)),
            )
        person.contact_forgotten_at = None
    else:
        person.consent_at = person.consent_by_id = person.consent_wording = None
    reachable = bool(email) or user_id is not None  # a personal calendar for whoever gets rota mail
    if reachable and person.calendar_nonce is None:
        person.calendar_nonce = new_nonce()
    elif not reachable:
        person.calendar_nonce = None
    person.roles = roles
    person.active = bool(active)
    person.user_id = user_id
    person.updated_at = now
    touch(person, now)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota_person.created" if creating else "rota_person.updated",
        obj=person,
        group=group,
        contact_changed=bool(contact_changed and not creating),
        has_email=bool(email),
        has_phone=bool(phone),
        roles=len(roles),
        active=person.active,
    )
    return person


def add_blackout(
    person: RotaPerson, *, actor, now: datetime, starts_on: date | None, ends_on: date | None
) -> Blackout:
    if starts_on is None:
        raise RotaError(_l("Give the first day away."), field="starts_on")
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise RotaError(_l("The last day cannot be before the first."), field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise RotaError(_l("At most a year at a time."), field="ends_on")
    blackout = Blackout(person=person, starts_on=starts_on, ends_on=ends_on)
    db.session.add(blackout)
    person.updated_at = now
    db.session.flush()
    group = db.session.get(Group, person.group_id)
    audit.record(
        now=now,
        actor=actor,
        action="rota_blackout.added",
        obj=person,
        object_type="rota_person",
        group=group,
        days=(ends_on - starts_on).days + 1,
    )
    return blackout


def remove_blackout(blackout: Blackout, *, actor, now: datetime) -> None:
    person = blackout.person
    db.session.delete(blackout)
    audit.record(
        now=now,
        actor=actor,
        action="rota_blackout.removed",
        obj=person,
        object_type="rota_person",
        group=db.session.get(Group, person.group_id),
    )


def new_calendar_link(person: RotaPerson, *, actor, now: datetime) -> None:
    """Revoke the person's calendar link and make a new one."""
    person.calendar_nonce = new_nonce()
    audit.record(
        now=now,
        actor=actor,
        action="rota_person.calendar_renewed",
        obj=person,
        group=db.session.get(Group, person.group_id),
    )


def _forget_contact(person: RotaPerson, now: datetime) -> None:
    if person.email:
        mail.forget_address(person.email, now=now)
    person.email = person.email_hash = person.phone = None
    person.consent_at = person.consent_by_id = person.consent_wording = None
    person.calendar_nonce = None
    person.contact_forgotten_at = now
    person.updated_at = now


def forget_person(person: RotaPerson, *, actor, now: datetime, self_service: bool = False) -> int:
    """The person asked to be removed: contact details go everywhere (their row, the outbox, the
    undeliverable list, the calendar link), their name goes, their upcoming turns are opened again and
    their past turns keep only "(removed)". Returns how many upcoming turns were opened."""
    group = db.session.get(Group, person.group_id)
    upcoming = list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
            .where(Assignment.person_id == person.id, Occurrence.starts_at > now)
        )
    )
    opened = sum(1 for a in upcoming if a.status in FILLING)
    for assignment in upcoming:
        db.session.delete(assignment)
    _forget_contact(person, now)
    person.display_name = None
    person.active = False
    person.user_id = None
    person.removed_at = now
    person.roles = []
    person.blackouts = []
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota_person.removed",
        obj=person,
        group=group,
        self_service=self_service,
        opened_turns=opened,
    )
    if self_service:
        tell_secretaries(
            group,
            key=f"rota-removed:{person.id}",
            now=now,
            subject=_l("Someone left the rota"),
            template="rota/removed",
            context={"opened": opened, "grid_url": mail.external_url("rota.grid", group_slug=group.slug)},
        )
    log.info("rota.person_removed", extra={"fields": {"person_id": person.id, "opened": opened}})
    return opened


def forget_inactive(*, now: datetime) -> int:
    """Retention: forget the contact details of people without a turn or a change for
    ROTA_INACTIVE_FORGET_MONTHS months (their name stays on the rota, without a way to reach them)."""
    months = current_app.config["ROTA_INACTIVE_FORGET_MONTHS"]
    cutoff = now - timedelta(days=round(months * 30.44))
    # Dates away that ended more than a month ago serve nothing any more.
    db.session.execute(
        sa.delete(Blackout)
        .where(Blackout.ends_on < (now - timedelta(days=31)).date())
        .execution_options(synchronize_session=False)
    )
    recent_turn = (
        sa.select(Assignment.id)
        .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
        .where(
            Assignment.person_id == RotaPerson.id,
            Occurrence.starts_at >= cutoff,
            Assignment.status.in_(PENDING_OR_FILLING),
        )
        .exists()
    )
    people = list(
        db.session.scalars(
            sa.select(RotaPerson).where(
                RotaPerson.removed_at.is_(None),
                sa.or_(RotaPerson.email_hash.is_not(None), RotaPerson.phone.is_not(None)),
                RotaPerson.last_active_at < cutoff,
                RotaPerson.updated_at < cutoff,
                ~recent_turn,
            )
        )
    )
    for person in people:
        _forget_contact(person, now)
        audit.record(
            now=now,
            actor=None,
            action="rota_person.contact_forgotten",
            obj=person,
            group=db.session.get(Group, person.group_id),
            reason="inactive",
            months=months,
        )
    if people:
        log.info("rota.contacts_forgotten", extra={"fields": {"people": len(people)}})
    return len(people)
