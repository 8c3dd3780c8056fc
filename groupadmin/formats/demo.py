"""Demo data for formats: each demo meeting gets its own format, started from a starter, with a few
saved versions over the past weeks (so the history and its differences have something to show).
Idempotent: a meeting that already has a format is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.formats import services
from groupadmin.formats.models import Format, MeetingFormat
from groupadmin.meetings.models import Meeting


def _starter_for(meeting: Meeting, index: int) -> str:
    schedule = meeting.latest_schedule
    if schedule is not None and schedule.recurrence == "monthly":
        return "business"
    return ("open", "speaker", "step")[index % 3]


def seed_formats(*, now: datetime, actor=None, group_ids: list[int] | None = None) -> int:
    """Give every meeting of the given groups (default: every group) without a format one of its own.
    Returns how many formats were made."""
    query = sa.select(Meeting).where(Meeting.status != "archived").order_by(Meeting.group_id, Meeting.id)
    if group_ids is not None:
        query = query.where(Meeting.group_id.in_(group_ids))
    meetings = list(db.session.scalars(query.options(sa.orm.selectinload(Meeting.schedules))))
    assigned = (
        set(
            db.session.scalars(
                sa.select(MeetingFormat.meeting_id).where(
                    MeetingFormat.meeting_id.in_([m.id for m in meetings])
                )
            )
        )
        if meetings
        else set()
    )
    made = 0
    index_in_group: dict[int, int] = {}
    for meeting in meetings:
        position = index_in_group.get(meeting.group_id, 0)
        index_in_group[meeting.group_id] = position + 1
        if meeting.id in assigned:
            continue
        name = f"{meeting.name} format"
        if db.session.scalar(
            sa.select(Format.id).where(Format.group_id == meeting.group_id, Format.name == name)
        ):
            continue
        _seed_one(meeting, _starter_for(meeting, position), name, now=now, actor=actor)
        made += 1
    return made


def _seed_one(meeting: Meeting, starter: str, name: str, *, now: datetime, actor) -> Format:
    first = now - timedelta(days=70)
    fmt = services.create_format(
        meeting.group,
        actor=actor,
        now=first,
        name=name,
        starter=starter,
        description="The format the group agreed at its business meeting.",
    )
    services.assign_format(meeting, fmt, actor=actor, now=first)
    sections = services.latest_version(fmt).sections

    # Version 2: the group asked for a clearer welcome for newcomers.
    second = now - timedelta(days=30)
    welcome = next((s for s in sections if s.kind == "opening"), sections[0])
    values = services.section_values(welcome)
    values["body"] = values["body"] + "\n\nIf this is your first meeting, you are in the right place."
    services.edit_section(fmt, welcome.key, actor=actor, now=second, values=values)
    services.save_version(fmt, actor=actor, now=second, note="A line for newcomers in the welcome.")

    # Version 3: announcements before the 7th Tradition, and a reminder to tidy up.
    third = now - timedelta(days=6)
    draft = services.ensure_draft(fmt, actor=actor, now=third)
    announcements = next((s for s in draft.sections if s.title == "Announcements"), None)
    if announcements is not None:
        services.move_section(fmt, announcements.key, "up", actor=actor, now=third)
    services.add_section(
        fmt,
        actor=actor,
        now=third,
        place="end",
        values={
            "kind": "custom",
            "title": "Tidy up",
            "body": "Chairs stacked, cups washed, lights off.",
            "duration_minutes": 0,
            "led_by": "Everyone",
        },
    )
    services.save_version(fmt, actor=actor, now=third, note="Announcements first; tidy-up reminder.")
    return fmt
