"""Settings from the environment, generated instance secrets, and personal data encrypted at rest."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa

import config
from groupadmin import crypto
from groupadmin.mail import transports


def test_defaults_generate_owner_only_secrets_once(tmp_path):
    first = config.load(tmp_path, {})
    second = config.load(tmp_path, {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) > 40
    assert first["GROUPADMIN_DATA_KEY"] != first["SECRET_KEY"]
    for name in ("secret_key", "data_key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'groupadmin.sqlite3'}"
    assert first["MAIL_URL"] == f"file://{tmp_path / 'mail'}"


def test_the_instance_folder_and_mail_files_are_for_the_owner_only(tmp_path, app):
    """The development database (and its -wal/-shm files, created under the umask), the keys and the
    mail files sit in instance/: other local users cannot even list it, however it was made."""
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    config.load(instance, {})
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    fresh = tmp_path / "fresh" / "instance"
    config.load(fresh, {})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700

    directory = tmp_path / "mail"
    envelope = transports.Envelope(
        outbox_id=1, sender="a@example.org", recipient="b@example.org", data=b"x", file_name="1.eml"
    )
    with transports.from_url(f"file://{directory}").session() as session:
        session.send(envelope)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in directory.iterdir())


def test_settings_from_the_environment_leave_instance_alone(tmp_path):
    env = {
        "SECRET_KEY": "k",
        "GROUPADMIN_DATA_KEY": "d",
        "DATABASE_URL": "sqlite://",
        "MAIL_URL": "file:///x",
    }
    config.load(tmp_path / "unused", env)
    assert not (tmp_path / "unused").exists()


def test_environment_wins(tmp_path):
    settings = config.load(
        tmp_path,
        {
            "DATABASE_URL": "postgresql+psycopg://db/ga",
            "SECRET_KEY": "s",
            "GROUPADMIN_DATA_KEY": "d",
            "MAIL_URL": "smtp://mail:25",
            "MAIL_FROM": "x@example.org",
            "BASE_URL": "https://ga.example.org/",
        },
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/ga"
    assert settings["BASE_URL"] == "https://ga.example.org"
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    with pytest.raises(config.ConfigError) as error:
        config.load(tmp_path, {"GROUPADMIN_ENV": "production", "SECRET_KEY": "s"})
    assert "GROUPADMIN_DATA_KEY" in str(error.value) and "DATABASE_URL" in str(error.value)


@pytest.mark.postgres
def test_encrypted_column_round_trips_and_is_not_stored_in_clear(app):
    from groupadmin.extensions import db

    table = sa.Table(
        "crypto_probe",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("phone", crypto.EncryptedString()),
        sa.Column("phone_hash", sa.String(64)),
    )
    table.create(db.engine)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                table.insert(),
                {"id": 1, "phone": "+1 555 0100", "phone_hash": crypto.lookup_hash("+1 555 0100")},
            )
            assert conn.execute(sa.select(table.c.phone)).scalar() == "+1 555 0100"
            raw = conn.execute(sa.text("SELECT phone FROM crypto_probe")).scalar()
            assert "555" not in raw
            found = conn.execute(
                sa.select(table.c.id).where(table.c.phone_hash == crypto.lookup_hash(" +1 555 0100 "))
            ).scalar()
            assert found == 1
    finally:
        table.drop(db.engine)


def test_encryption_is_randomised_and_the_hash_is_keyed(app):
    assert crypto.encrypt("jo@example.org") != crypto.encrypt("jo@example.org")
    assert crypto.lookup_hash("Jo@Example.org") == crypto.lookup_hash("jo@example.org")
    other = crypto.DataKeys("another key")
    keyed_elsewhere = __import__("hmac").new(other.hash_key, b"jo@example.org", "sha256").hexdigest()
    assert keyed_elsewhere != crypto.lookup_hash("jo@example.org")


def test_a_wrong_data_key_fails_loudly(app):
    token = crypto.encrypt("secret")
    app.extensions["groupadmin.crypto"] = crypto.DataKeys("the wrong key")
    with pytest.raises(ValueError, match="GROUPADMIN_DATA_KEY"):
        crypto.decrypt(token)
