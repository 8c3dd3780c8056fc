"""The chair's link: signed (purpose "count-link"), bound to one date, valid for a few days. Through it
the chair enters a count without an account, or corrects one entered through a link."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import signing
from groupadmin.attendance.models import HeadCount
from groupadmin.attendance.services.entry import Entry, count_entry
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.meetings.models import Occurrence

PURPOSE = "count-link"


def link_token(occurrence: Occurrence) -> str:
    return signing.sign(
        PURPOSE, {"o": occurrence.id, "m": occurrence.meeting_id, "d": occurrence.local_date.isoformat()}
    )


def link_max_age() -> timedelta:
    return timedelta(days=current_app.config["ATTENDANCE_LINK_DAYS"])


def load_link(token: str, *, now: datetime) -> Occurrence:
    """The occurrence a chair's link stands for, or LinkProblem with a clear message."""
    data = signing.unsign(
        PURPOSE,
        token,
        max_age=link_max_age(),
        expired=_l("This link has expired. The secretary can still enter the count."),
    )
    occurrence = db.session.get(Occurrence, data.get("o"))
    if (
        occurrence is None
        or occurrence.meeting_id != data.get("m")
        or occurrence.local_date.isoformat() != data.get("d")
    ):
        raise LinkProblem(_l("This date is no longer on the meeting's calendar."))
    return occurrence


def link_may_edit(count: HeadCount | None) -> bool:
    """Through the link, the chair enters a count, or corrects one entered through a link; a count
    the secretary entered is shown, not changed."""
    return count is None or count.recorded_via == "link"


def link_entry(token: str, *, now: datetime, locale: str) -> Entry:
    """The form behind a chair's link (LinkProblem when the link cannot be used)."""
    entry = count_entry(load_link(token, now=now), now=now, locale=locale)
    entry.may_edit = link_may_edit(entry.count)
    return entry
