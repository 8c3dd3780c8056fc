"""Changing the directory: save an entry (checked and refused with messages beside the fields), mark it
checked, delete it; an organisation's re-check setting. The change log records ids and kinds only."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.resources.models import (
    DEFAULT_RECHECK_DAYS,
    KINDS,
    MAX_RECHECK_DAYS,
    MIN_RECHECK_DAYS,
    Resource,
    ResourceSettings,
)
from groupadmin.resources.services.directory import is_group, scope_of

FIELDS = ("name", "kind", "phone", "url", "address", "hours", "is_24_7", "languages", "cost", "note")
LIMITS = {
    "name": 120,
    "phone": 40,
    "url": 500,
    "address": 300,
    "hours": 200,
    "languages": 120,
    "cost": 120,
    "note": 500,
}
# A scheme ("https:", "javascript:"), not a host and port ("example.org:8080").
SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:(?![0-9])", re.IGNORECASE)
PHONE = re.compile(r"\+?[0-9][0-9 ().\-/]*(?:\s*(?:ext\.?|x)\s*[0-9]+)?", re.IGNORECASE)


class ResourceError(UserError):
    """A directory entry or setting refused."""


def _clean(values: dict) -> dict:
    cleaned = {}
    for name in FIELDS:
        value = values.get(name)
        if isinstance(value, str):
            value = " ".join(value.split()) if name != "note" else value.strip()
            value = value or None
        cleaned[name] = value
    cleaned["is_24_7"] = bool(cleaned["is_24_7"])
    return cleaned


def check(values: dict) -> dict:
    """The values of an entry, cleaned; ResourceError naming each field that is wrong."""
    values = _clean(values)
    problems = {}
    if not values["name"]:
        problems["name"] = _l("Give the name people will look for.")
    if values["kind"] not in KINDS:
        problems["kind"] = _l("Choose a kind from the list.")
    if values["url"] and not SCHEME.match(values["url"]):
        values["url"] = "https://" + values["url"].lstrip("/")  # "www.example.org" is completed
    for name, limit in LIMITS.items():
        if values[name] and len(values[name]) > limit:
            problems[name] = _l("Keep this under %(n)d characters.", n=limit)
    if values["url"] and "url" not in problems:
        parts = urlsplit(values["url"])
        if parts.scheme.lower() not in ("http", "https") or "." not in (parts.hostname or ""):
            problems["url"] = _l("Give a web address starting with https:// (or http://).")
        else:
            values["url"] = parts._replace(scheme=parts.scheme.lower()).geturl()
    if values["phone"] and "phone" not in problems and not PHONE.fullmatch(values["phone"]):
        problems["phone"] = _l("Give a phone number with digits only, spaces, brackets or dashes.")
    if not (values["phone"] or values["url"] or values["address"]) and not problems:
        problems["phone"] = _l("Give at least a phone number, a web address or an address.")
    if problems:
        raise ResourceError.of(problems)
    return values


def save_entry(owner, entry: Resource | None, values: dict, *, now: datetime, actor) -> Resource:
    """Create (entry None) or change one of the owner's entries. A new entry counts as checked now, by
    the person who typed it."""
    values = check(values)
    organisation_id, group_id = scope_of(owner)
    created = entry is None
    if created:
        entry = Resource(organisation_id=organisation_id, group_id=group_id, created_at=now)
        entry.checked_at, entry.checked_by_id = now, getattr(actor, "id", None)
        db.session.add(entry)
    for name, value in values.items():
        setattr(entry, name, value)
    db.session.flush()
    _record(owner, entry, "resource.created" if created else "resource.changed", now=now, actor=actor)
    return entry


def mark_checked(owner, entry: Resource, *, now: datetime, actor) -> None:
    """The entry was checked (still right) now, by `actor`."""
    entry.checked_at, entry.checked_by_id = now, getattr(actor, "id", None)
    _record(owner, entry, "resource.checked", now=now, actor=actor)


def delete_entry(owner, entry: Resource, *, now: datetime, actor) -> None:
    _record(owner, entry, "resource.deleted", now=now, actor=actor)
    db.session.delete(entry)


def _record(owner, entry: Resource, action: str, *, now: datetime, actor) -> None:
    scope = {"group": owner} if is_group(owner) else {"organisation": owner}
    audit.record(now=now, actor=actor, action=action, obj=entry, kind=entry.kind, **scope)


# ---------------------------------------------------------------------------------------------------
# The organisation's setting


def recheck_days(organisation_id: int) -> int:
    days = db.session.scalar(
        sa.select(ResourceSettings.recheck_days).where(ResourceSettings.organisation_id == organisation_id)
    )
    return days or DEFAULT_RECHECK_DAYS


def save_recheck_days(organisation, days, *, now: datetime, actor) -> None:
    if not isinstance(days, int) or not MIN_RECHECK_DAYS <= days <= MAX_RECHECK_DAYS:
        raise ResourceError(
            _l(
                "Give a number of days from %(low)d to %(high)d.", low=MIN_RECHECK_DAYS, high=MAX_RECHECK_DAYS
            ),
            field="recheck_days",
        )
    settings = db.session.scalar(
        sa.select(ResourceSettings).where(ResourceSettings.organisation_id == organisation.id)
    )
    if settings is None:
        settings = ResourceSettings(organisation_id=organisation.id)
        db.session.add(settings)
    settings.recheck_days = days
    audit.record(
        now=now,
        actor=actor,
        action="resource.settings",
        object_type="resource_settings",
        organisation=organisation,
        recheck_days=days,
    )
