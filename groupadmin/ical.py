"""The one iCalendar writer (RFC 5545, on the `icalendar` library), for the public meeting feeds and the
rota calendars.

A `Feed` is a calendar with a name, a product id and optional hints (how often to poll, the zone most
events use); events start either in an IANA zone (an aware datetime with a ZoneInfo: written as local
time with TZID, and the zone's VTIMEZONE is added once) or at a UTC instant. Recurring events take an
RRULE, EXDATEs and overrides (events with the same UID and a RECURRENCE-ID). Text is escaped and lines
are folded by the library; `to_bytes()` is the document.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vText

# VTIMEZONEs: the zone's transitions from ZONE_SCAN_FROM are read from zoneinfo (which continues the
# zone's current rule for ever) up to ZONE_SCAN_YEARS later and written as one STANDARD and one
# DAYLIGHT component per rule period, with a yearly RRULE (e.g. BYMONTH=3;BYDAY=2SU); the period still
# running at the end of the scan has no UNTIL, so the zone stays right beyond 2038. Every client reads
# RRULEs (ical.js, for one, reads only the first date of a comma-separated RDATE).
ZONE_SCAN_FROM = datetime(2000, 1, 1, tzinfo=UTC)
ZONE_SCAN_YEARS = 60
ZONE_FIRST_ONSET = datetime(1970, 1, 1)
ICS_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """A change of a zone's offset (or name) at a UTC instant."""

    at: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    dst: bool

    @property
    def onset(self) -> datetime:
        """The local time of the change as RFC 5545 writes it: in the offset before it, naive."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    def rule_key(self) -> tuple:
        """What a yearly rule keeps the same: the offsets, the name, month, weekday and local time."""
        onset = self.onset
        return (
            self.dst,
            self.offset_from,
            self.offset_to,
            self.name,
            onset.month,
            onset.weekday(),
            onset.time(),
        )


def zone_transitions(zone: str, start: datetime, end: datetime) -> list[Transition]:
    """Every change of the zone's offset, name or daylight flag between two UTC instants (day by day,
    then to the second)."""
    tz = ZoneInfo(zone)

    def state(at: datetime):
        local = at.astimezone(tz)
        return local.utcoffset(), local.tzname(), bool(local.dst())

    found = []
    at, current = start, state(start)
    day = timedelta(days=1)
    while at < end:
        following = state(at + day)
        if following != current:
            low, high = at, at + day
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if state(middle) == current else (low, middle)
            offset, name, dst = state(high)
            found.append(Transition(high.replace(microsecond=0), current[0], offset, name, dst))
            current = following
        at += day
    return found


def _byday(month: int, weekday: int, days: list[int], year_lengths: set[int]) -> dict | None:
    """The RRULE parts that give, each year, the day of `month` on `weekday` found on `days`: the nth
    or last such weekday, or the one in a week of days of the month; None when no rule fits."""
    low, high = min(days), max(days)
    if high - low > 6:
        return None
    code = ICS_WEEKDAYS[weekday]
    for n in (1, 2, 3, 4):
        if 7 * (n - 1) + 1 <= low and high <= 7 * n:
            return {"bymonth": month, "byday": f"{n}{code}"}
    if len(year_lengths) == 1 and next(iter(year_lengths)) - 6 <= low:
        return {"bymonth": month, "byday": f"-1{code}"}
    if low + 6 <= min(year_lengths):
        return {"bymonth": month, "byday": code, "bymonthday": list(range(low, low + 7))}
    return None


def _rule_periods(
    transitions: list[Transition], last_year: int
) -> list[tuple[list[Transition], dict | None]]:
    """The transitions as periods of a yearly rule: (onsets, rrule parts or None for a single onset).
    A period is the same rule key in consecutive years on days one rule gives."""
    periods: list[list[Transition]] = []
    open_period: dict[tuple, list[Transition]] = {}
    for transition in transitions:
        key = transition.rule_key()
        period = open_period.get(key)
        if period is not None and period[-1].onset.year == transition.onset.year - 1:
            candidate = [*period, transition]
            if _rule_of(candidate) is not None:
                period.append(transition)
                continue
        period = [transition]
        periods.append(period)
        open_period[key] = period
    result = []
    for period in periods:
        if len(period) == 1:
            result.append((period, None))
            continue
        rule = {"freq": "YEARLY", **_rule_of(period)}
        if period[-1].onset.year < last_year:  # ended before the scan's end: the rule has stopped
            # A day after the last onset (UTC, as RFC 5545 asks): still months before the next one,
            # and included by readers that compare it with the onset's local time as well.
            rule["until"] = period[-1].at + timedelta(days=1)
        result.append((period, rule))
    return result


def _rule_of(period: list[Transition]) -> dict | None:
    first = period[0].onset
    lengths = {calendar.monthrange(t.onset.year, first.month)[1] for t in period}
    return _byday(first.month, first.weekday(), [t.onset.day for t in period], lengths)


@functools.lru_cache(maxsize=64)
def vtimezone(zone: str) -> Timezone:
    """The VTIMEZONE of an IANA zone: the offset in force in 2000 from 1970, then one component per
    rule period (cached: building it walks the zone's transitions)."""
    end = ZONE_SCAN_FROM.replace(year=ZONE_SCAN_FROM.year + ZONE_SCAN_YEARS)
    transitions = zone_transitions(zone, ZONE_SCAN_FROM, end)
    local = ZONE_SCAN_FROM.astimezone(ZoneInfo(zone))
    timezone = Timezone()
    timezone.add("tzid", zone)
    timezone.add_component(
        _zone_component(
            local.utcoffset(), local.utcoffset(), local.tzname(), bool(local.dst()), ZONE_FIRST_ONSET
        )
    )
    for period, rule in _rule_periods(transitions, last_year=end.year - 1):
        first = period[0]
        component = _zone_component(first.offset_from, first.offset_to, first.name, first.dst, first.onset)
        if rule is not None:
            component.add("rrule", rule)
        timezone.add_component(component)
    return timezone


def _zone_component(offset_from, offset_to, name, dst: bool, onset: datetime):
    component = TimezoneDaylight() if dst else TimezoneStandard()
    component.add("dtstart", onset)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    if name:
        component.add("tzname", name)
    return component


def _zone(value: datetime | None) -> str | None:
    """The IANA name of an aware datetime's zone, or None for UTC (which needs no VTIMEZONE)."""
    tzinfo = getattr(value, "tzinfo", None)
    if isinstance(tzinfo, ZoneInfo) and tzinfo.key not in ("UTC", "Etc/UTC"):
        return tzinfo.key
    return None


def utc(value: datetime) -> datetime:
    """An instant in UTC (a naive datetime is taken as UTC already, as the database stores them)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# Events written by feeds that ask for it (public ones only: nothing personal stays in memory), by
# everything they show: a feed rebuilt after one meeting changed writes that meeting's events only. The
# `icalendar` library takes most of a feed's build time (about 0.3 ms an event); a lookup is ~100x less.
EVENT_CACHE_SIZE = 16384


@functools.lru_cache(maxsize=EVENT_CACHE_SIZE)
def _cached_event(fields: tuple) -> bytes:
    return _event(**dict(fields)).to_ical()


def _event(
    *,
    uid: str,
    stamp: datetime,
    start: datetime,
    summary: str,
    end: datetime | None,
    duration: timedelta | None,
    last_modified: datetime | None,
    rrule: tuple | None,
    exdates: tuple,
    recurrence_id: datetime | None,
    description: str | None,
    location: str | None,
    url: str | None,
    status: str | None,
) -> Event:
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
        event.add("rrule", {k: utc(v) if k == "until" else v for k, v in rrule})
    if exdates:
        event.add("exdate", list(exdates))
    for key, value in (("summary", summary), ("location", location), ("description", description)):
        if value:
            event.add(key, value)
    if url:
        event.add("url", url)
    if status:
        event.add("status", status)
    return event


class Feed:
    """A calendar being written: add events, then `to_bytes()`. `cache_events`: keep each event's text
    for the next build (for public feeds only)."""

    def __init__(
        self,
        *,
        name: str,
        prodid: str,
        refresh: timedelta | None = None,
        timezone: str | None = None,
        cache_events: bool = False,
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
        self._cache_events = cache_events
        self._events: list[bytes] = []
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
        fields = (
            ("uid", uid),
            ("stamp", stamp),
            ("start", start),
            ("summary", summary),
            ("end", end),
            ("duration", duration),
            ("last_modified", last_modified),
            ("rrule", tuple(rrule.items()) if rrule else None),
            ("exdates", tuple(exdates)),
            ("recurrence_id", recurrence_id),
            ("description", description),
            ("location", location),
            ("url", url),
            ("status", status),
        )
        if self._cache_events:
            self._events.append(_cached_event(fields))
        else:
            self._events.append(_event(**dict(fields)).to_ical())
        self._zones.update(z for z in (_zone(start), _zone(end)) if z)

    def to_bytes(self) -> bytes:
        """The document: the calendar's properties, a VTIMEZONE per zone used, then the events."""
        calendar = self._calendar.to_ical()
        end = b"END:VCALENDAR\r\n"
        assert calendar.endswith(end)
        zones = b"".join(_vtimezone_bytes(zone) for zone in sorted(self._zones))
        return b"".join((calendar[: -len(end)], zones, *self._events, end))


@functools.lru_cache(maxsize=64)
def _vtimezone_bytes(zone: str) -> bytes:
    return vtimezone(zone).to_ical()
