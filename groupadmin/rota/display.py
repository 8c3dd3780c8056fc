"""How rota turns read on pages and in mail: when and where, and the labels of statuses and roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from groupadmin.meetings import display
from groupadmin.meetings.models import Occurrence

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


def rota_when(occurrence: Occurrence, fmt: str = "full") -> str:
    """The date and time in the meeting's zone, e.g. "Tuesday, 1 December 2026, 7:00 PM EST"."""
    day = display.format_day(occurrence.local_date, fmt)
    return f"{day}, {display.local_time_label(occurrence.starts_at, occurrence.timezone)}"


def rota_where(occurrence: Occurrence) -> str | None:
    """Where the meeting is on that date: online, that date's venue, or the meeting's address."""
    meeting = occurrence.meeting
    if occurrence.online_only or meeting.attendance == "online":
        return str(_l("Online"))
    if occurrence.venue_location or occurrence.venue_address:
        return ", ".join(p for p in (occurrence.venue_location, occurrence.venue_address) if p)
    return ", ".join(p for p in (meeting.location, meeting.one_line_address) if p) or None


# Registered with every template by groupadmin.templating.
TEMPLATE_FILTERS: dict = {}
TEMPLATE_GLOBALS = {
    "rota_when": rota_when,
    "rota_where": rota_where,
    "ROTA_STATUS_LABELS": STATUS_LABELS,
    "ROTA_KIND_LABELS": ROLE_KIND_LABELS,
    "ROTA_APPLIES_LABELS": APPLIES_TO_LABELS,
}
