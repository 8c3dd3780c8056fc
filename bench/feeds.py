"""Benchmark: the public feeds of a large intergroup.

Seeds `seed-demo --scale intergroup` (about 2,000 groups and 4,000 meetings with their occurrences) into
a throw-away SQLite database, then times, in one run:

- the Meeting Guide JSON feed and the organisation's iCalendar feed, cold: the first request after the
  app starts, and the median of full requests that build the body (the per-process body cache emptied
  before each, as after any change to the listing);
- a full request served from the body cache (what every further reader gets until something changes);
- a rebuild: the body cache emptied but the iCalendar events kept (as after one meeting's change);
- the same with `If-None-Match` (a 304: only the cheap version query runs);
- the SQL query count of each.

Target (issue 4): the full JSON feed in under 200 ms cold on this machine.
Run: `.venv/bin/python bench/feeds.py` (or `make bench`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groupadmin import create_app, ical  # noqa: E402
from groupadmin.extensions import db  # noqa: E402
from groupadmin.meetings import views  # noqa: E402

RUNS = 9
FEEDS = {"json": "/feeds/lakeside/meeting-guide.json", "ics": "/feeds/lakeside/meetings.ics"}


def seeded_app(directory: Path):
    from flask_migrate import upgrade

    from groupadmin import demo
    from groupadmin.database import utcnow

    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.sqlite3'}",
        "SECRET_KEY": "bench",
        "GROUPADMIN_DATA_KEY": "bench",
        "MAIL_URL": f"file://{directory / 'mail'}",
        "BASE_URL": "https://meetings.example.org",
    }
    app = create_app(config)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        demo.seed(now=utcnow(), scale="intergroup")
        db.session.commit()
        counts = {
            table: db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
            for table in ("group", "meeting", "occurrence")
        }
        db.session.remove()
        db.engine.dispose()
    print(
        f"seeded in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{v} {k}s" for k, v in counts.items())
    )
    # A fresh app over the seeded file: nothing warm in this process but Python's imports.
    return create_app(config)


def timed(client, url, **headers):
    statements = []

    def listen(*args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return response, elapsed, len(statements)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="groupadmin-bench-") as tmp:
        app = seeded_app(Path(tmp))
        with app.app_context():
            client = app.test_client()
            results = {}
            for name, url in FEEDS.items():
                response, cold, queries = timed(client, url)
                assert response.status_code == 200, response.status_code
                size = len(response.data)
                etag = response.headers["ETag"]
                built, rebuilt = [], []
                for _ in range(RUNS):
                    views._BODY_CACHE.clear()
                    ical._cached_event.cache_clear()
                    built.append(timed(client, url)[1])
                    views._BODY_CACHE.clear()
                    rebuilt.append(timed(client, url)[1])
                warm = [timed(client, url)[1] for _ in range(RUNS)]
                conditional = []
                for _ in range(RUNS):
                    answer, elapsed, conditional_queries = timed(client, url, **{"If-None-Match": etag})
                    assert answer.status_code == 304, answer.status_code
                    conditional.append(elapsed)
                results[name] = (
                    cold,
                    statistics.median(built),
                    statistics.median(warm),
                    statistics.median(conditional),
                    queries,
                    conditional_queries,
                    size,
                    statistics.median(rebuilt),
                )
        print(
            f"{'feed':<6}{'first ms':>10}{'build ms':>10}{'cached ms':>11}{'304 ms':>9}{'queries':>9}"
            f"{'304 q':>7}{'size KB':>9}{'rebuild ms':>12}"
        )
        for name, figures in results.items():
            first, build, warm, conditional, queries, conditional_queries, size, rebuild = figures
            print(
                f"{name:<6}{first:>10.1f}{build:>10.1f}{warm:>11.1f}{conditional:>9.2f}{queries:>9}"
                f"{conditional_queries:>7}{size / 1024:>9.0f}{rebuild:>12.1f}"
            )
        build = results["json"][1]
        print(
            f"JSON feed built cold (median): {build:.0f} ms (target < 200 ms): "
            f"{'OK' if build < 200 else 'SLOW'}"
        )
        print(f"304 vs a full JSON build: {build / results['json'][3]:.0f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
