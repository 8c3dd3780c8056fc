"""The Meeting Guide JSON feed (reference/meeting-guide.md): every active, listed, weekly meeting of an
organisation, and those by appointment (without `day` and `time`, as the spec allows: finders list them
"by appointment"), in a fixed number of queries whatever the number of meetings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.meetings.feeds.common import MEETING_COLUMNS, one_line, public
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence
from groupadmin.meetings.schedule import local_today
from groupadmin.meetings.services import current_schedule_join, finder_url

MEETING_GUIDE_DAY = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 0}  # Python weekday → Sunday = 0


def meeting_guide(
    organisation: Organisation, *, now: datetime, base_url: str, fellowship: str | None = None
) -> list[dict]:
    """Every active, listed, weekly meeting of the organisation in the Meeting Guide format."""
    today = local_today(organisation.timezone, now)
    query = (
        sa.select(
            *MEETING_COLUMNS,
            MeetingSchedule.weekday,
            MeetingSchedule.start_time,
            MeetingSchedule.duration_minutes,
            MeetingSchedule.timezone,
        )
        .join(Group, Group.id == Meeting.group_id)
        .join(MeetingSchedule, current_schedule_join(today))
        .where(*public(organisation), MeetingSchedule.recurrence.in_(("weekly", "appointment")))
        .order_by(
            sa.case((MeetingSchedule.weekday.is_(None), 7), else_=MeetingSchedule.weekday),
            MeetingSchedule.start_time,
            Meeting.name,
            Meeting.id,
        )
    )
    if fellowship:
        query = query.where(Group.fellowship == fellowship)
    rows = db.session.connection().execute(query).all()  # Core: no ORM row machinery for 4,000 rows
    # Meetings online only on a date this week carry TC ("location temporarily closed").
    online_this_week = dict(
        db.session.execute(
            sa.select(Occurrence.meeting_id, sa.func.min(Occurrence.local_date))
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                *public(organisation),
                Occurrence.online_only.is_(True),
                Occurrence.status == "scheduled",
                Occurrence.local_date >= today,
                Occurrence.local_date < today + timedelta(days=7),
            )
            .group_by(Occurrence.meeting_id)
        ).all()
    )
    entity = _entity(organisation)
    return [
        _meeting_guide_row(row, online_this_week.get(row.id), entity, base_url, organisation) for row in rows
    ]


def _entity(organisation: Organisation) -> dict:
    entity = {
        "entity": organisation.name,
        "entity_email": organisation.contact_email,
        "entity_phone": organisation.phone,
        "entity_website_url": organisation.website_url,
        "entity_url": organisation.website_url,  # what TSML UI and the TSML plugin read
    }
    if organisation.contact_email:
        entity["feedback_emails"] = [organisation.contact_email]
    return {k: v for k, v in entity.items() if v}


def _meeting_guide_row(row, online_day: date | None, entity: dict, base_url: str, organisation) -> dict:
    """One meeting in the Meeting Guide format; optional fields that do not apply are left out."""
    start = row.start_time
    types = sorted(set(row.types or []))
    updated = row.updated_at
    if updated.tzinfo is not None:
        updated = updated.astimezone(UTC)
    item = {"name": row.name, "slug": row.slug}
    if start is not None:  # by appointment: no day, time or end time
        item |= {"day": MEETING_GUIDE_DAY[row.weekday], "time": f"{start.hour:02d}:{start.minute:02d}"}
    item |= {"timezone": row.timezone, "types": types}
    optional = [
        ("end_time", _end_time(start, row.duration_minutes) if start is not None else None),
        ("notes", row.notes),
        ("region", row.region),
        ("group", row.group_name),
        ("venmo", row.venmo),
        ("square", row.square),
        ("paypal", row.paypal),
        ("homegroup_online", row.homegroup_online),
    ]
    optional += _place_fields(row) + _conference_fields(row, online_day)
    if online_day is not None:
        item["types"] = sorted({*types, "TC"})
        line = f"Online only on {online_day.isoformat()}."
        optional.append(("notes", f"{row.notes}\n{line}" if row.notes else line))
    for key, value in optional:
        if value is not None and value != "":
            item[key] = value
    item["updated"] = f"{updated:%Y-%m-%d %H:%M:%S}"
    item["url"] = f"{base_url}/meetings/{organisation.slug}/{row.slug}"
    item["edit_url"] = f"{base_url}/groups/{row.group_slug}/meetings/{row.id}/edit"
    item.update(entity)
    return item


def _end_time(start, duration_minutes: int) -> str | None:
    """The end as HH:MM, or None for a meeting that ends after midnight: finders read `end_time` on the
    start's day (TSML UI: a 23:00 meeting ending "00:30" ends before it starts, and "24:30" is invalid
    and drops the meeting), so such a meeting leaves it out and finders take their default length."""
    end_minutes = start.hour * 60 + start.minute + duration_minutes
    if end_minutes >= 1440:
        return None
    return f"{end_minutes // 60:02d}:{end_minutes % 60:02d}"


def _place_fields(row) -> list[tuple[str, object]]:
    """Where: an online meeting publishes only an approximate place (no street): its one-line address
    when that is already approximate (under four parts, as finders count), else its city, state and
    country, else its region."""
    if row.attendance == "online":
        place = row.formatted_address if (row.formatted_address or "").count(",") < 3 else None
        place = place or ", ".join(p for p in (row.city, row.state, row.country) if p) or row.region
        return [("formatted_address", place), ("city", row.city), ("approximate", "yes")]
    fields = [
        ("location", row.location),
        ("city", row.city),
        ("location_notes", row.location_notes),
        ("formatted_address", one_line(row)),
        ("approximate", "no"),
    ]
    if row.latitude is not None and row.longitude is not None:
        fields += [("latitude", round(row.latitude, 5)), ("longitude", round(row.longitude, 5))]
    return fields


def _conference_fields(row, online_day: date | None) -> list[tuple[str, object]]:
    """How to join online: for online and hybrid meetings, and in-person ones online only this week."""
    if online_day is None and row.attendance == "in_person":
        return []
    return [
        ("conference_url", finder_url(row.conference_url)),
        ("conference_url_notes", row.conference_url_notes),
        ("conference_phone", row.conference_phone),
        ("conference_phone_notes", row.conference_phone_notes),
    ]
