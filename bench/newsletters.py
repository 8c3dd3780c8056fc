"""Benchmark: enqueueing one newsletter issue to a list of 10,000 confirmed subscribers.

Seeds the demo and a list of N confirmed subscribers (bulk inserts, addresses encrypted as the app
stores them) in a throw-away SQLite database, then runs the sending job's batches as the scheduler does
(one commit per batch) and prints the time to enqueue the whole issue (target: under 10 s) and the
process's peak memory (target: under 200 MB). The relay's rate on these very messages against the
plain smtplib floor: `bench/mail_relay.py --newsletter` (target: at least half the floor).

    .venv/bin/python bench/newsletters.py [--subscribers 10000] [--batch 500]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            {
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "SECRET_KEY": "bench secret key",
                "GROUPADMIN_DATA_KEY": "bench data key",
                "MAIL_URL": f"file://{tmp}/mail",
                "MAIL_FROM": "Bench <bench@example.org>",
                "BASE_URL": "http://127.0.0.1:5000",
                "NEWSLETTER_BATCH": str(args.batch),
            }
        )
        from groupadmin import create_app

        app = create_app()
        logging.getLogger("groupadmin").setLevel(logging.WARNING)
        with app.app_context():
            issue_id = seed(args.subscribers)
            seconds = send(issue_id)
            count = enqueued(issue_id)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"subscribers: {args.subscribers}, messages enqueued: {count}")
    print(f"enqueue the issue: {seconds:.2f} s ({count / seconds:.0f} messages/s; target: under 10 s)")
    print(f"peak memory: {peak_mb:.0f} MB (target: under 200 MB)")


def seed(n: int) -> int:
    import sqlalchemy as sa

    from groupadmin import crypto
    from groupadmin.demo import seed as seed_demo
    from groupadmin.extensions import db
    from groupadmin.groups.models import Group
    from groupadmin.newsletters import services
    from groupadmin.newsletters.models import Subscriber, Subscription

    db.create_all()
    now = datetime.now(UTC)
    seed_demo(now=now)
    group = db.session.scalar(sa.select(Group).filter_by(slug="lakeside-aa"))
    values = {
        "name": "Bench News",
        "slug": "bench-news",
        "description": None,
        "visibility": "public",
        "language": "en",
        "sender_name": None,
        "consent_wording": "Yes.",
    }
    mlist = services.save_list(group, None, values, now=now)
    db.session.commit()
    started = time.perf_counter()
    for start in range(0, n, 1000):
        addresses = [f"reader{i}@example.net" for i in range(start, min(start + 1000, n))]
        db.session.execute(
            sa.insert(Subscriber),
            [
                {
                    "email": a,
                    "email_hash": crypto.lookup_hash(a),
                    "first_name": None,
                    "language": "en",
                    "created_at": now,
                }
                for a in addresses
            ],
        )
        ids = db.session.scalars(
            sa.select(Subscriber.id).where(
                Subscriber.email_hash.in_([crypto.lookup_hash(a) for a in addresses])
            )
        ).all()
        db.session.execute(
            sa.insert(Subscription),
            [
                {
                    "list_id": mlist.id,
                    "subscriber_id": i,
                    "status": "confirmed",
                    "consent_at": now,
                    "consent_source": "import",
                    "consent_wording": "bench",
                    "consent_version": 1,
                    "requested_at": now,
                    "requests": 0,
                    "confirmed_at": now,
                    "soft_bounces": 0,
                }
                for i in ids
            ],
        )
        db.session.commit()
    print(f"seeded {n} subscribers in {time.perf_counter() - started:.1f} s")
    issue = services.save_issue(
        mlist, None, subject="Bench issue", body="## News\n\nCoffee *after* the meeting.", actor=None, now=now
    )
    services.send_now(issue, now=now)
    db.session.commit()
    return issue.id


def send(issue_id: int) -> float:
    from groupadmin.newsletters import jobs

    started = time.perf_counter()
    jobs.send(datetime.now(UTC))
    return time.perf_counter() - started


def enqueued(issue_id: int) -> int:
    import sqlalchemy as sa

    from groupadmin.extensions import db
    from groupadmin.mail.models import OutboxMessage

    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.idempotency_key.like(f"newsletter:{issue_id}:%"))
    )


if __name__ == "__main__":
    main()
