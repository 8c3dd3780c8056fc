"""Signing up: double opt-in, the same answer and one message whatever the address, bots, limits,
consent records, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from groupadmin.extensions import db
from groupadmin.newsletters import services
from groupadmin.newsletters.models import Subscriber, Subscription
from tests.conftest import NOW
from tests.newsletters import helpers


def _subscriptions():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Subscription).order_by(Subscription.id)))


def test_the_page_shows_the_wording_and_says_no_tracking(client, setup):
    page = client.get("/news/tuesday-news")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "I agree to receive this newsletter." in html
    assert "No tracking" in html
    assert 'name="website"' in html  # the honeypot


def test_sign_up_confirm_by_get_page_then_post(client, setup, tmp_path):
    answer = client.post("/news/tuesday-news", data=helpers.form("Jo@Example.net", first_name="Jo"))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/check-your-inbox")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Check your inbox" in page and "not signed up" in page
    (subscription,) = _subscriptions()
    assert subscription.status == "unconfirmed"
    assert (subscription.consent_source, subscription.consent_wording) == (
        "form",
        "I agree to receive this newsletter.",
    )
    assert subscription.consent_at == NOW and subscription.recorded_by_id is None
    assert subscription.subscriber.email == "Jo@example.net" and subscription.subscriber.first_name == "Jo"
    assert helpers.deliver(tmp_path).sent == 1
    (eml,) = tmp_path.glob("*.eml")
    message, text = helpers.read_eml(eml)
    assert message["List-Unsubscribe"]  # the outbox's stop link: this address never asked for more
    link = helpers.link_in(text, "/r/news-confirm/")
    shown = client.get(link)
    assert shown.status_code == 200 and "Confirm your sign-up" in shown.get_data(as_text=True)
    assert helpers.reload(subscription).status == "unconfirmed"  # a GET changes nothing
    done = client.post(link)
    assert "You are signed up" in done.get_data(as_text=True)
    subscription = helpers.reload(subscription)
    assert subscription.status == "confirmed" and subscription.confirmed_at == NOW
    assert client.post(link).status_code == 200  # confirming twice is harmless


@pytest.mark.postgres
def test_the_same_answer_and_one_message_whatever_the_address(client, setup):
    helpers.subscribe(setup.mlist, "member@example.net")
    helpers.subscribe(setup.mlist, "waiting@example.net", confirmed=False)
    before = len(helpers.outbox())
    answers = []
    for address in ("new@example.net", "waiting@example.net", "member@example.net"):
        response = client.post("/news/tuesday-news", data=helpers.form(address))
        answers.append((response.status_code, response.headers.get("Location")))
        assert len(helpers.outbox()) == before + 1, address
        before += 1
    assert len(set(answers)) == 1
    statuses = {s.subscriber.email: s.status for s in _subscriptions()}
    assert statuses == {
        "member@example.net": "confirmed",
        "waiting@example.net": "unconfirmed",
        "new@example.net": "unconfirmed",
    }
    templates = [m.template for m in helpers.outbox()[-3:]]
    assert templates == ["newsletters/confirm", "newsletters/confirm", "newsletters/already"]


def test_only_the_latest_confirmation_link_confirms(client, setup):
    client.post("/news/tuesday-news", data=helpers.form("pat@example.net"))
    client.post("/news/tuesday-news", data=helpers.form("pat@example.net"))
    first, second = (helpers.link_in(m.text_body, "/r/news-confirm/") for m in helpers.outbox())
    assert client.post(first).status_code == 410
    assert _subscriptions()[0].status == "unconfirmed"
    client.post(second)
    assert _subscriptions()[0].status == "confirmed"


def test_a_filled_honeypot_gets_the_same_answer_and_nothing_happens(client, setup):
    response = client.post("/news/tuesday-news", data=helpers.form("bot@example.net", website="http://spam"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/check-your-inbox")
    assert helpers.outbox() == [] and _subscriptions() == []


def test_a_form_sent_too_fast_is_shown_again(client, setup):
    response = client.post("/news/tuesday-news", data=helpers.form("quick@example.net", shown=NOW))
    assert response.status_code == 422
    assert "send it again" in response.get_data(as_text=True)
    assert helpers.outbox() == [] and _subscriptions() == []
    stale = client.post(
        "/news/tuesday-news", data=helpers.form("x@example.net", shown=NOW - timedelta(days=2))
    )
    assert stale.status_code == 422
    assert (
        client.post(
            "/news/tuesday-news", data={**helpers.form("y@example.net"), "started": "junk"}
        ).status_code
        == 422
    )


def test_bad_input_is_refused_beside_its_field(client, setup):
    no_consent = helpers.form("a@example.net")
    del no_consent["consent"]
    assert client.post("/news/tuesday-news", data=no_consent).status_code == 422
    for bad in (
        "not an address",
        "a@b@example.net",
        "x" * 300 + "@example.net",
        "a@example.net, b@example.net",
    ):
        response = client.post("/news/tuesday-news", data=helpers.form(bad))
        assert response.status_code == 422, bad
    assert _subscriptions() == []


def test_an_address_gets_at_most_three_messages_an_hour_with_the_same_answer(client, setup):
    answers = {
        client.post("/news/tuesday-news", data=helpers.form("pat@example.net")).status_code for _ in range(5)
    }
    assert answers == {302}
    assert len(helpers.outbox()) == 3


def test_one_client_is_slowed_down_after_twenty_sign_ups_an_hour(client, setup):
    for n in range(20):
        assert client.post("/news/tuesday-news", data=helpers.form(f"p{n}@example.net")).status_code == 302
    response = client.post("/news/tuesday-news", data=helpers.form("more@example.net"))
    assert response.status_code == 429
    assert len(helpers.outbox()) == 20


def test_private_and_unknown_lists_have_no_sign_up_page(client, setup):
    helpers.mailing_list(setup.group, slug="private-news", visibility="private")
    assert client.get("/news/private-news").status_code == 404
    assert client.post("/news/private-news", data=helpers.form("a@example.net")).status_code == 404
    assert client.get("/news/nothing-here").status_code == 404
    assert client.get("/news/" + "x" * 300).status_code == 404


@pytest.mark.postgres
def test_unconfirmed_sign_ups_expire_after_seven_days(app, setup):
    helpers.subscribe(setup.mlist, "waiting@example.net", confirmed=False)
    helpers.subscribe(setup.mlist, "member@example.net", now=NOW - timedelta(days=30))
    assert services.expire_unconfirmed(now=NOW + timedelta(days=6)) == 0
    assert services.expire_unconfirmed(now=NOW + timedelta(days=7, minutes=1)) == 1
    db.session.commit()
    assert [s.subscriber.email for s in _subscriptions()] == ["member@example.net"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 1


def test_a_confirmation_link_expires_after_seven_days(client, setup):
    client.post("/news/tuesday-news", data=helpers.form("pat@example.net"))
    link = helpers.link_in(helpers.outbox()[0].text_body, "/r/news-confirm/")
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        assert client.get(link).status_code == 410
    assert client.get("/r/news-confirm/not-a-token").status_code == 404
