"""Several processes against one database and a real SMTP server: racing schedulers, a relay killed with
SIGKILL mid-batch, and `scheduler run` standing by and taking over. Waits poll with a bound."""

from __future__ import annotations

import json
import signal
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail import services
from groupadmin.mail.models import OutboxMessage
from groupadmin.scheduler.models import SchedulerLease
from tests.smtp_sink import SinkServer, app_env, finish, flask_process, kill, poll

pytestmark = [pytest.mark.postgres, pytest.mark.real_clock]


@pytest.fixture
def slow_sink():
    server = SinkServer(delay=0.002).start()
    yield server
    server.stop()


def enqueue_many(n: int, prefix: str = "m") -> set[str]:
    """`n` due messages, inserted in one transaction. Returns their Message-IDs."""
    now = utcnow() - timedelta(minutes=1)
    ids = set()
    for i in range(n):
        message = services.enqueue(
            key=f"{prefix}:{i}",
            to=f"person{i}@example.net",
            subject=f"Message {i}",
            template="mail/send_test",
            context={"n": i, "count": n, "run": prefix},
            now=now,
        )
        ids.add(message.message_id)
    db.session.commit()
    return ids


def statuses() -> dict[str, int]:
    db.session.expire_all()
    counts = {k: v for k, v in services.counts_by_status().items() if v}
    db.session.commit()
    return counts


def test_two_schedulers_ticking_at_once_deliver_each_key_once(app, database_url, slow_sink):
    expected = enqueue_many(300)
    env = app_env(
        database_url,
        MAIL_URL=slow_sink.url,
        MAIL_RELAY_BATCH=5,
        SCHEDULER_EXTRA_JOB_MODULES="tests.scheduler.sample_jobs",
    )
    processes = [flask_process(["scheduler", "tick"], env) for _ in range(2)]
    results = [finish(p, timeout=120) for p in processes]
    for code, out, err in results:
        assert code == 0, err[-3000:]
        assert "test-digest: done" in out and "mail-relay: done" in out
    claimed = [
        json.loads(line)["claimed"]
        for _, _, err in results
        for line in err.splitlines()
        if '"mail.relay"' in line
    ]
    assert sum(claimed) == 320  # shared between the two relays, each message claimed once
    ids = slow_sink.handler.message_ids()
    # 300 messages plus the digest job's 20, which both schedulers' jobs tried to enqueue.
    assert len(ids) == 320 and len(set(ids)) == 320
    assert expected <= set(ids)
    assert statuses() == {"sent": 320}


def test_a_relay_killed_mid_batch_loses_nothing_and_resends_at_most_one_per_kill(
    app, database_url, slow_sink
):
    expected = enqueue_many(500)
    env = app_env(database_url, MAIL_URL=slow_sink.url, MAIL_RELAY_BATCH=10, MAIL_LEASE_SECONDS=1)
    kills = 0
    for threshold in (120, 300):
        relay = flask_process(["mail", "deliver", "--drain"], env)
        reached = slow_sink.wait_for(threshold, timeout=60)
        kill(relay, signal.SIGKILL)
        kills += 1
        assert threshold <= reached < 500, "the relay finished before it could be killed"
        assert relay.returncode == -signal.SIGKILL
    code, out, err = finish(
        flask_process(["mail", "deliver", "--drain", "--timeout", "60"], env), timeout=120
    )
    assert code == 0, err[-3000:]
    ids = slow_sink.handler.message_ids()
    assert set(ids) == expected  # none lost
    assert len(ids) - len(set(ids)) <= kills  # at most one duplicate per kill
    assert statuses() == {"sent": 500}


def lease_holder_pid() -> int | None:
    db.session.expire_all()
    lease = db.session.get(SchedulerLease, "scheduler")
    db.session.commit()
    if lease is None or lease.expires_at <= utcnow():
        return None
    return int(lease.owner.split(":")[1])


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_dies(app, database_url, smtp_sink):
    env = app_env(
        database_url,
        MAIL_URL=smtp_sink.url,
        SCHEDULER_LEASE_SECONDS=2,
        SCHEDULER_POLL_SECONDS=0.2,
        MAIL_RELAY_INTERVAL_SECONDS=1,
    )
    first = flask_process(["scheduler", "run"], env)
    second = None
    try:
        assert poll(lambda: lease_holder_pid() == first.pid, timeout=30), "the first scheduler never led"
        second = flask_process(["scheduler", "run"], env)
        enqueue_many(1, "before")
        assert smtp_sink.wait_for(1, timeout=30) == 1
        assert lease_holder_pid() == first.pid and second.poll() is None  # the second one stands by

        kill(first, signal.SIGKILL)
        died = time.monotonic()
        assert poll(lambda: lease_holder_pid() == second.pid, timeout=30), "the standby never took over"
        assert time.monotonic() - died < 2 + 0.2 + 10  # lease + poll, with room for a loaded machine
        enqueue_many(1, "after")
        assert smtp_sink.wait_for(2, timeout=30) == 2

        second.send_signal(signal.SIGTERM)  # a clean stop gives the lease up
        code, _, err = finish(second, timeout=30)
        assert code == 0, err[-3000:]
        assert '"scheduler.stopped"' in err
        assert lease_holder_pid() is None
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                kill(process)
    assert smtp_sink.handler.duplicates() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2
