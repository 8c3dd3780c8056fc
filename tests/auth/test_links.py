"""Invitations and admin-issued password resets: signed, purpose-bound, single-use, expiring links."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups.models import Membership
from groupadmin.mail.models import OutboxMessage
from tests import factories
from tests.conftest import login


def _link(html: str, kind: str) -> str:
    match = re.search(rf'value="https?://[^/"]+(/r/{kind}/[^"]+)"', html)
    assert match, f"no {kind} link on the page"
    return match.group(1)


def _invite(client, group, email="new@example.org", role="leader") -> str:
    response = client.post(
        f"/groups/{group.slug}/members/invite", data={"invite-email": email, "invite-role": role}
    )
    assert response.status_code == 200, response.headers.get("Location")
    return _link(response.get_data(as_text=True), "invite")


def test_secretary_invites_a_newcomer_who_creates_an_account(app, client):
    group = factories.group(name="Tuesday Night Group")
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group)

    newcomer = app.test_client()
    page = newcomer.get(link)
    assert b"Tuesday Night Group" in page.data
    response = newcomer.post(
        link,
        data={
            "display_name": "Jo J.",
            "password": "my own long passphrase",
            "confirm": "my own long passphrase",
        },
    )
    assert response.status_code == 302
    assert b"Tuesday Night Group" in newcomer.get("/").data
    user = db.session.scalar(db.select(User).filter_by(email="new@example.org"))
    assert {m.role for m in user.memberships} == {"leader"}

    again = app.test_client().get(link)
    assert again.status_code == 410 and b"already been used" in again.data


def test_invitation_form_keeps_what_was_typed_on_error(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group)
    response = app.test_client().post(
        link, data={"display_name": "Jo J.", "password": "short", "confirm": "short"}
    )
    assert response.status_code == 200
    assert b"Use at least 12 characters." in response.data
    assert b'value="Jo J."' in response.data
    assert db.session.scalar(db.select(User).filter_by(email="new@example.org")) is None


def test_existing_account_accepts_after_logging_in(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    factories.user("pat@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group, email="pat@example.org", role="sponsor")

    pat = app.test_client()
    assert b"Log in to accept" in pat.get(link).data
    login(pat, "pat@example.org")
    assert pat.post(link).status_code == 302
    roles = db.session.scalars(
        db.select(Membership.role).join(User).filter(User.email == "pat@example.org")
    ).all()
    assert roles == ["sponsor"]


def test_someone_logged_in_as_another_account_cannot_take_the_invitation(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group, email="pat@example.org")
    factories.user("other@example.org")
    other = app.test_client()
    login(other, "other@example.org")
    assert b"another email address" in other.get(link).data
    other.post(link)
    assert db.session.scalar(db.select(Membership).filter_by(role="leader")) is None


def test_tampered_and_expired_invitations_change_nothing(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    with time_machine.travel("2026-11-21 10:00", tick=False) as clock:
        login(client, "sec@example.org")
        link = _invite(client, group)
        tampered = app.test_client().get(link[:-3] + "abc")
        assert tampered.status_code == 410 and b"not valid" in tampered.data
        clock.shift(timedelta(days=8))
        expired = app.test_client().post(
            link,
            data={
                "display_name": "Jo J.",
                "password": "my own long passphrase",
                "confirm": "my own long passphrase",
            },
        )
        assert expired.status_code == 410 and b"expired" in expired.data
    assert db.session.scalar(db.select(User).filter_by(email="new@example.org")) is None


def test_withdrawn_invitation_stops_working(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group)
    from groupadmin.auth.models import Invitation

    invitation = db.session.scalar(db.select(Invitation))
    client.post(f"/groups/{group.slug}/invitations/{invitation.id}/withdraw")
    assert b"withdrawn" in app.test_client().get(link).data


def test_org_admin_invites_a_coordinator(app, client):
    org = factories.organisation()
    factories.org_member(org, "admin", email="boss@example.org")
    login(client, "boss@example.org")
    response = client.post(
        f"/orgs/{org.slug}/people/invite",
        data={"invite-email": "c@example.org", "invite-role": "coordinator"},
    )
    link = _link(response.get_data(as_text=True), "invite")
    newcomer = app.test_client()
    newcomer.post(
        link,
        data={
            "display_name": "Cy C.",
            "password": "my own long passphrase",
            "confirm": "my own long passphrase",
        },
    )
    assert newcomer.get(f"/orgs/{org.slug}/").status_code == 200
    assert newcomer.get(f"/orgs/{org.slug}/settings").status_code == 403


def test_admin_issues_a_single_use_reset_link(app, client):
    factories.user("root@example.org", site_admin=True)
    pat = factories.user("pat@example.org")
    login(client, "root@example.org")
    response = client.post(f"/admin/users/{pat.id}/reset-link")
    link = _link(response.get_data(as_text=True), "reset")

    visitor = app.test_client()
    assert (
        visitor.post(
            link, data={"password": "a fresh long passphrase", "confirm": "a fresh long passphrase"}
        ).status_code
        == 302
    )
    assert login(app.test_client(), "pat@example.org", "a fresh long passphrase").status_code == 302
    reused = app.test_client().post(
        link, data={"password": "another long passphrase", "confirm": "another long passphrase"}
    )
    assert reused.status_code == 410
    assert login(app.test_client(), "pat@example.org", "another long passphrase").status_code == 401


def test_reset_links_are_never_issued_to_anonymous_visitors(client):
    pat = factories.user("pat@example.org")
    response = client.post(f"/admin/users/{pat.id}/reset-link")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    factories.user("someone@example.org")
    login(client, "someone@example.org")
    assert client.post(f"/admin/users/{pat.id}/reset-link").status_code == 404


def test_an_invitation_token_is_not_a_reset_token(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group)
    token = link.rsplit("/", 1)[1]
    assert app.test_client().get(f"/r/reset/{token}").status_code == 410


def test_links_shown_to_copy_are_built_on_base_url_not_the_host_header(app, client):
    """An admin pastes these into a message: they must point at BASE_URL, whatever Host the request had."""
    app.config["BASE_URL"] = "https://groups.example.org"
    factories.user("root@example.org", site_admin=True)
    pat = factories.user("pat@example.org")
    login(client, "root@example.org")
    reset = client.post(f"/admin/users/{pat.id}/reset-link").get_data(as_text=True)
    assert 'value="https://groups.example.org/r/reset/' in reset
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    other = app.test_client()
    login(other, "sec@example.org")
    invite = other.post(
        f"/groups/{group.slug}/members/invite",
        data={"invite-email": "n@example.org", "invite-role": "leader"},
    ).get_data(as_text=True)
    assert 'value="https://groups.example.org/r/invite/' in invite


def _roles_of(email: str) -> list[str]:
    return db.session.scalars(db.select(Membership.role).join(User).filter(User.email == email)).all()


def _mail_to(email: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return [m for m in db.session.scalars(db.select(OutboxMessage)) if m.recipient == email]


def test_an_organisation_admin_cannot_make_themselves_a_groups_secretary(app, client):
    """The README promises admins do not see private notes, rota contacts or figures: a self-sent
    invitation would have given them all three without anyone in the group deciding it."""
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    factories.org_member(group.organisation, "admin", email="admin@example.org")
    login(client, "admin@example.org")
    link = _invite(client, group, email="admin@example.org", role="secretary")
    refused = client.post(link)
    assert refused.status_code == 200
    assert "Ask one of the group&#39;s secretaries" in refused.text
    assert _roles_of("admin@example.org") == []
    assert client.get(f"/groups/{group.slug}/rota/").status_code == 403


def test_a_role_given_by_an_admin_is_mailed_to_the_groups_secretaries(app, client):
    group = factories.group(name="Tuesday Night Group")
    factories.member(group, "secretary", email="sec@example.org")
    factories.org_member(group.organisation, "admin", email="admin@example.org", name="Alex A.")
    factories.user("pat@example.org", name="Pat P.")
    login(client, "admin@example.org")
    link = _invite(client, group, email="pat@example.org", role="leader")
    pat = app.test_client()
    login(pat, "pat@example.org")
    assert pat.post(link).status_code == 302
    assert _roles_of("pat@example.org") == ["leader"]
    (told,) = _mail_to("sec@example.org")
    assert told.subject == "New role in Tuesday Night Group"
    assert "Alex A. gave Pat P. the role Trusted servant in Tuesday Night Group" in told.text_body


def test_a_role_given_by_a_secretary_sends_the_secretaries_nothing(app, client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    factories.member(group, "secretary", email="co@example.org")
    factories.user("pat@example.org")
    login(client, "sec@example.org")
    link = _invite(client, group, email="pat@example.org", role="leader")
    pat = app.test_client()
    login(pat, "pat@example.org")
    assert pat.post(link).status_code == 302
    assert _mail_to("sec@example.org") == [] and _mail_to("co@example.org") == []
