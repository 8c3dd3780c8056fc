"""Form pieces shared by every domain."""

from __future__ import annotations

import functools
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError


@functools.cache
def _zones() -> frozenset[str]:
    """The zone names the system knows: available_timezones() walks the zone files, so once a process."""
    return frozenset(available_timezones())


def timezone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(_zones()) if "/" in z or z == "UTC"]


def valid_timezone(form, field):
    if field.data not in _zones():
        raise ValidationError(_l("Choose a time zone from the list."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: for one-button actions (every domain's)."""
