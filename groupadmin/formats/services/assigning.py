"""Which format each meeting uses: the assignments over time (a change applies to dates that start
from then on), the meetings using a format, and the overview of the group's formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.formats.models import Format, FormatVersion, MeetingFormat
from groupadmin.formats.services.errors import FormatError
from groupadmin.formats.services.versions import count_archived, group_formats, latest_versions
from groupadmin.groups.models import Group
from groupadmin.meetings import services as meeting_services
from groupadmin.meetings.models import Meeting, Occurrence


def current_assignments(meeting_ids: list[int]) -> dict[int, MeetingFormat]:
    """The assignment in force now (the latest) for each meeting that has one."""
    if not meeting_ids:
        return {}
    result: dict[int, MeetingFormat] = {}
    for row in db.session.scalars(
        sa.select(MeetingFormat)
        .where(MeetingFormat.meeting_id.in_(meeting_ids))
        .order_by(MeetingFormat.since)
    ):
        result[row.meeting_id] = row
    return result


def current_format(meeting: Meeting) -> Format | None:
    """The format the meeting uses now, if any."""
    assignment = current_assignments([meeting.id]).get(meeting.id)
    return assignment.format if assignment is not None and assignment.format_id else None


def group_meetings(group: Group) -> list[Meeting]:
    """The group's meetings that are not archived, with their schedules."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.group_id == group.id, Meeting.status != "archived")
            .options(sa.orm.selectinload(Meeting.schedules))
            .order_by(Meeting.name, Meeting.id)
        )
    )


def meetings_using(fmt: Format) -> list[Meeting]:
    """The group's (not archived) meetings whose current format is `fmt`."""
    meetings = group_meetings(fmt.group)
    current = current_assignments([m.id for m in meetings])
    return [m for m in meetings if m.id in current and current[m.id].format_id == fmt.id]


def meeting_minutes(meeting: Meeting) -> int | None:
    schedule = meeting.latest_schedule
    return schedule.duration_minutes if schedule is not None else None


def assign_format(meeting: Meeting, fmt: Format | None, *, actor, now: datetime) -> bool:
    """The meeting uses `fmt` (None: no format) for dates that start from now on; dates that already
    started keep what they had. Returns False when nothing changed."""
    if fmt is not None and (fmt.group_id != meeting.group_id or fmt.is_archived):
        raise FormatError(_l("Choose one of the group's formats."), field="format_id")
    current = current_assignments([meeting.id]).get(meeting.id)
    if (current.format_id if current else None) == (fmt.id if fmt else None):
        return False
    if current is not None and current.since >= now:
        # Two changes at the same instant (or a clock behind): the later one replaces the earlier.
        current.format_id = fmt.id if fmt else None
        current.set_by_id = getattr(actor, "id", None)
    else:
        db.session.add(
            MeetingFormat(
                meeting_id=meeting.id,
                format_id=fmt.id if fmt else None,
                since=now,
                set_by_id=getattr(actor, "id", None),
            )
        )
    db.session.flush()
    audit.record(
        now=now,
        actor=actor,
        action="meeting.format_assigned",
        obj=meeting,
        group=meeting.group,
        format_id=fmt.id if fmt else None,
    )
    return True


# ---------------------------------------------------------------------------------------------------
# The overview of the group's formats


@dataclass
class Overview:
    formats: list[Format]
    latest: dict[int, FormatVersion]  # format id -> newest saved version
    using: dict[int, list[Meeting]]  # format id -> meetings using it now
    meetings: list[Meeting]
    current: dict[int, MeetingFormat]  # meeting id -> assignment in force
    formats_by_id: dict[int, Format]
    archived_count: int | None  # None when the archived formats are the ones shown
    next_dates: dict[int, Occurrence]  # meeting id -> next date


def _using(meetings: list[Meeting], current: dict[int, MeetingFormat]) -> dict[int, list[Meeting]]:
    using: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        assignment = current.get(meeting.id)
        if assignment is not None and assignment.format_id is not None:
            using.setdefault(assignment.format_id, []).append(meeting)
    return using


def overview(group: Group, *, archived: bool, now: datetime) -> Overview:
    """The group's formats (or its archived ones), their newest versions, and which meeting uses which."""
    formats = group_formats(group, archived=archived)
    latest = latest_versions([f.id for f in formats])
    meetings = group_meetings(group)
    current = current_assignments([m.id for m in meetings])
    return Overview(
        formats=formats,
        latest=latest,
        using=_using(meetings, current),
        meetings=meetings,
        current=current,
        formats_by_id={f.id: f for f in formats},
        archived_count=count_archived(group) if not archived else None,
        next_dates=meeting_services.next_occurrences([m.id for m in meetings], now=now),
    )
