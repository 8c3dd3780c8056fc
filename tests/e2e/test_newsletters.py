"""A reader signs up on a public list's page (on a phone, no account) and confirms from the .eml file;
the secretary starts an issue from "draft from this month", sends a test to herself, then sends it; the
reader leaves from the preference page linked in the issue."""

from __future__ import annotations

import email
import re
import uuid
from email import policy

import pytest
import sqlalchemy as sa

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.newsletters import jobs
from groupadmin.newsletters.models import Subscription
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _delivered_to(live_app, address: str) -> list[email.message.EmailMessage]:
    with live_app.app_context():
        mail.deliver_due(now=utcnow())
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(live_app.config["E2E_MAIL_DIR"].rglob("*.eml"))
    ]
    return [m for m in messages if m["To"] == address]


def _link(message, path: str) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body).group(1)


def test_sign_up_confirm_compose_send_and_leave(page, phone, live_app, artifacts):
    reader = f"reader-{uuid.uuid4().hex[:8]}@example.org"
    # A person fills the form in a few seconds; the browser does it at once: no minimum here.
    minimum = live_app.config["NEWSLETTER_MIN_FILL_SECONDS"]
    live_app.config["NEWSLETTER_MIN_FILL_SECONDS"] = 0
    try:
        phone.goto("/news/tuesday-night-news")
        assert "No tracking" in phone.content()
        phone.get_by_label("Email", exact=True).fill(reader)
        phone.get_by_role("checkbox").check()
        phone.get_by_role("button", name="Sign up").click()
        phone.wait_for_url("**/check-your-inbox")
    finally:
        live_app.config["NEWSLETTER_MIN_FILL_SECONDS"] = minimum
    assert "Check your inbox" in phone.locator("h1").inner_text()
    phone.screenshot(path=str(artifacts / "news-signup-sent-phone.png"), full_page=True)
    (confirmation,) = _delivered_to(live_app, reader)
    phone.goto(_link(confirmation, "/r/news-confirm/"))
    phone.get_by_role("button", name="Yes, sign me up").click()
    assert "You are signed up" in phone.locator("h1").inner_text()

    log_in(page, "secretary@example.org")
    page.goto("/groups/lakeside-aa/")
    page.get_by_role("link", name="Newsletters").click()
    page.get_by_role("link", name="Tuesday Night News").click()
    page.get_by_role("button", name="Start from this month").click()
    page.wait_for_url("**/issues/*")
    assert "Changes to our meetings" in page.locator(".news-preview").first.inner_text()
    page.screenshot(path=str(artifacts / "news-draft-from-this-month.png"), full_page=True)
    page.get_by_role("button", name="Send a test to me").click()
    assert "A test is on its way" in page.locator(".flashes").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send now").click()
    assert "Sending has started" in page.locator(".flashes").inner_text()
    assert _delivered_to(live_app, "secretary@example.org"), "no test message"

    with live_app.app_context():
        jobs.send(utcnow())
    (issue,) = [m for m in _delivered_to(live_app, reader) if "this month" in m["Subject"]]
    assert issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/r/news-leave/" in issue["List-Unsubscribe"] and issue["List-Id"]
    phone.goto(_link(issue, "/r/news-prefs/"))
    assert f"{reader[0]}***@example.org" in phone.content() and reader not in phone.content()
    phone.screenshot(path=str(artifacts / "news-preferences-phone.png"), full_page=True)
    phone.get_by_role("button", name="Leave this list").click()
    assert "You have left Tuesday Night News" in phone.locator(".flashes").inner_text()
    phone.wait_for_load_state()  # the click returns before the stylesheet is in
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    with live_app.app_context():
        statuses = set(
            db.session.scalars(sa.select(Subscription.status).where(Subscription.status != "confirmed"))
        )
        db.session.remove()
    assert "unsubscribed" in statuses
