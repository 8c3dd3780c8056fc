"""The job registry: domains declare their periodic jobs in their own ``jobs.py``::

    from groupadmin.scheduler.registry import job

    @job("occurrences", trigger="cron", hour=3)
    def generate_occurrences(now: datetime) -> None:
        ...  # find what is due at `now` and enqueue / create it, idempotently

A job receives the current time (UTC, timezone-aware) and runs inside an app context; the runner
commits after it and rolls back if it raises. Jobs only enqueue or create rows under unique keys, so
running one twice, or two schedulers racing, does no harm. A trigger argument may be a callable taking
the app's config, for intervals that are settings (``seconds=lambda c: c["MAIL_RELAY_INTERVAL_SECONDS"]``).

The scheduler names no domain: the app factory hands it the list of job modules (``use_job_modules``,
from ``groupadmin.JOB_MODULES``, the one list of where jobs live) and what ``flask scheduler status``
prints besides the jobs (``report_status``, e.g. the outbox's counts).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from groupadmin.extensions import db

log = logging.getLogger("groupadmin.scheduler")

# Set by the app factory (use_job_modules).
JOB_MODULES: tuple[str, ...] = ()
# Each returns lines for `flask scheduler status`; registered by the app factory (report_status).
status_reporters: list[Callable[[], list[str]]] = []


def use_job_modules(modules) -> None:
    """Where the jobs live (module names, imported when the jobs are loaded)."""
    global JOB_MODULES
    JOB_MODULES = tuple(modules)


def report_status(reporter: Callable[[], list[str]]) -> None:
    """Register `reporter() -> lines`, printed by `flask scheduler status` after the jobs."""
    if reporter not in status_reporters:
        status_reporters.append(reporter)


@dataclass(frozen=True)
class Job:
    id: str
    fn: Callable[[datetime], None]
    trigger: str
    trigger_args: dict
    # Jobs run in this order in a tick; the mail relay comes last, to deliver what the others enqueued.
    order: int

    def resolved_trigger_args(self, config) -> dict:
        return {k: (v(config) if callable(v) else v) for k, v in self.trigger_args.items()}


_jobs: dict[str, Job] = {}
# Set when the scheduler process is stopping: a long job (the relay draining a backlog) may check it
# between units of work and return early; what it leaves is done at the next run.
stopping = threading.Event()


def job(id: str, *, trigger: str = "interval", order: int = 0, **trigger_args) -> Callable:
    """Register `fn(now)` as a periodic job (APScheduler trigger name and arguments)."""
    if trigger not in ("interval", "cron", "date"):
        raise ValueError(f"unknown trigger {trigger!r}")

    def decorator(fn):
        existing = _jobs.get(id)
        if existing is not None and existing.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"two jobs are called {id!r}")
        _jobs[id] = Job(id=id, fn=fn, trigger=trigger, trigger_args=trigger_args, order=order)
        return fn

    return decorator


def load_jobs(extra_modules=()) -> list[Job]:
    """Import the job modules and return their jobs, in tick order."""
    modules = (*JOB_MODULES, *extra_modules)
    for module in modules:
        importlib.import_module(module)
    return sorted((j for j in _jobs.values() if j.fn.__module__ in modules), key=lambda j: (j.order, j.id))


def run_job(app, job: Job, now: datetime) -> bool:
    """Run one job in its own app context (its own database session): commit after it, roll back if
    it raises. The error is logged by type and place only: exception messages can carry personal data
    (SQL parameters, addresses), so they never reach the log."""
    started = time.perf_counter()
    with app.app_context():
        try:
            job.fn(now)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            log.error(
                "job.failed",
                extra={
                    "fields": {
                        "job": job.id,
                        "error": type(exc).__name__,
                        "where": f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else None,
                    }
                },
            )
            return False
        finally:
            db.session.remove()
    log.debug(
        "job.done", extra={"fields": {"job": job.id, "ms": round((time.perf_counter() - started) * 1000, 1)}}
    )
    return True
