"""View helpers shared by every domain: reading query arguments (an out-of-range value never reaches
the database and never gives a 500), loading objects scoped to the group in the URL (another group's
answers 404), putting a service's `UserError` beside its field, and pages that must not be cached.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask, abort, flash, make_response, request
from werkzeug.routing import IntegerConverter

from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.meetings.models import Meeting, Occurrence

# The largest integer a database id column holds (BIGINT on PostgreSQL, INTEGER on SQLite).
MAX_ID = 2**63 - 1
# Dates a person can mean: anything outside answers as if no date was given.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)
MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a value beyond what an id column holds does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter


# ---------------------------------------------------------------------------------------------------
# Query arguments


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer argument clamped to [low, high]; missing or not a number gives `default`."""
    value = request.args.get(name, type=int)
    return default if value is None else min(max(value, low), high)


def page_arg(name: str = "page") -> int:
    """A page number, from 1."""
    return int_arg(name, 1, 1, MAX_PAGE)


def date_arg(name: str, default: date | None) -> date | None:
    """An ISO date argument; missing, malformed or outside 1900–2199 gives `default`."""
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    return value if MIN_DATE <= value <= MAX_DATE else default


# ---------------------------------------------------------------------------------------------------
# Objects scoped to the group (or organisation) in the URL


def get_or_404(model, ident, **scope):
    """Load an object by id and answer 404 unless it belongs to the given scope (e.g. group_id=g.id).

    Use for every object nested under a group URL, so that another group's object answers 404."""
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    for attribute, expected in scope.items():
        if getattr(obj, attribute) != expected:
            abort(404)
    return obj


def one_or_404(statement: sa.Select):
    """The single row a scoped select finds, or 404."""
    obj = db.session.scalar(statement)
    if obj is None:
        abort(404)
    return obj


# ---------------------------------------------------------------------------------------------------
# Errors beside their fields


def show_error(form, error: UserError) -> None:
    """Put each of the error's problems beside its field on `form`; problems with no field (or the
    error's message when it names none) are flashed above the form."""
    problems = error.problems or {None: error.message}
    for name, message in problems.items():
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors"):
            errors = target.errors if isinstance(target.errors, list) else []
            target.errors = [*errors, str(message)]
        else:
            flash(str(message), "error")


# ---------------------------------------------------------------------------------------------------
# Responses


def no_store(response):
    """A page reached through a secret link: never cached, never indexed."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------------------------------------------
# An occurrence of one of the group's meetings (formats, and other domains' pages of a date)


def occurrence_or_404(group, occurrence_id: int, *options):
    """The occurrence `occurrence_id` of one of the group's meetings, with its meeting, or 404 (another
    group's occurrence included). `options` are more loader options, e.g.
    ``sa.orm.defaultload(Occurrence.meeting).selectinload(Meeting.schedules)``."""
    return one_or_404(
        sa.select(Occurrence)
        .join(Meeting, Meeting.id == Occurrence.meeting_id)
        .where(Occurrence.id == occurrence_id, Meeting.group_id == group.id)
        .options(sa.orm.contains_eager(Occurrence.meeting), *options)
    )
