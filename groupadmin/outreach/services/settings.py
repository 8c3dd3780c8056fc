"""A group's (or an organisation's) outreach settings: the follow-up plan, how long personal fields are
kept, and the consent wording of the public form (its version grows when it changes)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.outreach.models import DEFAULT_PLAN, OutreachSettings

DEFAULT_WORDING = _l(
    "I agree that a volunteer may contact me the ways I ticked, and that my name and contact details "
    "are kept only until the follow-up calls are over (then erased)."
)
MAX_STEPS = 8
MAX_DAY = 365


class SettingsError(UserError):
    """Settings that cannot be saved as typed."""


def is_group(owner) -> bool:
    return isinstance(owner, Group)


def settings_for(owner) -> OutreachSettings:
    """The owner's settings (a group or an organisation), the defaults when none were saved (not added
    to the session: reading a page stores nothing)."""
    column = OutreachSettings.group_id if is_group(owner) else OutreachSettings.organisation_id
    found = db.session.scalar(sa.select(OutreachSettings).where(column == owner.id))
    if found is not None:
        return found
    return OutreachSettings(
        plan=DEFAULT_PLAN, retention_days=90, consent_wording=str(DEFAULT_WORDING), consent_version=1
    )


def parse_plan(text: str) -> str:
    """ "0, 7, 30" or "0 7 30" → "0,7,30": whole days from 0 to 365, ascending, at most eight;
    SettingsError else."""
    parts = [part for part in re.split(r"[\s,;]+", text or "") if part]
    if not parts or not all(p.isdigit() and len(p) <= 3 for p in parts):
        raise SettingsError(
            _l("Write whole days after the request, separated by commas or spaces, like 0, 7, 30."),
            field="plan",
        )
    if len(parts) > MAX_STEPS:
        raise SettingsError(
            _l("A plan has %(max)s steps at most: you wrote %(count)s.", max=MAX_STEPS, count=len(parts)),
            field="plan",
        )
    days = [int(p) for p in parts]
    if days != sorted(set(days)) or days[-1] > MAX_DAY:
        raise SettingsError(
            _l("Each day must come after the one before, and the last within a year."), field="plan"
        )
    return ",".join(str(d) for d in days)


def save_settings(owner, *, plan: str, retention_days: int, consent_wording: str, now: datetime):
    """Save the owner's settings; the consent wording's version grows when its text changes."""
    settings = settings_for(owner)
    settings.plan = parse_plan(plan)
    if not 7 <= retention_days <= 730:
        raise SettingsError(_l("Between 7 and 730 days."), field="retention_days")
    settings.retention_days = retention_days
    wording = " ".join((consent_wording or "").split())
    if not wording:
        raise SettingsError(_l("Write what people agree to."), field="consent_wording")
    if settings.id is not None and wording != settings.consent_wording:
        settings.consent_version += 1
    settings.consent_wording = wording
    settings.updated_at = now
    if settings.id is None:
        if is_group(owner):
            settings.group_id = owner.id
        else:
            settings.organisation_id = owner.id
        db.session.add(settings)
    return settings


def plan_dates(start: date, days: list[int]) -> list[date]:
    """The plan's due dates from the request's local date: dates, not instants, so a change of
    daylight-saving time in between moves nothing."""
    return [start + timedelta(days=day) for day in days]
