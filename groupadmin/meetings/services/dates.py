"""Per-date changes of one occurrence: cancel or restore, online only this week, another venue, a note."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.meetings.services.hooks import OccurrenceChange, occurrences_changed
from groupadmin.meetings.services.validation import MeetingError


def update_occurrence(
    occurrence: Occurrence,
    *,
    actor,
    now: datetime,
    cancelled: bool,
    online_only: bool,
    venue_location: str | None,
    venue_address: str | None,
    note: str | None,
) -> list[str]:
    """Per-date changes: cancel or restore, online only this week, another venue, a note. Restoring a
    date clears the note it had while cancelled, unless a new note is given at the same time."""
    meeting = occurrence.meeting
    values = occurrence_values(
        occurrence,
        meeting,
        cancelled=cancelled,
        online_only=online_only,
        venue_location=venue_location,
        venue_address=venue_address,
        note=note,
    )
    changed = [key for key, value in values.items() if getattr(occurrence, key) != value]
    if not changed:
        return []
    if "status" in changed:
        kind = "cancelled" if cancelled else "restored"
        occurrences_changed([OccurrenceChange(occurrence, kind)], now=now, actor=actor)
    for key in changed:
        setattr(occurrence, key, values[key])
    occurrence.updated_at = now
    meeting.updated_at = now
    audit.record(
        now=now,
        actor=actor,
        action="occurrence.updated",
        obj=occurrence,
        group=meeting.group,
        meeting_id=meeting.id,
        date=occurrence.local_date.isoformat(),
        fields=changed,
    )
    return changed


def occurrence_values(
    occurrence: Occurrence,
    meeting: Meeting,
    *,
    cancelled: bool,
    online_only: bool,
    venue_location: str | None,
    venue_address: str | None,
    note: str | None,
) -> dict:
    """The date's new values, cleaned; raises MeetingError when they cannot be (pure)."""
    if occurrence.status == "paused":
        raise MeetingError(_l("The meeting is paused: make it active again before changing its dates."))
    venue_location = (venue_location or "").strip() or None
    venue_address = (venue_address or "").strip() or None
    note = (note or "").strip() or None
    if occurrence.status == "cancelled" and not cancelled and note == occurrence.note:
        # Restored: the note shown with the cancellation ("Closed for the holiday") goes with it; a note
        # written anew in the same step is kept.
        note = None
    if online_only and not (meeting.conference_url or meeting.conference_phone):
        raise MeetingError(
            _l("Add a conference link or phone to the meeting first, so people can join online."),
            field="online_only",
        )
    if online_only and (venue_location or venue_address):
        raise MeetingError(
            _l("A date is either online only or at another venue, not both."), field="online_only"
        )
    if venue_location and not venue_address:
        raise MeetingError(_l("Give the other venue's address too."), field="venue_address")
    return {
        "status": "cancelled" if cancelled else "scheduled",
        "online_only": bool(online_only),
        "venue_location": venue_location,
        "venue_address": venue_address,
        "note": note,
    }
