"""What the meetings views share: the meeting in the URL, how far ahead dates are kept, the notices
after saving a meeting."""

from __future__ import annotations

from flask import abort, current_app, flash
from flask_babel import gettext as _

from groupadmin.groups.models import Organisation
from groupadmin.meetings import display, services
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import Rule
from groupadmin.web import get_or_404


def weeks() -> int:
    return current_app.config["OCCURRENCE_WEEKS_AHEAD"]


def meeting_of(group, meeting_id) -> Meeting:
    return get_or_404(Meeting, meeting_id, group_id=group.id)


def organisation_or_404(org_slug: str) -> Organisation:
    organisation = services.organisation_by_slug(org_slug)
    if organisation is None:
        abort(404)
    return organisation


def warn_listing(meeting: Meeting) -> None:
    """Say what would make meeting finders show the saved meeting poorly (unknown provider, no place)."""
    values = {key: getattr(meeting, key) for key in ("attendance", "conference_url", "city", "region")}
    for message in services.listing_warnings(values):
        flash(str(message), "warning")


def warn_shifted_dates(rule: Rule, now) -> None:
    """Say when a weekly or monthly meeting's time falls in a daylight-saving gap on a coming date."""
    shifted = services.shifted_dates(rule, now=now)
    if shifted:
        day, start = shifted[0]
        flash(
            _(
                "On %(date)s the clocks go forward over %(time)s in %(zone)s, so that day the meeting "
                "starts at %(actual)s (as calendar apps show it). Change that date if the group meets "
                "at another time.",
                date=display.format_day(day, "long"),
                time=display.format_clock(rule.start_time),
                zone=display.zone_label(rule.timezone),
                actual=display.format_clock(start.time()),
            ),
            "warning",
        )
