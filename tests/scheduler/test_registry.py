"""The job registry, `scheduler tick` and `status`, and the leader lease (in this process)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from groupadmin import StructuredFormatter
from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.scheduler import registry
from groupadmin.scheduler import runner as scheduler_runner
from groupadmin.scheduler import services as lease
from tests.conftest import NOW
from tests.mail.helpers import enqueue


@pytest.fixture
def config_overrides(tmp_path):
    return {
        "MAIL_URL": f"file://{tmp_path / 'mail'}",
        "SCHEDULER_EXTRA_JOB_MODULES": ["tests.scheduler.sample_jobs"],
    }


def outbox_count(**where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).filter_by(**where))


def test_the_domains_jobs_are_registered_and_the_relay_runs_last(app):
    jobs = scheduler_runner.jobs_for(app)
    ids = [j.id for j in jobs]
    assert {"mail-relay", "mail-retention", "test-digest"} <= set(ids)
    assert ids[-1] == "mail-relay"
    relay = next(j for j in jobs if j.id == "mail-relay")
    assert scheduler_runner.make_trigger(relay, app.config).interval == timedelta(
        seconds=app.config["MAIL_RELAY_INTERVAL_SECONDS"]
    )
    assert "tests.scheduler.sample_jobs" not in registry.JOB_MODULES
    assert "test-digest" not in [j.id for j in registry.load_jobs()]  # only the listed modules' jobs


def test_a_job_that_runs_twice_enqueues_once(app):
    digest = next(j for j in scheduler_runner.jobs_for(app) if j.id == "test-digest")
    assert registry.run_job(app, digest, NOW)
    assert registry.run_job(app, digest, NOW + timedelta(hours=1))
    assert outbox_count() == 20


def test_a_failing_job_is_rolled_back_and_logged_without_personal_data(app, caplog):
    broken = next(j for j in registry.load_jobs(["tests.scheduler.broken_jobs"]) if j.id == "test-broken")
    assert registry.run_job(app, broken, NOW) is False
    assert outbox_count() == 0
    (record,) = [r for r in caplog.records if r.getMessage() == "job.failed"]
    line = StructuredFormatter().format(record)
    assert '"error": "RuntimeError"' in line and "broken_jobs.py" in line
    assert "pat@example.net" not in line and "could not reach" not in line


def test_job_declarations_are_checked():
    with pytest.raises(ValueError):
        registry.job("x", trigger="sometimes")
    registry.job("test-dupe", hours=1)(lambda now: None)
    with pytest.raises(ValueError):

        @registry.job("test-dupe", hours=1)
        def other(now):
            pass


def test_tick_runs_every_job_once_and_delivers_what_they_enqueued(app, runner, tmp_path):
    enqueue("before", to="pat@example.net", now=utcnow() - timedelta(minutes=1))
    result = runner.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    assert "mail-relay: done" in result.output and "test-digest: done" in result.output
    assert outbox_count(status="sent") == 21
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 21
    assert runner.invoke(args=["scheduler", "tick"]).exit_code == 0
    assert outbox_count() == 21  # the second tick enqueued nothing new


def test_status_prints_jobs_lease_and_outbox_counts(app, runner):
    enqueue("k")
    output = runner.invoke(args=["scheduler", "status"]).output
    assert "mail-relay" in output and "interval[0:00:10]" in output and "next run" in output
    assert "Lease: never taken" in output
    assert "pending 1" in output
    lease.acquire_lease("host:1:abc", now=NOW.replace(year=2100), seconds=40)
    assert "held by host:1:abc" in runner.invoke(args=["scheduler", "status"]).output


def test_send_test_enqueues_distinct_messages(app, runner):
    result = runner.invoke(args=["mail", "send-test", "--to", "ops@example.net", "--count", "3"])
    assert result.exit_code == 0 and "3 test message(s) enqueued" in result.output
    assert outbox_count(status="pending") == 3
    bad = runner.invoke(args=["mail", "send-test", "--to", "ops@example.net\r\nBcc: x@example.net"])
    assert bad.exit_code != 0 and outbox_count() == 3


@pytest.mark.postgres
def test_the_lease_makes_one_leader_and_a_standby_takes_over_when_it_expires(app):
    assert lease.acquire_lease("a", now=NOW, seconds=40)
    assert not lease.acquire_lease("b", now=NOW + timedelta(seconds=1), seconds=40)
    assert lease.acquire_lease("a", now=NOW + timedelta(seconds=30), seconds=40)  # renewed
    assert not lease.acquire_lease("b", now=NOW + timedelta(seconds=60), seconds=40)
    held = lease.current_lease()
    assert held.owner == "a" and held.acquired_at == NOW
    assert lease.acquire_lease("b", now=NOW + timedelta(seconds=70), seconds=40)  # a stopped renewing
    assert not lease.acquire_lease("a", now=NOW + timedelta(seconds=71), seconds=40)
    lease.release_lease("b", now=NOW + timedelta(seconds=72))
    assert lease.acquire_lease("a", now=NOW + timedelta(seconds=72), seconds=40)
