"""Demo head counts.

- ``seed_counts``: a year of plausible counts and collections for the demo groups' meetings (the past
  dates are added to their calendars first): seasons (a January bump, a quieter summer and holiday
  season), a few newcomers, the online part of hybrid meetings, cash in the room and digital giving
  online, a date closed for the holiday, a date nobody counted. The latest date of each weekly meeting
  is left without a count, so the dashboard shows what "counts to enter" looks like.
- ``seed_intergroup_counts``: five years of weekly counts for the benchmark intergroup's ~4,000
  meetings (about a million dates and a million counts), with bulk inserts.

Both are idempotent: a meeting that has counts already is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, local_today

# meeting slug: (people in the room, online, newcomers per meeting, cash per person in the room,
# digital per meeting) as typical values; 0 online for in-person meetings, 0 in the room for online ones.
PROFILES = {
    "tuesday-night-big-book": (21, 6, 1.2, 1.6, 18.0),
    "lunchtime-online": (0, 14, 0.8, 0.0, 22.0),
    "lakeside-business-meeting": (8, 0, 0.0, 0.0, 0.0),
    "harbour-light": (28, 8, 1.5, 1.4, 25.0),
    "harbour-sunday-online": (0, 17, 0.9, 0.0, 20.0),
    "harbour-group-conscience": (0, 6, 0.0, 0.0, 0.0),
    "northside-monday": (11, 5, 0.7, 1.2, 10.0),
    "northside-business-meeting": (0, 5, 0.0, 0.0, 0.0),
}
DEFAULT_PROFILE = (12, 0, 0.6, 1.3, 0.0)
SEASON = {
    1: 1.22,
    2: 1.1,
    3: 1.05,
    4: 1.0,
    5: 0.98,
    6: 0.92,
    7: 0.85,
    8: 0.86,
    9: 1.02,
    10: 1.0,
    11: 0.97,
    12: 0.9,
}
HOLIDAYS = {(12, 25), (1, 1)}


def _past_dates(meeting: Meeting, first: date, now: datetime) -> list[tuple[date, Rule]]:
    """(date, rule) of the meeting's dates from `first` that have started by `now`, each under the
    schedule in force then (the first schedule for dates before it)."""
    schedules = meeting.schedules
    result = []
    for i, schedule in enumerate(schedules):
        rule = Rule.of(schedule)
        start = first if i == 0 else max(first, schedule.effective_from)
        end = local_today(rule.timezone, now)
        if i + 1 < len(schedules):
            end = min(end, schedules[i + 1].effective_from - timedelta(days=1))
        result += [(day, rule) for day in dates_between(rule, start, end) if rule.starts_at(day) <= now]
    return result


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means of newcomers.
    if mean <= 0:
        return 0
    limit, k, p = pow(2.718281828, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def seed_counts(*, now: datetime, group_ids: list[int], recorders: dict[int, int | None]) -> int:
    """A year of counts for the meetings of these groups (see the module docstring). `recorders` maps a
    group to the user shown as having entered its counts. Returns how many counts were added."""
    meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.group_id.in_(group_ids))
            .options(sa.orm.selectinload(Meeting.schedules))
            .order_by(Meeting.id)
        )
    )
    counted = set(
        db.session.scalars(
            sa.select(Occurrence.meeting_id)
            .join(HeadCount, HeadCount.occurrence_id == Occurrence.id)
            .where(Occurrence.meeting_id.in_([m.id for m in meetings]))
            .distinct()
        )
    )
    added = 0
    for meeting in meetings:
        if meeting.id in counted or not meeting.schedules:
            continue
        rng = random.Random(f"groupadmin-demo-{meeting.slug}")
        first = local_today(meeting.schedules[0].timezone, now) - timedelta(days=365)
        _add_past_dates(meeting, first, now)
        profile = PROFILES.get(meeting.slug, DEFAULT_PROFILE)
        if meeting.attendance == "online":
            profile = (0, *profile[1:])
        recorder = recorders.get(meeting.group_id)
        rows = [_demo_count(o, rng, profile, recorder, now) for o in _dates_to_count(meeting, first, now)]
        if rows:
            db.session.execute(sa.insert(HeadCount), rows)
            added += len(rows)
    return added


def _add_past_dates(meeting: Meeting, first: date, now: datetime) -> None:
    """Put the meeting's started dates from `first` on its calendar (the holidays cancelled)."""
    existing = set(
        db.session.scalars(
            sa.select(Occurrence.local_date).where(
                Occurrence.meeting_id == meeting.id, Occurrence.local_date >= first
            )
        )
    )
    new_rows = []
    for day, rule in _past_dates(meeting, first, now):
        if day in existing:
            continue
        holiday = (day.month, day.day) in HOLIDAYS
        new_rows.append(
            {
                "meeting_id": meeting.id,
                "local_date": day,
                "starts_at": rule.starts_at(day),
                "ends_at": rule.ends_at(day),
                "timezone": rule.timezone,
                "status": "cancelled" if holiday else "scheduled",
                "online_only": False,
                "note": "Closed for the holiday" if holiday else None,
                "created_at": rule.starts_at(day) - timedelta(weeks=12),
                "updated_at": rule.starts_at(day) - timedelta(weeks=12),
            }
        )
    if new_rows:
        db.session.execute(sa.insert(Occurrence), new_rows)


def _dates_to_count(meeting: Meeting, first: date, now: datetime) -> list[Occurrence]:
    """The meeting's scheduled, started dates from `first`; the latest of a weekly meeting is left to
    enter."""
    occurrences = list(
        db.session.scalars(
            sa.select(Occurrence)
            .where(
                Occurrence.meeting_id == meeting.id,
                Occurrence.local_date >= first,
                Occurrence.status == "scheduled",
                Occurrence.starts_at <= now,
            )
            .order_by(Occurrence.starts_at)
        )
    )
    weekly = meeting.schedules[-1].recurrence == "weekly"
    if weekly and occurrences:
        occurrences = occurrences[:-1]  # last night's (or the latest) date: still to enter
    return occurrences


def _demo_count(occurrence: Occurrence, rng: random.Random, profile: tuple, recorder, now: datetime) -> dict:
    """One plausible count of a date (a HeadCount row), drawn from the meeting's profile."""
    room, online, newcomers_mean, cash_each, digital_mean = profile
    season = SEASON[occurrence.local_date.month]
    entered_at = occurrence.ends_at + timedelta(hours=rng.choice([1, 2, 13, 14, 15, 26]))
    via_link = rng.random() < 0.3
    row = {
        "occurrence_id": occurrence.id,
        "currency": "USD",
        "note": None,
        "recorded_via": "link" if via_link else "account",
        "recorded_by_id": None if via_link else recorder,
        "recorded_at": min(entered_at, now),
        "updated_by_id": None if via_link else recorder,
        "updated_at": min(entered_at, now),
    }
    if rng.random() < 0.025:  # nobody counted that day; the basket was still counted
        row.update(total=None, newcomers=None, in_person=None, online=None)
        in_room = room
    else:
        in_room = max(0, round(rng.gauss(room * season, max(1.0, room * 0.15)))) if room else 0
        on_line = max(0, round(rng.gauss(online * season, max(1.0, online * 0.18)))) if online else 0
        if in_room + on_line == 0:
            in_room = 1 if room else 0
            on_line = 0 if room else 1
        total = in_room + on_line
        row.update(
            total=total,
            in_person=in_room,
            online=on_line,
            newcomers=min(total, _poisson(rng, newcomers_mean * (1.6 if season > 1.1 else 1.0))),
        )
        if rng.random() < 0.04:
            row["note"] = rng.choice(
                [
                    "Hall heating was off",
                    "Speaker meeting, ran 10 minutes over",
                    "Zoom dropped at 8:10",
                ]
            )
    cash = round(in_room * cash_each * rng.uniform(0.7, 1.3) * 4) * 25 if cash_each and in_room else None
    digital = round(rng.gauss(digital_mean, digital_mean * 0.35)) * 100 if digital_mean else None
    row["cash_minor"] = cash
    row["digital_minor"] = max(0, digital) if digital is not None else None
    return row


def seed_intergroup_counts(*, now: datetime, years: int = 5, chunk: int = 20_000) -> int:
    """Five years of weekly dates and counts for the benchmark meetings (slugs ``bench-…``), with bulk
    inserts: the dates in chunks, then the counts in one INSERT … SELECT computed by the database.
    Returns how many counts were added (0 when they exist already)."""
    bench = sa.select(Meeting.id).where(Meeting.slug.like("bench-%"))
    already = db.session.scalar(
        sa.select(HeadCount.id)
        .join(Occurrence, Occurrence.id == HeadCount.occurrence_id)
        .where(Occurrence.meeting_id.in_(bench))
        .limit(1)
    )
    if already is not None:
        return 0
    _insert_bench_dates(_first_rules(bench), now=now, years=years, chunk=chunk)
    return _insert_bench_counts(now)


def _first_rules(bench: sa.Select) -> dict[int, Rule]:
    """The first schedule of each benchmark meeting, as a Rule."""
    schedules = db.session.execute(
        sa.select(
            MeetingSchedule.meeting_id,
            MeetingSchedule.recurrence,
            MeetingSchedule.weekday,
            MeetingSchedule.month_week,
            MeetingSchedule.on_date,
            MeetingSchedule.start_time,
            MeetingSchedule.duration_minutes,
            MeetingSchedule.timezone,
        )
        .where(MeetingSchedule.meeting_id.in_(bench))
        .order_by(MeetingSchedule.meeting_id, MeetingSchedule.effective_from)
    ).all()
    first_schedule: dict[int, Rule] = {}
    for meeting_id, *parts in schedules:
        first_schedule.setdefault(meeting_id, Rule(*parts))
    return first_schedule


def _insert_bench_dates(rules: dict[int, Rule], *, now: datetime, years: int, chunk: int) -> None:
    """The past `years` of dates of each meeting, inserted `chunk` rows at a time."""
    table = Occurrence.__table__
    batch: list[dict] = []
    for meeting_id, rule in rules.items():
        today = local_today(rule.timezone, now)
        start = today - timedelta(days=365 * years + years // 4)
        for day in dates_between(rule, start, today - timedelta(days=1)):
            starts_at = rule.starts_at(day)
            holiday = (day.month, day.day) in HOLIDAYS
            batch.append(
                {
                    "meeting_id": meeting_id,
                    "local_date": day,
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(minutes=rule.duration_minutes),
                    "timezone": rule.timezone,
                    "status": "cancelled" if holiday else "scheduled",
                    "online_only": False,
                    "note": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) >= chunk:
                db.session.execute(sa.insert(table), batch)
                batch = []
    if batch:
        db.session.execute(sa.insert(table), batch)


def _insert_bench_counts(now: datetime) -> int:
    """A count for every ended, scheduled benchmark date without one, computed by the database."""
    o, m = Occurrence.__table__.alias("o"), Meeting.__table__.alias("m")
    total = 6 + (o.c.id * 37 + m.c.id * 11) % 25
    online = sa.case(
        (m.c.attendance == "online", total), (m.c.attendance == "hybrid", (o.c.id * 7) % 6), else_=0
    )
    select = (
        sa.select(
            o.c.id,
            total,
            (o.c.id * 13) % 4,
            total - online,
            online,
            sa.case((m.c.attendance == "online", sa.null()), else_=total * 125 + (o.c.id * 53) % 400),
            sa.case((m.c.attendance == "in_person", sa.null()), else_=(o.c.id * 29) % 2500),
            sa.literal("USD"),
            sa.literal("account"),
            o.c.ends_at,
            o.c.ends_at,
        )
        .select_from(o.join(m, m.c.id == o.c.meeting_id))
        .where(m.c.slug.like("bench-%"), o.c.status == "scheduled", o.c.ends_at <= now)
        .where(~sa.exists().where(HeadCount.__table__.c.occurrence_id == o.c.id))
    )
    columns = [
        "occurrence_id",
        "total",
        "newcomers",
        "in_person",
        "online",
        "cash_minor",
        "digital_minor",
        "currency",
        "recorded_via",
        "recorded_at",
        "updated_at",
    ]
    result = db.session.execute(sa.insert(HeadCount.__table__).from_select(columns, select))
    return result.rowcount or 0
