"""What both public feeds share: the published columns of a meeting (plain rows, no ORM objects), which
meetings are public, and the cheap version (one aggregate query) behind ETag and Last-Modified."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import local_today

MEETING_COLUMNS = (
    Meeting.id,
    Meeting.slug,
    Meeting.name,
    Meeting.attendance,
    Meeting.location,
    Meeting.formatted_address,
    Meeting.address,
    Meeting.city,
    Meeting.state,
    Meeting.postal_code,
    Meeting.country,
    Meeting.region,
    Meeting.latitude,
    Meeting.longitude,
    Meeting.location_notes,
    Meeting.conference_url,
    Meeting.conference_url_notes,
    Meeting.conference_phone,
    Meeting.conference_phone_notes,
    Meeting.notes,
    Meeting.types,
    Meeting.venmo,
    Meeting.square,
    Meeting.paypal,
    Meeting.homegroup_online,
    Meeting.updated_at,
    Group.slug.label("group_slug"),
    Group.name.label("group_name"),
    Group.fellowship,
    Group.mail_naming,
    Group.display_name.label("group_display_name"),
)


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime


def feed_version(organisation: Organisation, *, now: datetime, base_url: str, scope: str) -> FeedVersion:
    """A cheap fingerprint of everything a feed of the organisation shows: one aggregate query.

    Every change a feed shows bumps ``Meeting.updated_at`` (meeting, schedule, per-date override, and
    the group's name through the listener in ``models``); the day is part of it because "this week"
    moves on; `scope` names the representation (feed kind and filters).
    """
    count, latest = db.session.execute(
        sa.select(sa.func.count(Meeting.id), sa.func.max(Meeting.updated_at)).where(
            Meeting.organisation_id == organisation.id
        )
    ).one()
    latest = aware(latest) or organisation.created_at
    today = local_today(organisation.timezone, now)
    fingerprint = repr(
        (
            scope,
            count,
            latest.isoformat(),
            today.isoformat(),
            base_url,
            organisation.slug,
            organisation.name,
            organisation.contact_email,
            organisation.website_url,
            organisation.phone,
            organisation.timezone,
        )
    )
    return FeedVersion(
        etag=hashlib.sha256(fingerprint.encode()).hexdigest()[:32],
        last_modified=max(latest, datetime.combine(today, time(), tzinfo=UTC) - timedelta(days=1)).replace(
            microsecond=0
        ),
    )


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns aggregate results untyped
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def public(organisation: Organisation):
    """The conditions of a meeting the public feeds show: active and listed, of the organisation."""
    return (
        Meeting.organisation_id == organisation.id,
        Meeting.status == "active",
        Meeting.listed.is_(True),
    )


def one_line(row) -> str | None:
    """A meeting's address on one line: the one given, or its parts joined."""
    if row.formatted_address:
        return row.formatted_address
    parts = [row.address, row.city, " ".join(p for p in (row.state, row.postal_code) if p), row.country]
    return ", ".join(p for p in parts if p) or None
