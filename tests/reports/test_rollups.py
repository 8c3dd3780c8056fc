"""The monthly roll-ups: the report's figures are the same with them as from the raw data (whole months,
partial months, a group's own view, a fellowship), and stay exact when a count, a date, a rota turn or
a meeting of a rolled-up month changes after the fact (the trigger marks the month stale, the report
reads it raw, the job recomputes it)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.reports import services
from groupadmin.reports.models import ReportMonth, ReportStale
from groupadmin.reports.services import Period, rollups
from groupadmin.rota.models import Assignment
from tests.attendance import helpers
from tests.conftest import NOW
from tests.reports.test_figures import values
from tests.rota import helpers as rota

PERIODS = [
    Period(date(2026, 10, 1), date(2026, 11, 30)),  # October rolled up, November raw
    Period(date(2026, 10, 21), date(2026, 11, 20)),  # no whole month
    Period(date(2026, 9, 1), date(2026, 10, 31)),  # whole months, all rolled up
    Period(date(2021, 12, 1), date(2026, 11, 30)),  # five years
]


def snapshot(setup) -> list:
    """Every figure of every table, of the suppressed report, the raw one, a fellowship's and a group's."""
    reports = []
    for period in PERIODS:
        reports += [
            services.organisation_report(setup.org, period, now=NOW, locale="en"),
            services.build_report(setup.org, period, now=NOW, locale="en", threshold=None),
            services.build_report(setup.org, period, now=NOW, locale="en", threshold=None, fellowship="na"),
            services.group_report(setup.aa, period, now=NOW, locale="en"),
        ]
    return [
        (table.key, row.label, [(f.value, f.state) for f in row.figures])
        for report in reports
        for table in report.tables
        for row in table.rows
    ]


def refresh():
    done = rollups.refresh(now=NOW)
    db.session.commit()
    return done


def october(group):
    return db.session.scalars(
        sa.select(ReportMonth).where(ReportMonth.group_id == group.id, ReportMonth.month == date(2026, 10, 1))
    ).all()


def stale():
    return {(s.group_id, s.month) for s in db.session.scalars(sa.select(ReportStale))}


@pytest.fixture
def with_rota(setup):
    role = rota.role(setup.aa, "Chair")
    person = rota.person(setup.aa, roles=[role])
    dates = rota.occurrences(setup.tuesday)
    for occurrence in dates[:2] + dates[3:4]:  # 20 and 27 Oct, 10 Nov
        db.session.add(
            Assignment(occurrence_id=occurrence.id, role_id=role.id, person_id=person.id, status="confirmed")
        )
    db.session.commit()
    return setup


@pytest.mark.postgres
def test_the_figures_are_the_same_rolled_up(with_rota):
    setup = with_rota
    helpers.history(setup.tuesday, weeks=260, end=helpers.START)
    raw = snapshot(setup)
    assert refresh() == {"months": 61, "stale": 0}  # October 2021 to October 2026
    rows = october(setup.aa)
    # 6 and 13 Oct from the history, 20 and 27 Oct hand-counted; the rota places in the '' row
    assert sorted((r.currency, r.held, r.counted, r.total, r.rota) for r in rows) == [
        ("", 0, 0, 0, 2),
        ("USD", 4, 4, 72, 0),
    ]
    assert not stale()
    assert snapshot(setup) == raw
    report = services.build_report(setup.org, PERIODS[0], now=NOW, locale="en", threshold=None)
    assert values(report.table("groups"), "Tuesday Group")["rota"] == 3


@pytest.mark.postgres
def test_a_late_count_is_in_the_report_at_once_and_rolled_up_by_the_job(setup):
    refresh()
    october_nights = helpers.occurrences(setup.hybrid, past=True)[:2]
    helpers.record(october_nights[0], in_person=7, online=3, newcomers=0, currency="EUR")  # after the fact
    assert stale() == {(setup.na.id, date(2026, 10, 1))}
    report = services.build_report(setup.org, PERIODS[0], now=NOW, locale="en", threshold=None)
    assert values(report.table("months"), "October 2026")["attendances"] == 42  # 32 + 10
    assert values(report.table("groups"), "Thursday Group")["counted"] == 3
    before = snapshot(setup)

    assert refresh()["stale"] == 1
    assert not stale()
    assert sorted((r.currency, r.held, r.counted, r.total) for r in october(setup.na)) == [
        ("", 1, 0, 0),
        ("EUR", 1, 1, 10),
    ]
    assert snapshot(setup) == before


@pytest.mark.postgres
def test_a_cancelled_date_a_rota_turn_and_a_removed_meeting_are_exact_too(with_rota):
    setup = with_rota
    refresh()
    tuesdays = helpers.occurrences(setup.tuesday, past=True)
    tuesdays[1].status = "cancelled"  # 27 Oct, counted 12
    db.session.commit()
    assert stale() == {(setup.aa.id, date(2026, 10, 1))}
    report = services.build_report(setup.org, PERIODS[0], now=NOW, locale="en", threshold=None)
    assert values(report.table("months"), "October 2026")["held"] == 3
    assert values(report.table("months"), "October 2026")["attendances"] == 20
    assert values(report.table("groups"), "Tuesday Group")["rota"] == 2  # 20 Oct and 10 Nov
    before = snapshot(setup)
    refresh()
    assert snapshot(setup) == before

    released = sa.update(Assignment).where(Assignment.occurrence_id == tuesdays[0].id)
    db.session.execute(released.values(status="released"))  # a bulk statement: the trigger sees it too
    db.session.commit()
    report = services.build_report(setup.org, PERIODS[0], now=NOW, locale="en", threshold=None)
    assert values(report.table("groups"), "Tuesday Group")["rota"] == 1

    db.session.delete(setup.hybrid)
    db.session.commit()
    report = services.build_report(setup.org, PERIODS[0], now=NOW, locale="en", threshold=None)
    assert values(report.table("groups"), "Thursday Group")["held"] == 0
    before = snapshot(setup)
    refresh()
    assert not stale()
    assert october(setup.na) == []
    assert snapshot(setup) == before


def test_nothing_is_marked_before_the_first_roll_up(setup):
    helpers.record(helpers.occurrences(setup.hybrid, past=True)[0], in_person=7, online=3, newcomers=0)
    assert not stale()
