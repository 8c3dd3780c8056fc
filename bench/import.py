"""Benchmark: importing a large intergroup's meeting list.

Builds a Meeting Guide feed of 500 and of 5,000 meetings (the import's limit): in person, hybrid and
online, with region hierarchies, HTML notes and type names, a third without a time zone, into a
throw-away SQLite database, and times:

- the preview (`plan_import`: read, interpret, match; changes nothing);
- the apply (`apply_import`: meetings, schedules, audit and 12 weeks of occurrences) and its commit;
- the preview of the same file again (every meeting matched, unchanged);
- the organisation-wide preview and apply of the same numbers of meetings split over 50 groups.

Aim (issue 11): preview < 5 s and apply < 10 s for 5,000 rows on this machine.
Run: `.venv/bin/python bench/import.py` (or `make bench`).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from groupadmin import create_app  # noqa: E402
from groupadmin.extensions import db  # noqa: E402
from groupadmin.groups.models import Group, Organisation  # noqa: E402
from groupadmin.meetings import importer  # noqa: E402
from groupadmin.meetings.models import Meeting, Occurrence  # noqa: E402

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
WEEKS = 12
SIZES = (500, 5000)


def feed(count: int, prefix: str, groups: int = 0) -> str:
    items = []
    for n in range(count):
        item = {
            "name": f"Meeting {n} &amp; friends",
            "slug": f"{prefix}-{n}",
            "day": n % 7,
            "time": f"{6 + n % 15:02d}:{(n % 4) * 15:02d}",
            "end_time": f"{7 + n % 15:02d}:{(n % 4) * 15:02d}",
            "types": ["O", "Big Book", "Step Meeting"] if n % 2 else ["C", "D", "X"],
            "regions": ["County", f"Town {n % 40}"],
            "notes": "Side door<br>Ring the bell",
        }
        if n % 3:
            item["timezone"] = "America/New_York"
        if n % 5 == 0:
            item |= {"formatted_address": "Lakeside, NY, USA", "conference_url": f"https://zoom.us/j/{n}"}
        else:
            item["formatted_address"] = f"{n} Main Street, Lakeside, NY 12345, USA"
            if n % 5 == 1:
                item |= {"conference_url": f"https://zoom.us/j/{n}", "attendance_option": "hybrid"}
        if groups:
            item["group"] = f"Group {n % groups}"
        items.append(item)
    return json.dumps(items)


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
                "SECRET_KEY": "bench",
                "GROUPADMIN_DATA_KEY": "bench",
                "MAIL_URL": f"file://{Path(directory) / 'mail'}",
            }
        )
        with app.app_context(), app.test_request_context():
            upgrade()
            failed = False
            for size in SIZES:
                organisation = Organisation(
                    slug=f"org-{size}", name=f"Org {size}", timezone="America/New_York"
                )
                group = Group(organisation=organisation, slug=f"group-{size}", name=f"Group {size}")
                db.session.add_all([organisation, group])
                db.session.commit()
                content = feed(size, f"g{size}")
                plan, preview = timed(importer.plan_import, group, "feed.json", content, now=NOW)
                assert plan.ok, plan.summary()
                db.session.rollback()
                _, apply = timed(
                    importer.apply_import, group, "feed.json", content, actor=None, now=NOW, weeks=WEEKS
                )
                _, commit = timed(db.session.commit)
                plan, again = timed(importer.plan_import, group, "feed.json", content, now=NOW)
                assert plan.count("unchanged") == size, plan.count("update")
                db.session.rollback()
                org_content = feed(size, f"o{size}", groups=50)
                org_plan, org_preview = timed(
                    importer.plan_org_import, organisation, "feed.json", org_content, now=NOW
                )
                db.session.rollback()
                _, org_apply = timed(
                    importer.apply_org_import,
                    organisation,
                    "feed.json",
                    org_content,
                    actor=None,
                    now=NOW,
                    weeks=WEEKS,
                )
                _, org_commit = timed(db.session.commit)
                meetings = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Meeting)
                    .where(Meeting.organisation_id == organisation.id)
                )
                occurrences = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Occurrence)
                    .join(Meeting)
                    .where(Meeting.organisation_id == organisation.id)
                )
                print(
                    f"{size:>5} rows  preview {preview:6.2f} s   apply {apply + commit:6.2f} s   "
                    f"preview again {again:6.2f} s   organisation: preview {org_preview:6.2f} s, "
                    f"apply {org_apply + org_commit:6.2f} s"
                    f"   ({meetings} meetings, {occurrences} occurrences)"
                )
                if size == 5000 and (preview > 5 or apply + commit > 10 or org_preview > 5 or org_apply > 10):
                    failed = True
            if failed:
                print("Above the aim: preview < 5 s, apply < 10 s for 5,000 rows.")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
