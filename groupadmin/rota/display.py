"""How rota turns read on pages and in mail: when and where, and the labels of statuses and roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from groupadmin.meetings import display
from groupadmin.meetings.models import Occurrence
from groupadmin.rota import services


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
    "ROTA_STATUS_LABELS": services.STATUS_LABELS,
    "ROTA_KIND_LABELS": services.ROLE_KIND_LABELS,
    "ROTA_APPLIES_LABELS": services.APPLIES_TO_LABELS,
}
