"""Leaving: one-click unsubscribe as a mail provider posts it (no cookie, no CSRF token, with CSRF
protection on), a GET that only asks, waiting messages cancelled, and the preference page (masked
address, leave, download, forget everywhere)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.mail.models import OutboxMessage, UndeliverableAddress
from groupadmin.newsletters import services
from groupadmin.newsletters.models import Subscriber, Subscription
from tests.conftest import NOW, csrf_token_from
from tests.newsletters import helpers


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def _waiting(subscription, issue_id=7):
    """A newsletter message waiting in the outbox for this subscription."""
    message = mail.enqueue(
        key=f"newsletter:{issue_id}:{subscription.id}",
        to=subscription.subscriber.email,
        subject="News",
        template="mail/send_test",
        context={"n": 1, "count": 1, "run": "x"},
        now=NOW,
    )
    db.session.commit()
    return message


@pytest.mark.postgres
def test_a_cookieless_one_click_post_unsubscribes_and_cancels_waiting_messages(app, setup):
    subscription = helpers.subscribe(setup.mlist, "pat@example.net")
    other = helpers.subscribe(helpers.mailing_list(setup.group), "pat@example.net")
    waiting, elsewhere = _waiting(subscription), _waiting(other)
    link = _path(services.leave_url(subscription))
    provider = app.test_client(use_cookies=False)
    response = provider.post(
        link,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscription = helpers.reload(subscription)
    assert subscription.status == "unsubscribed" and subscription.unsubscribed_at == NOW
    assert helpers.reload(waiting).status == "failed" and helpers.reload(waiting).recipient is None
    assert helpers.reload(elsewhere).status == "pending"  # another list's subscription is untouched
    assert helpers.reload(other).status == "confirmed"
    assert provider.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: fine


def test_a_get_of_the_one_click_link_only_asks(app, client, setup):
    subscription = helpers.subscribe(setup.mlist, "jo@example.net")
    waiting = _waiting(subscription)
    page = client.get(_path(services.leave_url(subscription)))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "j***@example.net" in html and "jo@example.net" not in html
    assert helpers.reload(subscription).status == "confirmed"
    assert helpers.reload(waiting).status == "pending"


def test_a_post_without_the_one_click_body_or_with_a_bad_token_changes_nothing(app, setup):
    subscription = helpers.subscribe(setup.mlist, "jo@example.net")
    provider = app.test_client(use_cookies=False)
    assert provider.post(_path(services.leave_url(subscription)), data={}).status_code == 400
    assert provider.post("/r/news-leave/forged", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert helpers.reload(subscription).status == "confirmed"


def test_the_preference_page_masks_the_address_and_asks_before_leaving(app, client, setup):
    subscription = helpers.subscribe(setup.mlist, "jo@example.net")
    link = _path(services.preferences_url(subscription.subscriber))
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "j***@example.net" in html and "jo@example.net" not in html
    assert "Tuesday News" in html
    assert helpers.reload(subscription).status == "confirmed"
    leave = f"{link}/leave/{subscription.id}"
    assert client.post(leave).status_code == 400  # no CSRF token: a forged form does nothing
    assert helpers.reload(subscription).status == "confirmed"
    token = csrf_token_from(html)
    assert client.post(leave, data={"csrf_token": token}).status_code == 302
    assert helpers.reload(subscription).status == "unsubscribed"
    assert "You are on no list." in client.get(link).get_data(as_text=True)


def test_download_what_we_hold(app, client, setup):
    subscription = helpers.subscribe(setup.mlist, "jo@example.net", first_name="Jo")
    response = client.get(_path(services.preferences_url(subscription.subscriber)) + "/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    assert data["email"] == "jo@example.net" and data["first_name"] == "Jo"
    (entry,) = data["subscriptions"]
    assert (
        entry["status"] == "confirmed"
        and entry["consent"]["wording"] == "I agree to receive this newsletter."
    )


@pytest.mark.postgres
def test_forget_me_removes_the_address_everywhere(app, client, setup):
    subscription = helpers.subscribe(setup.mlist, "jo@example.net")
    helpers.subscribe(helpers.mailing_list(setup.group), "jo@example.net")
    kept = helpers.subscribe(setup.mlist, "someone@example.net")
    address_hash = _waiting(subscription).recipient_hash
    mail.flag_undeliverable("jo@example.net", address_hash=address_hash, reason="x", now=NOW)
    db.session.commit()
    link = _path(services.preferences_url(subscription.subscriber))
    html = client.get(link).get_data(as_text=True)
    token = csrf_token_from(html)
    assert client.post(f"{link}/forget", data={"csrf_token": token}).status_code == 422  # not ticked
    response = client.post(f"{link}/forget", data={"csrf_token": token, "sure": "y"})
    assert response.status_code == 200 and "forgotten" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [s.subscriber.email for s in db.session.scalars(sa.select(Subscription))] == [
        "someone@example.net"
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 1
    hashes = set(db.session.scalars(sa.select(OutboxMessage.recipient_hash)))
    assert address_hash not in hashes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0
    assert helpers.reload(kept).status == "confirmed"
    assert "Nothing held" in client.get(link).get_data(as_text=True)
    assert client.get(link + "/data.json").status_code == 200  # the "nothing held" page, no data
