"""Monthly roll-ups: per group, month and currency, the sums a report reads (no personal data), so that a
year's or five years' report reads a few thousand rows rather than every dated meeting and head count.

- The ``report-rollups`` job (`refresh`) rolls up every month that is over everywhere (its last meeting
  has started in every time zone: the month before the one of `now` less two days) and recomputes the
  group-months marked stale.
- Triggers (`groupadmin.reports.triggers`) mark a rolled-up group-month stale in the same transaction as
  any change to its head counts, dates or meetings; until the job has recomputed it, the report reads
  that group-month from the raw data. A month not rolled up yet, and the days of a period that do not
  make a whole month, are read from the raw data too: the figures are always exact, the roll-ups only make
  them fast.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.reports.models import ReportMonth, ReportRollupState, ReportStale
from groupadmin.rota.models import Assignment

SUMS = (
    "held",
    "counted",
    "total",
    "newcomers",
    "in_person",
    "online",
    "collected_dates",
    "collected_minor",
    "rota",
)


class month_start(FunctionElement):  # noqa: N801 (an SQL function)
    """The first day of a date's month."""

    type = sa.Date()
    inherit_cache = True


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def raw_sums(
    *,
    now: datetime,
    organisation_id: int | None = None,
    since: date | None = None,
    before: date | None = None,
    stale=None,
):
    """The sums from the raw data per group, month and currency of the count ('' without one): dates held
    (not cancelled, started by `now`), dates counted, the counts, the collections, and confirmed rota
    places on dates held (in the '' row, on that group's meetings). Dates in [since, before); `stale`: a
    subquery of (group_id, month, until) to limit to those group-months. Columns: group_id, month,
    currency and SUMS."""

    def dated(query, *joins):
        if stale is not None:
            query = query.select_from(stale).join(Meeting, Meeting.group_id == stale.c.group_id)
            query = query.join(
                Occurrence,
                sa.and_(
                    Occurrence.meeting_id == Meeting.id,
                    Occurrence.local_date >= stale.c.month,
                    Occurrence.local_date < stale.c.until,
                ),
            )
        else:
            query = query.select_from(Occurrence).join(Meeting, Meeting.id == Occurrence.meeting_id)
        for join in joins:
            query = join(query)
        query = query.where(Occurrence.status == "scheduled", Occurrence.starts_at <= now)
        if organisation_id is not None:
            query = query.where(Meeting.organisation_id == organisation_id)
        if since is not None:
            query = query.where(Occurrence.local_date >= since)
        if before is not None:
            query = query.where(Occurrence.local_date < before)
        if since is not None and before is not None and since >= before:
            query = query.where(sa.false())  # no day: the database answers without reading a row
        return query

    collected = sa.case(
        (sa.or_(HeadCount.cash_minor.is_not(None), HeadCount.digital_minor.is_not(None)), 1), else_=0
    )
    month = month_start(Occurrence.local_date)
    currency = sa.func.coalesce(HeadCount.currency, "")
    money = sa.func.coalesce(HeadCount.cash_minor, 0) + sa.func.coalesce(HeadCount.digital_minor, 0)
    counts = dated(
        sa.select(
            Meeting.group_id.label("group_id"),
            month.label("month"),
            currency.label("currency"),
            sa.func.count(Occurrence.id).label("held"),
            sa.func.count(HeadCount.total).label("counted"),
            sa.func.coalesce(sa.func.sum(HeadCount.total), 0).label("total"),
            sa.func.coalesce(sa.func.sum(HeadCount.newcomers), 0).label("newcomers"),
            sa.func.coalesce(sa.func.sum(HeadCount.in_person), 0).label("in_person"),
            sa.func.coalesce(sa.func.sum(HeadCount.online), 0).label("online"),
            sa.func.coalesce(sa.func.sum(collected), 0).label("collected_dates"),
            sa.func.coalesce(sa.func.sum(money), 0).label("collected_minor"),
            sa.literal(0).label("rota"),
        ),
        lambda q: q.outerjoin(HeadCount, HeadCount.occurrence_id == Occurrence.id),
    ).group_by(Meeting.group_id, month, currency)
    rota = (
        dated(
            sa.select(
                Meeting.group_id,
                month,
                sa.literal(""),
                *(sa.literal(0) for _ in SUMS[:-1]),
                sa.func.count(Assignment.id),
            ),
            lambda q: q.join(Assignment, Assignment.occurrence_id == Occurrence.id),
        )
        .where(Assignment.status == "confirmed")
        .group_by(Meeting.group_id, month)
    )
    both = sa.union_all(counts, rota).subquery("raw")
    return sa.select(
        both.c.group_id,
        both.c.month,
        both.c.currency,
        *(sa.func.sum(both.c[name]).label(name) for name in SUMS),
    ).group_by(both.c.group_id, both.c.month, both.c.currency)


def stale_months(since: date, until: date, ids=None):
    """The distinct stale group-months with a month in [since, until) (or of those ids), as a subquery."""
    query = sa.select(ReportStale.group_id, ReportStale.month, ReportStale.until).distinct()
    query = query.where(ReportStale.month >= since, ReportStale.month < until)
    if ids is not None:
        query = query.where(ReportStale.id.in_(ids))
    return query.subquery("stale")


def rolled_until() -> date | None:
    """Every month before this date is rolled up (None: none yet)."""
    return db.session.scalar(sa.select(ReportRollupState.rolled_until).where(ReportRollupState.id == 1))


def closed_before(now: datetime) -> date:
    """The months before this date are over everywhere: every meeting dated in them has started."""
    return first_of_month(now.date() - timedelta(days=2))


def _insert(select) -> None:
    columns = ["group_id", "month", "currency", *SUMS]
    db.session.execute(sa.insert(ReportMonth).from_select(columns, select))


def refresh(*, now: datetime) -> dict:
    """Roll up the months over since the last run (all of them the first time) and recompute the stale
    group-months. Returns what it did (for the job's log: numbers only)."""
    _one_at_a_time()
    state = db.session.get(ReportRollupState, 1)
    if state is None:
        state = ReportRollupState(id=1, rolled_until=None)
        db.session.add(state)
    cutoff = closed_before(now)
    since = state.rolled_until
    done = {"months": 0, "stale": 0}
    if since is None or since < cutoff:
        if db.engine.dialect.name == "postgresql":  # no count may change between the sums and the new limit
            db.session.execute(sa.text("LOCK TABLE meeting, occurrence, head_count IN SHARE MODE"))
        state.rolled_until = cutoff
        db.session.flush()
        old = sa.delete(ReportMonth).where(ReportMonth.month < cutoff)
        raw = raw_sums(now=now, since=since, before=cutoff)
        if since is not None:
            old = old.where(ReportMonth.month >= since)
        db.session.execute(old)
        _insert(raw)
        months = sa.select(sa.func.count(sa.distinct(ReportMonth.month))).where(ReportMonth.month < cutoff)
        if since is not None:
            months = months.where(ReportMonth.month >= since)
        done["months"] = db.session.scalar(months)
    marked = db.session.execute(sa.select(ReportStale.id, ReportStale.group_id, ReportStale.month)).all()
    if marked:
        by_pair: dict[tuple, list[int]] = {}
        for row in marked:
            by_pair.setdefault((row.group_id, row.month), []).append(row.id)
        for pairs in _chunks(sorted(by_pair), 200):
            ids = [i for pair in pairs for i in by_pair[pair]]
            db.session.execute(
                sa.delete(ReportMonth).where(sa.tuple_(ReportMonth.group_id, ReportMonth.month).in_(pairs))
            )
            _insert(raw_sums(now=now, stale=stale_months(date.min, state.rolled_until, ids)))
            db.session.execute(sa.delete(ReportStale).where(ReportStale.id.in_(ids)))
        done["stale"] = len(by_pair)
    state.refreshed_at = now
    return done


def _one_at_a_time() -> None:
    """Two schedulers ticking at once roll up one after the other: the second waits for the first's
    commit, then finds nothing left to do. PostgreSQL: a transaction's advisory lock; SQLite: a write
    first, which takes the database's write lock before anything is read."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('report-rollups'))"))
    else:
        db.session.execute(sa.update(ReportRollupState).where(ReportRollupState.id == 1).values(id=1))


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
