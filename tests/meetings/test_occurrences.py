"""Schedules and dated occurrences: date arithmetic, generation across DST, schedule changes from a
date, per-date changes, pausing, and the one hook for what hangs off an occurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.meetings import services
from groupadmin.meetings.models import Occurrence
from groupadmin.meetings.schedule import Rule, dates_between, gap_dates, nth_weekday
from groupadmin.meetings.services import hooks
from tests import factories
from tests.conftest import NOW


def occurrences(meeting) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id).order_by(Occurrence.local_date)
        )
    )


# ---------------------------------------------------------------------------------------------------
# Pure date arithmetic


def test_nth_and_last_weekday_of_a_month():
    assert nth_weekday(2026, 11, 6, 1) == date(2026, 11, 1)  # first Sunday
    assert nth_weekday(2026, 11, 6, -1) == date(2026, 11, 29)  # last Sunday
    assert nth_weekday(2027, 2, 0, 4) == date(2027, 2, 22)  # fourth Monday
    assert nth_weekday(2027, 2, 0, 5) is None


def test_dates_between_weekly_monthly_once():
    weekly = Rule("weekly", 1, None, None, time(19), 60, "UTC")
    assert dates_between(weekly, date(2026, 11, 21), date(2026, 12, 8)) == [
        date(2026, 11, 24),
        date(2026, 12, 1),
        date(2026, 12, 8),
    ]
    monthly = Rule("monthly", 6, 1, None, time(11), 60, "UTC")
    assert dates_between(monthly, date(2026, 11, 2), date(2027, 1, 31)) == [
        date(2026, 12, 6),
        date(2027, 1, 3),
    ]
    once = Rule("once", None, None, date(2026, 12, 24), time(18), 60, "UTC")
    assert dates_between(once, date(2026, 11, 21), date(2027, 1, 1)) == [date(2026, 12, 24)]
    assert dates_between(once, date(2026, 12, 25), date(2027, 1, 1)) == []


# ---------------------------------------------------------------------------------------------------
# Generation


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("zone", "before", "after", "utc_before", "utc_after"),
    [
        # America/New_York: DST ends 1 Nov 2026, begins 14 Mar 2027.
        ("America/New_York", date(2026, 10, 27), date(2026, 11, 3), time(23, 0), time(0, 0)),
        ("America/New_York", date(2027, 3, 9), date(2027, 3, 16), time(0, 0), time(23, 0)),
        # Europe/London: BST ends 25 Oct 2026, begins 28 Mar 2027.
        ("Europe/London", date(2026, 10, 20), date(2026, 10, 27), time(18, 0), time(19, 0)),
        ("Europe/London", date(2027, 3, 23), date(2027, 3, 30), time(19, 0), time(18, 0)),
    ],
)
def test_occurrences_keep_local_time_across_daylight_saving(app, zone, before, after, utc_before, utc_after):
    group = factories.group()
    start = datetime.combine(before - timedelta(days=3), time(12), tzinfo=UTC)
    meeting = factories.meeting(group, weekday=1, start="19:00", timezone=zone, now=start, weeks=3)
    by_date = {o.local_date: o for o in occurrences(meeting)}
    assert by_date[before].starts_at.time() == utc_before
    assert by_date[after].starts_at.time() == utc_after
    for o in by_date.values():
        assert o.local_start.time() == time(19, 0)
        assert o.ends_at - o.starts_at == timedelta(hours=1)
        assert o.timezone == zone


@pytest.mark.postgres
def test_generation_is_idempotent_and_keeps_the_horizon(app):
    group = factories.group()
    meeting = factories.meeting(group, weeks=12)
    first = occurrences(meeting)
    assert len(first) == 12
    assert all(o.starts_at > NOW for o in first)
    assert services.generate_occurrences(None, now=NOW, weeks=12) == 0
    later = NOW + timedelta(weeks=2)
    assert services.generate_occurrences(None, now=later, weeks=12) == 2
    db.session.commit()
    assert len(occurrences(meeting)) == 14


def test_monthly_and_one_off_meetings_get_their_dates(app):
    group = factories.group()
    business = factories.meeting(
        group,
        "Business meeting",
        recurrence="monthly",
        weekday=6,
        month_week=1,
        start="11:00",
        weeks=12,
        listed=False,
    )
    assert [o.local_date for o in occurrences(business)] == [
        date(2026, 12, 6),
        date(2027, 1, 3),
        date(2027, 2, 7),
    ]
    last = factories.meeting(group, recurrence="monthly", weekday=2, month_week=-1, weeks=8)
    assert [o.local_date for o in occurrences(last)] == [date(2026, 11, 25), date(2026, 12, 30)]
    once = factories.meeting(group, recurrence="once", weekday=None, on_date=date(2026, 12, 31), weeks=12)
    assert [o.local_date for o in occurrences(once)] == [date(2026, 12, 31)]


def test_paused_meetings_get_no_new_dates(app):
    group = factories.group()
    meeting = factories.meeting(group)
    services.set_status(meeting, "paused", actor=None, now=NOW, weeks=12)
    db.session.commit()
    assert {o.status for o in occurrences(meeting)} == {"paused"}
    assert services.generate_occurrences(None, now=NOW + timedelta(weeks=3), weeks=12) == 0


# ---------------------------------------------------------------------------------------------------
# Schedule change from a date


@pytest.mark.postgres
def test_schedule_change_from_a_date_regenerates_only_later_occurrences(app):
    group = factories.group(factories.organisation())
    meeting = factories.meeting(group, weekday=1, start="19:00", weeks=12)  # Tuesdays
    before = {o.local_date: (o.id, o.starts_at) for o in occurrences(meeting)}
    december = [d for d in before if d < date(2027, 1, 1)]
    keep = occurrences(meeting)[2]
    services.update_occurrence(
        keep,
        actor=None,
        now=NOW,
        cancelled=True,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note="Holiday",
    )
    db.session.commit()

    wednesday = Rule("weekly", 2, None, None, time(19, 30), 60, group.timezone)
    preview = services.preview_schedule_change(meeting, wednesday, date(2027, 1, 1), now=NOW, weeks=12)
    assert {o.local_date for o in preview.removed} == {d for d in before if d >= date(2027, 1, 1)}
    assert preview.added and all(day.weekday() == 2 for day, _start in preview.added)
    assert occurrences(meeting) and {o.local_date for o in occurrences(meeting)} == set(before)  # nothing yet

    services.change_schedule(meeting, wednesday, date(2027, 1, 1), actor=None, now=NOW, weeks=12)
    db.session.commit()
    after = occurrences(meeting)
    earlier = [o for o in after if o.local_date < date(2027, 1, 1)]
    assert [(o.id, o.starts_at) for o in earlier] == [before[d] for d in sorted(december)]
    assert next(o for o in earlier if o.id == keep.id).status == "cancelled"
    later = [o for o in after if o.local_date >= date(2027, 1, 1)]
    assert later and all(o.local_date.weekday() == 2 and o.local_start.time() == time(19, 30) for o in later)
    assert [s.effective_from for s in meeting.schedules] == [date(2026, 11, 21), date(2027, 1, 1)]
    # The schedule in force on a date is the one the feed and the pages show.
    assert meeting.schedule_on(date(2026, 12, 31)).weekday == 1
    assert meeting.schedule_on(date(2027, 1, 6)).weekday == 2


def test_time_change_moves_dates_and_keeps_their_overrides(app):
    group = factories.group()
    meeting = factories.meeting(
        group, weekday=1, start="19:00", weeks=4, conference_url="https://zoom.us/j/1", attendance="hybrid"
    )
    first = occurrences(meeting)[0]
    services.update_occurrence(
        first,
        actor=None,
        now=NOW,
        cancelled=False,
        online_only=True,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    later_time = Rule("weekly", 1, None, None, time(20, 0), 60, group.timezone)
    preview = services.change_schedule(meeting, later_time, NOW.date(), actor=None, now=NOW, weeks=4)
    db.session.commit()
    assert len(preview.moved) == 4 and not preview.removed and not preview.added
    first = db.session.get(Occurrence, first.id)
    assert first.online_only and first.local_start.time() == time(20, 0)


def test_the_past_is_never_rewritten(app):
    group = factories.group()
    meeting = factories.meeting(group, weekday=1, start="19:00", weeks=4)
    started = occurrences(meeting)[0]
    during = started.starts_at + timedelta(minutes=10)
    services.change_schedule(
        meeting,
        Rule("weekly", 3, None, None, time(19), 60, group.timezone),
        started.local_date,
        actor=None,
        now=during,
        weeks=4,
    )
    db.session.commit()
    assert db.session.get(Occurrence, started.id).local_date == started.local_date
    with pytest.raises(services.MeetingError):
        services.change_schedule(
            meeting,
            Rule("weekly", 4, None, None, time(19), 60, group.timezone),
            date(2026, 11, 1),
            actor=None,
            now=NOW,
            weeks=4,
        )


# ---------------------------------------------------------------------------------------------------
# The hook


def test_every_change_to_a_date_goes_through_the_one_hook(app):
    seen: list[tuple[str, date]] = []

    def listener(changes, *, now, actor):
        seen.extend((change.kind, change.occurrence.local_date) for change in changes)
        for change in changes:  # a removed occurrence is still there when the hook runs
            assert db.session.get(Occurrence, change.occurrence.id) is not None

    services.on_occurrences_changed(listener)
    try:
        group = factories.group()
        meeting = factories.meeting(group, weekday=1, weeks=3)
        first, second, third = occurrences(meeting)
        services.update_occurrence(
            first,
            actor=None,
            now=NOW,
            cancelled=True,
            online_only=False,
            venue_location=None,
            venue_address=None,
            note=None,
        )
        services.update_occurrence(
            first,
            actor=None,
            now=NOW,
            cancelled=False,
            online_only=False,
            venue_location=None,
            venue_address=None,
            note="Back on",
        )
        services.change_schedule(
            meeting,
            Rule("weekly", 1, None, None, time(20), 60, group.timezone),
            third.local_date,
            actor=None,
            now=NOW,
            weeks=3,
        )
        services.change_schedule(
            meeting,
            Rule("weekly", 3, None, None, time(20), 60, group.timezone),
            third.local_date,
            actor=None,
            now=NOW,
            weeks=3,
        )
        services.set_status(meeting, "paused", actor=None, now=NOW, weeks=3)
        services.set_status(meeting, "active", actor=None, now=NOW, weeks=3)
        db.session.commit()
    finally:
        hooks._listeners.remove(listener)
    assert seen[:3] == [
        ("cancelled", first.local_date),
        ("restored", first.local_date),
        ("moved", third.local_date),
    ]
    assert ("removed", third.local_date) in seen
    assert ("paused", first.local_date) in seen and ("restored", second.local_date) in seen


def test_per_date_changes_are_validated(app):
    group = factories.group()
    meeting = factories.meeting(group)  # in person, no conference link
    occ = occurrences(meeting)[0]
    with pytest.raises(services.MeetingError) as error:
        services.update_occurrence(
            occ,
            actor=None,
            now=NOW,
            cancelled=False,
            online_only=True,
            venue_location=None,
            venue_address=None,
            note=None,
        )
    assert "online_only" in error.value.problems
    with pytest.raises(services.MeetingError) as error:
        services.update_occurrence(
            occ,
            actor=None,
            now=NOW,
            cancelled=False,
            online_only=False,
            venue_location="Library",
            venue_address=None,
            note=None,
        )
    assert "venue_address" in error.value.problems


def test_the_job_and_the_cli_share_the_generator(app, runner):
    from groupadmin.scheduler.registry import load_jobs

    jobs = {job.id: job for job in load_jobs(["groupadmin.meetings.jobs"])}
    assert jobs["meetings.generate-occurrences"].trigger == "cron"
    group = factories.group()
    meeting = factories.meeting(group, weeks=2)
    jobs["meetings.generate-occurrences"].fn(NOW)
    db.session.commit()
    assert len(occurrences(meeting)) == 12
    result = runner.invoke(args=["meetings", "generate-occurrences", "--weeks", "14"])
    assert result.exit_code == 0 and "occurrences created" in result.output


# ---------------------------------------------------------------------------------------------------
# Local times that daylight saving skips or repeats


@pytest.mark.parametrize(
    ("zone", "gap_day", "start", "utc", "shifted"),
    [
        # America/New_York: at 02:00 on 14 March 2027 the clocks jump to 03:00.
        (
            "America/New_York",
            date(2027, 3, 14),
            time(2, 30),
            datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
            time(3, 30),
        ),
        # Europe/London: at 01:00 on 28 March 2027 the clocks jump to 02:00.
        (
            "Europe/London",
            date(2027, 3, 28),
            time(1, 30),
            datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            time(2, 30),
        ),
    ],
)
def test_a_weekly_time_in_a_spring_forward_gap_is_shifted_forward_on_that_date_only(
    app, zone, gap_day, start, utc, shifted
):
    rule = Rule("weekly", 6, None, None, start, 60, zone)
    assert not rule.exists_on(gap_day) and rule.exists_on(gap_day - timedelta(weeks=1))
    assert rule.starts_at(gap_day) == utc
    assert rule.local_start(gap_day).time() == shifted
    assert gap_dates(rule, date(2026, 11, 21), date(2027, 11, 21)) == [gap_day]
    now = datetime(2027, 2, 20, 12, tzinfo=UTC)
    assert services.shifted_dates(rule, now=now) == [(gap_day, rule.local_start(gap_day))]
    assert services.shifted_dates(rule.__class__("weekly", 6, None, None, time(19), 60, zone), now=now) == []
    group = factories.group()
    meeting = factories.meeting(
        group, weekday=6, start=start.strftime("%H:%M"), timezone=zone, now=now, weeks=6
    )
    by_date = {o.local_date: o for o in occurrences(meeting)}
    assert by_date[gap_day].starts_at == utc
    assert by_date[gap_day].ends_at - by_date[gap_day].starts_at == timedelta(hours=1)
    for day, o in by_date.items():  # every other date keeps its time
        if day != gap_day:
            assert o.local_start.time() == start, day
    # Generating again (the job) changes nothing: the shifted date is the same every time.
    assert services.generate_occurrences(None, now=now, weeks=6) == 0


def test_a_time_that_occurs_twice_is_the_first_of_the_two(app):
    # America/New_York: at 02:00 on 1 November 2026 the clocks go back to 01:00; 01:30 happens twice.
    rule = Rule("weekly", 6, None, None, time(1, 30), 60, "America/New_York")
    assert rule.exists_on(date(2026, 11, 1))
    assert rule.starts_at(date(2026, 11, 1)) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert services.shifted_dates(rule, now=datetime(2026, 10, 1, tzinfo=UTC), days=60) == []


def test_one_off_meetings_must_be_real_and_still_to_come(app):
    group = factories.group()
    in_gap = Rule("once", None, None, date(2027, 3, 14), time(2, 30), 60, "America/New_York")
    assert set(services.rule_problems(in_gap)) == {"start_time"}
    with pytest.raises(services.MeetingError) as refused:
        factories.meeting(group, recurrence="once", weekday=None, on_date=date(2027, 3, 14), start="02:30")
    assert "does not exist on 2027-03-14" in str(refused.value)
    # NOW is 13:00 on 21 November 2026 in New York.
    past = Rule("once", None, None, date(2020, 1, 1), time(19), 60, "America/New_York")
    assert set(services.one_off_problems(past, now=NOW)) == {"on_date"}
    earlier_today = Rule("once", None, None, date(2026, 11, 21), time(12), 60, "America/New_York")
    assert set(services.one_off_problems(earlier_today, now=NOW)) == {"start_time"}
    later_today = Rule("once", None, None, date(2026, 11, 21), time(14), 60, "America/New_York")
    assert services.one_off_problems(later_today, now=NOW) == {}
    weekly = Rule("weekly", 1, None, None, time(12), 60, "America/New_York")
    assert services.one_off_problems(weekly, now=NOW) == {}
    with pytest.raises(services.MeetingError, match="That date has passed"):
        factories.meeting(group, recurrence="once", weekday=None, on_date=date(2020, 1, 1))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Occurrence)) == 0
