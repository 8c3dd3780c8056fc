"""A newcomer asks for a call on the group's public page from a phone; the secretary assigns the
sponsor; the sponsor opens the next morning's digest link on a phone and records "reached"; the day-7
follow-up appears; later the newcomer asks not to be contacted, and the card shows nothing personal."""

from __future__ import annotations

import email
import random
import re
from datetime import datetime, time, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.outreach import services
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _digest_link(live_app) -> str:
    zone = ZoneInfo("America/New_York")
    tomorrow = (utcnow().astimezone(zone) + timedelta(days=1)).date()
    morning = datetime.combine(tomorrow, time(7, 30), tzinfo=zone)
    with live_app.app_context():
        services.send_digests(now=morning)
        db.session.commit()
        mail.deliver_due(now=morning)
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(live_app.config["E2E_MAIL_DIR"].rglob("*.eml"))
    ]
    (digest,) = [
        m
        for m in messages
        if m["To"] == "sponsor@example.org" and m["Subject"] == "Your follow-ups for today"
    ]
    body = digest.get_body(("plain",)).get_content()
    assert "follow-ups due today" in body
    return re.search(r"https?://[^/\s]+(/outreach/)", body).group(1)


def test_ask_for_a_call_digest_reached_then_do_not_contact(page, phone, live_app, artifacts):
    name = f"Newcomer{random.randint(1000, 9999)}"
    number = f"555-01{random.randint(10, 99)}-{random.randint(1000, 9999)}"
    minimum = live_app.config["NEWSLETTER_MIN_FILL_SECONDS"]
    live_app.config["NEWSLETTER_MIN_FILL_SECONDS"] = 0
    try:
        phone.goto("/help/lakeside/lakeside-aa")
        assert "not an emergency service" in phone.content()
        phone.screenshot(path=str(artifacts / "outreach-ask-phone.png"), full_page=True)
        phone.get_by_label("First name, or any name").fill(name)
        phone.get_by_label("Phone").fill(number)
        phone.get_by_label("A call").check()
        phone.get_by_label("Safe times to call").fill("after 6 pm")
        phone.locator("#consent").check()
        phone.get_by_role("button", name="Ask for a call").click()
        phone.wait_for_url("**sent=1")
    finally:
        live_app.config["NEWSLETTER_MIN_FILL_SECONDS"] = minimum
    assert "call your local emergency number" in phone.content()
    phone.screenshot(path=str(artifacts / "outreach-sent-phone.png"), full_page=True)

    # The secretary assigns the sponsor (the suggestion list shows everyone's load).
    log_in(page, "secretary@example.org")
    page.goto("/groups/lakeside-aa/outreach/")
    page.get_by_role("link", name=name).click()
    page.get_by_label("Assign to").select_option(label="Pat P.")
    page.get_by_role("button", name="Assign").click()
    assert "The volunteer is assigned." in page.content()
    page.screenshot(path=str(artifacts / "outreach-card-desktop.png"), full_page=True)

    # The next morning's digest links to the sponsor's follow-ups.
    link = _digest_link(live_app)
    log_in(phone, "sponsor@example.org")
    phone.goto(link)
    phone.screenshot(path=str(artifacts / "outreach-mine-phone.png"), full_page=True)
    phone.get_by_role("link", name=name).click()
    assert number in phone.content()
    phone.get_by_label("What happened").select_option("reached")
    long_word = "https://example.org/" + "a" * 150  # a pasted link: one long word
    note = phone.get_by_label("Short note (optional)")
    # Pasting more than the note holds: the browser keeps only its start, and the page says so.
    note.evaluate(
        """field => {
            const data = new DataTransfer();
            data.setData("text/plain", "x".repeat(250));
            field.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }"""
    )
    assert "Only the first 200 characters fit here" in phone.locator("#note-too-long").inner_text()
    note.fill(f"prefers evenings {long_word}")
    phone.get_by_role("button", name="Record").click()
    assert "The follow-up is recorded." in phone.content()
    day7 = utcnow().astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=7)
    assert f"Step 2: {format_date(day7, 'medium', locale='en')}" in phone.locator("main").inner_text()
    # The long word wraps: the page is no wider than the phone (measured once the stylesheet is in:
    # the click returns when the new page starts, not when it has loaded).
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    phone.screenshot(path=str(artifacts / "outreach-recorded-phone.png"), full_page=True)

    # Later: they ask not to be contacted.
    phone.get_by_label("What happened").select_option("do_not_contact")
    phone.get_by_label("Yes: they asked not to be contacted; erase their details now").check()
    phone.get_by_role("button", name="Record").click()
    text = phone.locator("main").inner_text()
    assert name not in text and number not in text and "prefers evenings" not in text
    assert "were erased" in text and "Asked not to be contacted" in text
    phone.screenshot(path=str(artifacts / "outreach-erased-phone.png"), full_page=True)
