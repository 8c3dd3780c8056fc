"""How schedules, times and dates read on pages and in mail, in the reader's language.

Times are always shown in the meeting's own zone, with the zone named.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from groupadmin.meetings import types
from groupadmin.meetings.schedule import Rule

ATTENDANCE_LABELS = {
    "in_person": _l("In person"),
    "online": _l("Online"),
    "hybrid": _l("Hybrid (in person and online)"),
}
RECURRENCE_LABELS = {
    "weekly": _l("Every week"),
    "monthly": _l("Once a month (e.g. the business meeting)"),
    "once": _l("Once, on a date"),
    "appointment": _l("By appointment (no fixed day or time)"),
}
MONTH_WEEK_LABELS = {1: _l("First"), 2: _l("Second"), 3: _l("Third"), 4: _l("Fourth"), -1: _l("Last")}
STATUS_LABELS = {"active": _l("Active"), "paused": _l("Paused"), "archived": _l("Archived")}
OCCURRENCE_STATUS_LABELS = {
    "scheduled": _l("Scheduled"),
    "cancelled": _l("Cancelled"),
    "paused": _l("Paused"),
}


def _locale() -> str:
    try:
        return str(get_locale() or "en")
    except RuntimeError:  # outside a request or app context
        return "en"


def day_name(weekday: int, plural: bool = False) -> str:
    """Monday = 0 … Sunday = 6 (Python's weekdays)."""
    return get_day_names("wide", locale=_locale())[weekday]


def weekday_choices() -> list[tuple[int, str]]:
    # Listed from Sunday, as meeting lists usually are.
    return [(d, day_name(d)) for d in (6, 0, 1, 2, 3, 4, 5)]


def format_clock(value: time | datetime) -> str:
    return babel_format_time(value, format="short", locale=_locale())


def format_day(value: date, fmt: str = "full") -> str:
    return babel_format_date(value, format=fmt, locale=_locale())


def zone_label(zone: str) -> str:
    return zone.replace("_", " ")


def zone_abbreviation(zone: str, at: datetime | None = None) -> str:
    """EST/EDT, GMT/BST… (or +03 where a zone has no letters) at an instant."""
    local = (at or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone))
    return local.strftime("%Z")


def local_time_label(instant: datetime, zone: str) -> str:
    """ "7:00 PM EST": a UTC instant in the meeting's zone, the zone's abbreviation named."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_clock(local.time())} {local.strftime('%Z')}"


def describe_rule(rule: Rule, with_zone: bool = True):
    """ "Every Tuesday at 7:00 PM (America/New York)", "First Sunday of the month at 11:00 AM (…)",
    "By appointment"."""
    if rule.recurrence == "appointment":
        return str(_l("By appointment"))
    clock = format_clock(rule.start_time)
    if rule.recurrence == "weekly":
        text = _l("Every %(day)s at %(time)s", day=day_name(rule.weekday), time=clock)
    elif rule.recurrence == "monthly":
        text = _l(
            "%(nth)s %(day)s of the month at %(time)s",
            nth=MONTH_WEEK_LABELS.get(rule.month_week, "?"),
            day=day_name(rule.weekday),
            time=clock,
        )
    else:
        text = _l("Once, on %(date)s at %(time)s", date=format_day(rule.on_date, "long"), time=clock)
    if with_zone:
        return f"{text} ({zone_label(rule.timezone)})"
    return str(text)


def describe_schedule(schedule, with_zone: bool = True) -> str:
    return describe_rule(Rule.of(schedule), with_zone=with_zone) if schedule is not None else ""


def type_name(code: str) -> str:
    return types.name(code, _locale())


def instant_label(instant: datetime, zone: str) -> str:
    """ "21 Nov 2026, 1:00 PM EST": an instant as a date and time in a zone."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_day(local.date(), 'medium')}, {local_time_label(instant, zone)}"


# Registered with every template by groupadmin.templating.
TEMPLATE_FILTERS = {
    "meeting_type": type_name,
    "clock": format_clock,
    "day": format_day,
    "zone_label": zone_label,
    "schedule_text": describe_schedule,
    "rule_text": describe_rule,
    "day_name": day_name,
}
TEMPLATE_GLOBALS = {
    "local_time_label": local_time_label,
    "instant_label": instant_label,
    "ATTENDANCE_LABELS": ATTENDANCE_LABELS,
    "MEETING_STATUS_LABELS": STATUS_LABELS,
    "OCCURRENCE_STATUS_LABELS": OCCURRENCE_STATUS_LABELS,
}
