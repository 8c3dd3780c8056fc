"""`flask --app app meetings generate-occurrences`: the nightly job, run by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.meetings import services

meetings_cli = AppGroup("meetings", help="Meetings and their dated occurrences.")


@meetings_cli.command("generate-occurrences")
@click.option(
    "--weeks",
    type=click.IntRange(1, 104),
    default=None,
    help="How many weeks ahead (default: the OCCURRENCE_WEEKS_AHEAD setting).",
)
def generate_occurrences(weeks: int | None) -> None:
    """Create the missing dated occurrences of every active meeting (idempotent)."""
    created = services.generate_occurrences(
        None, now=utcnow(), weeks=weeks or current_app.config["OCCURRENCE_WEEKS_AHEAD"]
    )
    db.session.commit()
    click.echo(f"{created} occurrences created.")
