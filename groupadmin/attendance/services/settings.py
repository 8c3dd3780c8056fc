"""A group's head-count settings: the currency of its collections and whether reminders go out."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import get_currency_name, list_currencies
from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin.attendance.models import AttendanceSettings
from groupadmin.attendance.services.counts import CountError
from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group


def default_currency() -> str:
    return current_app.config["ATTENDANCE_DEFAULT_CURRENCY"]


def settings_for(group: Group) -> AttendanceSettings:
    """The group's settings (an unsaved default row when none was saved)."""
    settings = db.session.get(AttendanceSettings, group.id)
    if settings is None:
        settings = AttendanceSettings(group_id=group.id, currency=default_currency(), reminders=True)
    return settings


def currency_choices(locale: str) -> list[tuple[str, str]]:
    codes = sorted(list_currencies())
    return sorted(
        ((c, f"{get_currency_name(c, locale=locale)} ({c})") for c in codes), key=lambda item: item[1].lower()
    )


def save_settings(group: Group, *, actor, now: datetime, currency: str, reminders: bool) -> list[str]:
    currency = (currency or "").strip().upper()
    if currency not in list_currencies():
        raise CountError(_l("Choose a currency from the list."), field="currency")
    settings = db.session.get(AttendanceSettings, group.id)
    if settings is None:
        settings = AttendanceSettings(group_id=group.id, currency=default_currency(), reminders=True)
        db.session.add(settings)
        changed = ["currency", "reminders"]
    else:
        changed = []
    changed = sorted(
        set(changed)
        | {
            name
            for name, value in (("currency", currency), ("reminders", reminders))
            if getattr(settings, name) != value
        }
    )
    settings.currency, settings.reminders, settings.updated_at = currency, bool(reminders), now
    if changed:
        audit.record(
            now=now,
            actor=actor,
            action="headcount.settings",
            object_type="group",
            group=group,
            fields=changed,
        )
    return changed
