"""CSRF, security headers, cookies, error pages, health and logs."""

from __future__ import annotations

import json
import logging

import pytest

from groupadmin import create_app
from groupadmin.permissions import requires
from tests import factories
from tests.conftest import PASSWORD, csrf_token_from, login, make_config


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def test_a_post_without_the_csrf_token_gets_400(client):
    factories.user("pat@example.org")
    response = client.post("/login", data={"email": "pat@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert b"Reload the page and try again" in response.data


def test_a_post_with_the_token_works(client):
    factories.user("pat@example.org")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": "pat@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    # logout is a POST with a token too: a link from another site cannot log anyone out
    assert client.post("/logout").status_code == 400


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_scripts_or_styles_in_pages(client):
    factories.user("pat@example.org", site_admin=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "pat@example.org", "password": PASSWORD, "csrf_token": token})
    for path in ["/", "/profile", "/orgs/", "/admin/users", "/login"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html, path


def test_cookies_are_httponly_lax_and_secure_behind_https(database_url, _schema):
    import config

    env = {"SECRET_KEY": "x", "GROUPADMIN_DATA_KEY": "y"}
    https = config.load("/nonexistent", {**env, "BASE_URL": "https://groups.example.org"})
    assert https["SESSION_COOKIE_SECURE"] and https["REMEMBER_COOKIE_SECURE"]
    plain = config.load("/nonexistent", {**env, "BASE_URL": "http://127.0.0.1:5000"})
    assert not plain["SESSION_COOKIE_SECURE"]
    app = create_app(make_config(database_url, WTF_CSRF_ENABLED=False))
    with app.app_context():
        factories.user("pat@example.org")
        client = app.test_client()
        cookie = login(client, "pat@example.org", remember="y").headers.getlist("Set-Cookie")
        assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookie)
        from groupadmin.extensions import db

        db.session.remove()


def test_error_pages_never_show_a_stack_trace(database_url, _schema):
    app = create_app(make_config(database_url, TESTING=False))

    @app.route("/boom")
    @requires("public")
    def boom():
        raise RuntimeError("secret internals")

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and b"Page not found" in missing.data


def test_a_unique_constraint_race_answers_409_with_a_message(database_url, _schema):
    from sqlalchemy.exc import IntegrityError

    app = create_app(make_config(database_url, TESTING=False))

    @app.route("/race", methods=["POST"])
    @requires("public")
    def race():
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: meeting.slug"))

    response = app.test_client().post("/race")
    assert response.status_code == 409
    assert b"saved at the same moment" in response.data and b"UNIQUE" not in response.data


def test_health_answers_503_when_the_database_does_not(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_request_log_has_no_personal_data_and_redacts_link_tokens(client, capsys):
    factories.user("pat.secret@example.org", name="Patricia Secretname")
    logger = logging.getLogger("groupadmin")
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(logger.handlers[0].format(record))
    logger.addHandler(handler)
    try:
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        client.post(
            "/login",
            data={"email": "pat.secret@example.org", "password": "wrong one here", "csrf_token": token},
        )
        client.post(
            "/login", data={"email": "pat.secret@example.org", "password": PASSWORD, "csrf_token": token}
        )
        client.get("/")
        client.get("/r/invite/SECRET-TOKEN-VALUE")
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    assert records and all(json.loads(line)["event"] for line in records)
    for secret in ("pat.secret", "Secretname", "SECRET-TOKEN-VALUE", PASSWORD):
        assert secret not in text
    assert "/r/invite/[redacted]" in text


def test_forwarded_address_is_trusted_only_when_configured(database_url, _schema):
    """Behind one trusted proxy, throttling counts the client's address, not the proxy's."""
    from groupadmin.auth.models import LoginThrottle
    from groupadmin.crypto import lookup_hash
    from groupadmin.extensions import db

    for proxies, expected in ((1, "203.0.113.9"), (0, "127.0.0.1")):
        app = create_app(make_config(database_url, TRUSTED_PROXIES=proxies))
        with app.app_context():
            app.test_client().post(
                "/login",
                data={"email": "x@example.org", "password": "wrong password!"},
                headers={"X-Forwarded-For": "203.0.113.9"},
            )
            keys = set(db.session.scalars(db.select(LoginThrottle.key)))
            assert "addr:" + lookup_hash(expected) in keys
            db.session.execute(db.delete(LoginThrottle))
            db.session.commit()
            db.session.remove()
