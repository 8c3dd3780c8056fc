"""Benchmark: a year's organisation report over a large intergroup, against hand-written SQL GROUP BYs.

Seeds `seed-demo --scale intergroup` (about 2,000 groups, 4,000 meetings and five years of weekly head
counts: about a million dates and a million counts) into a throw-away database, runs the roll-up job
(`report-rollups`: the first run rolls up every month that is over; its time is printed), then, in the
same run and in alternating rounds (this machine's speed drifts), times:

- the report: `reports.services.organisation_report` for last year, everything the page and every
  export render (the sums in SQL from the monthly roll-ups, suppression, the tables);
- the same sums written by hand over the same data: the roll-ups per month and currency and per group,
  the stale group-months from the raw data, newsletter subscribers, as plain SQL text, rows fetched;
- for honesty, the sums from the raw data (what the report read before the roll-ups): one `GROUP BY`
  over every date and head count of the year, one over the rota turns, the newsletters.

It prints the median of each, the ratio of the report to the same-data SQL (target: at most 1.5x) and
to the raw-data SQL, and the report's query count for one month and for five years (it must not grow).

Run: `.venv/bin/python bench/reports.py` (SQLite), or on PostgreSQL:
`scripts/with-postgres.sh .venv/bin/python bench/reports.py --postgres`. `--keep FILE` seeds a SQLite
file once and reuses it in later runs (upgrading its schema first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from groupadmin import create_app, demo  # noqa: E402
from groupadmin.database import utcnow  # noqa: E402
from groupadmin.extensions import db  # noqa: E402
from groupadmin.groups.models import Organisation  # noqa: E402
from groupadmin.newsletters.models import Subscription  # noqa: E402
from groupadmin.reports import services  # noqa: E402
from groupadmin.reports.services import rollups  # noqa: E402
from groupadmin.reports.services.periods import Period, preset  # noqa: E402
from groupadmin.rota.models import Assignment  # noqa: E402

ROUNDS = 7
TARGET_RATIO = 1.5

RAW_SQL = {  # the sums from the raw data: what the report read before the roll-ups
    "sqlite": (
        """SELECT m.group_id, strftime('%Y', o.local_date) AS y, strftime('%m', o.local_date) AS mo,
                  h.currency, count(o.id), count(h.total), sum(h.total), sum(h.newcomers),
                  sum(h.in_person), sum(h.online),
                  sum(CASE WHEN h.cash_minor IS NOT NULL OR h.digital_minor IS NOT NULL THEN 1 ELSE 0 END),
                  sum(coalesce(h.cash_minor, 0) + coalesce(h.digital_minor, 0))
           FROM occurrence o JOIN meeting m ON m.id = o.meeting_id
           LEFT JOIN head_count h ON h.occurrence_id = o.id
           WHERE m.organisation_id = :org AND o.local_date >= :start AND o.local_date <= :end
             AND o.status = 'scheduled' AND o.starts_at <= :now
           GROUP BY m.group_id, y, mo, h.currency"""
    ),
    "postgresql": (
        """SELECT m.group_id, extract(year FROM o.local_date) AS y, extract(month FROM o.local_date) AS mo,
                  h.currency, count(o.id), count(h.total), sum(h.total), sum(h.newcomers), sum(h.in_person),
                  sum(h.online),
                  sum(CASE WHEN h.cash_minor IS NOT NULL OR h.digital_minor IS NOT NULL THEN 1 ELSE 0 END),
                  sum(coalesce(h.cash_minor, 0) + coalesce(h.digital_minor, 0))
           FROM occurrence o JOIN meeting m ON m.id = o.meeting_id
           LEFT JOIN head_count h ON h.occurrence_id = o.id
           WHERE m.organisation_id = :org AND o.local_date >= :start AND o.local_date <= :end
             AND o.status = 'scheduled' AND o.starts_at <= :now
           GROUP BY m.group_id, y, mo, h.currency"""
    ),
}
HAND_ROLLUP = """SELECT NULL, r.month, r.currency, sum(r.held), sum(r.counted), sum(r.total),
          sum(r.newcomers),
          sum(r.in_person), sum(r.online), sum(r.collected_dates), sum(r.collected_minor), sum(r.rota)
   FROM report_month r JOIN "group" g ON g.id = r.group_id
   WHERE g.organisation_id = :org AND r.month >= :start AND r.month <= :end
     AND NOT EXISTS (SELECT 1 FROM report_stale s WHERE s.group_id = r.group_id AND s.month = r.month)
   GROUP BY r.month, r.currency
   UNION ALL
   SELECT r.group_id, NULL, NULL, sum(r.held), sum(r.counted), sum(r.total), sum(r.newcomers),
          sum(r.in_person), sum(r.online), sum(r.collected_dates), sum(r.collected_minor), sum(r.rota)
   FROM report_month r JOIN "group" g ON g.id = r.group_id
   WHERE g.organisation_id = :org AND r.month >= :start AND r.month <= :end
     AND NOT EXISTS (SELECT 1 FROM report_stale s WHERE s.group_id = r.group_id AND s.month = r.month)
   GROUP BY r.group_id"""
HAND_STALE = """SELECT m.group_id, s.month, h.currency, count(o.id), count(h.total), sum(h.total),
          sum(h.newcomers),
          sum(h.in_person), sum(h.online),
          sum(CASE WHEN h.cash_minor IS NOT NULL OR h.digital_minor IS NOT NULL THEN 1 ELSE 0 END),
          sum(coalesce(h.cash_minor, 0) + coalesce(h.digital_minor, 0))
   FROM (SELECT DISTINCT group_id, month, until FROM report_stale WHERE month >= :start AND month <= :end) s
   JOIN meeting m ON m.group_id = s.group_id
   JOIN occurrence o ON o.meeting_id = m.id AND o.local_date >= s.month AND o.local_date < s.until
   LEFT JOIN head_count h ON h.occurrence_id = o.id
   WHERE m.organisation_id = :org AND o.status = 'scheduled' AND o.starts_at <= :now
   GROUP BY m.group_id, s.month, h.currency"""
HAND_STALE_ROTA = """SELECT m.group_id, s.month, count(a.id)
   FROM (SELECT DISTINCT group_id, month, until FROM report_stale WHERE month >= :start AND month <= :end) s
   JOIN meeting m ON m.group_id = s.group_id
   JOIN occurrence o ON o.meeting_id = m.id AND o.local_date >= s.month AND o.local_date < s.until
   JOIN rota_assignment a ON a.occurrence_id = o.id
   WHERE m.organisation_id = :org AND a.status = 'confirmed' AND o.status = 'scheduled'
     AND o.starts_at <= :now
   GROUP BY m.group_id, s.month"""
HAND_ROTA = """SELECT r.group_id, count(a.id) FROM rota_assignment a
   JOIN occurrence o ON o.id = a.occurrence_id JOIN service_role r ON r.id = a.role_id
   JOIN meeting m ON m.id = o.meeting_id
   WHERE m.organisation_id = :org AND a.status = 'confirmed' AND o.local_date >= :start
     AND o.local_date <= :end AND o.status = 'scheduled' AND o.starts_at <= :now
   GROUP BY r.group_id"""
HAND_NEWS = """SELECT l.group_id, count(s.id) FROM news_subscription s JOIN mailing_list l ON l.id = s.list_id
   WHERE s.confirmed_at IS NOT NULL GROUP BY l.group_id"""


def settings(database_url: str, directory: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench secret key",
        "GROUPADMIN_DATA_KEY": "bench data key",
        "MAIL_URL": f"file://{directory / 'mail'}",
        "BASE_URL": "http://127.0.0.1",
    }


def seed(config: dict) -> None:
    app = create_app(config)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        demo.seed(now=utcnow(), scale="intergroup")
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        counts = {
            table: db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
            for table in ("group", "occurrence", "head_count")
        }
        db.session.remove()
        db.engine.dispose()
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )


def table_names() -> tuple[str, str]:
    """The rota assignments' and newsletter subscriptions' table names, from the models."""
    return Assignment.__tablename__, Subscription.__tablename__


def _params(org_id: int, period: Period, now) -> dict:
    return {"org": org_id, "start": period.start, "end": period.end, "now": now}


def _news(params) -> int:
    news = table_names()[1]
    return len(db.session.execute(sa.text(HAND_NEWS.replace("news_subscription", news))).all())


def hand_written(org_id: int, period: Period, now) -> int:
    """The same sums as the report, by hand, over the data it reads: the roll-ups of a year of whole
    months (rolled up by then) but the stale group-months, those from the raw data; newsletters."""
    params = _params(org_id, period, now)
    rota = table_names()[0]
    rows = db.session.execute(sa.text(HAND_ROLLUP), params).all()
    rows += db.session.execute(sa.text(HAND_STALE), params).all()
    rows += db.session.execute(sa.text(HAND_STALE_ROTA.replace("rota_assignment", rota)), params).all()
    return len(rows) + _news(params)


def raw_group_by(org_id: int, period: Period, now) -> int:
    """The sums from the raw data (every date, head count and rota turn of the year), for honesty."""
    params = _params(org_id, period, now)
    rota = table_names()[0]
    rows = db.session.execute(sa.text(RAW_SQL[db.engine.dialect.name]), params).all()
    rows += db.session.execute(sa.text(HAND_ROTA.replace("rota_assignment", rota)), params).all()
    return len(rows) + _news(params)


def roll_up() -> float:
    """Bring the schema up to date and run the roll-up job (the first run rolls up every month over)."""
    started = time.perf_counter()
    upgrade()
    done = rollups.refresh(now=utcnow())
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    elapsed = time.perf_counter() - started
    rows = db.session.scalar(sa.text("SELECT count(*) FROM report_month"))
    print(
        f"roll-up job: {elapsed:.1f} s ({done['months']} months, {done['stale']} stale), "
        f"{rows:,} roll-up rows"
    )
    return elapsed


def report_queries(org, period: Period, now) -> int:
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        services.organisation_report(org, period, now=now, locale="en")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return len(statements)


def measure(config: dict, rounds: int) -> None:
    app = create_app(config)
    with app.app_context(), app.test_request_context():
        roll_up()
        org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "lakeside"))
        now = utcnow()
        today = services.org_today(org, now)
        year = preset("last-year", today)
        mine, hand, raw = [], [], []
        for _ in range(rounds):
            for times, run in (
                (hand, lambda: hand_written(org.id, year, now)),
                (mine, lambda: services.organisation_report(org, year, now=now, locale="en")),
                (raw, lambda: raw_group_by(org.id, year, now)),
            ):
                started = time.perf_counter()
                run()
                times.append(time.perf_counter() - started)
                db.session.rollback()
        db.session.refresh(org)
        one_month = report_queries(org, preset("last-month", today), now)
        db.session.refresh(org)
        five_years = report_queries(org, Period(date(today.year - 5, today.month, 1), today), now)
    report, sql = statistics.median(mine), statistics.median(hand)
    ratio = report / sql
    dialect = "PostgreSQL" if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "SQLite"
    print(f"{dialect}: a year's report ({year.start} to {year.end}), median of {rounds} rounds")
    print(f"  report (SQL sums, suppression, tables): {report * 1000:8.1f} ms")
    print(f"  hand-written SQL GROUP BY, same data:   {sql * 1000:8.1f} ms (roll-ups, stale months raw)")
    print(
        f"  raw-data SQL GROUP BY (for honesty):    {statistics.median(raw) * 1000:8.1f} ms "
        "(every date, count and rota turn)"
    )
    print(f"  ratio: {ratio:.2f}x (target <= {TARGET_RATIO}x) {'OK' if ratio <= TARGET_RATIO else 'OVER'}")
    print(f"  ratio to the raw-data SQL: {report / statistics.median(raw):.2f}x")
    print(f"  queries: {one_month} for a month, {five_years} for five years")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", action="store_true", help="use TEST_DATABASE_URL (scripts/with-postgres.sh)"
    )
    parser.add_argument("--keep", type=Path, help="a SQLite file to seed once and reuse in later runs")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="groupadmin-bench-reports-") as tmp:
        directory = Path(tmp)
        if args.postgres:
            url = os.environ["TEST_DATABASE_URL"]
        else:
            url = f"sqlite:///{(args.keep or directory / 'bench.sqlite3').resolve()}"
        config = settings(url, directory)
        if not (args.keep and args.keep.exists()):
            seed(config)
        measure(config, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
