"""The rota's business rules. Callers (views, jobs, the CLI) commit; nothing here reads the clock, the
request or the signed-in user: the current time comes in as ``now``, the acting user as ``actor``.

Sections: roles · people (consent, blackouts, forgetting) · the grid and conflicts · assigning ·
auto-fill · links from email (accept, decline, swap, remove me) · what happens when an occurrence
changes · reminders, nudges and the weekly summary · what other domains read (formats, head counts).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from groupadmin import crypto
from groupadmin.audit import services as audit
from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups import services as group_services
from groupadmin.groups.models import Group, Membership
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.meetings.schedule import local_today
from groupadmin.rota import autofill
from groupadmin.rota.models import (
    APPLIES_TO,
    DEFAULT_REMIND_AT,
    DEFAULT_REMIND_DAYS,
    FILLING,
    PENDING_OR_FILLING,
    REMOVED_LABEL,
    ROLE_KINDS,
    Assignment,
    Blackout,
    RotaPerson,
    RotaSettings,
    ServiceRole,
)

log = logging.getLogger("groupadmin.rota")


class RotaError(Exception):
    """A user-facing refusal: str(error) is a translated message; `problems` maps form fields to
    messages, so a form can show each one beside its field."""

    def __init__(self, message, *, field: str | None = None, problems: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.problems = dict(problems or ({field: message} if field else {}))

    @classmethod
    def of(cls, problems: dict) -> RotaError:
        return cls(next(iter(problems.values())), problems=problems)


ROLE_KIND_LABELS = {
    "chair": _l("Chair"),
    "speaker": _l("Speaker"),
    "tech_host": _l("Tech host"),
    "greeter": _l("Greeter"),
    "literature": _l("Literature"),
    "seventh_tradition": _l("7th Tradition"),
    "coffee": _l("Coffee"),
    "other": _l("Other"),
}
APPLIES_TO_LABELS = {
    "all": _l("Every meeting"),
    "online": _l("Meetings with an online part (online, hybrid, or online only that week)"),
    "in_person": _l("Meetings with people in the room (in person or hybrid)"),
    "chosen": _l("Only the meetings chosen below"),
}
STATUS_LABELS = {
    "proposed": _l("Asked, no answer yet"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "offered": _l("Swap offered"),
    "swapped": _l("Handed over"),
    "released": _l("Released"),
    "withdrawn": _l("Withdrawn"),
}
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
MAX_WEEKS = 26
REMINDER_CATCH_UP = timedelta(hours=20)  # a scheduler that was down sends late, not never (within a day)
LINK_ACTIONS = ("accept", "decline", "swap")


# ---------------------------------------------------------------------------------------------------
# Small helpers


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
    if role.applies_to == "all":
        return True
    attendance = occurrence_attendance(occurrence)
    if role.applies_to == "online":
        return attendance in ("online", "hybrid")
    if role.applies_to == "in_person":
        return attendance in ("in_person", "hybrid")
    ids = chosen_meeting_ids if chosen_meeting_ids is not None else {m.id for m in role.meetings}
    return occurrence.meeting_id in ids


def open_places(
    role: ServiceRole, occurrence: Occurrence, filling: int, chosen_meeting_ids: set[int] | None = None
) -> int:
    """Places of `role` still to fill at `occurrence`, given how many people fill it (asked or
    confirmed): 0 when the meeting does not need the role. The grid, the weekly summary and the
    dashboard all count gaps with this."""
    if not role_applies(role, occurrence, chosen_meeting_ids):
        return 0
    return max(role.per_occurrence - filling, 0)


def is_upcoming_gap(occurrence: Occurrence, now: datetime) -> bool:
    """Whether an occurrence's open places are gaps to fill (it takes place, and later than `now`)."""
    return occurrence.status == "scheduled" and occurrence.starts_at > now


SUMMARY_DAYS = 14  # "the next two weeks" of the weekly summary and the dashboard


def summary_period(group: Group, now: datetime) -> tuple[date, date]:
    today = group_today(group, now)
    return today, today + timedelta(days=SUMMARY_DAYS - 1)


def _nonce() -> str:
    return secrets.token_hex(16)


def _touch(person: RotaPerson, now: datetime) -> None:
    person.last_active_at = max(person.last_active_at or now, now)


# ---------------------------------------------------------------------------------------------------
# Roles


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
    problems = {}
    if not name:
        problems["name"] = _l("Give the role a name.")
    elif len(name) > 60:
        problems["name"] = _l("Use at most 60 characters.")
    elif db.session.scalar(
        sa.select(ServiceRole.id).where(
            ServiceRole.group_id == group.id,
            sa.func.lower(ServiceRole.name) == name.lower(),
            ServiceRole.id != (role.id if role else -1),
        )
    ):
        problems["name"] = _l("The group has a role with this name already.")
    if kind not in ROLE_KINDS:
        problems["kind"] = _l("Choose what kind of role this is.")
    if applies_to not in APPLIES_TO:
        problems["applies_to"] = _l("Choose which meetings need this role.")
    if not isinstance(per_occurrence, int) or not 1 <= per_occurrence <= 10:
        problems["per_occurrence"] = _l("From 1 to 10 people.")
    meetings = []
    if meeting_ids:
        meetings = list(
            db.session.scalars(
                sa.select(Meeting).where(Meeting.group_id == group.id, Meeting.id.in_(meeting_ids))
            )
        )
    if applies_to == "chosen" and not meetings:
        problems["meetings"] = _l("Choose at least one meeting, or another option above.")
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


# ---------------------------------------------------------------------------------------------------
# People


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
    from groupadmin.mail.models import UndeliverableAddress

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
    problems = {}
    problem = name_problem(display_name)
    if problem:
        problems["display_name"] = problem
    email_hash = None
    if email:
        try:
            email = mail.normalise_address(email)
        except mail.MailError:
            problems["email"] = _l("This is not a valid email address.")
        else:
            email_hash = crypto.lookup_hash(email)
            clash = db.session.scalar(
                sa.select(RotaPerson.id).where(
                    RotaPerson.group_id == group.id,
                    RotaPerson.email_hash == email_hash,
                    RotaPerson.id != (person.id if person else -1),
                )
            )
            if clash:
                problems["email"] = _l("Another person on the rota has this email address.")
    if phone and not _PHONE.match(phone):
        problems["phone"] = _l("Use digits, spaces and an optional + at the start, e.g. +1 555 010 0199.")
    if (email or phone) and not consent:
        problems["consent"] = _l(
            "Keep an email address or phone number only when the person has agreed: tick the box, or leave "
            "both empty."
        )
    roles = []
    if role_ids:
        roles = list(
            db.session.scalars(
                sa.select(ServiceRole).where(ServiceRole.group_id == group.id, ServiceRole.id.in_(role_ids))
            )
        )
    if user_id is not None and user_id not in {u.id for u in linkable_users(group)}:
        problems["user_id"] = _l("Choose one of the group's members, or nobody.")
    if problems:
        raise RotaError.of(problems)

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
        person.calendar_nonce = _nonce()
    elif not reachable:
        person.calendar_nonce = None
    person.roles = roles
    person.active = bool(active)
    person.user_id = user_id
    person.updated_at = now
    _touch(person, now)
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
    person.calendar_nonce = _nonce()
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
        _tell_secretaries(
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


# ---------------------------------------------------------------------------------------------------
# The grid: occurrences × roles, with the people who may fill each place and why not


@dataclass
class Option:
    person: RotaPerson
    warnings: list[str]
    allowed: bool  # the person may fill this role


@dataclass
class Cell:
    role: ServiceRole
    applies: bool
    assignments: list[Assignment]  # filling and offered ones
    open: int
    options: list[Option] = field(default_factory=list)

    @property
    def filling(self) -> list[Assignment]:
        return [a for a in self.assignments if a.status in FILLING]


@dataclass
class Row:
    occurrence: Occurrence
    cells: list[Cell]
    editable: bool

    @property
    def gaps(self) -> int:
        return sum(c.open for c in self.cells if c.applies and self.occurrence.status == "scheduled")


@dataclass
class Grid:
    start: date
    end: date
    roles: list[ServiceRole]
    rows: list[Row]
    people: list[RotaPerson]

    @property
    def gaps(self) -> int:
        return sum(r.gaps for r in self.rows)


@dataclass
class BusyIndex:
    """Who is taken when: person id -> [(starts, ends, occurrence id, role name)]; and declined turns."""

    turns: dict[int, list[tuple[datetime, datetime, int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    declined: set[tuple[int, int, int]] = field(default_factory=set)

    def add(self, assignment: Assignment) -> None:
        if assignment.status in PENDING_OR_FILLING:
            occ = assignment.occurrence
            self.turns[assignment.person_id].append(
                (occ.starts_at, occ.ends_at, occ.id, assignment.role.name)
            )
        elif assignment.status == "declined":
            self.declined.add((assignment.occurrence_id, assignment.role_id, assignment.person_id))


def person_warnings(
    person: RotaPerson, role: ServiceRole, occurrence: Occurrence, busy: BusyIndex
) -> list[str]:
    """The conflicts of putting `person` in `role` at `occurrence` (empty: none)."""
    warnings = []
    if person.is_removed:
        return [str(_l("removed from the rota"))]
    if not person.active:
        warnings.append(str(_l("not active")))
    if role.id not in {r.id for r in person.roles}:
        warnings.append(str(_l("not usually %(role)s", role=role.name)))
    if person.is_away(occurrence.local_date):
        warnings.append(str(_l("away that day")))
    for starts, ends, occurrence_id, role_name in busy.turns.get(person.id, ()):
        if occurrence_id == occurrence.id:
            warnings.append(str(_l("already %(role)s at this meeting", role=role_name)))
        elif starts < occurrence.ends_at and occurrence.starts_at < ends:
            warnings.append(str(_l("%(role)s at another meeting at the same time", role=role_name)))
    if (occurrence.id, role.id, person.id) in busy.declined:
        warnings.append(str(_l("declined this turn")))
    return warnings


def _occurrences_between(group: Group, start: date, end: date) -> list[Occurrence]:
    return _occurrences_of_groups([group.id], start, end)


def _occurrences_of_groups(group_ids, start: date, end: date) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                Meeting.group_id.in_(list(group_ids)),
                Meeting.status != "archived",
                Occurrence.local_date >= start,
                Occurrence.local_date <= end,
            )
            .options(sa.orm.contains_eager(Occurrence.meeting))
            .order_by(Occurrence.starts_at, Occurrence.id)
        )
    )


def _assignments_for(occurrence_ids_query, statuses=None) -> list[Assignment]:
    query = (
        sa.select(Assignment)
        .where(Assignment.occurrence_id.in_(occurrence_ids_query))
        .options(
            sa.orm.joinedload(Assignment.person).joinedload(RotaPerson.user),
            sa.orm.joinedload(Assignment.role),
            sa.orm.joinedload(Assignment.occurrence),
        )
        .order_by(Assignment.id)
    )
    if statuses:
        query = query.where(Assignment.status.in_(statuses))
    return list(db.session.scalars(query))


def _group_occurrence_ids(group: Group, start_utc: datetime, end_utc: datetime):
    return (
        sa.select(Occurrence.id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(Meeting.group_id == group.id, Occurrence.starts_at < end_utc, Occurrence.ends_at > start_utc)
    )


def load_grid(group: Group, *, start: date, end: date, now: datetime, with_options: bool = True) -> Grid:
    """Everything the grid shows, in a fixed number of queries whatever the number of weeks."""
    roles = group_roles(group)
    occurrences = _occurrences_between(group, start, end)
    window = (
        sa.select(Occurrence.id)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(
            Meeting.group_id == group.id,
            Occurrence.local_date >= start - timedelta(days=1),
            Occurrence.local_date <= end + timedelta(days=1),
        )
    )
    assignments = _assignments_for(window, statuses=(*PENDING_OR_FILLING, "declined"))
    occurrence_by_id = {o.id: o for o in occurrences}
    people = group_people(group) if with_options else []
    busy = BusyIndex()
    by_cell: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
    for assignment in assignments:  # (a day either side too: "busy at the same time" across midnight)
        busy.add(assignment)
        if assignment.occurrence_id in occurrence_by_id and assignment.status in PENDING_OR_FILLING:
            by_cell[(assignment.occurrence_id, assignment.role_id)].append(assignment)
    chosen = {role.id: {m.id for m in role.meetings} for role in roles}
    rows = []
    for occurrence in occurrences:
        editable = occurrence.status == "scheduled" and occurrence.starts_at > now
        cells = []
        for role in roles:
            applies = role_applies(role, occurrence, chosen[role.id])
            current = sorted(
                by_cell.get((occurrence.id, role.id), []),
                key=lambda a: (a.status == "offered", a.status != "confirmed", a.id),
            )
            filling = sum(1 for a in current if a.status in FILLING)
            places = open_places(role, occurrence, filling, chosen[role.id])
            cell = Cell(role=role, applies=applies, assignments=current, open=places)
            if with_options and editable and applies and places:
                options = []
                for person in people:
                    warnings = person_warnings(person, role, occurrence, busy)
                    allowed = role.id in {r.id for r in person.roles}
                    options.append(Option(person=person, warnings=warnings, allowed=allowed))
                options.sort(
                    key=lambda o: (not o.allowed, bool(o.warnings), o.person.label.lower(), o.person.id)
                )
                cell.options = options
            cells.append(cell)
        rows.append(Row(occurrence=occurrence, cells=cells, editable=editable))
    return Grid(start=start, end=end, roles=roles, rows=rows, people=people)


def _busy_for(group: Group, occurrences: list[Occurrence]) -> BusyIndex:
    """Who is taken around these occurrences (one query)."""
    busy = BusyIndex()
    if not occurrences:
        return busy
    start = min(o.starts_at for o in occurrences)
    end = max(o.ends_at for o in occurrences)
    for assignment in _assignments_for(
        _group_occurrence_ids(group, start, end), statuses=(*PENDING_OR_FILLING, "declined")
    ):
        busy.add(assignment)
    return busy


# ---------------------------------------------------------------------------------------------------
# Assigning


@dataclass
class Choice:
    occurrence_id: int
    role_id: int
    person_id: int


class AssignmentProblems(RotaError):
    """Choices that cannot be saved (`errors`), or that need a second look (`warnings`), per choice:
    (occurrence id, role id, person id) -> messages."""

    def __init__(self, errors: dict, warnings: dict):
        message = (
            _l("Some choices cannot be saved: see the marked places.")
            if errors
            else _l("Some choices have conflicts: check the marked places, then save again to confirm.")
        )
        super().__init__(message)
        self.errors, self.warnings = errors, warnings


def assign_many(
    group: Group,
    choices: list[Choice],
    *,
    actor,
    now: datetime,
    accept_warnings: bool = False,
    confirmed: bool = False,
    notify: bool = True,
) -> list[Assignment]:
    """Put people in open places. Everything is checked first: nothing is saved when a choice is
    impossible (a full slot, a past or cancelled date...), or when a choice has conflicts (blackout,
    busy elsewhere, inactive, role not allowed) and `accept_warnings` is false. Then each person gets
    one message with all their new turns."""
    if not choices:
        return []
    occurrences = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Occurrence)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(Meeting.group_id == group.id, Occurrence.id.in_({c.occurrence_id for c in choices}))
            .options(sa.orm.contains_eager(Occurrence.meeting))
        )
    }
    roles = {r.id: r for r in group_roles(group)}
    people = {
        p.id: p
        for p in db.session.scalars(
            sa.select(RotaPerson)
            .where(RotaPerson.group_id == group.id, RotaPerson.id.in_({c.person_id for c in choices}))
            .options(
                sa.orm.selectinload(RotaPerson.roles),
                sa.orm.selectinload(RotaPerson.blackouts),
                sa.orm.joinedload(RotaPerson.user),
            )
        )
    }
    busy = _busy_for(group, list(occurrences.values()))
    taken: dict[tuple[int, int], int] = defaultdict(int)
    current = (
        _assignments_for(
            sa.select(Occurrence.id).where(Occurrence.id.in_(list(occurrences))), statuses=FILLING
        )
        if occurrences
        else []
    )
    holders = defaultdict(set)
    for a in current:
        taken[(a.occurrence_id, a.role_id)] += 1
        holders[(a.occurrence_id, a.role_id)].add(a.person_id)

    errors: dict[tuple, list[str]] = {}
    warnings: dict[tuple, list[str]] = {}
    seen = set()
    for choice in choices:
        key = (choice.occurrence_id, choice.role_id, choice.person_id)
        occurrence, role, person = (
            occurrences.get(choice.occurrence_id),
            roles.get(choice.role_id),
            people.get(choice.person_id),
        )
        if occurrence is None or role is None or person is None or person.is_removed:
            errors[key] = [str(_l("This choice is no longer possible: reload the page."))]
            continue
        if occurrence.status != "scheduled":
            errors[key] = [str(_l("This date is cancelled."))]
            continue
        if occurrence.starts_at <= now:
            errors[key] = [str(_l("This date has passed."))]
            continue
        if key in seen or person.id in holders[(occurrence.id, role.id)]:
            errors[key] = [str(_l("%(name)s is in this place already.", name=person.label))]
            continue
        seen.add(key)
        taken[(occurrence.id, role.id)] += 1
        if taken[(occurrence.id, role.id)] > role.per_occurrence:
            errors[key] = [str(_l("This place was filled meanwhile: reload the page."))]
            continue
        problems = person_warnings(person, role, occurrence, busy)
        if not role_applies(role, occurrence):
            problems.append(str(_l("this meeting does not usually need a %(role)s", role=role.name)))
        # Two choices in one save can clash with each other too.
        for other in choices:
            if other is choice or other.person_id != person.id or other.occurrence_id == occurrence.id:
                continue
            other_occ = occurrences.get(other.occurrence_id)
            if (
                other_occ
                and other_occ.starts_at < occurrence.ends_at
                and occurrence.starts_at < other_occ.ends_at
            ):
                problems.append(str(_l("chosen for another meeting at the same time")))
                break
        if problems:
            warnings[key] = problems
    if errors or (warnings and not accept_warnings):
        raise AssignmentProblems(errors, warnings)

    created = []
    for choice in choices:
        occurrence, role, person = (
            occurrences[choice.occurrence_id],
            roles[choice.role_id],
            people[choice.person_id],
        )
        assignment = Assignment(
            occurrence=occurrence,
            role=role,
            person=person,
            created_at=now,
            created_by_id=getattr(actor, "id", None),
            status="confirmed" if confirmed else "proposed",
            confirmed_via="hand" if confirmed else None,
            responded_at=now if confirmed else None,
        )
        db.session.add(assignment)
        _touch(person, now)
        created.append(assignment)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota.assigned",
        obj=group,
        object_type="rota",
        group=group,
        assignments=len(created),
        confirmed=confirmed,
        with_warnings=bool(warnings),
    )
    if notify:
        ask(created, now=now)
    return created


def confirm_by_hand(assignment: Assignment, *, actor, now: datetime) -> None:
    """The person said yes another way (on the phone, at the meeting)."""
    if assignment.status != "proposed":
        raise RotaError(_l("Only a turn waiting for an answer can be confirmed."))
    if assignment.occurrence.starts_at <= now:
        raise RotaError(_l("This date has passed."))
    assignment.status, assignment.confirmed_via, assignment.responded_at = "confirmed", "hand", now
    _touch(assignment.person, now)
    audit.record(
        now=now,
        actor=actor,
        action="rota_assignment.confirmed",
        obj=assignment,
        group=assignment.occurrence.meeting.group,
        via="hand",
    )


def withdraw(assignment: Assignment, *, actor, now: datetime) -> None:
    """Take a turn back (the secretary changes the rota). The person is told if they had been asked."""
    if assignment.status not in PENDING_OR_FILLING:
        raise RotaError(_l("This turn is not on the rota any more."))
    if assignment.occurrence.starts_at <= now:
        raise RotaError(_l("This date has passed."))
    was_asked = assignment.asked_at is not None or assignment.status == "confirmed"
    assignment.status = "withdrawn"
    group = assignment.occurrence.meeting.group
    audit.record(now=now, actor=actor, action="rota_assignment.withdrawn", obj=assignment, group=group)
    if was_asked:
        _tell_released(assignment.person, [assignment], reason="withdrawn", now=now)


def resend(assignment: Assignment, *, now: datetime) -> bool:
    """Ask again by mail (a new message). False when the person has no email address."""
    if (
        assignment.status not in ("proposed", "confirmed", "offered")
        or assignment.occurrence.starts_at <= now
    ):
        raise RotaError(_l("This turn is not waiting for anyone."))
    return bool(ask([assignment], now=now, again=True))


def occurrence_detail(group: Group, occurrence: Occurrence, *, now: datetime):
    """One date's rota: each role with its current people and options, and the history of the date."""
    roles = group_roles(group)
    all_assignments = _assignments_for([occurrence.id])
    busy = _busy_for(group, [occurrence])
    people = group_people(group)
    sections = []
    for role in roles:
        current = [a for a in all_assignments if a.role_id == role.id and a.status in PENDING_OR_FILLING]
        filling = sum(1 for a in current if a.status in FILLING)
        options = sorted(
            (
                Option(p, person_warnings(p, role, occurrence, busy), role.id in {r.id for r in p.roles})
                for p in people
            ),
            key=lambda o: (not o.allowed, bool(o.warnings), o.person.label.lower(), o.person.id),
        )
        sections.append(
            Cell(
                role=role,
                applies=role_applies(role, occurrence),
                assignments=current,
                open=max(role.per_occurrence - filling, 0),
                options=options,
            )
        )
    history = [a for a in all_assignments if a.status not in PENDING_OR_FILLING]
    return sections, history


# ---------------------------------------------------------------------------------------------------
# Auto-fill


@dataclass
class AutofillPreview:
    start: date
    end: date
    plan: autofill.Plan
    occurrences: dict[int, Occurrence]
    roles: dict[int, ServiceRole]
    people: dict[int, RotaPerson]
    slots_open: int

    @property
    def rows(self) -> list[tuple[Occurrence, ServiceRole, RotaPerson]]:
        return [
            (self.occurrences[p.occurrence_id], self.roles[p.role_id], self.people[p.person_id])
            for p in self.plan.proposals
        ]

    @property
    def unfilled(self) -> list[tuple[Occurrence, ServiceRole, int]]:
        rows = [(self.occurrences[o], self.roles[r], n) for (o, r), n in self.plan.unfilled.items()]
        return sorted(rows, key=lambda t: (t[0].starts_at, t[1].position, t[1].id))

    @property
    def fingerprint(self) -> str:
        return self.plan.fingerprint()

    def per_person(self) -> list[tuple[RotaPerson, int]]:
        counts: dict[int, int] = defaultdict(int)
        for p in self.plan.proposals:
            counts[p.person_id] += 1
        return sorted(((self.people[i], n) for i, n in counts.items()), key=lambda t: t[0].label.lower())


def check_period(start: date | None, end: date | None) -> None:
    if start is None:
        raise RotaError(_l("Give the first day of the period."), field="start")
    if end is None:
        raise RotaError(_l("Give the last day of the period."), field="end")
    if end < start:
        raise RotaError(_l("The last day cannot be before the first."), field="end")
    if (end - start).days > MAX_WEEKS * 7:
        raise RotaError(_l("At most %(n)s weeks at a time.", n=MAX_WEEKS), field="end")


def preview_autofill(
    group: Group,
    *,
    start: date,
    end: date,
    now: datetime,
    role_ids: list[int] | None = None,
    min_gap_days: int | None = None,
) -> AutofillPreview:
    """Plan how to fill the open places of a period: fair, deterministic, touching nothing."""
    check_period(start, end)
    roles = {r.id: r for r in group_roles(group) if not role_ids or r.id in role_ids}
    in_period = _occurrences_between(group, start, end)
    occurrences = [o for o in in_period if o.status == "scheduled" and o.starts_at > now]
    by_id = {o.id: o for o in occurrences}
    people = {p.id: p for p in group_people(group, include_inactive=False)}
    if min_gap_days is None:
        min_gap_days = settings_for(group).min_gap_days
    # The period's turns count for fairness: every date in it, the first and those already past too.
    window_start = min((o.starts_at for o in in_period), default=now)
    window_end = max((o.ends_at for o in in_period), default=now)
    # Turns from a year back (who served least recently) to a gap after the period (the gap is kept
    # with the turns that follow it too).
    history = _assignments_for(
        _group_occurrence_ids(
            group, window_start - timedelta(days=365), window_end + timedelta(days=max(min_gap_days, 1))
        ),
        statuses=(*PENDING_OR_FILLING, "declined"),
    )
    turns, declined = [], set()
    filled: dict[tuple[int, int], int] = defaultdict(int)
    for a in history:
        if a.status == "declined":
            declined.add((a.occurrence_id, a.role_id, a.person_id))
            continue
        occ = a.occurrence
        turns.append(
            autofill.Turn(a.person_id, a.occurrence_id, a.role_id, occ.starts_at, occ.ends_at, occ.local_date)
        )
        if a.status in FILLING:
            filled[(a.occurrence_id, a.role_id)] += 1
    chosen = {role.id: {m.id for m in role.meetings} for role in roles.values()}
    slots = []
    for occurrence in occurrences:
        for role in roles.values():
            if not role_applies(role, occurrence, chosen[role.id]):
                continue
            open_places = role.per_occurrence - filled[(occurrence.id, role.id)]
            if open_places > 0:
                slots.append(
                    autofill.Slot(
                        occurrence.id,
                        role.id,
                        occurrence.starts_at,
                        occurrence.ends_at,
                        occurrence.local_date,
                        open_places,
                        role.position,
                    )
                )
    candidates = [
        autofill.Candidate(
            p.id,
            frozenset(r.id for r in p.roles),
            tuple((b.starts_on, b.ends_on) for b in p.blackouts),
            p.active,
        )
        for p in people.values()
    ]
    result = autofill.plan(
        slots,
        candidates,
        turns,
        declined=declined,
        min_gap=timedelta(days=min_gap_days),
        window=(window_start, window_end),
    )
    return AutofillPreview(
        start=start,
        end=end,
        plan=result,
        occurrences=by_id,
        roles=roles,
        people=people,
        slots_open=sum(s.open for s in slots),
    )


class PlanChanged(RotaError):
    def __init__(self, preview: AutofillPreview):
        super().__init__(
            _l("The rota changed since the preview was made: check the new preview, then apply it.")
        )
        self.preview = preview


def apply_autofill(
    group: Group,
    *,
    start: date,
    end: date,
    fingerprint: str,
    actor,
    now: datetime,
    role_ids: list[int] | None = None,
    min_gap_days: int | None = None,
) -> list[Assignment]:
    """Apply the plan the secretary saw (the same data gives the same plan; if anything changed
    meanwhile, PlanChanged carries the new preview and nothing is saved)."""
    preview = preview_autofill(
        group, start=start, end=end, now=now, role_ids=role_ids, min_gap_days=min_gap_days
    )
    if preview.fingerprint != fingerprint:
        raise PlanChanged(preview)
    created = []
    for proposal in preview.plan.proposals:
        person = preview.people[proposal.person_id]
        assignment = Assignment(
            occurrence=preview.occurrences[proposal.occurrence_id],
            role=preview.roles[proposal.role_id],
            person=person,
            status="proposed",
            created_at=now,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(assignment)
        _touch(person, now)
        created.append(assignment)
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="rota.autofilled",
        obj=group,
        object_type="rota",
        group=group,
        start=start.isoformat(),
        end=end.isoformat(),
        assignments=len(created),
        unfilled=sum(preview.plan.unfilled.values()),
    )
    ask(created, now=now)
    return created


# ---------------------------------------------------------------------------------------------------
# Links from email: signed, bound to one assignment (and its person and date), valid until it starts


class LinkProblem(Exception):
    def __init__(self, message, status: int = 410):
        super().__init__(str(message))
        self.message, self.status = message, status


def _link_serializer(action: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"groupadmin.rota-{action}")


def link_token(assignment: Assignment, action: str) -> str:
    if action not in LINK_ACTIONS:
        raise ValueError(action)
    return _link_serializer(action).dumps(
        {
            "a": assignment.id,
            "p": assignment.person_id,
            "o": assignment.occurrence_id,
            "r": assignment.role_id,
        }
    )


def link_url(assignment: Assignment, action: str) -> str:
    return mail.external_url(f"rota.{action}_link", token=link_token(assignment, action))


def load_link(action: str, token: str, *, now: datetime) -> Assignment:
    """The assignment a link stands for, or LinkProblem with a clear message (nothing changes)."""
    max_age = int(current_app.config["ROTA_LINK_MAX_AGE"].total_seconds())
    try:
        data = _link_serializer(action).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkProblem(_l("This link has expired.")) from exc
    except BadSignature as exc:
        raise LinkProblem(_l("This link is not valid. Check that it was copied whole."), 404) from exc
    if not isinstance(data, dict):
        raise LinkProblem(_l("This link is not valid. Check that it was copied whole."), 404)
    assignment = db.session.get(Assignment, data.get("a"))
    if (
        assignment is None
        or assignment.person_id != data.get("p")
        or assignment.occurrence_id != data.get("o")
        or assignment.role_id != data.get("r")
        or assignment.person.is_removed
    ):
        raise LinkProblem(_l("This turn is no longer on the rota."))
    if assignment.occurrence.starts_at <= now:
        raise LinkProblem(_l("This link has expired: the meeting has started or is over."))
    return assignment


def _remove_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="groupadmin.rota-remove")


def remove_url(person: RotaPerson) -> str:
    token = _remove_serializer().dumps({"p": person.id, "g": person.group_id})
    return mail.external_url("rota.remove_link", token=token)


def load_remove_link(token: str) -> RotaPerson:
    try:
        data = _remove_serializer().loads(token, max_age=int(mail.STOP_LINK_MAX_AGE.total_seconds()))
    except SignatureExpired as exc:
        raise LinkProblem(_l("This link has expired.")) from exc
    except BadSignature as exc:
        raise LinkProblem(_l("This link is not valid. Check that it was copied whole."), 404) from exc
    person = db.session.get(RotaPerson, data.get("p")) if isinstance(data, dict) else None
    if person is None or person.group_id != data.get("g"):
        raise LinkProblem(_l("This link is not valid. Check that it was copied whole."), 404)
    return person


def accept(assignment: Assignment, *, now: datetime) -> str:
    """The person accepts (a request, or a colleague's swap offer). Returns what happened:
    "confirmed", "already" (nothing to do) or "filled" (the place was taken meanwhile)."""
    if assignment.status == "confirmed":
        return "already"
    if assignment.status not in ("proposed", "offered"):
        return "closed"
    group = assignment.occurrence.meeting.group
    if assignment.status == "offered":
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
        _touch(assignment.person, now)
        audit.record(
            now=now,
            actor=None,
            action="rota_assignment.swapped",
            obj=assignment,
            group=group,
            from_assignment=original.id if original else None,
        )
        if original is not None:
            _tell(
                original.person,
                key=f"rota-swap-done:{assignment.id}",
                now=now,
                group=group,
                subject=_l("%(name)s will take your turn", name=assignment.person.label),
                template="rota/swap_answer",
                context={"accepted": True, "colleague": assignment.person.label, "item": _item(original, ())},
            )
        _tell_secretaries(
            group,
            key=f"rota-swap-secretary:{assignment.id}",
            now=now,
            subject=_l(
                "Rota swap: %(role)s on %(date)s",
                role=assignment.role.name,
                date=_day(assignment.occurrence, group),
            ),
            template="rota/swap_secretary",
            context={
                "assignment": assignment,
                "from_label": original.person.label if original else None,
                "grid_url": mail.external_url("rota.grid", group_slug=group.slug),
            },
        )
        return "confirmed"
    assignment.status, assignment.confirmed_via, assignment.responded_at = "confirmed", "link", now
    _touch(assignment.person, now)
    audit.record(
        now=now, actor=None, action="rota_assignment.confirmed", obj=assignment, group=group, via="link"
    )
    return "confirmed"


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
    _touch(assignment.person, now)
    audit.record(
        now=now, actor=None, action="rota_assignment.declined", obj=assignment, group=group, offer=was_offer
    )
    if was_offer:
        original = assignment.swap_from
        if original is not None and original.status in FILLING:
            _tell(
                original.person,
                key=f"rota-swap-refused:{assignment.id}",
                now=now,
                group=group,
                subject=_l("%(name)s cannot take your turn", name=assignment.person.label),
                template="rota/swap_answer",
                context={
                    "accepted": False,
                    "colleague": assignment.person.label,
                    "item": _item(original, ("decline", "swap")),
                },
            )
        return "declined"
    _tell_secretaries(
        group,
        key=f"rota-declined:{assignment.id}",
        now=now,
        subject=_l(
            "A rota place is open: %(role)s on %(date)s",
            role=assignment.role.name,
            date=_day(assignment.occurrence, group),
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
    busy = _busy_for(group, [occurrence])
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
        raise RotaError(_l("This turn is not yours any more."))
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
    _touch(assignment.person, now)
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
    if _tell(
        colleague,
        key=f"rota-swap-offer:{offer.id}",
        now=now,
        group=group,
        subject=_l("Could you take a turn on %(date)s?", date=_day(offer.occurrence, group)),
        template="rota/swap_offer",
        context={"colleague": assignment.person.label, "item": _item(offer, ("accept", "decline"))},
    ):
        offer.asked_at = now
    return offer


# ---------------------------------------------------------------------------------------------------
# Mail


def _day(occurrence: Occurrence, group: Group, fmt: str = "EEEE d MMMM") -> str:
    from babel.dates import format_date

    return format_date(occurrence.local_date, format=fmt, locale=group.locale or "en")


def _enqueue(*, key, to, group, now, subject, template, context) -> bool:
    try:
        return mail.enqueue(
            key=key, to=to, subject=subject, template=template, context=context, now=now, group=group
        ) is not None or mail.key_exists(key)
    except mail.MailError:
        log.warning("rota.mail_refused", extra={"fields": {"template": template}})
        return False


def _tell_secretaries(group: Group, *, key: str, now, subject, template, context) -> None:
    """Mail each of the group's secretaries; each message's key is `key` + ":" + their user id."""
    for user in group_services.secretaries(group):
        _enqueue(
            key=f"{key}:{user.id}",
            to=user.email,
            group=group,
            now=now,
            subject=subject,
            template=template,
            context=context,
        )


def _tell(person: RotaPerson, *, key, now, group, subject, template, context) -> bool:
    """Mail a rota person (when they have an address); every message carries their calendar and
    "remove me" links. True when a message was enqueued (or had been)."""
    address = person.contact_email
    if not address:
        return False
    context = {
        "person": person,
        "calendar_url": calendar_url(person),
        "remove_url": remove_url(person),
        **context,
    }
    return _enqueue(
        key=key, to=address, group=group, now=now, subject=subject, template=template, context=context
    )


@dataclass
class MailItem:
    assignment: Assignment
    links: dict[str, str]


def _item(assignment: Assignment, actions=("accept", "decline", "swap")) -> MailItem:
    return MailItem(assignment, {a: link_url(assignment, a) for a in actions})


def _actions_for(assignment: Assignment) -> tuple[str, ...]:
    return ("accept", "decline", "swap") if assignment.status == "proposed" else ("decline", "swap")


def ask(assignments: list[Assignment], *, now: datetime, again: bool = False) -> int:
    """One message per person with all their new turns (Accept / Decline / Offer a swap for each).
    Returns how many messages were enqueued."""
    by_person: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_person[assignment.person_id].append(assignment)
    sent = 0
    for items in by_person.values():
        items.sort(key=lambda a: (a.occurrence.starts_at, a.role.position))
        person = items[0].person
        group = items[0].occurrence.meeting.group
        digest = hashlib.sha256(",".join(str(a.id) for a in items).encode()).hexdigest()[:12]
        key = f"rota-ask:{person.id}:{now:%Y%m%dT%H%M%S}:{digest}"
        if len(items) == 1:
            subject = (
                _l("Can you help on %(date)s?", date=_day(items[0].occurrence, group))
                if items[0].status == "proposed"
                else _l("You are on the rota on %(date)s", date=_day(items[0].occurrence, group))
            )
        elif any(a.status == "proposed" for a in items):
            subject = _l("Can you help on these %(n)s dates?", n=len(items))
        else:
            subject = _l("Your turns on the rota from %(date)s", date=_day(items[0].occurrence, group))
        if _tell(
            person,
            key=key,
            now=now,
            group=group,
            subject=subject,
            template="rota/ask",
            context={"items": [_item(a, _actions_for(a)) for a in items], "again": again},
        ):
            for assignment in items:
                assignment.asked_at = now
            sent += 1
    return sent


def _tell_released(person: RotaPerson, assignments: list[Assignment], *, reason: str, now: datetime) -> None:
    group = assignments[0].occurrence.meeting.group
    digest = hashlib.sha256(",".join(str(a.id) for a in assignments).encode()).hexdigest()[:12]
    key = f"rota-released:{person.id}:{reason}:{digest}:{now:%Y%m%dT%H%M}"
    _tell(
        person,
        key=key,
        now=now,
        group=group,
        subject=_l("Change to the rota on %(date)s", date=_day(assignments[0].occurrence, group)),
        template="rota/released",
        context={"assignments": assignments, "reason": reason},
    )


# ---------------------------------------------------------------------------------------------------
# The meetings' one hook: a cancelled, paused, moved or removed date releases its turns


def release_for_changes(changes, *, now: datetime, actor) -> None:
    kinds = {
        c.occurrence.id: c.kind for c in changes if c.kind in ("cancelled", "paused", "moved", "removed")
    }
    if not kinds:
        return
    db.session.flush()
    affected = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.occurrence_id.in_(list(kinds)))
            .options(
                sa.orm.joinedload(Assignment.person).joinedload(RotaPerson.user),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Assignment.id)
        )
    )
    by_person: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
    for assignment in affected:
        if assignment.status in PENDING_OR_FILLING:
            if assignment.status in FILLING and (assignment.asked_at or assignment.status == "confirmed"):
                by_person[(assignment.person_id, kinds[assignment.occurrence_id])].append(assignment)
            assignment.status = "released"
    for (_person_id, kind), assignments in by_person.items():
        _tell_released(assignments[0].person, assignments, reason=kind, now=now)
    removed = [oid for oid, kind in kinds.items() if kind == "removed"]
    if removed:
        db.session.flush()
        for assignment in affected:
            if assignment.occurrence_id in removed:
                db.session.expunge(assignment)
        db.session.execute(
            sa.delete(Assignment)
            .where(Assignment.occurrence_id.in_(removed))
            .execution_options(synchronize_session=False)
        )
    if affected:
        log.info("rota.released", extra={"fields": {"assignments": len(affected), "occurrences": len(kinds)}})


# ---------------------------------------------------------------------------------------------------
# Reminders and nudges (a job): one message per person per local day, whatever they have that day


def reminder_instant(assignment: Assignment, lead_days: int) -> datetime:
    occurrence, role = assignment.occurrence, assignment.role
    day = occurrence.local_date - timedelta(days=lead_days)
    return datetime.combine(day, role.remind_at, tzinfo=ZoneInfo(occurrence.timezone)).astimezone(UTC)


def send_reminders(*, now: datetime) -> int:
    """Enqueue the reminders (confirmed turns) and "please confirm" nudges (unanswered requests) due at
    `now`. Idempotent: the key is the person and the local day, so ticks and restarts add nothing."""
    rows = list(
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
    buckets: dict[tuple[int, date], dict] = {}
    for assignment in rows:
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
    sent = 0
    for (person_id, day), bucket in buckets.items():
        if not bucket["due"]:
            continue
        items = sorted(bucket["items"].values(), key=lambda a: (a.occurrence.starts_at, a.role.position))
        person, group = items[0].person, items[0].occurrence.meeting.group
        key = f"rota-reminder:{person_id}:{day.isoformat()}"
        if mail.key_exists(key):
            continue
        confirmed = [a for a in items if a.status == "confirmed"]
        unanswered = [a for a in items if a.status == "proposed"]
        first = items[0].occurrence
        if unanswered:
            subject = _l(
                "Please confirm: %(role)s on %(date)s",
                role=unanswered[0].role.name,
                date=_day(unanswered[0].occurrence, group),
            )
        elif len(confirmed) == 1:
            subject = _l(
                "Reminder: %(role)s on %(date)s", role=confirmed[0].role.name, date=_day(first, group)
            )
        else:
            subject = _l("Reminder: your turns from %(date)s", date=_day(first, group))
        if _tell(
            person,
            key=key,
            now=now,
            group=group,
            subject=subject,
            template="rota/reminder",
            context={
                "confirmed": [_item(a, ("decline", "swap")) for a in confirmed],
                "unanswered": [_item(a) for a in unanswered],
            },
        ):
            sent += 1
    if sent:
        log.info("rota.reminders", extra={"fields": {"messages": sent}})
    return sent


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
        for user in recipients:
            if _enqueue(
                key=f"rota-summary:{group.id}:{user.id}:{today.isoformat()}",
                to=user.email,
                group=group,
                now=now,
                subject=_l("Rota for the next two weeks: %(n)s open places", n=sum(n for _o, _r, n in gaps))
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


def open_places_by_group(groups, *, now: datetime) -> dict[int, int]:
    """Open rota places in the next two weeks (as the weekly summary counts them) of each group, for
    the dashboard: {group id: places}, groups without gaps left out. Takes the Group objects the
    caller has already loaded; three queries however many groups."""
    periods = {g.id: summary_period(g, now) for g in groups}
    if not periods:
        return {}
    roles_by_group: dict[int, list[ServiceRole]] = defaultdict(list)
    for role in db.session.scalars(
        sa.select(ServiceRole)
        .where(ServiceRole.group_id.in_(list(periods)), ServiceRole.archived.is_(False))
        .options(sa.orm.joinedload(ServiceRole.meetings))
        .order_by(ServiceRole.position, ServiceRole.id)
    ).unique():
        roles_by_group[role.group_id].append(role)
    if not roles_by_group:
        return {}
    start = min(first for first, _last in periods.values())
    end = max(last for _first, last in periods.values())
    occurrences = [
        o
        for o in _occurrences_of_groups(list(roles_by_group), start, end)
        if is_upcoming_gap(o, now)
        and periods[o.meeting.group_id][0] <= o.local_date <= periods[o.meeting.group_id][1]
    ]
    if not occurrences:
        return {}
    filling = {
        (occurrence_id, role_id): n
        for occurrence_id, role_id, n in db.session.execute(
            sa.select(Assignment.occurrence_id, Assignment.role_id, sa.func.count(Assignment.id))
            .where(
                Assignment.occurrence_id.in_([o.id for o in occurrences]),
                Assignment.status.in_(FILLING),
            )
            .group_by(Assignment.occurrence_id, Assignment.role_id)
        )
    }
    chosen = {r.id: {m.id for m in r.meetings} for roles in roles_by_group.values() for r in roles}
    result: dict[int, int] = defaultdict(int)
    for occurrence in occurrences:
        group_id = occurrence.meeting.group_id
        for role in roles_by_group[group_id]:
            filled = filling.get((occurrence.id, role.id), 0)
            result[group_id] += open_places(role, occurrence, filled, chosen[role.id])
    return {group_id: n for group_id, n in result.items() if n}


# ---------------------------------------------------------------------------------------------------
# Calendars: a personal feed per person with an email, and the group's rota feed, at secret URLs


def _calendar_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="groupadmin.rota-calendar")


def calendar_url(person: RotaPerson) -> str | None:
    if person.calendar_nonce is None or person.contact_email is None or person.is_removed:
        return None
    token = _calendar_serializer().dumps({"p": person.id, "n": person.calendar_nonce})
    return mail.external_url("rota.calendar_feed", token=token)


def group_calendar_url(group: Group, user: User, *, create: bool = True) -> str | None:
    settings = settings_for(group)
    if settings.calendar_nonce is None:
        if not create:
            return None
        settings.calendar_nonce = _nonce()
    token = _calendar_serializer().dumps({"g": group.id, "u": user.id, "n": settings.calendar_nonce})
    return mail.external_url("rota.calendar_feed", token=token)


def renew_group_calendar(group: Group, *, actor, now: datetime) -> None:
    settings_for(group).calendar_nonce = _nonce()
    audit.record(
        now=now, actor=actor, action="rota.calendar_renewed", obj=group, object_type="rota", group=group
    )


def load_calendar_token(token: str):
    """(kind, object): ("person", RotaPerson) or ("group", Group); LinkProblem when revoked or bad."""
    from groupadmin import permissions

    try:
        data = _calendar_serializer().loads(token)
    except BadSignature as exc:
        raise LinkProblem(_l("This calendar link is not valid."), 404) from exc
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise LinkProblem(_l("This calendar link is not valid."), 404)
    if "p" in data:
        person = db.session.get(RotaPerson, data["p"])
        if person is None or person.is_removed or person.calendar_nonce != data["n"]:
            raise LinkProblem(_l("This calendar link has been replaced or withdrawn."))
        return "person", person
    group = db.session.get(Group, data.get("g"))
    user = db.session.get(User, data.get("u"))
    settings = db.session.get(RotaSettings, data.get("g")) if group else None
    if (
        group is None
        or user is None
        or not user.active
        or settings is None
        or settings.calendar_nonce != data["n"]
        or not permissions.can("group.leader", group, user=user)
    ):
        raise LinkProblem(_l("This calendar link has been replaced or withdrawn."))
    return "group", group


def person_calendar_assignments(person: RotaPerson, *, now: datetime) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
            .where(
                Assignment.person_id == person.id,
                Assignment.status.in_(FILLING),
                Occurrence.starts_at > now - timedelta(days=60),
                Occurrence.status == "scheduled",
            )
            .options(
                sa.orm.contains_eager(Assignment.occurrence)
                .joinedload(Occurrence.meeting)
                .joinedload(Meeting.group),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Occurrence.starts_at)
        ).unique()
    )


# ---------------------------------------------------------------------------------------------------
# Reading: printable rota, and what other domains ask


def printable(group: Group, *, start: date, weeks: int, now: datetime) -> Grid:
    return load_grid(
        group, start=start, end=start + timedelta(weeks=weeks, days=-1), now=now, with_options=False
    )


def people_for_occurrence(occurrence: Occurrence) -> list[tuple[str, str]]:
    """(role name, person's name) of an occurrence's confirmed and asked turns (not declined), in the
    roles' order: the printable script names the chair and speaker of its date with this."""
    rows = db.session.execute(
        sa.select(ServiceRole.name, RotaPerson.display_name, RotaPerson.removed_at)
        .select_from(Assignment)
        .join(ServiceRole, ServiceRole.id == Assignment.role_id)
        .join(RotaPerson, RotaPerson.id == Assignment.person_id)
        .where(Assignment.occurrence_id == occurrence.id, Assignment.status.in_(FILLING))
        .order_by(ServiceRole.position, ServiceRole.id, Assignment.status != "confirmed", Assignment.id)
    ).all()
    return [
        (name, display if display and removed is None else str(REMOVED_LABEL))
        for name, display, removed in rows
    ]


def chair_for_occurrences(occurrence_ids) -> dict[int, RotaPerson]:
    """The chair of each occurrence (confirmed before asked), in one query: head counts let the chair
    of a date enter its count. Each person has ``label`` and ``contact_email`` (None when unreachable)."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.occurrence_id, RotaPerson)
        .join(ServiceRole, ServiceRole.id == Assignment.role_id)
        .join(RotaPerson, RotaPerson.id == Assignment.person_id)
        .where(
            Assignment.occurrence_id.in_(ids),
            ServiceRole.kind == "chair",
            Assignment.status.in_(FILLING),
            RotaPerson.removed_at.is_(None),
        )
        .order_by(
            Assignment.occurrence_id, Assignment.status != "confirmed", ServiceRole.position, Assignment.id
        )
        # The linked account comes along (``contact_email`` falls back to it): still one query.
        .options(sa.orm.joinedload(RotaPerson.user))
    ).all()
    result: dict[int, RotaPerson] = {}
    for occurrence_id, person in rows:
        result.setdefault(occurrence_id, person)
    return result
