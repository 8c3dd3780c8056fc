"""The scheduler process: APScheduler 3 with its memory job store, driven by our database lease.

Started only by ``flask --app app scheduler run``, never inside web workers (each gunicorn worker would
run every job). Job stores are never shared between schedulers (APScheduler's own rule); instead every
scheduler process builds the same jobs from code and the lease decides which one runs them: the holder
runs, the others stay paused and poll, and take over within ``SCHEDULER_LEASE_SECONDS`` +
``SCHEDULER_POLL_SECONDS`` of the holder's death.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from datetime import UTC

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.scheduler import registry, services
from groupadmin.scheduler.registry import Job, load_jobs, run_job

log = logging.getLogger("groupadmin.scheduler")

# Chosen on purpose:
# - coalesce: runs missed while this process stood by, was suspended or was busy are run once, not once
#   per missed period: every job works out what is due from `now`, so one run catches up with all.
# - misfire_grace_time None: a late run is still run, however late. Jobs are idempotent, and dropping
#   a run would delay a daily job's work by a whole day.
# - max_instances 1: a job never overlaps itself (a long relay run is not joined by a second one).
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
TRIGGERS = {"interval": IntervalTrigger, "cron": CronTrigger, "date": DateTrigger}


def jobs_for(app) -> list[Job]:
    return load_jobs(app.config["SCHEDULER_EXTRA_JOB_MODULES"])


def make_trigger(job: Job, config):
    args = job.resolved_trigger_args(config)
    if job.trigger == "cron":
        args.setdefault("timezone", UTC)
    elif job.trigger == "interval":
        args.setdefault("timezone", UTC)
    return TRIGGERS[job.trigger](**args)


def tick(app) -> list[tuple[str, bool]]:
    """Run every job once, in order (the relay last), each with the time it starts at."""
    return [(job.id, run_job(app, job, utcnow())) for job in jobs_for(app)]


def process_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerProcess:
    def __init__(self, app):
        self.app = app
        self.owner = process_id()
        self.stopping = threading.Event()
        self.leader = False

    def _lease(self) -> bool:
        config = self.app.config
        with self.app.app_context():
            try:
                return services.acquire_lease(
                    self.owner, now=utcnow(), seconds=config["SCHEDULER_LEASE_SECONDS"]
                )
            except sa.exc.SQLAlchemyError as exc:
                db.session.rollback()
                log.error("scheduler.lease_error", extra={"fields": {"error": type(exc).__name__}})
                return False
            finally:
                db.session.remove()

    def _release(self) -> None:
        with self.app.app_context():
            try:
                services.release_lease(self.owner, now=utcnow())
            except sa.exc.SQLAlchemyError:
                db.session.rollback()
            finally:
                db.session.remove()

    def _run(self, job: Job) -> None:
        """One run of a job, in a worker thread: the time it starts at is its `now`."""
        run_job(self.app, job, utcnow())

    def _scheduler(self, jobs: list[Job]) -> BackgroundScheduler:
        """APScheduler with its memory job store and our jobs (interval jobs run at once when resumed)."""
        scheduler = BackgroundScheduler(
            timezone=UTC,
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults=JOB_DEFAULTS,
        )
        for job in jobs:
            first_run = utcnow() if job.trigger == "interval" else None
            scheduler.add_job(
                self._run,
                make_trigger(job, self.app.config),
                args=[job],
                id=job.id,
                name=job.id,
                **({"next_run_time": first_run} if first_run else {}),
            )
        return scheduler

    def run(self) -> None:
        logging.getLogger("apscheduler").setLevel(logging.ERROR)  # we log each run ourselves
        config = self.app.config
        jobs = jobs_for(self.app)
        scheduler = self._scheduler(jobs)

        def stop(*_):
            self.stopping.set()
            registry.stopping.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
        scheduler.start(paused=True)
        log.info("scheduler.started", extra={"fields": {"owner": self.owner, "jobs": [j.id for j in jobs]}})
        try:
            while True:
                holding = self._lease()
                if holding and not self.leader:
                    self.leader = True
                    scheduler.resume()
                    log.info("scheduler.leader", extra={"fields": {"owner": self.owner}})
                elif not holding and self.leader:
                    self.leader = False
                    scheduler.pause()
                    log.warning(
                        "scheduler.standby", extra={"fields": {"owner": self.owner, "reason": "lease lost"}}
                    )
                elif not holding:
                    log.debug("scheduler.standby")
                if self.stopping.wait(config["SCHEDULER_POLL_SECONDS"]):
                    break
        finally:
            scheduler.shutdown(wait=True)
            if self.leader:
                self._release()
            log.info("scheduler.stopped", extra={"fields": {"owner": self.owner}})
