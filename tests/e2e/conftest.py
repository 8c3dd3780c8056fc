"""Browser journeys: a real server on loopback (a thread serving the app over a migrated SQLite file with
the demo data) and Debian's Chromium driven by Playwright. Screenshots go to test-artifacts/.

Every page a journey shows is checked with axe-core (tests/js/node_modules, pinned in tests/js): the
`page` and `phone` fixtures inject axe into every document and run it on each document just before the
browser leaves it (any navigation of the main frame: a link, a form, `goto`) and on the last one when
the test ends. A serious or critical violation fails the test, listing the rule, the target selectors
and the page's URL. Journeys get the check for free; `check_a11y(page)` runs it on demand (after a
script changed the page, say).
"""

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
AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
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
AXE_OPTIONS = '{resultTypes: ["violations"], preload: false}'
SERIOUS = '(v) => v.impact === "serious" || v.impact === "critical"'
BRIEF = (
    '(v) => ({rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" "))})'
)
# In every top-level document: once loaded, run axe and hand its serious and critical violations to the
# test (`__a11yReport`, a binding of the page's context); `__a11yRun` is that run, awaited at the end.
AUTO_AXE = f"""(() => {{
  if (window.top !== window) return;
  window.addEventListener("load", () => {{
    window.__a11yRun = window.axe.run(document, {AXE_OPTIONS})
      .then((result) => window.__a11yReport(location.href, result.violations.filter({SERIOUS}).map({BRIEF})));
  }});
}})();"""
AWAIT_AXE = "async () => { if (window.__a11yRun) await window.__a11yRun; }"
RUN_AXE = f"""async () =>
  (await window.axe.run(document, {AXE_OPTIONS})).violations.filter({SERIOUS}).map({BRIEF})"""


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


def check_a11y(page) -> None:
    """Run axe now on the page's current document (after a script changed it, say); what it finds fails
    the test at the end like the automatic check."""
    for violation in page.evaluate(RUN_AXE):
        page.a11y_violations.append({**violation, "url": page.url})


def checked_page(context):
    """A new page of `context` whose every document is checked by axe once loaded."""
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: `make js-deps` installs it")
    violations: list[dict] = []
    checked: list[str] = []

    def report(_source, url, found):
        checked.append(url)
        violations.extend({**v, "url": url} for v in found)

    context.expose_binding("__a11yReport", report)
    context.add_init_script(path=str(AXE))
    context.add_init_script(AUTO_AXE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.a11y_violations = violations
    page.a11y_checked = checked  # the URL of every document checked, in order
    return page


def assert_accessible(page) -> None:
    """Fail with every serious or critical violation found on the pages this page showed."""
    if page.url.startswith("http"):
        page.evaluate(AWAIT_AXE)
    if page.a11y_violations:
        lines = [
            f"{v['impact']} {v['rule']} ({v['help']}) at {v['url']}: " + ", ".join(v["targets"][:5])
            for v in page.a11y_violations
        ]
        pytest.fail("axe-core found serious or critical violations:\n" + "\n".join(lines), pytrace=False)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900})
    page = checked_page(context)
    yield page
    try:
        assert_accessible(page)
    finally:
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
    page = checked_page(context)
    yield page
    try:
        assert_accessible(page)
    finally:
        context.close()


def log_in(page, email: str, password: str = "recovery-demo") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
