"""The welcome message (email, only when the person asked for it): the group's coming meetings with
their dates and how to join the online ones, and a selection from the resources directory."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.outreach.models import Newcomer
from groupadmin.resources import services as resources

WELCOME_DAYS = 14


def coming_meetings(group, *, now: datetime) -> list[Occurrence]:
    """The group's listed meetings' dates in the next two weeks (cancelled ones left out): one query."""
    if group is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Occurrence)
            .join(Meeting, Meeting.id == Occurrence.meeting_id)
            .where(
                Meeting.group_id == group.id,
                Meeting.listed.is_(True),
                Meeting.status == "active",
                Occurrence.status == "scheduled",
                Occurrence.ends_at > now,
                Occurrence.starts_at < now + timedelta(days=WELCOME_DAYS),
            )
            .options(sa.orm.contains_eager(Occurrence.meeting))
            .order_by(Occurrence.starts_at)
            .limit(12)
        )
    )


def send_welcome(newcomer: Newcomer, *, now: datetime) -> bool:
    """Enqueue the welcome message once, when the person asked for it and left an address."""
    if not newcomer.wants_welcome or not newcomer.email or newcomer.is_erased:
        return False
    group, organisation = newcomer.group, newcomer.organisation
    message = mail.enqueue(
        key=f"outreach-welcome:{newcomer.id}",
        to=newcomer.email,
        subject=_l("Welcome: the meetings near you"),
        template="outreach/welcome",
        context={
            "first_name": newcomer.name,
            "occurrences": coming_meetings(group, now=now),
            "resources": resources.welcome_selection(organisation.id, group.id if group else None),
            "organisation": organisation,
            "meetings_url": mail.external_url("meetings.public_index", org_slug=organisation.slug),
        },
        now=now,
        group=group,
        locale=newcomer.language,
    )
    if message is not None:
        newcomer.welcome_sent_at = now
    return message is not None
