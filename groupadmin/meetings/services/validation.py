"""What a meeting's values must be: checks shared by the meeting form and the import (pure functions
returning {field: message}), and the cleaning of values before they are saved."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from groupadmin.database import known_zones
from groupadmin.errors import UserError
from groupadmin.meetings import types as meeting_types
from groupadmin.meetings.models import ATTENDANCE
from groupadmin.meetings.schedule import Rule, gap_dates, local_today


class MeetingError(UserError):
    """A user-facing refusal about a meeting: str(error) is a translated message; `problems` maps fields
    to messages (so a form can show each one beside its field)."""


# Columns of Meeting that the form and the import set (the schedule is separate: a Rule).
MEETING_FIELDS = (
    "name",
    "listed",
    "attendance",
    "location",
    "formatted_address",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "region",
    "latitude",
    "longitude",
    "location_notes",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "notes",
    "private_notes",
    "types",
    "venmo",
    "square",
    "paypal",
    "homegroup_online",
)
ADDRESS_FIELDS = ("location", "formatted_address", "address", "city", "state", "postal_code", "country")
# A change of any of these on a listed meeting is audited and mailed to the group's other secretaries
# and the organisation's admins (a hijacked account swapping a Zoom link must not go unnoticed).
WATCHED_FIELDS = (*ADDRESS_FIELDS, "conference_url", "conference_phone")

# Hosts that meeting finders (TSML UI) recognise as conference providers; others show as inactive.
KNOWN_CONFERENCE_HOSTS = (
    "bluejeans.com",
    "discord.gg",
    "freeconference.com",
    "freeconferencecall.com",
    "goto.com",
    "gotomeet.me",
    "gotomeeting.com",
    "horizon.meta.com",
    "maps.secondlife.com",
    "meet.google.com",
    "meet.jit.si",
    "meetings.dialpad.com",
    "signal.group",
    "skype.com",
    "slurl.com",
    "teams.live.com",
    "teams.microsoft.com",
    "vrchat.com",
    "webex.com",
    "zoho.com",
    "zoom.us",
)
PHONE_CLEAN = re.compile(r"[\s\-().]")
# What meeting finders keep of a dial-in sequence: TSML UI removes every character but digits, "+",
# "," and "#" (so a "*" silently goes, and the sequence dials other digits), then hides a number of
# fewer than 10 characters.
PHONE_OK = re.compile(r"^\+?[0-9][0-9,#]*$")
PHONE_MIN_DIGITS = 10
# 7th Tradition handles as finders link them (venmo.com/<handle>, cash.app/<cashtag>,
# paypal.com/paypalme/<name>): TSML UI drops a PayPal name that is not 1-20 letters or digits.
VENMO_OK = re.compile(r"@[A-Za-z0-9_\-]{1,30}")
SQUARE_OK = re.compile(r"\$(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{1,20}")
PAYPAL_OK = re.compile(r"[A-Za-z0-9]{1,20}")
# A payment link given whole: its handle is the last part of the path.
PAYMENT_LINKS = {
    "venmo": (re.compile(r"(?:https?://)?(?:www\.|account\.)?venmo\.com/(?:u/)?@?([^/?#\s]+)/?", re.I), "@"),
    "square": (re.compile(r"(?:https?://)?(?:www\.)?cash\.app/\$?([^/?#\s]+)/?", re.I), "$"),
    "paypal": (
        re.compile(r"(?:https?://)?(?:www\.)?paypal\.(?:me|com/paypalme)/([^/?#\s]+)/?", re.I),
        "",
    ),
}


def normalise_phone(value: str | None) -> str | None:
    if not value:
        return None
    return PHONE_CLEAN.sub("", value.strip()) or None


def payment_handle(field: str, value: str | None) -> str | None:
    """A Venmo, Cash App or PayPal.me handle from what was given: the handle itself, or its whole link
    (https://venmo.com/u/Name → @Name, https://cash.app/$Name → $Name, https://paypal.me/Name → Name)."""
    if not value:
        return value
    pattern, prefix = PAYMENT_LINKS[field]
    match = pattern.fullmatch(value.strip())
    return prefix + match.group(1) if match else value


def finder_url(url: str | None) -> str | None:
    """A conference link as meeting finders recognise it: they compare the host with their providers'
    domains case-sensitively, so the scheme and host are written in lower case (the path, which may hold
    a case-sensitive meeting code, is kept)."""
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def conference_host_is_known(url: str | None) -> bool:
    if not url:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == known or host.endswith("." + known) for known in KNOWN_CONFERENCE_HOSTS)


def listing_warnings(values: dict) -> list[str]:
    """What would make meeting finders show a meeting poorly, though it may be saved: messages to show
    after saving (and in an import's preview)."""
    attendance = values.get("attendance") or "in_person"
    warnings = []
    url = values.get("conference_url") or ""
    if urlsplit(url).scheme.lower() == "http":
        warnings.append(
            _l(
                "The conference link starts with http://, not https://: it is kept as given, but browsers "
                "may warn people who open it. Check whether the provider gives an https:// link."
            )
        )
    if attendance != "in_person" and not conference_host_is_known(values.get("conference_url")):
        warnings.append(
            _l(
                "Meeting finders may show this meeting as inactive: its conference link is not on a "
                "provider they "
                "recognise (Zoom, Google Meet, Jitsi, Teams, Webex…). Add a dial-in phone, or check the link."
            )
        )
    if attendance == "online" and not (values.get("city") or values.get("region")):
        warnings.append(
            _l(
                "Meeting finders leave out an online meeting without a place: give a city or a region "
                "(no street is published) so people nearby find it."
            )
        )
    return warnings


def listing_problems(values: dict, rule: Rule | None = None) -> dict[str, str]:
    """What is wrong with a meeting's values, as {field: message}; empty when all is well.

    `values` uses Meeting's column names; `rule` is the schedule (checked when given).
    """
    attendance = values.get("attendance") or "in_person"
    problems: dict[str, str] = {
        **_name_problems(values),
        **_place_problems(values, attendance),
        **_conference_problems(values, attendance),
        **_coordinate_problems(values),
        **_payment_problems(values),
    }
    if "TC" in (values.get("types") or []) and attendance != "in_person":
        problems["types"] = _l(
            "“Location temporarily closed” is for an in-person meeting that has no way to join online "
            "for now: for a meeting held online while the building is closed, choose online instead."
        )
    unknown = [t for t in values.get("types") or [] if t not in meeting_types.codes()]
    if unknown:
        problems["types"] = _l("Unknown meeting types: %(codes)s.", codes=", ".join(unknown))
    if rule is not None:
        problems.update(rule_problems(rule))
    return problems


def _name_problems(values: dict) -> dict[str, str]:
    name = (values.get("name") or "").strip()
    if not name:
        return {"name": _l("Give the meeting a name.")}
    if len(name) > 255:
        return {"name": _l("Keep the name under 255 characters (under 64 reads best in apps).")}
    return {}


def _place_problems(values: dict, attendance: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if attendance not in ATTENDANCE:
        problems["attendance"] = _l("Choose in person, online or hybrid.")
    has_address = bool(values.get("formatted_address") or (values.get("address") and values.get("city")))
    if attendance in ("in_person", "hybrid") and not has_address:
        problems["formatted_address"] = _l(
            "An in-person or hybrid meeting needs an address: a one-line address, or the street and the city."
        )
    return problems


def _conference_problems(values: dict, attendance: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    url = values.get("conference_url")
    if url:
        parts = urlsplit(url)
        # http:// is kept (a link the group gave is not rewritten), with a warning: listing_warnings.
        if parts.scheme.lower() not in ("https", "http") or not parts.hostname or " " in url:
            problems["conference_url"] = _l("Use a full https:// link that opens the video meeting.")
        elif len(url) > 500:
            problems["conference_url"] = _l("That link is too long (500 characters at most).")
    phone = normalise_phone(values.get("conference_phone"))
    if phone:
        problems.update(_phone_problems(phone))
    if attendance in ("online", "hybrid") and not (url or phone) and "conference_url" not in problems:
        problems["conference_url"] = _l(
            "An online or hybrid meeting needs a conference link or a phone number."
        )
    return problems


def _phone_problems(phone: str) -> dict[str, str]:
    """A dial-in sequence (spaces, dashes, dots and brackets already removed) as finders dial it."""
    if "*" in phone:
        return {
            "conference_phone": _l(
                "Meeting finders remove * from dial-in numbers, so this sequence would dial other digits. "
                "Keep the number and the meeting ID (with , and #) here and put the part with * in the "
                "dial-in notes."
            )
        }
    if not PHONE_OK.match(phone):
        return {
            "conference_phone": _l(
                "Use digits, with + at the start and , # where needed, e.g. +1 646 558 8656,,123#."
            )
        }
    number = re.split(r"[,#]", phone, maxsplit=1)[0]
    if sum(c.isdigit() for c in number) < PHONE_MIN_DIGITS:
        return {
            "conference_phone": _l(
                "Meeting finders hide dial-in numbers of fewer than %(count)s digits: give the whole "
                "number with its country code, e.g. +1 646 558 8656.",
                count=PHONE_MIN_DIGITS,
            )
        }
    return {}


def _coordinate_problems(values: dict) -> dict[str, str]:
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        return {"latitude": _l("Give both latitude and longitude, or neither.")}
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return {"latitude": _l("Latitude runs from -90 to 90 and longitude from -180 to 180.")}
    return {}


def _payment_problems(values: dict) -> dict[str, str]:
    """Handles as meeting finders link them (a whole link is reduced to its handle first)."""
    problems: dict[str, str] = {}
    venmo, square, paypal = (payment_handle(f, (values.get(f) or "").strip()) for f in PAYMENT_LINKS)
    if venmo and not VENMO_OK.fullmatch(venmo):
        problems["venmo"] = _l(
            "A Venmo handle is @ and up to 30 letters, digits, - or _, e.g. @TuesdayGroup (meeting "
            "finders link to venmo.com/ and the handle)."
        )
    if square and not SQUARE_OK.fullmatch(square):
        problems["square"] = _l(
            "A Cash App cashtag is $ and up to 20 letters or digits, with at least one letter, "
            "e.g. $TuesdayGroup."
        )
    if paypal and not PAYPAL_OK.fullmatch(paypal):
        problems["paypal"] = _l(
            "A PayPal.me name has 1 to 20 letters or digits only, e.g. TuesdayGroup: meeting finders "
            "leave out any other."
        )
    return problems


def rule_problems(rule: Rule) -> dict[str, str]:
    problems: dict[str, str] = {}
    if rule.timezone not in known_zones():
        problems["timezone"] = _l("Choose a time zone from the list.")
    if rule.recurrence in ("weekly", "monthly") and rule.weekday not in range(7):
        problems["weekday"] = _l("Choose the day of the week.")
    if rule.recurrence == "monthly" and rule.month_week not in (1, 2, 3, 4, -1):
        problems["month_week"] = _l("Choose which week of the month.")
    if rule.recurrence == "once" and rule.on_date is None:
        problems["on_date"] = _l("Choose the date of the meeting.")
    if rule.recurrence not in ("weekly", "monthly", "once", "appointment"):
        problems["recurrence"] = _l("Choose how often the meeting meets.")
    if rule.recurrence != "appointment" and rule.start_time is None:
        problems["start_time"] = _l("Give the start time.")
    if not 5 <= (rule.duration_minutes or 0) <= 720:
        problems["duration_minutes"] = _l("A meeting lasts between 5 minutes and 12 hours.")
    if (
        rule.recurrence == "once"
        and rule.on_date is not None
        and rule.start_time is not None
        and "timezone" not in problems
        and not rule.exists_on(rule.on_date)
    ):
        problems["start_time"] = _l(
            "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward over it. "
            "Choose another time, e.g. %(later)s.",
            time=rule.start_time.strftime("%H:%M"),
            date=rule.on_date.isoformat(),
            zone=rule.timezone.replace("_", " "),
            later=rule.local_start(rule.on_date).strftime("%H:%M"),
        )
    return problems


def one_off_problems(rule: Rule, *, now: datetime) -> dict[str, str]:
    """A one-off meeting must still be to come: one in the past would never get a date."""
    if rule.recurrence != "once" or rule.on_date is None or rule.start_time is None:
        return {}
    if rule.timezone not in known_zones() or rule.starts_at(rule.on_date) > now:
        return {}
    if rule.on_date < local_today(rule.timezone, now):
        return {"on_date": _l("That date has passed: a one-off meeting needs a date still to come.")}
    return {"start_time": _l("That time has passed today: a one-off meeting needs a time still to come.")}


def shifted_dates(rule: Rule, *, now: datetime, days: int = 366) -> list[tuple[date, datetime]]:
    """(local date, actual local start) for the coming dates of a weekly or monthly rule whose start
    time falls in a daylight-saving gap: those dates' meetings start as much later as the clocks jump."""
    if rule.recurrence in ("once", "appointment") or rule.timezone not in known_zones():
        return []
    today = local_today(rule.timezone, now)
    return [(day, rule.local_start(day)) for day in gap_dates(rule, today, today + timedelta(days=days))]


def clean_values(values: dict) -> dict:
    """Strip text, turn empty strings into None, normalise the phone and the types."""
    cleaned = {}
    for key in MEETING_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[key] = value
    if "conference_phone" in cleaned:
        cleaned["conference_phone"] = normalise_phone(cleaned["conference_phone"])
    if "conference_url" in cleaned:
        cleaned["conference_url"] = finder_url(cleaned["conference_url"])
    for key in PAYMENT_LINKS:
        if key in cleaned:
            cleaned[key] = payment_handle(key, cleaned[key])
    if "types" in cleaned:
        cleaned["types"] = sorted(set(cleaned["types"] or []) - meeting_types.DERIVED_CODES)
    if "name" in cleaned and cleaned["name"] is None:
        cleaned["name"] = ""
    return cleaned
