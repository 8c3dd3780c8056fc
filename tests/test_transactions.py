"""How a request's transaction ends: a page that only read ends with COMMIT (so that PostgreSQL keeps the
connection's prepared statements: psycopg drops them all on a ROLLBACK), and anything a view changed
without committing is still thrown away."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups.models import Organisation
from tests import factories
from tests.conftest import login


def _ends(app):
    """The transaction endings the engine sees ("commit" / "rollback"), as a list filled while in use."""
    seen: list[str] = []
    for name in ("commit", "rollback"):
        sa.event.listen(db.engine, name, lambda _conn, _name=name: seen.append(_name))
    return seen


def _display_name(user_id: int) -> str:
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(User.display_name).where(User.id == user_id))


@pytest.fixture
def routes(app):
    """Views that change the database without committing, in each way a view could."""
    user = factories.user(name="Before.")

    def flushed():
        db.session.get(User, user.id).display_name = "Flushed."
        db.session.flush()
        return "ok"

    def pending():
        db.session.get(User, user.id).display_name = "Pending."
        db.session.add(Organisation(slug="never", name="Never", timezone="UTC", locale="en"))
        return "ok"

    def executed():
        db.session.execute(sa.update(User).where(User.id == user.id).values(display_name="Executed."))
        return "ok"

    def read():
        return db.session.get(User, user.id).display_name

    for view in (flushed, pending, executed, read):
        app.add_url_rule(f"/test-transactions/{view.__name__}", view.__name__, view)
    return user


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["flushed", "pending", "executed"])
def test_what_a_view_did_not_commit_is_never_saved(app, client, routes, path):
    ends = _ends(app)
    assert client.get(f"/test-transactions/{path}").status_code == 200
    assert "commit" not in ends
    assert _display_name(routes.id) == "Before."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


@pytest.mark.postgres
def test_a_page_that_only_read_ends_with_commit(app, client, routes):
    ends = _ends(app)
    assert client.get("/test-transactions/read").get_data(as_text=True) == "Before."
    assert ends == ["commit"]


@pytest.mark.postgres
def test_signed_in_pages_keep_prepared_statements_on_postgresql(app, client):
    """Each query of a page is planned once per connection, not on every view."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    for _ in range(8):  # psycopg prepares a statement from its 6th execution on a connection
        assert client.get("/").status_code == 200
    with db.engine.connect() as connection:
        # The pool has one idle connection: the one every view above used (and this one).
        prepared = connection.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 5  # the user, the groups, the organisations, the counts, the rota...
