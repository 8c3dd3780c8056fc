"""Invitations by mail, and self-service password reset by email."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import sqlalchemy as sa
import time_machine

from groupadmin.auth.models import Invitation
from groupadmin.extensions import db
from groupadmin.mail import services, transports
from groupadmin.mail.models import OutboxMessage
from tests import factories
from tests.conftest import NOW, PASSWORD, login


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def link_in(text: str) -> str:
    return re.search(r"http://localhost(/r/[a-z]+/\S+)", text).group(1)


def test_an_invitation_is_mailed_discreetly_and_its_link_works(app, client, tmp_path):
    group = factories.group(name="Tuesday Night Group", fellowship="na")
    factories.member(group, "secretary", email="sec@example.org", name="Sam S.")
    login(client, "sec@example.org")
    page = client.post(
        f"/groups/{group.slug}/members/invite",
        data={"invite-email": "new@example.net", "invite-role": "leader"},
    )
    assert page.status_code == 200 and b"emailing the invitation" in page.data
    (message,) = outbox()
    assert message.idempotency_key.startswith("invitation:") and message.group_id == group.id
    assert message.subject == "Invitation to help with Tuesday Night Group"
    assert "Sam S. invites you to help with Tuesday Night Group" in message.text_body
    assert "Narcotics" not in message.text_body + message.subject + message.headers["From"]

    directory = tmp_path / "mail"
    assert services.deliver_due(now=NOW, transport=transports.from_url(f"file://{directory}")).sent == 1
    (eml,) = directory.iterdir()
    parsed = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed["To"] == "new@example.net"
    text = parsed.get_body(("plain",)).get_content()
    client.post("/logout")
    accept = client.get(link_in(text))
    assert accept.status_code == 200 and b"Tuesday Night Group" in accept.data


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(app, client):
    factories.user(email="sam@example.org", name="Sam S.")
    known = client.post("/password/forgot", data={"email": "sam@example.org"}).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"}).get_data(as_text=True)
    assert known.replace("sam@example.org", "X") == unknown.replace("nobody@example.org", "X")
    assert "Check your email" in known
    (message,) = outbox()
    assert message.recipient == "sam@example.org" and message.template == "auth/password_reset"
    assert "List-Unsubscribe" not in message.headers  # an account holder


def test_reset_by_email_is_signed_single_use_and_sets_the_password(app, client):
    factories.user(email="sam@example.org")
    client.post("/password/forgot", data={"email": "Sam@Example.org "})
    (message,) = outbox()
    path = link_in(message.text_body)
    assert client.get(path).status_code == 200
    new = "another long passphrase"
    done = client.post(path, data={"password": new, "confirm": new})
    assert done.status_code == 302
    assert login(client, "sam@example.org", new).status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 410  # used
    assert login(client, "sam@example.org", PASSWORD).status_code == 401
    assert client.get(path[:-4] + "abcd").status_code == 410  # tampered


def test_repeated_requests_send_one_mail_per_quarter_hour(app, client):
    factories.user(email="sam@example.org")
    for _ in range(3):
        client.post("/password/forgot", data={"email": "sam@example.org"})
    assert len(outbox()) == 1


def test_one_client_address_is_slowed_down_whatever_addresses_it_asks_for(app, client):
    """Someone trying many addresses from one place gets the same wait as a login, not a mail each."""
    factories.user(email="sam@example.org")
    for n in range(6):  # the login allowance: five free, the sixth starts the wait
        assert client.post("/password/forgot", data={"email": f"p{n}@example.org"}).status_code == 200
    refused = client.post("/password/forgot", data={"email": "sam@example.org"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text and 'value="sam@example.org"' in refused.text
    assert outbox() == []  # the account's own mail waits too
    other_place = client.post(
        "/password/forgot", data={"email": "sam@example.org"}, environ_base={"REMOTE_ADDR": "198.51.100.7"}
    )
    assert other_place.status_code == 200 and len(outbox()) == 1


def test_inviting_an_address_again_renews_one_invitation_and_mails_at_most_every_quarter_hour(app, client):
    group = factories.group(name="Tuesday Night Group")
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")

    def invite(role):
        return client.post(
            f"/groups/{group.slug}/members/invite",
            data={"invite-email": "New@Example.net ", "invite-role": role},
        )

    for _ in range(12):
        assert invite("leader").status_code == 200
    invitations = db.session.scalars(sa.select(Invitation).where(Invitation.group_id == group.id)).all()
    assert len(invitations) == 1 and len(outbox()) == 1
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        invite("sponsor")
    db.session.expire_all()
    (invitation,) = db.session.scalars(sa.select(Invitation).where(Invitation.group_id == group.id)).all()
    assert invitation.role == "sponsor" and invitation.expires_at > NOW + timedelta(days=7)
    assert len(outbox()) == 2  # one more mail, with the role asked now
    assert "sponsor" in outbox()[-1].text_body.lower()


def test_inactive_accounts_get_no_reset_mail(app, client):
    user = factories.user(email="sam@example.org")
    user.active = False
    db.session.commit()
    client.post("/password/forgot", data={"email": "sam@example.org"})
    assert outbox() == []


def test_forgot_password_form_validates_and_login_links_to_it(app, client):
    page = client.post("/password/forgot", data={"email": "not an address"})
    assert page.status_code == 200 and b"not an address" in page.data and b"Check your email" not in page.data
    assert b'href="/password/forgot"' in client.get("/login").data


def test_an_invitation_to_an_address_our_mail_cannot_carry_still_gives_the_link(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    page = client.post(
        f"/groups/{group.slug}/members/invite",
        data={"invite-email": "påt@example.org", "invite-role": "leader"},
    )
    assert page.status_code == 200 and b"/r/invite/" in page.data
    assert b"Our mail cannot reach" in page.data
    assert outbox() == []
