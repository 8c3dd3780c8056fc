"""Browser journeys: a real server on loopback (a thread serving the app over a migrated SQLite file with
the demo data) and Debian's Chromium driven by Playwright. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from groupadmin import create_app
from groupadmin.extensions import db
from tests.conftest import make_config

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app over its own migrated database with the demo data, as `make run` would have it."""
    from flask_migrate import upgrade

    from groupadmin import demo
    from groupadmin.database import utcnow

    path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    mail_dir = tmp_path_factory.mktemp("e2e-mail")
    app = create_app(
        make_config(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, MAIL_URL=f"file://{mail_dir}", TESTING=False)
    )
    app.config["E2E_MAIL_DIR"] = mail_dir
    with app.app_context():
        upgrade()
        demo.seed(now=utcnow())
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield live_app.config["BASE_URL"]
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        # The browser keeps the machine's own clock even when the tests run under faketime
        # (`make test-dates`): libfaketime stops Chromium from loading pages.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, env=env)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized window (iPhone SE-like)."""
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 375, "height": 667},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, email: str, password: str = "recovery-demo") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
