"""The one iCalendar writer (RFC 5545, on the `icalendar` library), for the public meeting feeds and the
rota calendars.

A `Feed` is a calendar with a name, a product id and optional hints (how often to poll, the zone most
events use); events start either in an IANA zone (an aware datetime with a ZoneInfo: written as local
time with TZID, and the zone's VTIMEZONE is added once) or at a UTC instant. Recurring events take an
RRULE, EXDATEs and overrides (events with the same UID and a RECURRENCE-ID). Text is escaped and lines
are folded by the library; `to_bytes()` is the document.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration, vText

# The years a VTIMEZONE spells out: enough for any date a feed shows.
TIMEZONE_YEARS = (date(2000, 1, 1), date(2038, 1, 1))


@functools.lru_cache(maxsize=64)
def vtimezone(zone: str) -> Timezone:
    """The VTIMEZONE of an IANA zone (cached: building it walks the zone's transitions)."""
    first, last = TIMEZONE_YEARS
    return Timezone.from_tzid(zone, first_date=first, last_date=last)


def _zone(value: datetime | None) -> str | None:
    """The IANA name of an aware datetime's zone, or None for UTC (which needs no VTIMEZONE)."""
    tzinfo = getattr(value, "tzinfo", None)
    if isinstance(tzinfo, ZoneInfo) and tzinfo.key not in ("UTC", "Etc/UTC"):
        return tzinfo.key
    return None


def utc(value: datetime) -> datetime:
    """An instant in UTC (a naive datetime is taken as UTC already, as the database stores them)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class Feed:
    """A calendar being written: add events, then `to_bytes()`."""

    def __init__(
        self,
        *,
        name: str,
        prodid: str,
        refresh: timedelta | None = None,
        timezone: str | None = None,
    ):
        self._calendar = Calendar()
        self._calendar.add("prodid", prodid)
        self._calendar.add("version", "2.0")
        self._calendar.add("calscale", "GREGORIAN")
        self._calendar.add("method", "PUBLISH")
        self._calendar.add("x-wr-calname", vText(name))
        if timezone:
            self._calendar.add("x-wr-timezone", timezone)
        if refresh is not None:
            self._calendar.add("x-published-ttl", vDuration(refresh))
        self._events: list[Event] = []
        self._zones: set[str] = set()

    def event(
        self,
        uid: str,
        *,
        stamp: datetime,
        start: datetime,
        summary: str,
        end: datetime | None = None,
        duration: timedelta | None = None,
        last_modified: datetime | None = None,
        rrule: dict | None = None,
        exdates: Iterable[datetime] = (),
        recurrence_id: datetime | None = None,
        description: str | None = None,
        location: str | None = None,
        url: str | None = None,
        status: str | None = None,
    ) -> None:
        """Add one event. `start`, `end`, `exdates` and `recurrence_id` are aware datetimes: in a ZoneInfo
        zone (local time with TZID) or in UTC. `rrule` is a dict such as {"freq": "WEEKLY", "byday":
        "TU", "until": <aware datetime>}. Empty optional values are left out."""
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", utc(stamp))
        if last_modified is not None:
            event.add("last-modified", utc(last_modified))
        if recurrence_id is not None:
            event.add("recurrence-id", recurrence_id)
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
        if duration is not None:
            event.add("duration", duration)
        if rrule:
            event.add("rrule", {k: utc(v) if k == "until" else v for k, v in rrule.items()})
        exdates = list(exdates)
        if exdates:
            event.add("exdate", exdates)
        for key, value in (("summary", summary), ("location", location), ("description", description)):
            if value:
                event.add(key, value)
        if url:
            event.add("url", url)
        if status:
            event.add("status", status)
        self._zones.update(z for z in (_zone(start), _zone(end)) if z)
        self._events.append(event)

    def to_bytes(self) -> bytes:
        """The document: the calendar's properties, a VTIMEZONE per zone used, then the events."""
        self._calendar.subcomponents = [*(vtimezone(zone) for zone in sorted(self._zones)), *self._events]
        return self._calendar.to_ical()
