"""`flask --app app scheduler run | tick | status`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from groupadmin.database import utcnow
from groupadmin.scheduler import registry, services
from groupadmin.scheduler.runner import SchedulerProcess, jobs_for, make_trigger
from groupadmin.scheduler.runner import tick as run_tick


@click.group("scheduler")
def scheduler_cli() -> None:
    """The periodic jobs: run them in this process (one place only), once, or see their state."""


@scheduler_cli.command("run")
@with_appcontext
def run() -> None:
    """Run the scheduler until Ctrl-C or SIGTERM. A second one stands by and takes over if this dies."""
    SchedulerProcess(current_app._get_current_object()).run()


@scheduler_cli.command("tick")
@with_appcontext
def tick() -> None:
    """Run every job once (the mail relay last) and exit: for cron, tests and debugging."""
    results = run_tick(current_app._get_current_object())
    for job_id, ok in results:
        click.echo(f"{job_id}: {'done' if ok else 'FAILED (see the log)'}")
    if not all(ok for _, ok in results):
        raise SystemExit(1)


@scheduler_cli.command("status")
@with_appcontext
def status() -> None:
    """Print the jobs with their next run, who holds the lease, and the outbox counts."""
    now = utcnow()
    app = current_app._get_current_object()
    lease = services.current_lease()
    if lease is None:
        click.echo("Lease: never taken (no scheduler has run against this database).")
    elif lease.expires_at > now:
        click.echo(
            f"Lease: held by {lease.owner} since {lease.acquired_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"renewed until {lease.expires_at:%H:%M:%S} UTC."
        )
    else:
        click.echo(
            f"Lease: free (last held by {lease.owner}, expired {lease.expires_at:%Y-%m-%d %H:%M:%S} UTC): "
            "no scheduler is running."
        )
    click.echo("Jobs:")
    for job in jobs_for(app):
        trigger = make_trigger(job, app.config)
        next_run = trigger.get_next_fire_time(None, now)
        when = f"{next_run:%Y-%m-%d %H:%M:%S} UTC" if next_run else "never"
        click.echo(f"  {job.id:<30} {trigger!s:<40} next run {when}")
    for reporter in registry.status_reporters:
        for line in reporter():
            click.echo(line)
