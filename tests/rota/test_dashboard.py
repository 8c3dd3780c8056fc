"""The dashboard's rota to-do: open places in the next two weeks, counted like the weekly summary, in
a fixed number of queries however many groups."""

from __future__ import annotations

import pytest
import time_machine

from groupadmin.extensions import db
from groupadmin.rota import services
from tests import factories
from tests.conftest import NOW, login
from tests.rota import helpers


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _summary_gaps(group) -> int:
    """What the weekly summary counts: the open places of the grid's next two weeks, dates to come."""
    first, last = services.summary_period(group, NOW)
    grid = services.load_grid(group, start=first, end=last, now=NOW, with_options=False)
    return sum(
        cell.open
        for row in grid.rows
        if services.is_upcoming_gap(row.occurrence, NOW)
        for cell in row.cells
        if cell.applies
    )


@pytest.mark.postgres
def test_open_places_match_the_weekly_summary(setup):
    s = setup
    # Tuesdays 24 Nov and 1 Dec are in the next two weeks: 2 dates × 2 roles.
    assert (
        services.open_places_by_group([s.group], now=NOW)
        == {s.group.id: 4}
        == {s.group.id: _summary_gaps(s.group)}
    )
    helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    helpers.assign(s.occurrences[1], s.speaker, s.people[1], confirmed=True, notify=False)
    declined = helpers.assign(s.occurrences[1], s.chair, s.people[2], notify=False)
    services.decline(declined, now=NOW)  # a declined turn leaves its place open
    helpers.assign(s.occurrences[2], s.chair, s.people[0], notify=False)  # beyond two weeks
    db.session.commit()
    assert services.open_places_by_group([s.group], now=NOW) == {s.group.id: 2}
    assert _summary_gaps(s.group) == 2
    helpers.assign(s.occurrences[0], s.speaker, s.people[1], notify=False)
    helpers.assign(s.occurrences[1], s.chair, s.people[0], notify=False)
    assert services.open_places_by_group([s.group], now=NOW) == {}
    assert services.open_places_by_group([], now=NOW) == {}


def test_the_dashboard_shows_open_rota_places_to_secretaries_and_leaders(setup, client):
    s = setup
    helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    factories.member(s.group, "sponsor", email="sponsor@example.org")
    login(client, "sponsor@example.org")
    html = client.get("/").get_data(as_text=True)
    assert "open rota place" not in html and "What needs doing" not in html
    for email in ("sec@example.org", "leader@example.org"):
        client.post("/logout")
        login(client, email)
        html = client.get("/").get_data(as_text=True)
        todo = html[html.index("What needs doing") :]
        todo = todo[: todo.index("</ul>")]
        assert f'href="/groups/{s.group.slug}/rota/"' in todo, email
        assert "3 open rota places in the next two weeks" in todo, email
        # "Members and roles" is a link of the card, not a task.
        assert "Members and roles" not in todo
        assert ("Members and roles" in html) is (email == "sec@example.org")


def test_the_dashboard_says_when_nothing_needs_doing(setup, client):
    s = setup
    s.group.contact_email = "group@example.org"
    for occurrence in s.occurrences[:2]:
        helpers.assign(occurrence, s.chair, s.people[0], notify=False)
        helpers.assign(occurrence, s.speaker, s.people[1], notify=False)
    login(client, "sec@example.org")
    html = client.get("/").get_data(as_text=True)
    assert "open rota place" not in html
    assert "Nothing for now." in html


def test_dashboard_query_count_does_not_grow_with_groups_with_rotas(setup, client, count_queries):
    s = setup
    login(client, "leader@example.org")

    def measure():
        with count_queries() as q:
            html = client.get("/").get_data(as_text=True)
        return q.count, html

    one, _html = measure()
    for n in range(4):
        group = factories.group()
        factories.member(group, "leader", u=s.leader)
        meeting = factories.meeting(group, f"Meeting {n}")
        chair = helpers.role(group, "Chair", kind="chair", per_occurrence=2)
        person = helpers.person(group, "Sam T.", roles=[chair])
        helpers.assign(helpers.occurrences(meeting)[0], chair, person, notify=False)
    five, html = measure()
    assert five == one
    assert html.count("open rota places in the next two weeks") == 5
    assert html.count("3 open rota places in the next two weeks") == 4  # 2 dates × 2 places, 1 taken


def test_open_places_follow_what_each_role_applies_to(setup):
    """The dashboard reads columns, not meetings: it still counts a role only where it applies (chosen
    meetings, online or in-person dates, a date moved online), like the weekly summary."""
    s = setup
    s.chair.applies_to = "chosen"  # chosen for no meeting yet: needed nowhere
    s.speaker.applies_to = "online"  # needed only when the meeting is online that day
    s.occurrences[0].online_only = True
    db.session.commit()
    assert services.open_places_by_group([s.group], now=NOW) == {s.group.id: 1}
    assert _summary_gaps(s.group) == 1
    s.chair.meetings = [s.meeting]
    s.speaker.applies_to = "in_person"  # the date moved online no longer needs it
    db.session.commit()
    assert services.open_places_by_group([s.group], now=NOW) == {s.group.id: 3}
    assert _summary_gaps(s.group) == 3
