"""Operations: seed-demo, create-admin, and the migrations on an empty SQLite or PostgreSQL database."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from groupadmin import create_app
from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups.models import Group, Membership, Organisation, OrgRole
from tests import factories
from tests.conftest import make_config


def _roles(email):
    user = db.session.scalar(sa.select(User).filter_by(email=email))
    group_roles = {
        (m.group.slug, m.role) for m in db.session.scalars(sa.select(Membership).filter_by(user_id=user.id))
    }
    org_roles = {
        (r.organisation.slug, r.role)
        for r in db.session.scalars(sa.select(OrgRole).filter_by(user_id=user.id))
    }
    return user, group_roles, org_roles


@pytest.mark.postgres
def test_seed_demo_is_idempotent_and_gives_the_contract_roles(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "recovery-demo" in first.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
    org = db.session.scalar(sa.select(Organisation))
    assert (org.slug, org.name) == ("lakeside", "Lakeside Intergroup")
    assert sorted(g.fellowship for g in db.session.scalars(sa.select(Group))) == ["aa", "na", "smart"]
    admin, _, admin_org = _roles("admin@example.org")
    assert admin.is_site_admin
    secretary, sec_groups, sec_org = _roles("secretary@example.org")
    assert sec_groups == {("lakeside-aa", "secretary")} and not sec_org and not secretary.is_site_admin
    _, sponsor_groups, _ = _roles("sponsor@example.org")
    assert sponsor_groups == {("lakeside-aa", "sponsor")}
    _, coord_groups, coord_org = _roles("coordinator@example.org")
    assert coord_groups == set() and coord_org == {("lakeside", "coordinator")}


def test_seed_demo_if_empty_leaves_real_data_alone(runner):
    runner.invoke(args=["create-admin", "real@example.org"], input="a real long passphrase\n")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not seeded" in result.output
    assert db.session.scalar(sa.select(User).filter_by(email="secretary@example.org")) is None


def test_seed_demo_is_refused_in_production(app, runner):
    app.config["GROUPADMIN_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "refused" in result.output


def test_create_admin_reads_the_password_from_stdin_and_checks_it(runner, client):
    weak = runner.invoke(args=["create-admin", "root@example.org"], input="short\n")
    assert weak.exit_code != 0 and "at least 12" in weak.output
    ok = runner.invoke(args=["create-admin", "root@example.org"], input="a long admin passphrase\n")
    assert ok.exit_code == 0, ok.output
    response = client.post(
        "/login", data={"email": "root@example.org", "password": "a long admin passphrase"}
    )
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database of the same kind as the test database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"empty_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield database_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_migrations_upgrade_an_empty_database_check_clean_and_downgrade(empty_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import downgrade, upgrade

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        db.engine.dispose()


@pytest.mark.postgres
def test_migrations_keep_rows_that_point_at_a_rebuilt_table(empty_database_url):
    """SQLite rebuilds a table to alter it: an organisation with a group pointing at it goes down to
    before the reports (a rebuild of `organisation`) and back up to head, its rows kept."""
    from flask_migrate import downgrade, upgrade

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        org = factories.organisation("keep", "Keep Intergroup")
        factories.group(org, "keep-aa", name="Keep AA")
        db.session.remove()
        downgrade(revision="0010_newsletters")
        upgrade()
        rows = db.session.execute(sa.select(Group.name, Organisation.slug).join(Group.organisation)).all()
        assert rows == [("Keep AA", "keep")]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgres_tests_run_on_postgres_when_asked(app):
    """Guard: inside `scripts/with-postgres.sh` (TEST_DATABASE_URL set), the suite really talks to
    PostgreSQL; otherwise to a SQLite file. Asserted on the engine the tests use, in both passes."""
    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert db.engine.dialect.name == expected
