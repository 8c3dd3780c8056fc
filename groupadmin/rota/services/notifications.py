"""Rota mail: to a person (with their calendar and "remove me" links) or to the secretaries; asking
for turns, telling of released ones."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from groupadmin.groups import services as group_services
from groupadmin.groups.models import Group
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Occurrence
from groupadmin.rota.models import Assignment, RotaPerson
from groupadmin.rota.services.calendars import calendar_url
from groupadmin.rota.services.links import link_url, remove_url

log = logging.getLogger("groupadmin.rota")


def day_label(occurrence: Occurrence, group: Group, fmt: str = "EEEE d MMMM") -> str:

    return format_date(occurrence.local_date, format=fmt, locale=group.locale or "en")


def enqueue(*, key, to, group, now, subject, template, context) -> bool:
    try:
        return mail.enqueue(
            key=key, to=to, subject=subject, template=template, context=context, now=now, group=group
        ) is not None or mail.key_exists(key)
    except mail.MailError:
        log.warning("rota.mail_refused", extra={"fields": {"template": template}})
        return False


def tell_secretaries(group: Group, *, key: str, now, subject, template, context) -> None:
    """Mail each of the group's secretaries; each message's key is `key` + ":" + their user id."""
    for user in group_services.secretaries(group):
        enqueue(
            key=f"{key}:{user.id}",
            to=user.email,
            group=group,
            now=now,
            subject=subject,
            template=template,
            context=context,
        )


def tell(person: RotaPerson, *, key, now, group, subject, template, context) -> bool:
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
    return enqueue(
        key=key, to=address, group=group, now=now, subject=subject, template=template, context=context
    )


@dataclass
class MailItem:
    assignment: Assignment
    links: dict[str, str]


def mail_item(assignment: Assignment, actions=("accept", "decline", "swap")) -> MailItem:
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
                _l("Can you help on %(date)s?", date=day_label(items[0].occurrence, group))
                if items[0].status == "proposed"
                else _l("You are on the rota on %(date)s", date=day_label(items[0].occurrence, group))
            )
        elif any(a.status == "proposed" for a in items):
            subject = lazy_ngettext(
                "Can you help on %(num)d date?", "Can you help on these %(num)d dates?", len(items)
            )
        else:
            subject = _l("Your turns on the rota from %(date)s", date=day_label(items[0].occurrence, group))
        if tell(
            person,
            key=key,
            now=now,
            group=group,
            subject=subject,
            template="rota/ask",
            context={"items": [mail_item(a, _actions_for(a)) for a in items], "again": again},
        ):
            for assignment in items:
                assignment.asked_at = now
            sent += 1
    return sent


def tell_released(person: RotaPerson, assignments: list[Assignment], *, reason: str, now: datetime) -> None:
    group = assignments[0].occurrence.meeting.group
    digest = hashlib.sha256(",".join(str(a.id) for a in assignments).encode()).hexdigest()[:12]
    key = f"rota-released:{person.id}:{reason}:{digest}:{now:%Y%m%dT%H%M}"
    tell(
        person,
        key=key,
        now=now,
        group=group,
        subject=_l("Change to the rota on %(date)s", date=day_label(assignments[0].occurrence, group)),
        template="rota/released",
        context={"assignments": assignments, "reason": reason},
    )
