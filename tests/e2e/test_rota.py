"""A secretary auto-fills a month of the rota and applies it; a person declines from the link in the
.eml file (on a phone, without an account); the secretary sees the gap."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import pytest

from groupadmin.database import utcnow
from groupadmin.mail import services as mail
from groupadmin.meetings.schedule import local_today
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _open_places(page) -> int:
    text = page.locator(".rota-summary").inner_text()
    match = re.search(r"(\d+) open place", text)
    return int(match.group(1)) if match else 0


def _delivered(live_app) -> list[email.message.EmailMessage]:
    with live_app.app_context():
        mail.deliver_due(now=utcnow())
    directory = live_app.config["E2E_MAIL_DIR"]
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(directory.rglob("*.eml"))
    ]


def test_secretary_autofills_a_month_a_person_declines_from_the_email(page, phone, live_app, artifacts):
    # The demo rota covers the next eight weeks; the month after it is empty.
    start = local_today("America/New_York", utcnow()) + timedelta(weeks=8)
    end = start + timedelta(days=27)
    log_in(page, "secretary@example.org")
    page.goto("/groups/lakeside-aa/")
    page.get_by_role("link", name="Service rota").click()
    page.wait_for_url("**/groups/lakeside-aa/rota/")
    page.get_by_role("link", name="Auto-fill").first.click()
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_label("To").fill(end.isoformat())
    page.get_by_role("button", name="Preview").click()
    preview_rows = page.locator(".rota-preview tbody tr")
    assert preview_rows.count() > 10
    page.screenshot(path=str(artifacts / "rota-autofill-preview.png"), full_page=True)
    page.get_by_role("button", name="Apply and ask by email").click()
    page.wait_for_url("**/groups/lakeside-aa/rota/?*")
    assert "turns proposed" in page.locator(".flashes").inner_text()
    before = _open_places(page)
    page.screenshot(path=str(artifacts / "rota-grid-after-autofill.png"), full_page=True)

    # The relay writes one .eml per person; open one with a request and follow its decline link.
    messages = [m for m in _delivered(live_app) if "/r/rota-decline/" in m.get_body(("plain",)).get_content()]
    assert messages, "no rota request in the mail directory"
    message = messages[0]
    assert "AA" not in message["Subject"] and "Alcoholics" not in str(message["From"])
    assert message["List-Unsubscribe"]
    body = message.get_body(("plain",)).get_content()
    decline = re.search(r"https?://[^/\s]+(/r/rota-decline/\S+)", body).group(1)
    phone.goto(decline)
    assert "Can't make it" in phone.locator("h1").inner_text()
    phone.screenshot(path=str(artifacts / "rota-decline-phone.png"), full_page=True)
    phone.get_by_role("button", name="I can't do this turn").click()
    phone.wait_for_load_state()
    assert "secretary has been told" in phone.locator(".flashes").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # Opening the link again shows what happened and offers no button.
    phone.goto(decline)
    assert phone.get_by_role("button", name="I can't do this turn").count() == 0

    # The secretary sees the gap, and has been told by mail.
    page.reload()
    assert _open_places(page) == before + 1
    page.screenshot(path=str(artifacts / "rota-grid-with-gap.png"), full_page=True)
    notices = [
        m for m in _delivered(live_app) if m["To"] == "secretary@example.org" and "open" in m["Subject"]
    ]
    assert notices
