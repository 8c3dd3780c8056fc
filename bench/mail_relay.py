"""Benchmark: the mail relay against the floor of a plain smtplib loop, to the same local SMTP sink.

Seeds 10,000 messages through `enqueue` into a throw-away SQLite database, then in one run:

1. the floor: the same 10,000 messages, already rendered to bytes, sent by a plain smtplib loop over one
   connection (no database, no lease, no marks);
2. the relay: `deliver_due` in its own process, as the scheduler runs it (claims with a lease, builds each
   message, sends, commits a mark after each send), over one connection.

The sink is aiosmtpd in its own process. Floor and relay alternate for a few rounds (a busy machine
slows both alike). Prints both rates, their ratio (target: the relay reaches at least half the floor's
rate) and the relay process's peak memory (target: under 150 MB).

    .venv/bin/python bench/mail_relay.py [--messages 10000] [--rounds 3] [--pin]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sink_process(port: int, ready, counter, pinned: bool) -> None:
    """An aiosmtpd server that accepts everything and counts it (with --pin, on a core of its own)."""
    from aiosmtpd.controller import Controller

    if pinned:
        pin(0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def pin(core: int) -> None:
    """Run this process on one core (--pin: the sink on the first, floor and relay on the second), as a
    mail server on another machine would be: it works while the sender does. Unpinned, the operating
    system often wakes the sink on the sender's core, where neither overlaps the other; the relay
    overlaps its database mark and message building with the server's work, so it gains from --pin,
    while the floor, a bare request-answer loop, loses the cheap same-core wake-ups."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cores) >= 2:
        os.sched_setaffinity(0, {cores[core]})


def settings(database: Path, port: int) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench secret key",
        "GROUPADMIN_DATA_KEY": "bench data key",
        "MAIL_URL": f"smtp://127.0.0.1:{port}",
        "MAIL_FROM": "Bench <bench@example.org>",
        "BASE_URL": "http://127.0.0.1:5000",
    }


def make_app(env: dict):
    os.environ.update(env)
    from groupadmin import create_app

    app = create_app()
    import logging

    logging.getLogger("groupadmin").setLevel(logging.WARNING)
    return app


def seed(app, n: int) -> float:
    from groupadmin.demo import seed as seed_demo
    from groupadmin.extensions import db
    from groupadmin.groups.models import Group
    from groupadmin.mail import services

    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        seed_demo(now=now)
        group = db.session.scalar(db.select(Group).filter_by(slug="lakeside-aa"))
        started = time.perf_counter()
        for i in range(n):
            services.enqueue(
                key=f"bench:{i}",
                to=f"member{i}@example.net",
                subject=f"Your commitments, week {i % 52}",
                template="mail/send_test",
                context={"n": i + 1, "count": n, "run": "bench"},
                now=now,
                group=group,
            )
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()
        return time.perf_counter() - started


def seed_newsletter(app, n: int) -> float:
    """One newsletter issue to `n` confirmed subscribers, enqueued by the sending job (as issue 12's
    benchmark asks): the relay then carries real newsletter messages (List-Id, one-click headers)."""
    from bench.newsletters import seed as seed_list
    from bench.newsletters import send

    with app.app_context():
        return send(seed_list(n))


def pending(app) -> int:
    from groupadmin.extensions import db
    from groupadmin.mail.models import OutboxMessage

    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )


def floor(app, port: int) -> tuple[float, int]:
    """The same messages, pre-rendered to bytes, through one plain smtplib connection."""
    import sqlalchemy as sa

    from groupadmin.mail import services
    from groupadmin.mail.models import OutboxMessage

    with app.app_context():
        rows = services.db.session.execute(sa.select(*services._ROW_COLUMNS).order_by(OutboxMessage.id)).all()
        envelopes = [services.build_envelope(row) for row in rows]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for envelope in envelopes:
            smtp.sendmail(envelope.sender, [envelope.recipient], envelope.data)
    return time.perf_counter() - started, len(envelopes)


def relay_child() -> None:
    """Run in its own process: deliver everything due, report time and peak memory as JSON."""
    app = make_app({})
    from groupadmin.mail import services

    with app.app_context():
        started = time.perf_counter()
        stats = services.deliver_due(now=datetime.now(UTC))
        elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "sent": stats.sent, "peak_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own peak resident memory. (getrusage's ru_maxrss is no good in a child: Linux
    carries the parent's high-water mark across fork and exec.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_outbox(app) -> None:
    """Make every message due again, for the next round."""
    import sqlalchemy as sa

    from groupadmin.extensions import db
    from groupadmin.mail.models import OutboxMessage

    with app.app_context():
        db.session.execute(
            sa.update(OutboxMessage.__table__).values(
                status="pending", attempts=0, sent_at=None, next_attempt_at=datetime.now(UTC)
            )
        )
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="floor and relay alternate this many times")
    parser.add_argument("--pin", action="store_true", help="the sink on one core, floor and relay on another")
    parser.add_argument(
        "--newsletter",
        action="store_true",
        help="the messages are one newsletter issue to N confirmed subscribers, enqueued by its sending job",
    )
    parser.add_argument("--relay-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.relay_child:
        relay_child()
        return

    from tests.smtp_sink import free_port

    n = args.messages
    port = free_port()
    ready, counter = multiprocessing.Event(), multiprocessing.Value("l", 0)
    sink = multiprocessing.Process(target=sink_process, args=(port, ready, counter, args.pin), daemon=True)
    sink.start()
    ready.wait(10)
    if args.pin:
        pin(1)  # the floor here, the relay in its child process (which inherits this)
    floors, relays = [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = settings(Path(tmp) / "bench.sqlite3", port)
        app = make_app(env)
        enqueue_seconds = seed_newsletter(app, n) if args.newsletter else seed(app, n)
        n = pending(app)  # the demo data may add a message of its own (a newsletter's demo mail)
        print(f"enqueued {n:,} messages in {enqueue_seconds:.1f} s ({n / enqueue_seconds:,.0f}/s)")
        # Floor and relay alternate, so that a busy machine slows both alike; the best of each counts.
        for round_ in range(args.rounds):
            with counter.get_lock():
                counter.value = 0
            floor_seconds, floor_sent = floor(app, port)
            assert counter.value == n == floor_sent, (counter.value, floor_sent)
            floors.append(n / floor_seconds)
            with counter.get_lock():
                counter.value = 0
            if round_:
                reset_outbox(app)
            child = subprocess.run(
                [sys.executable, __file__, "--relay-child"],
                env={**os.environ, **env},
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            assert result["sent"] == n and counter.value == n, (result, counter.value)
            relays.append((n / result["seconds"], result["peak_mb"]))
            print(
                f"round {round_ + 1}: floor {floors[-1]:,.0f}/s, relay {relays[-1][0]:,.0f}/s, "
                f"ratio {relays[-1][0] / floors[-1]:.2f}"
            )
    sink.terminate()

    # Per-round ratios, so that a busy machine (which slows floor and relay alike) does not skew them.
    ratio = statistics.median(r / f for f, (r, _) in zip(floors, relays, strict=True))
    floor_rate = statistics.median(floors)
    relay_rate = statistics.median(r for r, _ in relays)
    peak = max(m for _, m in relays)
    print(f"floor (plain smtplib loop over one connection, pre-built messages): {floor_rate:,.0f} messages/s")
    print(f"relay (claim with lease, build, send, commit a mark per message):   {relay_rate:,.0f} messages/s")
    verdict = "ok" if ratio >= 0.5 else "BELOW TARGET"
    print(f"ratio relay/floor (median of rounds): {ratio:.2f} (target >= 0.50) {verdict}")
    print(f"relay peak memory: {peak:.0f} MB (target < 150 MB) {'ok' if peak < 150 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
