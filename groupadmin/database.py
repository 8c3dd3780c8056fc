"""Shared model pieces: the declarative base with a constraint naming convention, ids, timestamps,
string choices with CHECK constraints, and the time helpers every domain uses."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from zoneinfo import available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant, aware UTC. Only views, jobs and the CLI call this; services take `now`."""
    return datetime.now(UTC)


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zone names this system knows: read from disk once (a walk of the zone files), since
    every form with a zone, the import's every row and the schedule checks all ask."""
    return frozenset(available_timezones())


class UTCDateTime(TypeDecorator):
    """An instant stored as naive UTC and always returned timezone-aware, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def choice_check(column: str, choices: tuple[str, ...], name: str | None = None) -> sa.CheckConstraint:
    """A CHECK constraint limiting a string column to `choices` (we use strings, not database enums)."""
    values = ", ".join(f"'{c}'" for c in choices)
    return sa.CheckConstraint(f"{column} IN ({values})", name=name or f"{column}_choice")


# ---------------------------------------------------------------------------------------------------
# Ending a request's transaction


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop("wrote", None)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _flushed(session, _context):
    session.info["wrote"] = True


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _executed(state):
    if not state.is_select:
        state.session.info["wrote"] = True


def end_read_only_transactions(app, session) -> None:
    """End a request that only read with COMMIT instead of the rollback `session.remove()` does.

    The two are equivalent for a transaction that wrote nothing, but psycopg forgets every prepared
    statement of the connection on a ROLLBACK, so PostgreSQL would parse and plan each page's queries
    anew on every request (most of a page's database time). A transaction that flushed, executed
    anything but a SELECT, or holds unsaved changes is left to the rollback, as before: nothing a view
    did not commit is ever saved. (`info["wrote"]` is kept by the listeners above: set by a flush or a
    statement other than a SELECT, cleared when the transaction ends.)"""

    @app.teardown_request
    def _end(exc):
        current = session()
        if (
            exc is None
            and current.in_transaction()
            and not current.info.get("wrote")
            and not (current.new or current.dirty or current.deleted)
        ):
            try:
                current.commit()
            except sa.exc.SQLAlchemyError:  # the page is made already: a lost connection must not undo it
                current.rollback()
