"""Links in rota mail: accept, decline, offer a swap; GET never changes anything; tampered, expired
and reused links change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from groupadmin.extensions import db
from groupadmin.rota import services
from groupadmin.rota.models import Assignment
from tests.conftest import NOW
from tests.rota import helpers


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _path(assignment, action):
    return f"/r/rota-{action}/{services.link_token(assignment, action)}"


def _state(assignment_id):
    db.session.expire_all()
    return db.session.get(Assignment, assignment_id).status


def _links_in(message) -> dict[str, list[str]]:
    """The rota links in a message's text, by action (paths, in order)."""
    links: dict[str, list[str]] = {"accept": [], "decline": [], "swap": [], "remove": []}
    for path, action in re.findall(
        r"http://localhost(/r/rota-(accept|decline|swap|remove)/[\w.\-]+)", message.text_body
    ):
        links[action].append(path)
    return links


def test_the_mail_links_accept_with_one_post_and_get_changes_nothing(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    (message,) = helpers.outbox("rota/ask")
    links = _links_in(message)
    accept = links["accept"][0]
    page = client.get(accept)
    assert page.status_code == 200
    assert "Yes, I&#39;ll do it" in page.text or "Yes, I'll do it" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert _state(a.id) == "proposed"  # a mail scanner following the link does nothing
    assert client.post(accept).status_code == 302
    assert _state(a.id) == "confirmed"
    assert db.session.get(Assignment, a.id).confirmed_via == "link"
    # Reused: the page says so, and posting again changes nothing.
    again = client.get(accept)
    assert "You&#39;re confirmed" in again.text or "You're confirmed" in again.text
    client.post(accept)
    assert _state(a.id) == "confirmed"


@pytest.mark.postgres
def test_decline_reopens_the_place_and_tells_the_secretaries(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0], confirmed=True)
    decline = _path(a, "decline")
    client.get(decline)
    assert _state(a.id) == "confirmed"
    client.post(decline)
    assert _state(a.id) == "declined"
    (notice,) = helpers.outbox("rota/declined")
    assert notice.recipient == "sec@example.org"
    assert "Ann B." in notice.text_body and "Chair" in notice.subject
    grid = services.load_grid(
        s.group, start=s.occurrences[0].local_date, end=s.occurrences[0].local_date, now=NOW
    )
    assert grid.rows[0].cells[0].open == 1
    # Declining again changes nothing and tells nobody twice; accepting after declining does nothing.
    client.post(decline)
    client.post(_path(a, "accept"))
    assert _state(a.id) == "declined"
    assert len(helpers.outbox("rota/declined")) == 1


def test_after_declining_the_page_gives_the_groups_contact_email_or_promises_none(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0], confirmed=True, notify=False)
    decline = _path(a, "decline")
    client.post(decline)
    page = client.get(decline).text
    assert "You said you can" in page
    assert "mailto:" not in page and "tell the secretary" not in page
    assert "tell whoever keeps the group" in page
    s.group.contact_email = "tuesday+rota@example.org"
    db.session.commit()
    page = client.get(decline).text
    assert '<a href="mailto:tuesday+rota@example.org">tuesday+rota@example.org</a>' in page
    # Escaped like any text: an address is never markup.
    s.group.contact_email = 'x"<b>@example.org'
    db.session.commit()
    page = client.get(decline).text
    assert "<b>" not in page and "&lt;b&gt;" in page


def test_someone_who_accepted_can_still_decline(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    client.post(_path(a, "accept"))
    client.post(_path(a, "decline"))
    assert _state(a.id) == "declined"


@pytest.mark.parametrize("tamper", ["flip", "swap-action", "other-assignment", "garbage"])
def test_tampered_links_change_nothing(setup, client, tamper):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    b = helpers.assign(s.occurrences[1], s.chair, s.people[1])
    token = services.link_token(a, "accept")
    if tamper == "flip":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        path = f"/r/rota-accept/{token}"
    elif tamper == "swap-action":  # a decline token used as an accept link: the purpose is bound
        path = f"/r/rota-accept/{services.link_token(a, 'decline')}"
    elif tamper == "other-assignment":  # another assignment's id with this one's signature
        payload, _, rest = token.partition(".")
        other_payload = services.link_token(b, "accept").partition(".")[0]
        path = f"/r/rota-accept/{other_payload}.{rest}"
    else:
        path = "/r/rota-accept/not-a-token"
    assert client.get(path).status_code in (404, 410)
    response = client.post(path)
    assert response.status_code in (404, 410)
    assert "Nothing has been changed" in response.text
    assert _state(a.id) == "proposed" and _state(b.id) == "proposed"


def test_links_expire_when_the_meeting_starts(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    path = _path(a, "accept")
    with time_machine.travel(s.occurrences[0].starts_at + timedelta(minutes=1), tick=False):
        response = client.post(path)
        assert response.status_code == 410
        assert "expired" in response.text
    assert _state(a.id) == "proposed"


def test_links_of_a_removed_turn_say_so(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    path = _path(a, "accept")
    services.withdraw(db.session.get(Assignment, a.id), actor=None, now=NOW)
    db.session.commit()
    page = client.get(path)
    assert "not open any more" in page.text
    client.post(path)
    assert _state(a.id) == "withdrawn"


@pytest.mark.postgres
def test_offer_a_swap_and_the_colleague_accepts(setup, client):
    s = setup
    ann, cal, eve = s.people
    a = helpers.assign(s.occurrences[0], s.chair, ann, confirmed=True)
    helpers.assign(s.occurrences[0], s.speaker, eve, notify=False)  # Eve is busy at that meeting
    swap = _path(a, "swap")
    page = client.get(swap)
    assert "Cal D." in page.text and "Eve F." not in page.text
    assert client.post(swap, data={"colleague": "999"}).status_code == 422  # not one of the listed
    client.post(swap, data={"colleague": str(cal.id)})
    offer = db.session.scalar(sa.select(Assignment).where(Assignment.status == "offered"))
    assert offer.person_id == cal.id and offer.swap_from_id == a.id
    assert _state(a.id) == "confirmed"  # stays Ann's until Cal accepts
    (message,) = helpers.outbox("rota/swap_offer")
    assert "Ann B." in message.text_body
    accept = _links_in(message)["accept"][0]
    client.post(accept)
    assert _state(offer.id) == "confirmed" and _state(a.id) == "swapped"
    (answer,) = helpers.outbox("rota/swap_answer")
    assert answer.recipient == ann.email and "Cal D." in answer.subject
    assert len(helpers.outbox("rota/swap_secretary")) == 1
    # Ann's old links are closed now.
    client.post(_path(a, "decline"))
    assert _state(a.id) == "swapped"


def test_a_refused_swap_leaves_the_turn_and_tells_the_asker(setup, client):
    s = setup
    ann, cal, _eve = s.people
    a = helpers.assign(s.occurrences[0], s.chair, ann, confirmed=True)
    client.post(_path(a, "swap"), data={"colleague": str(cal.id)})
    offer = db.session.scalar(sa.select(Assignment).where(Assignment.status == "offered"))
    client.post(_path(offer, "decline"))
    assert _state(offer.id) == "declined" and _state(a.id) == "confirmed"
    (answer,) = helpers.outbox("rota/swap_answer")
    assert "cannot take" in answer.subject
    assert helpers.outbox("rota/declined") == []  # nothing opened: the secretary need not act


def test_a_swap_offer_accepted_after_the_place_was_filled_changes_nothing_else(setup, client):
    s = setup
    ann, cal, eve = s.people
    a = helpers.assign(s.occurrences[0], s.chair, ann)
    client.post(_path(a, "swap"), data={"colleague": str(cal.id)})
    offer = db.session.scalar(sa.select(Assignment).where(Assignment.status == "offered"))
    client.post(_path(a, "decline"))  # Ann declines meanwhile, and the secretary puts Eve in
    helpers.assign(s.occurrences[0], s.chair, eve, notify=False)
    client.post(_path(offer, "accept"))
    assert _state(offer.id) == "withdrawn"
    filling = db.session.scalars(
        sa.select(Assignment).where(Assignment.status.in_(("proposed", "confirmed")))
    ).all()
    assert [x.person_id for x in filling] == [eve.id]


def test_leave_the_rota_from_the_mail_forgets_the_person(setup, client):
    s = setup
    ann = s.people[0]
    email = ann.email
    a = helpers.assign(s.occurrences[0], s.chair, ann)
    a_id, accept = a.id, _path(a, "accept")
    (message,) = helpers.outbox("rota/ask")
    remove = _links_in(message)["remove"][0]
    assert "Leave the rota" in client.get(remove).text
    client.post(remove)
    db.session.expire_all()
    person = db.session.get(type(ann), ann.id)
    assert person.is_removed and person.email is None and person.display_name is None
    assert person.calendar_nonce is None
    assert db.session.get(Assignment, a_id) is None  # the upcoming turn is open again
    # The waiting message to the address is cancelled and stripped.
    message = helpers.outbox("rota/ask")[0]
    assert message.recipient is None and message.text_body is None
    (notice,) = helpers.outbox("rota/removed")
    assert "Ann" not in notice.text_body and email not in notice.text_body
    assert "You have left the rota" in client.get(remove).text
    assert client.get(accept).status_code in (404, 410)
