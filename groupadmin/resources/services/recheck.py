"""Keeping the directory true: an entry not checked for longer than the organisation's setting is
"due"; once a month each administrator of an organisation with due entries gets one reminder (how
many, and a link), under an idempotency key per organisation, administrator and month, so a job run
every day (or twice, or by two schedulers) sends it once."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.groups.models import Organisation
from groupadmin.mail import services as mail
from groupadmin.resources.models import DEFAULT_RECHECK_DAYS, Resource, ResourceSettings


def is_due(entry: Resource, *, now: datetime, days: int) -> bool:
    return entry.checked_at < now - timedelta(days=days)


def due_ids(entries: list[Resource], *, now: datetime, days: int) -> set[int]:
    """The ids of those `entries` due for a re-check."""
    return {entry.id for entry in entries if is_due(entry, now=now, days=days)}


def due_counts(*, now: datetime) -> dict[int, int]:
    """Per organisation, how many of its own entries are due for a re-check (organisations with none
    left out). Two queries whatever the number of organisations."""
    settings = dict(
        db.session.execute(sa.select(ResourceSettings.organisation_id, ResourceSettings.recheck_days)).all()
    )
    oldest = now - timedelta(days=DEFAULT_RECHECK_DAYS)
    if settings:
        oldest = max(oldest, now - timedelta(days=min(settings.values())))
    rows = db.session.execute(
        sa.select(Resource.organisation_id, Resource.checked_at).where(
            Resource.group_id.is_(None), Resource.checked_at < oldest
        )
    ).all()
    counts: dict[int, int] = {}
    for organisation_id, checked_at in rows:
        days = settings.get(organisation_id, DEFAULT_RECHECK_DAYS)
        if checked_at < now - timedelta(days=days):
            counts[organisation_id] = counts.get(organisation_id, 0) + 1
    return counts


def send_recheck_reminders(*, now: datetime) -> int:
    """Enqueue this month's reminder to each admin of each organisation with due entries; how many
    were added (0 when this month's went out already)."""
    added = 0
    counts = due_counts(now=now)
    if not counts:
        return 0
    organisations = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(counts))).all()
    for organisation in organisations:
        count = counts[organisation.id]
        url = mail.external_url("resources.org_index", org_slug=organisation.slug, due=1)
        for admin in groups.org_admins(organisation.id):
            message = mail.enqueue(
                key=f"resources-recheck:{organisation.id}:{admin.id}:{now:%Y-%m}",
                to=admin.email,
                subject=_l("Resources to re-check"),
                template="resources/recheck",
                context={"count": count, "organisation_name": organisation.name, "directory_url": url},
                now=now,
                locale=admin.locale,
            )
            added += message is not None
    return added
