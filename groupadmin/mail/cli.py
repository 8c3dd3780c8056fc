"""`flask --app app mail send-test --to ADDRESS [--count N]` and `flask --app app mail deliver`."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail import services


@click.group("mail")
def mail_cli() -> None:
    """Check the mail settings and drive the outbox by hand."""


@mail_cli.command("send-test")
@click.option("--to", "to", required=True, help="The address to write to.")
@click.option(
    "--count",
    default=1,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many messages (each with its own key).",
)
@with_appcontext
def send_test(to: str, count: int) -> None:
    """Enqueue test messages; the scheduler's relay (or `mail deliver`) sends them."""
    try:
        added = services.send_test(to=to, count=count, now=utcnow())
    except services.MailError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{added} test message(s) enqueued. Transport: {services.transport_from_config().describe()}.")


@mail_cli.command("deliver")
@click.option(
    "--drain",
    is_flag=True,
    help="Keep going until no message is due or being sent (waits for expired leases).",
)
@click.option(
    "--timeout", default=600.0, show_default=True, help="With --drain: give up after this many seconds."
)
@with_appcontext
def deliver(drain: bool, timeout: float) -> None:
    """Run the relay once now, without the scheduler."""
    deadline = time.monotonic() + timeout
    total = services.RelayStats()
    while True:
        stats = services.deliver_due(now=utcnow())
        for name in services.relay.COUNTED:
            setattr(total, name, getattr(total, name) + getattr(stats, name))
        if not drain or time.monotonic() > deadline:
            break
        waiting = services.waiting_count(utcnow())
        if not waiting:
            break
        time.sleep(0.2)
    click.echo(f"sent {total.sent}, retried later {total.retried}, failed {total.failed}, held {total.held}")
