"""Meetings, their schedules over time, and dated occurrences.

- ``Meeting``: what the listing says (name, place, conference details, types...) and what only the group
  sees (private notes). Its slug is unique per organisation and never changes with the name.
- ``MeetingSchedule``: when it meets (weekly, monthly on the nth or last weekday, once, or by appointment:
  no day or time, so no dates), at what local time, for how long, in which IANA zone, **from a date on**.
  A schedule change adds a row taking effect from the chosen date, so the dates before it keep the
  schedule they had.
- ``Occurrence``: one dated instance (unique per meeting and local date) with its UTC start and end, its
  status, and the per-date overrides (online only this week, another venue, a note). Later domains hang
  their rows off it (format used on the date, rota assignments, the head count); when an occurrence is
  cancelled, moved or removed, ``services.occurrences_changed`` is the one hook that tells them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db
from groupadmin.groups.models import Group

MEETING_STATUSES = ("active", "paused", "archived")
ATTENDANCE = ("in_person", "online", "hybrid")
# "appointment": no fixed day or time (the spec's "by appointment"): no dates, no calendar events.
RECURRENCES = ("weekly", "monthly", "once", "appointment")
OCCURRENCE_STATUSES = ("scheduled", "cancelled", "paused")
MONTH_WEEKS = (1, 2, 3, 4, -1)  # first … fourth, last


class Meeting(IdMixin, db.Model):
    __tablename__ = "meeting"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "slug"),
        choice_check("status", MEETING_STATUSES),
        choice_check("attendance", ATTENDANCE),
        sa.CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude_range"),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude_range"
        ),
        sa.Index("ix_meeting_organisation_status", "organisation_id", "status", "listed"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    # Kept exactly as an imported feed wrote it (finder apps key favourites on it): the spec asks for 64
    # characters at most, but real feeds (WordPress, percent-encoded) have longer ones.
    slug: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    listed: Mapped[bool] = mapped_column(default=True)
    attendance: Mapped[str] = mapped_column(sa.String(20), default="in_person")

    # Where: a building name, and a one-line address or its parts.
    location: Mapped[str | None] = mapped_column(sa.String(255))
    formatted_address: Mapped[str | None] = mapped_column(sa.String(500))
    address: Mapped[str | None] = mapped_column(sa.String(255))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str | None] = mapped_column(sa.String(120))
    postal_code: Mapped[str | None] = mapped_column(sa.String(20))
    country: Mapped[str | None] = mapped_column(sa.String(80))
    region: Mapped[str | None] = mapped_column(sa.String(120))
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    location_notes: Mapped[str | None] = mapped_column(sa.Text)

    conference_url: Mapped[str | None] = mapped_column(sa.String(500))
    conference_url_notes: Mapped[str | None] = mapped_column(sa.Text)
    conference_phone: Mapped[str | None] = mapped_column(sa.String(60))
    conference_phone_notes: Mapped[str | None] = mapped_column(sa.Text)

    notes: Mapped[str | None] = mapped_column(sa.Text)  # public, for this meeting
    private_notes: Mapped[str | None] = mapped_column(sa.Text)  # never published
    types: Mapped[list] = mapped_column(sa.JSON, default=list)

    # 7th Tradition handles, as the Meeting Guide spec writes them.
    venmo: Mapped[str | None] = mapped_column(sa.String(100))
    square: Mapped[str | None] = mapped_column(sa.String(100))
    paypal: Mapped[str | None] = mapped_column(sa.String(100))
    homegroup_online: Mapped[str | None] = mapped_column(sa.String(100))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every change a feed shows (the meeting, its schedule, an override of one of its dates):
    # the feeds' Last-Modified and ETag come from it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group = relationship("Group")
    organisation = relationship("Organisation")
    schedules = relationship(
        "MeetingSchedule",
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingSchedule.effective_from",
        passive_deletes=True,
    )

    def schedule_on(self, day: date) -> MeetingSchedule | None:
        """The schedule in force on a local date (the first one for dates before it)."""
        chosen = None
        for schedule in self.schedules:
            if schedule.effective_from <= day or chosen is None:
                chosen = schedule
            else:
                break
        return chosen

    @property
    def latest_schedule(self) -> MeetingSchedule | None:
        return self.schedules[-1] if self.schedules else None

    def pending_schedule(self, today: date) -> MeetingSchedule | None:
        """A schedule change that takes effect after `today`, if one is planned."""
        latest = self.latest_schedule
        if latest is not None and latest.effective_from > today and len(self.schedules) > 1:
            return latest
        return None

    @property
    def one_line_address(self) -> str | None:
        if self.formatted_address:
            return self.formatted_address
        parts = [
            self.address,
            self.city,
            " ".join(p for p in (self.state, self.postal_code) if p),
            self.country,
        ]
        line = ", ".join(p for p in parts if p)
        return line or None

    @property
    def approximate_place(self) -> str | None:
        """City-level place for an online meeting (no street address is published)."""
        parts = [self.city, self.state, self.country]
        line = ", ".join(p for p in parts if p)
        return line or self.region or None

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.slug}>"


class MeetingSchedule(IdMixin, db.Model):
    """When a meeting meets, from `effective_from` (a local date) until the next schedule's date."""

    __tablename__ = "meeting_schedule"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "effective_from"),
        choice_check("recurrence", RECURRENCES),
        sa.CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday_range"),
        sa.CheckConstraint("month_week IS NULL OR month_week IN (1, 2, 3, 4, -1)", name="month_week_choice"),
        sa.CheckConstraint("duration_minutes >= 5 AND duration_minutes <= 720", name="duration_range"),
        sa.CheckConstraint(
            "(recurrence = 'weekly' AND weekday IS NOT NULL)"
            " OR (recurrence = 'monthly' AND weekday IS NOT NULL AND month_week IS NOT NULL)"
            " OR (recurrence = 'once' AND on_date IS NOT NULL)"
            " OR (recurrence = 'appointment' AND weekday IS NULL AND on_date IS NULL)",
            name="recurrence_fields",
        ),
        sa.CheckConstraint("recurrence = 'appointment' OR start_time IS NOT NULL", name="start_time_given"),
    )

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    recurrence: Mapped[str] = mapped_column(sa.String(12), default="weekly")
    weekday: Mapped[int | None] = mapped_column(sa.SmallInteger)  # Monday = 0 … Sunday = 6 (Python's)
    month_week: Mapped[int | None] = mapped_column(sa.SmallInteger)  # 1–4, or -1 for the last
    on_date: Mapped[date | None] = mapped_column(sa.Date)
    start_time: Mapped[time | None] = mapped_column(sa.Time)  # None only by appointment
    duration_minutes: Mapped[int] = mapped_column(sa.SmallInteger, default=60)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting", back_populates="schedules")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def end_time(self) -> time:
        return (
            datetime.combine(date(2000, 1, 1), self.start_time) + timedelta(minutes=self.duration_minutes)
        ).time()

    def starts_at(self, day: date) -> datetime:
        """The UTC instant of the local start time on `day` (wall-clock time kept across DST)."""
        return datetime.combine(day, self.start_time, tzinfo=self.zone).astimezone(UTC)

    def same_rule(self, other: MeetingSchedule) -> bool:
        return self.rule() == other.rule()

    def rule(self) -> tuple:
        return (
            self.recurrence,
            self.weekday,
            self.month_week,
            self.on_date,
            self.start_time,
            self.duration_minutes,
            self.timezone,
        )


class Occurrence(IdMixin, db.Model):
    """One dated instance of a meeting. Unique per meeting and local date."""

    __tablename__ = "occurrence"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "local_date"),
        choice_check("status", OCCURRENCE_STATUSES),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_occurrence_starts_at", "starts_at"),
    )

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(sa.Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64))  # the schedule's zone on that date
    # scheduled; cancelled (by the secretary, for this date); paused (the whole meeting is paused).
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    online_only: Mapped[bool] = mapped_column(default=False)
    venue_location: Mapped[str | None] = mapped_column(sa.String(255))
    venue_address: Mapped[str | None] = mapped_column(sa.String(500))
    note: Mapped[str | None] = mapped_column(sa.String(500))  # public: "Closed for the holiday"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting")

    @property
    def is_cancelled(self) -> bool:
        return self.status != "scheduled"

    @property
    def has_overrides(self) -> bool:
        return bool(
            self.status == "cancelled"
            or self.online_only
            or self.venue_location
            or self.venue_address
            or self.note
        )

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(ZoneInfo(self.timezone))

    def __repr__(self) -> str:
        return f"<Occurrence {self.meeting_id} {self.local_date}>"


# A group's name, address or naming choice shows in the feeds: bump its meetings' `updated_at` so the
# feeds' ETag and Last-Modified change with it (the groups domain need not know about feeds).
_GROUP_FIELDS_IN_FEEDS = ("name", "slug", "fellowship", "display_name", "mail_naming")


@sa.event.listens_for(Group, "after_update")
def _group_changed(mapper, connection, target) -> None:
    state = sa.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _GROUP_FIELDS_IN_FEEDS):
        connection.execute(
            sa.update(Meeting.__table__)
            .where(Meeting.__table__.c.group_id == target.id)
            .values(updated_at=utcnow())
        )
