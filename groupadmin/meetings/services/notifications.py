"""Listing-change notices: a change of a listed meeting's address, time, conference link or phone is
audited and mailed to the group's other secretaries and the organisation's admins (a hijacked account
swapping a Zoom link must not go unnoticed)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups import services as group_services
from groupadmin.groups.models import Group
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting

FIELD_LABELS = {
    "location": _l("Location"),
    "formatted_address": _l("Address"),
    "address": _l("Street"),
    "city": _l("City"),
    "state": _l("State / province"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "conference_url": _l("Conference link"),
    "conference_phone": _l("Conference phone"),
    "schedule": _l("Day and time"),
    "listed": _l("Listed publicly"),
}


def notify_listing_change(
    meeting: Meeting, *, actor, now: datetime, changes: list[tuple[str, str, str]]
) -> None:
    """Audit a change of a listed meeting's address, time, conference link or phone, and mail it to the
    group's other secretaries and the organisation's admins (through the outbox, in this transaction)."""
    event = audit.record(
        now=now,
        actor=actor,
        action="meeting.listing_changed",
        obj=meeting,
        group=meeting.group,
        fields=[key for key, _old, _new in changes],
    )
    db.session.flush()
    recipients = listing_watchers(meeting.group, exclude_user_id=getattr(actor, "id", None))
    if not recipients:
        return
    group = meeting.group
    context = _mail_context(meeting, actor=actor, now=now, changes=changes)
    subject = str(_l("Listing changed: %(meeting)s (%(group)s)", meeting=meeting.name, group=group.mail_name))
    for user in recipients:
        mail.enqueue(
            key=f"listing-change:{event.id}:{user.id}",
            to=user.email,
            subject=subject,
            template="meetings/listing_change",
            context=context,
            now=now,
            group=group,
        )


def _mail_context(meeting: Meeting, *, actor, now: datetime, changes: list[tuple[str, str, str]]) -> dict:
    group = meeting.group
    base = current_app.config["BASE_URL"]
    return {
        "meeting_name": meeting.name,
        "group_name": group.mail_name,
        "actor_name": getattr(actor, "display_name", None),
        "changes": [
            {"field": key, "label": str(FIELD_LABELS.get(key, key)), "old": old, "new": new}
            for key, old, new in changes
        ],
        "when": now,
        "meeting_url": f"{base}/groups/{group.slug}/meetings/{meeting.id}/",
        "audit_url": f"{base}/groups/{group.slug}/audit",
    }


def listing_watchers(group: Group, *, exclude_user_id: int | None) -> list:
    """Account holders told of listing changes: the group's secretaries and its organisation's admins."""
    people = {
        u.id: u
        for u in [*group_services.secretaries(group), *group_services.org_admins(group.organisation_id)]
    }
    people.pop(exclude_user_id, None)
    return [people[user_id] for user_id in sorted(people)]
