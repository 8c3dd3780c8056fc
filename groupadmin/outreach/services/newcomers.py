"""Asking for a call (the public pages) and newcomers met in person: the same fields, the consent
recorded on every path, a returning person flagged instead of a second card, and the do-not-contact
list honoured silently (the same answer, nothing stored)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import crypto
from groupadmin.audit import services as audit_log
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.meetings.schedule import local_today
from groupadmin.newsletters.services import throttle
from groupadmin.outreach.models import DoNotContact, FollowUp, Newcomer
from groupadmin.outreach.services.settings import is_group, plan_dates, settings_for
from groupadmin.outreach.services.welcome import send_welcome

log = logging.getLogger("groupadmin.outreach")

CHANNELS = ("call", "text", "email")
WINDOW = timedelta(hours=1)
# A person asking again within this time after their last activity is the same request (flagged).
RETURNING_WITHIN = timedelta(days=90)


class RequestError(UserError):
    """A request that cannot be taken as typed."""


class Throttled(UserError):
    status = 429


@dataclass
class Contact:
    """What a person gave: their name and contact details, how and when to reach them."""

    name: str | None
    phone: str | None
    email: str | None
    channels: list[str]
    safe_times: str | None = None
    voicemail_ok: bool = False
    may_name_group: bool = False
    language: str = "en"
    wants_welcome: bool = False


def zone_of(organisation, group=None) -> str:
    return group.timezone if group is not None else organisation.timezone


def phone_key(phone: str) -> str:
    """A phone number as it is hashed: its digits (and a leading +)."""
    phone = phone.strip()
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


def contact_problems(contact: Contact) -> dict:
    """What is wrong with the contact, a message per field (empty when nothing): every problem at once,
    and a channel's problem only when that channel was chosen."""
    problems = {}
    phone = (contact.phone or "").strip() or None
    email = (contact.email or "").strip() or None
    if phone and not 7 <= len(re.sub(r"\D", "", phone)) <= 15:
        problems["phone"] = _l("Enter a phone number with its area code, like 555-0142.")
    if email:
        try:
            mail.normalise_address(email)
        except mail.MailError:
            problems["email"] = _l("Enter one email address, like name@example.org.")
    if not phone and not email and "phone" not in problems:
        problems["phone"] = _l("Leave a phone number or an email address, so that someone can reach you.")
    chosen = set(contact.channels)
    if phone is None and {"call", "text"} & chosen and "phone" not in problems:
        problems["phone"] = _l("A call or a text needs a phone number.")
    if email is None and "email" in chosen and "email" not in problems:
        problems["email"] = _l("An email needs an address.")
    if contact.wants_welcome and email is None and "email" not in problems:
        problems["email"] = _l("The welcome message needs an email address.")
    return problems


def checked_contact(contact: Contact) -> Contact:
    """The contact with its values cleaned, or RequestError with a message beside each field."""
    problems = contact_problems(contact)
    if problems:
        raise RequestError.of(problems)
    phone = (contact.phone or "").strip() or None
    email = (contact.email or "").strip() or None
    email = mail.normalise_address(email) if email else None
    channels = [c for c in CHANNELS if c in contact.channels] or (["call"] if phone else ["email"])
    return Contact(
        name=(contact.name or "").strip() or None,
        phone=phone,
        email=email,
        channels=channels,
        safe_times=(contact.safe_times or "").strip() or None,
        voicemail_ok=contact.voicemail_ok,
        may_name_group=contact.may_name_group,
        language=contact.language,
        wants_welcome=contact.wants_welcome,
    )


def contact_hashes(contact: Contact) -> tuple[str | None, str | None]:
    phone_hash = crypto.lookup_hash(phone_key(contact.phone)) if contact.phone else None
    email_hash = crypto.lookup_hash(contact.email) if contact.email else None
    return phone_hash, email_hash


def on_do_not_contact_list(organisation_id: int, hashes) -> bool:
    hashes = [h for h in hashes if h]
    if not hashes:
        return False
    return (
        db.session.scalar(
            sa.select(DoNotContact.id).where(
                DoNotContact.organisation_id == organisation_id, DoNotContact.value_hash.in_(hashes)
            )
        )
        is not None
    )


def returning(organisation_id: int, hashes, *, now: datetime) -> Newcomer | None:
    """An open or recent (not erased) newcomer of the organisation with the same phone or email."""
    phone_hash, email_hash = hashes
    matches = []
    if phone_hash:
        matches.append(Newcomer.phone_hash == phone_hash)
    if email_hash:
        matches.append(Newcomer.email_hash == email_hash)
    if not matches:
        return None
    return db.session.scalar(
        sa.select(Newcomer)
        .where(
            Newcomer.organisation_id == organisation_id,
            Newcomer.erased_at.is_(None),
            sa.or_(Newcomer.status == "open", Newcomer.last_activity_at >= now - RETURNING_WITHIN),
            sa.or_(*matches),
        )
        .order_by(Newcomer.created_at.desc())
        .limit(1)
    )


def check_client(client: str | None, *, now: datetime) -> None:
    """Throttled when this network address asked for calls too often this hour."""
    if client and not throttle.hit(
        "outreach-client:" + crypto.lookup_hash(client),
        limit=current_app.config["OUTREACH_CLIENT_LIMIT"],
        window=WINDOW,
        now=now,
    ):
        raise Throttled(_l("Too many requests from this network. Please wait an hour, or call us."))


def touch(newcomer: Newcomer, *, now: datetime, retention_days: int | None = None) -> None:
    """Record activity: the personal fields are kept `retention_days` after the last one."""
    if retention_days is None:
        retention_days = settings_for(newcomer.group or newcomer.organisation).retention_days
    newcomer.last_activity_at = now
    zone = zone_of(newcomer.organisation, newcomer.group)
    newcomer.erase_after = local_today(zone, now) + timedelta(days=retention_days)


def request_call(
    organisation, group, contact: Contact, *, client: str | None, now: datetime
) -> Newcomer | None:
    """A request from the public page (a group's, or the organisation's when `group` is None). Raises
    RequestError or Throttled; returns the newcomer (a new one, or the returning person's flagged),
    or None when the person is on the do-not-contact list (nothing is stored: the same answer)."""
    check_client(client, now=now)
    contact = checked_contact(contact)
    return _take(
        organisation,
        group,
        contact,
        source="group_page" if group is not None else "org_page",
        via="web_form",
        actor=None,
        now=now,
    )


def add_in_person(owner, contact: Contact, *, actor, now: datetime) -> Newcomer | None:
    """A newcomer met in person, added by a secretary or sponsor (or an organisation's outreach
    volunteer): the consent is recorded as given in person to `actor`, who becomes their volunteer
    (a secretary may assign someone else afterwards)."""
    contact = checked_contact(contact)
    group = owner if is_group(owner) else None
    organisation = owner.organisation if group is not None else owner
    return _take(organisation, group, contact, source="in_person", via="in_person", actor=actor, now=now)


def _take(organisation, group, contact: Contact, *, source: str, via: str, actor, now: datetime):
    hashes = contact_hashes(contact)
    if on_do_not_contact_list(organisation.id, hashes):
        log.info("outreach.request_declined_silently", extra={"fields": {"organisation_id": organisation.id}})
        return None
    settings = settings_for(group or organisation)
    existing = returning(organisation.id, hashes, now=now)
    if existing is not None:
        _asked_again(existing, settings, now=now)
        return existing
    zone = zone_of(organisation, group)
    today = local_today(zone, now)
    newcomer = Newcomer(
        organisation=organisation,
        group=group,
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        phone_hash=hashes[0],
        email_hash=hashes[1],
        safe_times=contact.safe_times,
        channels=",".join(contact.channels),
        voicemail_ok=contact.voicemail_ok,
        may_name_group=contact.may_name_group,
        language=contact.language,
        wants_welcome=contact.wants_welcome,
        consent_wording=settings.consent_wording,
        consent_version=settings.consent_version,
        consent_at=now,
        consent_via=via,
        consent_by_id=getattr(actor, "id", None),
        source=source,
        status="open",
        created_at=now,
        month=date(today.year, today.month, 1),
        last_activity_at=now,
        erase_after=today + timedelta(days=settings.retention_days),
    )
    if actor is not None and via == "in_person":
        newcomer.volunteer_id = actor.id
        newcomer.assigned_at = now
    db.session.add(newcomer)
    for step, due in enumerate(plan_dates(today, settings.plan_days)):
        newcomer.follow_ups.append(FollowUp(step=step, planned_on=due, due_on=due, state="open"))
    db.session.flush()
    send_welcome(newcomer, now=now)
    audit_log.record(
        now=now,
        actor=actor,
        action="outreach.newcomer_added",
        obj=newcomer,
        group=group,
        organisation=organisation,
        source=source,
    )
    log.info("outreach.newcomer_added", extra={"fields": {"newcomer_id": newcomer.id, "source": source}})
    return newcomer


def _asked_again(newcomer: Newcomer, settings, *, now: datetime) -> None:
    """The same person asked again: no second card; the card says so, and is open with a step due
    today."""
    newcomer.asked_again_at = now
    newcomer.status, newcomer.closed_at = "open", None
    touch(newcomer, now=now, retention_days=settings.retention_days)
    today = local_today(zone_of(newcomer.organisation, newcomer.group), now)
    waiting = [f for f in newcomer.follow_ups if f.state == "open"]
    if not waiting:
        step = max((f.step for f in newcomer.follow_ups), default=-1) + 1
        newcomer.follow_ups.append(FollowUp(step=step, planned_on=today, due_on=today, state="open"))
    elif min(f.due_on for f in waiting) > today:  # a call back is due today, not in three weeks
        min(waiting, key=lambda f: (f.due_on, f.step)).due_on = today
    audit_log.record(
        now=now,
        actor=None,
        action="outreach.asked_again",
        obj=newcomer,
        group=newcomer.group,
        organisation=newcomer.organisation,
    )
    log.info("outreach.asked_again", extra={"fields": {"newcomer_id": newcomer.id}})
