"""Test fixtures: a real database (a SQLite file, or PostgreSQL when TEST_DATABASE_URL says so), the app,
its client and CLI runner, and small helpers to log in.

The schema is created once per session; after each test every table is emptied, so tests can commit
freely (as views and jobs do) and still start from nothing.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from argon2 import PasswordHasher
from flask.testing import FlaskClient

from groupadmin import create_app
from groupadmin.auth.services import passwords as auth_passwords
from groupadmin.extensions import db

# argon2id at its cheapest in tests: the same code path, a fraction of the cost.
auth_passwords.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
PASSWORD = "a long test passphrase"


@pytest.fixture(autouse=True)
def _clock(request):
    """Every test runs at NOW, with the clock stopped there, for everything it touches in this process
    (requests, jobs, enqueues), so the suite passes whatever the machine's date. A test that needs
    the clock elsewhere or moving travels again inside (time-machine nests). Browser journeys and
    tests that start other processes (marked `real_clock`) keep the real clock, which those processes
    share."""
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return (
        os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )


def make_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test secret key",
        "GROUPADMIN_DATA_KEY": "test data key",
        "WTF_CSRF_ENABLED": False,
        "MAIL_FROM": "Group mail <groupadmin@example.org>",
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(make_config(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change settings for its app."""
    return {}


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context (fresh `g`, its own database
    session), as in production, even though the test itself holds an app context open."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(_schema, database_url, config_overrides):
    app = create_app(make_config(database_url, **config_overrides))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class QueryCounter:
    """Counts the SQL statements sent while active: `with count_queries() as q: ...; q.count`."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _listen(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._listen)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    return lambda: QueryCounter(db.engine)


def login(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
