"""The outbox page (site admins), the group's mail problems (secretaries), the stop link (anyone)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.mail import services
from groupadmin.mail.models import OutboxMessage, UndeliverableAddress
from tests import factories
from tests.conftest import NOW, login
from tests.mail.helpers import enqueue, reload


def flag(address: str, group=None, kind="refused"):
    services.flag_undeliverable(
        address,
        address_hash=crypto.lookup_hash(address),
        reason="550 5.1.1 unknown",
        now=NOW,
        group_id=group.id if group else None,
        kind=kind,
    )
    db.session.commit()
    return db.session.scalar(
        sa.select(UndeliverableAddress).where(
            UndeliverableAddress.address_hash == crypto.lookup_hash(address)
        )
    )


def test_outbox_page_shows_counts_failures_and_flags_but_no_bodies(app, client):
    factories.user(email="admin@example.org", site_admin=True)
    group = factories.group(name="Tuesday Night Group")
    enqueue("pending-1")
    failed = enqueue("failed-1", to="gone@example.net", group=group, context={"run": "SECRET-BODY"})
    failed.status, failed.last_error = "failed", "550 5.1.1 <address>: unknown"
    db.session.commit()
    flag("gone@example.net", group)
    login(client, "admin@example.org")
    page = client.get("/admin/outbox")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "SECRET-BODY" not in html and "test message" not in html
    assert "550 5.1.1 &lt;address&gt;: unknown" in html
    assert "gone@example.net" in html and "Tuesday Night Group" in html
    assert re.search(r"Waiting</dt><dd>1<", html) and re.search(r"Failed</dt><dd>1<", html)


def test_outbox_page_keeps_a_fixed_number_of_queries(app, client, count_queries):
    factories.user(email="admin@example.org", site_admin=True)
    login(client, "admin@example.org")

    def queries():
        with count_queries() as q:
            assert client.get("/admin/outbox").status_code == 200
        return q.count

    few = queries()
    for n in range(30):
        group = factories.group()
        message = enqueue(f"f{n}", to=f"p{n}@example.net", group=group)
        message.status = "failed"
        flag(f"p{n}@example.net", group)
    assert queries() == few


def test_retry_sends_a_failed_message_again_and_clear_removes_a_flag(app, client):
    factories.user(email="admin@example.org", site_admin=True)
    message = enqueue("k", to="gone@example.net")
    message.status, message.attempts = "failed", 5
    db.session.commit()
    entry = flag("gone@example.net")
    login(client, "admin@example.org")
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code == 302
    message = reload(message)
    assert message.status == "pending" and message.attempts == 0
    assert client.post(f"/admin/outbox/undeliverable/{entry.id}/clear").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0
    assert client.post("/admin/outbox/999999/retry").status_code == 404


@pytest.mark.parametrize(
    "path, method",
    [
        ("/admin/outbox", "get"),
        ("/admin/outbox/1/retry", "post"),
        ("/admin/outbox/undeliverable/1/clear", "post"),
    ],
)
def test_outbox_is_for_site_admins_only(app, client, path, method):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    assert getattr(client, method)(path).status_code == 404


def test_secretaries_see_their_groups_undeliverable_addresses_only(app, client):
    group, other = factories.group(name="Mine"), factories.group(name="Theirs")
    factories.member(group, "secretary", email="sec@example.org")
    factories.member(other, "secretary", email="sec2@example.org")
    enqueue("mine", to="gone@example.net", group=group)
    flag("gone@example.net")  # flagged through another group's or the site's mail: still shown here
    flag("elsewhere@example.net", other)
    login(client, "sec@example.org")
    home = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert f"/groups/{group.slug}/mail-problems" in home
    html = client.get(f"/groups/{group.slug}/mail-problems").get_data(as_text=True)
    assert "gone@example.net" in html and "elsewhere@example.net" not in html
    assert client.get(f"/groups/{other.slug}/mail-problems").status_code == 404


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_stop_link_shows_a_page_and_a_one_click_post_stops_all_mail(app, client, config_overrides):
    message = enqueue("k", to="pat@example.net")
    url = message.headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and b"Send me no more email" in page.data
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0
    )  # GET does nothing
    # RFC 8058: the mail provider posts without a form or a CSRF token.
    done = client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and b"no more email" in done.data
    entry = db.session.scalar(sa.select(UndeliverableAddress))
    assert entry.kind == "stopped" and entry.address == "pat@example.net"
    assert reload(message).status == "failed"  # the waiting message is held too
    assert enqueue("k2", to="PAT@example.net").status == "failed"
    assert client.post(path).status_code == 200  # twice is fine


def test_a_tampered_stop_link_is_refused(app, client):
    message = enqueue("k", to="pat@example.net")
    path = message.headers["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    assert client.post(path[:-3] + "abc").status_code == 410
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "failed")
        )
        == 0
    )


def test_secretaries_see_the_groups_mail_masked_and_send_a_failed_one_again(app, client):
    group = factories.group(name="Tuesday Night Group")
    factories.member(group, "secretary", email="sec@example.org")
    leader = factories.member(group, "leader", email="leader@example.org")
    other = factories.group()
    sent = enqueue("k-sent", to="jo.smith@example.net", group=group, subject="Your turn on Tuesday")
    failed = enqueue("k-failed", to="pat@example.net", group=group, subject="Can you help?")
    enqueue("k-other", to="other@example.net", group=other, subject="Another group's mail")
    sent.status, sent.sent_at = "sent", NOW
    failed.status, failed.last_error = "failed", "550 no such user"
    db.session.commit()
    login(client, "sec@example.org")
    page = client.get(f"/groups/{group.slug}/mail")
    assert page.status_code == 200
    assert "j***@example.net" in page.text and "jo.smith" not in page.text
    assert "Your turn on Tuesday" in page.text and "550 no such user" in page.text
    assert "Another group" not in page.text and "test message" not in page.text  # no bodies
    again = client.post(f"/groups/{group.slug}/mail/{failed.id}/retry")
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == "pending"
    theirs = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key == "k-other"))
    assert client.post(f"/groups/{group.slug}/mail/{theirs.id}/retry").status_code == 404
    client.post("/logout")
    login(client, leader.email)
    assert client.get(f"/groups/{group.slug}/mail").status_code == 403


def test_the_site_administrator_sees_every_groups_mail_masked(app, client):
    group = factories.group(name="Tuesday Night Group")
    enqueue("k-1", to="jo.smith@example.net", group=group, subject="Your turn on Tuesday")
    enqueue("k-2", to="sam@example.org", subject="Set a new password")
    factories.user("root@example.org", site_admin=True)
    login(client, "root@example.org")
    assert 'href="/admin/outbox/messages"' in client.get("/admin/outbox").text
    page = client.get("/admin/outbox/messages")
    assert page.status_code == 200
    assert "j***@example.net" in page.text and "s***@example.org" in page.text
    assert "jo.smith" not in page.text and "Tuesday Night Group" in page.text
    client.post("/logout")
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    assert client.get("/admin/outbox/messages").status_code == 404  # site pages are not shown to others
