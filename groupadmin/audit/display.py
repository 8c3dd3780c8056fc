"""The change log in words: what happened ("Rota person added"), the details with field labels, never an
internal name or a personal value (ids are left out: they mean nothing to a reader)."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from groupadmin.audit.services import PERSON_DETAILS
from groupadmin.groups.display import ROLE_NAMES
from groupadmin.outreach.display import OUTCOME_LABELS, SOURCE_LABELS

ACTION_LABELS = {
    "newsletter.added_by_hand": _l("Subscriber added by hand"),
    "format.archived": _l("Format archived"),
    "format.created": _l("Format created"),
    "format.deleted": _l("Format deleted"),
    "format.draft_discarded": _l("Format draft discarded"),
    "format.renamed": _l("Format renamed"),
    "format.restored": _l("Format restored"),
    "format.saved": _l("Format saved as a new version"),
    "group.created": _l("Group created"),
    "group.updated": _l("Group settings changed"),
    "headcount.recorded": _l("Head count entered"),
    "headcount.removed": _l("Head count removed"),
    "headcount.settings": _l("Head count settings changed"),
    "newsletter.imported": _l("Subscribers imported"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.withdrawn": _l("Invitation withdrawn"),
    "newsletter.issue_scheduled": _l("Newsletter issue scheduled"),
    "newsletter.issue_sent": _l("Newsletter issue sent"),
    "newsletter.list_saved": _l("Mailing list saved"),
    "meeting.created": _l("Meeting added"),
    "meeting.format_assigned": _l("Meeting's format changed"),
    "meeting.listing_changed": _l("Meeting's public listing changed"),
    "meeting.schedule_changed": _l("Meeting's schedule changed"),
    "meeting.updated": _l("Meeting changed"),
    "meeting.resumed": _l("Meeting made active again"),
    "meeting.paused": _l("Meeting paused"),
    "meeting.archived": _l("Meeting archived"),
    "meetings.imported": _l("Meetings imported"),
    "occurrence.format_set": _l("Format of one date changed"),
    "occurrence.updated": _l("One date changed"),
    "org_role.granted": _l("Organisation role given"),
    "org_role.revoked": _l("Organisation role removed"),
    "outbox.retried": _l("Mail sent again"),
    "role.granted": _l("Role given"),
    "role.revoked": _l("Role removed"),
    "rota.assigned": _l("People put on the rota"),
    "rota.autofilled": _l("Rota filled automatically"),
    "rota.calendar_renewed": _l("Rota calendar links renewed"),
    "rota.places_given_back": _l("Places given back on a restored date"),
    "rota_assignment.confirmed": _l("Turn confirmed"),
    "rota_assignment.declined": _l("Turn declined"),
    "rota_assignment.swap_offered": _l("Swap offered"),
    "rota_assignment.swapped": _l("Turn swapped"),
    "rota_assignment.withdrawn": _l("Turn taken back"),
    "rota_blackout.added": _l("Dates away added"),
    "rota_blackout.removed": _l("Dates away removed"),
    "rota_person.calendar_renewed": _l("Personal calendar link renewed"),
    "rota_person.contact_forgotten": _l("Contact details forgotten"),
    "rota_person.created": _l("Rota person added"),
    "rota_person.updated": _l("Rota person changed"),
    "rota_person.removed": _l("Rota person removed"),
    "rota_role.archived": _l("Service role archived"),
    "rota_role.created": _l("Service role added"),
    "rota_settings.updated": _l("Rota settings changed"),
    "secretary.handed_over": _l("Secretary handed over"),
    "undeliverable.cleared": _l("Address marked deliverable again"),
    "newsletter.issue_cancelled": _l("Newsletter issue cancelled"),
    "newsletter.issue_draft": _l("Newsletter issue back to draft"),
    "newsletter.subscribed": _l("Newsletter subscriber added"),
    "newsletter.unsubscribed": _l("Newsletter subscriber left"),
    "newsletter.forgotten": _l("Newsletter subscriber forgotten"),
    "outreach.newcomer_added": _l("Newcomer added"),
    "outreach.asked_again": _l("Newcomer asked for a call again"),
    "outreach.assigned": _l("Newcomer given to a volunteer"),
    "outreach.handed_back": _l("Newcomer handed back by their volunteer"),
    "outreach.follow_up_recorded": _l("Follow-up recorded"),
    "outreach.follow_up_snoozed": _l("Follow-up snoozed"),
    "outreach.erased": _l("Newcomer's personal details erased"),
}

DETAIL_LABELS = {
    "fields": _l("Changed"),
    "changes": _l("Changed"),
    "role": _l("Role"),
    "roles": _l("Roles"),
    "date": _l("Date"),
    "start": _l("From"),
    "end": _l("To"),
    "effective_from": _l("From"),
    "assignments": _l("Turns"),
    "count": _l("How many"),
    "created": _l("Added"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "skipped": _l("Skipped"),
    "removed": _l("Removed"),
    "added": _l("Added"),
    "archived": _l("Archived"),
    "moved": _l("Moved"),
    "unfilled": _l("Left open"),
    "opened_turns": _l("Turns opened again"),
    "via": _l("How"),
    "kind": _l("Kind"),
    "reason": _l("Why"),
    "version": _l("Version"),
    "months": _l("Months"),
    "days": _l("Days"),
    "min_gap_days": _l("Days between turns"),
    "weekly_summary": _l("Weekly summary"),
    "with_warnings": _l("Saved despite conflicts"),
    "confirmed": _l("Marked as confirmed"),
    "contact_changed": _l("Contact details changed"),
    "has_email": _l("Has an email address"),
    "has_phone": _l("Has a phone number"),
    "self_service": _l("By the person themselves"),
    "active": _l("Active"),
    "previous": _l("Before"),
    "starter": _l("Started from"),
    "copied_from": _l("Copied from another format"),
    "source": _l("Came from"),
    "step": _l("Step"),
    "outcome": _l("What happened"),
    "until": _l("Until"),
    "volunteer_id": _l("Volunteer"),
}

# Details whose value is said in words of their own (outreach's outcomes, sources, erasure reasons).
DETAIL_VALUE_LABELS = {
    "outcome": OUTCOME_LABELS,
    "source": SOURCE_LABELS,
    "reason": {
        "do_not_contact": OUTCOME_LABELS["do_not_contact"],
        "retention": _l("kept as long as allowed"),
    },
}
# Details shown only when true: "no" would say nothing (a person just added changed no contact details).
ONLY_WHEN_TRUE = {"contact_changed"}

# Names of fields (in `fields` / `changes` lists) as the forms call them.
FIELD_LABELS = {
    "status": _l("Cancelled or not"),
    "online_only": _l("Online only"),
    "venue_location": _l("Other venue"),
    "venue_address": _l("Other venue's address"),
    "note": _l("Note"),
    "name": _l("Name"),
    "display_name": _l("Name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "consent": _l("Consent"),
    "roles": _l("Roles"),
    "role_ids": _l("Roles"),
    "active": _l("Active"),
    "user_id": _l("Linked account"),
    "timezone": _l("Time zone"),
    "locale": _l("Language"),
    "fellowship": _l("Fellowship"),
    "contact_email": _l("Contact email"),
    "slug": _l("Web address"),
    "listed": _l("Listed publicly"),
    "attendance": _l("In person or online"),
    "location": _l("Place"),
    "address": _l("Address"),
    "conference_url": _l("Conference link"),
    "conference_phone": _l("Conference phone"),
    "types": _l("Meeting types"),
    "private_notes": _l("Private notes"),
    "duration_minutes": _l("Length"),
    "start_time": _l("Start time"),
    "discreet_names": _l("Discreet names"),
}

VALUE_LABELS = {
    "hand": _l("by hand"),
    "link": _l("by the email link"),
    "swap": _l("by a swap"),
    **ROLE_NAMES,
}


def audit_action(action: str) -> str:
    """What happened, in words; an unknown action is made readable rather than shown raw."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    return action.replace(".", " ").replace("_", " ").capitalize()


def _value(value) -> str:
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, str):
        if value in FIELD_LABELS:
            return str(FIELD_LABELS[value])
        if value in VALUE_LABELS:
            return str(VALUE_LABELS[value])
        try:
            return format_date(date.fromisoformat(value), "medium")
        except ValueError:
            return value.replace("_", " ")
    return str(value)


def audit_details(details: dict | None, people: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """(label, value) of an event's details that mean something to a reader: ids, keys and internal
    names are left out, except an account a detail points to, named from `people`
    (`audit.services.people_named`)."""
    lines = []
    for key, value in (details or {}).items():
        label = DETAIL_LABELS.get(key)
        if label is None or value is None or value == [] or value == {}:
            continue
        if key in PERSON_DETAILS:
            if (people or {}).get(value):
                lines.append((str(label), people[value]))
            continue
        if key in ONLY_WHEN_TRUE and value is False:
            continue
        if key in DETAIL_VALUE_LABELS and isinstance(value, str):
            lines.append((str(label), str(DETAIL_VALUE_LABELS[key].get(value, value.replace("_", " ")))))
            continue
        if key == "step" and isinstance(value, int):  # counted from 0 in the event, from 1 on the card
            value = value + 1
        if isinstance(value, dict):
            value = list(value)
        lines.append((str(label), _value(value)))
    return lines


TEMPLATE_FILTERS: dict = {}
TEMPLATE_GLOBALS = {"audit_action": audit_action, "audit_details": audit_details}
