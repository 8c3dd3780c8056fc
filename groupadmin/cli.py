"""Top-level commands: `flask --app app seed-demo` and `flask --app app create-admin EMAIL`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from groupadmin import demo
from groupadmin.auth import services as auth
from groupadmin.database import utcnow
from groupadmin.extensions import db


@click.command("seed-demo")
@click.option(
    "--scale",
    type=click.Choice(["demo", "intergroup"]),
    default="demo",
    show_default=True,
    help="'intergroup' adds a large data set (about 2,000 groups) for benchmarks.",
)
@click.option(
    "--if-empty", is_flag=True, help="Seed only when the database has no user yet (used by make run)."
)
@with_appcontext
def seed_demo(scale: str, if_empty: bool) -> None:
    """Create the demo organisation, groups and accounts (idempotent)."""
    if current_app.config["GROUPADMIN_ENV"] == "production":
        raise click.ClickException("seed-demo is refused when GROUPADMIN_ENV=production.")
    if if_empty and not demo.database_is_empty():
        click.echo("The database has data already: demo data not seeded.")
        return
    summary = demo.seed(now=utcnow(), scale=scale)
    db.session.commit()
    click.echo(summary)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Site admin", show_default=True, help="Display name of a new account.")
@with_appcontext
def create_admin(email: str, name: str) -> None:
    """Create a site administrator (or make an existing account one). The password is asked for,
    or read from standard input when that is not a terminal."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    problem = auth.password_problem(password, email)
    if problem:
        raise click.ClickException(str(problem))
    now = utcnow()
    user = auth.find_user_by_email(email)
    if user is None:
        user = auth.create_user(email=email, display_name=name, password=password, now=now, site_admin=True)
        click.echo(f"Created site administrator (user {user.id}).")
    else:
        user.is_site_admin = True
        auth.set_password(user, password, now=now)
        click.echo(f"User {user.id} is now a site administrator; password changed.")
    db.session.commit()
