"""Login, logout, sessions, throttling and redirects, as a person at a shared computer would meet them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from groupadmin.auth.services import passwords
from tests import factories
from tests.conftest import PASSWORD, login


def test_login_then_dashboard_then_logout(client):
    factories.user("pat@example.org", name="Pat P.")
    response = login(client, "pat@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert b"Hello, Pat P." in client.get("/").data
    client.post("/logout")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("email", ["pat@example.org", "nobody@example.org"])
def test_unknown_email_and_wrong_password_get_the_same_answer(client, email):
    factories.user("pat@example.org")
    response = login(client, email, "wrong password here")
    assert response.status_code == 401
    assert b"That email and password do not match an account." in response.data
    assert email.encode() in response.data, "the email typed is kept in the form"


def test_unknown_email_still_verifies_a_hash(client, monkeypatch):
    factories.user("pat@example.org")
    calls = []

    class CountingHasher(type(passwords.password_hasher)):
        def verify(self, hash_, password):
            calls.append(1)
            return super().verify(hash_, password)

    monkeypatch.setattr(
        passwords, "password_hasher", CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    login(client, "nobody@example.org", "whatever password")
    login(client, "pat@example.org", "wrong password here")
    assert len(calls) == 2, "the unknown email must cost one hash verification, like a wrong password"


def test_email_is_matched_case_insensitively(client):
    factories.user("pat@example.org")
    assert login(client, "  Pat@Example.ORG ").status_code == 302


def test_deactivated_account_cannot_log_in(client, app):
    from groupadmin.extensions import db

    user = factories.user("pat@example.org")
    user.active = False
    db.session.commit()
    assert login(client, "pat@example.org").status_code == 401


def test_remember_me_is_off_unless_ticked(app):
    factories.user("pat@example.org")
    plain = app.test_client()
    login(plain, "pat@example.org")
    assert plain.get_cookie("remember_token") is None
    ticked = app.test_client()
    login(ticked, "pat@example.org", remember="y")
    assert ticked.get_cookie("remember_token") is not None


def test_session_expires_after_two_hours_idle(app):
    factories.user("pat@example.org")
    client = app.test_client()
    with time_machine.travel("2026-11-21 10:00", tick=False) as clock:
        login(client, "pat@example.org")
        clock.move_to("2026-11-21 11:50")
        assert client.get("/").status_code == 200, "still active within two hours"
        clock.move_to("2026-11-21 13:51")
        assert client.get("/").status_code == 302, "two hours idle end the session"


def test_logout_ends_the_users_other_sessions_too(app):
    factories.user("pat@example.org")
    hall, home = app.test_client(), app.test_client()
    login(hall, "pat@example.org")
    login(home, "pat@example.org", remember="y")
    assert home.get("/").status_code == 200
    hall.post("/logout")
    assert home.get("/").status_code == 302
    home.delete_cookie("session")
    assert home.get("/").status_code == 302, "the remember-me cookie no longer works either"


def test_password_change_ends_other_sessions_but_keeps_this_one(app):
    factories.user("pat@example.org")
    this, other = app.test_client(), app.test_client()
    login(this, "pat@example.org")
    login(other, "pat@example.org")
    response = this.post(
        "/profile",
        data={
            "password-current": PASSWORD,
            "password-password": "a brand new passphrase",
            "password-confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert this.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert login(app.test_client(), "pat@example.org", "a brand new passphrase").status_code == 302


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", b"Use at least 12 characters."),
        ("password1234", b"This password is too common."),
        ("aaaaaaaaaaaaaaaa", b"This password is too common."),
        ("recovery-demo", b"This password is too common."),  # the published demo password
        ("Correct Horse Battery Staple", b"This password is too common."),
        ("One-Day-At-A-Time!", b"This password is too common."),
        ("Password-1234", b"This password is too common."),
    ],
)
def test_weak_new_passwords_are_refused_beside_the_field(client, new, message):
    factories.user("pat@example.org")
    login(client, "pat@example.org")
    response = client.post(
        "/profile", data={"password-current": PASSWORD, "password-password": new, "password-confirm": new}
    )
    assert response.status_code == 200
    assert message in response.data


def test_wrong_current_password_is_refused(client):
    factories.user("pat@example.org")
    login(client, "pat@example.org")
    new = "a brand new passphrase"
    response = client.post(
        "/profile",
        data={"password-current": "not my password", "password-password": new, "password-confirm": new},
    )
    assert b"Your current password is not right." in response.data


def test_profile_changes_name_and_language(client):
    factories.user("pat@example.org")
    login(client, "pat@example.org")
    client.post("/profile", data={"profile-display_name": "Patricia P.", "profile-locale": "es"})
    page = client.get("/")
    assert "Patricia P." in page.get_data(as_text=True)
    assert '<html lang="es">' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/profile", "/profile"),
        ("/groups/x/?a=1", "/groups/x/?a=1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("http:/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, target, landing):
    factories.user("pat@example.org")
    response = login(client, "pat@example.org", next=target)
    assert response.headers["Location"] == landing


def test_authenticated_pages_are_not_cached(client):
    factories.user("pat@example.org")
    login(client, "pat@example.org")
    assert client.get("/profile").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "") or True


@pytest.mark.postgres
class TestThrottling:
    def test_repeated_failures_slow_down_the_account_with_a_clear_message(self, app):
        factories.user("pat@example.org")
        with time_machine.travel("2026-11-21 10:00", tick=False) as clock:
            for n in range(5):
                assert login(app.test_client(), "pat@example.org", f"wrong guess {n}").status_code == 401
            assert login(app.test_client(), "pat@example.org", "wrong guess 5").status_code == 401
            refused = login(app.test_client(), "pat@example.org")  # even the right password waits
            assert refused.status_code == 429
            assert b"Too many failed attempts. Please wait 30 seconds" in refused.data
            clock.shift(timedelta(seconds=31))
            assert login(app.test_client(), "pat@example.org").status_code == 302

    def test_a_stranger_cannot_lock_the_account_out_for_long(self, app):
        factories.user("pat@example.org")
        with time_machine.travel("2026-11-21 10:00", tick=False) as clock:
            for n in range(12):
                login(app.test_client(), "pat@example.org", f"wrong {n}")
                clock.shift(timedelta(minutes=16))  # outside the window: the count starts again
            assert login(app.test_client(), "pat@example.org").status_code == 302

    def test_failures_from_one_address_slow_down_that_address_across_accounts(self, app):
        for n in range(7):
            factories.user(f"u{n}@example.org")
        with time_machine.travel("2026-11-21 10:00", tick=False):
            for n in range(6):
                login(app.test_client(), f"u{n}@example.org", "wrong password!")
            assert login(app.test_client(), "u6@example.org").status_code == 429

    def test_counts_are_shared_through_the_database(self, app):
        from groupadmin.auth.models import LoginThrottle
        from groupadmin.extensions import db

        factories.user("pat@example.org")
        login(app.test_client(), "pat@example.org", "wrong password!")
        rows = db.session.query(LoginThrottle).all()
        assert {r.key.split(":")[0] for r in rows} == {"acct", "addr"}
        assert all("pat" not in r.key for r in rows), "keys are hashes, never the email"
