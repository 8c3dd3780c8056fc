"""How outreach reads on pages: labels of outcomes, sources and channels, and the URL of an outreach
page whoever owns it (a group or an organisation)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from groupadmin.groups.models import Group
from groupadmin.meetings.display import format_day
from groupadmin.permissions import can

OUTCOME_LABELS = {
    # One person's outcome ("Contactado/a"), apart from the reports' count of people reached.
    "reached": lazy_pgettext("outcome", "Reached"),
    "left_message": _l("Left a message"),
    "no_answer": _l("No answer"),
    "wrong_number": _l("Wrong number"),
    "declined": _l("Declined"),
    "do_not_contact": _l("Asked not to be contacted"),
}
SOURCE_LABELS = {
    "group_page": _l("the group's page"),
    "org_page": _l("the organisation's page"),
    "in_person": _l("met in person"),
}
CHANNEL_LABELS = {"call": _l("Call"), "text": _l("Text"), "email": _l("Email")}
CONSENT_VIA_LABELS = {"web_form": _l("on the web form"), "in_person": _l("in person")}


def outreach_url(owner, endpoint: str, **values) -> str:
    """The URL of an outreach page (`endpoint` without its prefix) of a group or an organisation."""
    if isinstance(owner, Group):
        return url_for(f"outreach.group_{endpoint}", group_slug=owner.slug, **values)
    return url_for(f"outreach.org_{endpoint}", org_slug=owner.slug, **values)


def may_change_settings(owner) -> bool:
    """The outreach settings: a group's secretaries, an organisation's admins."""
    return can("group.secretary", owner) if isinstance(owner, Group) else can("org.admin", owner)


def newcomer_owner(newcomer):
    return newcomer.group or newcomer.organisation


def newcomer_label(newcomer) -> str:
    """How a card is titled: the name given, or a number once erased or when none was given."""
    if newcomer.name:
        return newcomer.name
    return str(_l("Request %(number)s", number=newcomer.id))


def local_date(moment, newcomer):
    """An instant as the local date of the newcomer's group (or organisation)."""
    return moment.astimezone(ZoneInfo(newcomer.zone)).date()


def local_day(moment, newcomer) -> str:
    """An instant as the local date of the newcomer's group (or organisation), in the reader's words
    ("6 Dec 2026")."""
    return format_day(local_date(moment, newcomer), "medium") if moment else ""


def day(value) -> str:
    """A date (a step's due date) as the rest of the app shows it: "6 Dec 2026"."""
    return format_day(value, "medium") if value else ""


TEMPLATE_FILTERS = {"newcomer_label": newcomer_label}
TEMPLATE_GLOBALS = {
    "outreach_url": outreach_url,
    "outreach_local_day": local_day,
    "outreach_day": day,
    "outreach_local_date": local_date,
    "outreach_may_change_settings": may_change_settings,
    "newcomer_owner": newcomer_owner,
    "OUTCOME_LABELS": OUTCOME_LABELS,
    "SOURCE_LABELS": SOURCE_LABELS,
    "CHANNEL_LABELS": CHANNEL_LABELS,
    "CONSENT_VIA_LABELS": CONSENT_VIA_LABELS,
}
