"""My turns (issue 15 item 3): a user linked to rota people sees their upcoming turns across groups,
answers them through the same pages as the mail links, gets their calendar link; "My turns" is in the
navigation only when they have turns."""

from __future__ import annotations

import re

import pytest
import time_machine

from groupadmin.extensions import db
from tests import factories
from tests.conftest import NOW, login
from tests.rota import helpers


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def linked(setup):
    """The leader is Ann on this group's rota, and Zed on another group's."""
    s = setup
    ann = s.people[0]
    ann.user_id = s.leader.id
    other = factories.group(name="Friday Step Group")
    factories.member(other, "sponsor", u=s.leader)
    other_meeting = factories.meeting(other, "Friday Step Group")
    other_role = helpers.role(other, "Greeter", kind="greeter")
    zed = helpers.person(other, "Zed Q.", roles=[other_role], email=None)
    zed.user_id = s.leader.id
    db.session.commit()
    s.ann, s.zed, s.other_role = ann, zed, other_role
    s.other_occurrences = helpers.occurrences(other_meeting)
    return s


def test_nav_shows_my_turns_only_to_a_user_with_turns(client, linked):
    login(client, "leader@example.org")
    assert "My turns" not in client.get("/").get_data(as_text=True)
    helpers.assign(linked.occurrences[1], linked.chair, linked.ann)
    assert 'href="/my/turns">My turns' in client.get("/").get_data(as_text=True)


def test_my_turns_lists_upcoming_turns_across_groups_with_their_answers(client, linked):
    s = linked
    helpers.assign(s.occurrences[2], s.speaker, s.ann, confirmed=True)
    helpers.assign(s.occurrences[1], s.chair, s.ann)
    helpers.assign(s.other_occurrences[0], s.other_role, s.zed)
    helpers.assign(s.occurrences[1], s.speaker, s.people[1])  # someone else's turn
    login(client, "leader@example.org")
    page = client.get("/my/turns")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "You have 3 turns to come on the rota." in html
    assert "Friday Step Group" in html and "Greeter" in html
    assert html.index("Chair ·") < html.index("Speaker ·")  # soonest first
    assert "Cal D." not in html
    # The proposed turn can be accepted; every turn declined or swapped, with the mail links' pages.
    links = re.findall(r'href="(/r/rota-(?:accept|decline|swap)/[^"]+)"', html)
    assert len(links) == 2 + 3 + 3  # accept on the two proposed turns, decline and swap on all three
    decline = next(link for link in links if "/rota-decline/" in link)
    answer = client.get(decline).get_data(as_text=True)
    assert "Can't make it" in answer and "I can't do this turn" in answer


def test_my_calendar_link_is_made_for_my_own_person_only(client, linked):
    s = linked
    helpers.assign(s.occurrences[1], s.chair, s.ann)
    login(client, "leader@example.org")
    assert client.post(f"/my/turns/calendar/{s.ann.id}").status_code == 302
    html = client.get("/my/turns").get_data(as_text=True)
    assert "/feeds/cal/" in html
    assert client.post(f"/my/turns/calendar/{s.people[1].id}").status_code == 404
    assert client.post(f"/my/turns/calendar/{2**63}").status_code == 404


def test_my_turns_page_queries_stay_constant(client, linked, count_queries):
    s = linked
    login(client, "leader@example.org")
    helpers.assign(s.occurrences[1], s.chair, s.ann)
    client.get("/my/turns")
    with count_queries() as few:
        client.get("/my/turns")
    for occ in s.occurrences[2:6]:
        helpers.assign(occ, s.chair, s.ann)
    for occ in s.other_occurrences[:3]:
        helpers.assign(occ, s.other_role, s.zed)
    with count_queries() as many:
        assert "You have 8 turns" in client.get("/my/turns").get_data(as_text=True)
    assert many.count == few.count
