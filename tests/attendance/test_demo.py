"""Demo head counts: a year for the demo groups, the latest date of each weekly meeting left to enter,
and idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from groupadmin import demo
from groupadmin.attendance import services
from groupadmin.attendance.demo import seed_counts
from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from tests.conftest import NOW


def test_a_year_of_plausible_counts_and_something_left_to_enter(app):
    demo.seed(now=NOW)
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount))
    assert 250 < total < 400
    aa = db.session.scalar(sa.select(Group).where(Group.slug == "lakeside-aa"))
    trends = services.trends(aa, now=NOW, locale="en")
    assert all(b.meetings for b in trends.months.buckets)
    assert 10 < trends.months.totals.average < 40 and trends.months.totals.collections > 0
    to_enter = services.counts_to_enter([aa.id], now=NOW)
    assert {o.meeting.name for o in to_enter} == {"Tuesday Night Big Book", "Lunchtime Online"}
    assert seed_counts(now=NOW, group_ids=[aa.id], recorders={}) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) == total
