"""What hangs off an occurrence: the meetings domain asks before it cancels, pauses, moves or removes
dates (registered explicitly in groupadmin.create_app)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.meetings import services as meeting_services


def keep_counted_dates(changes, *, now: datetime, actor) -> None:
    """A date with a head count took place: cancelling it is refused until its count is removed, so a
    count is never silently lost nor left on a date that "did not happen". (Pausing, moving and
    removing only touch dates that have not started, which have no count.)"""
    ids = [c.occurrence.id for c in changes if c.kind in ("cancelled", "paused", "removed", "moved")]
    if not ids:
        return
    counted = db.session.scalar(
        sa.select(sa.func.count()).select_from(HeadCount).where(HeadCount.occurrence_id.in_(ids))
    )
    if counted:
        raise meeting_services.MeetingError(
            _l("This date has a head count, so it took place. Remove its count first if it really did not."),
            field="cancelled",
        )
