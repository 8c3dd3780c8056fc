"""Who sees which newcomer: a sponsor only theirs (another's answers 404, whatever the route), a
secretary the group's, an organisation's outreach volunteer its unassigned requests and theirs; admins,
coordinators and leaders nothing personal."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import login


@pytest.fixture
def cards(setup):
    mine = factories.newcomer(setup.group, name="Mine", phone="555-0101", volunteer=setup.sponsor)
    theirs = factories.newcomer(setup.group, name="Theirs", phone="555-0102", volunteer=setup.other_sponsor)
    waiting = factories.newcomer(setup.org, name="Waiting", phone="555-0103")
    taken = factories.newcomer(setup.org, name="Taken", phone="555-0104", volunteer=setup.other_sponsor)
    return mine, theirs, waiting, taken


def _urls(owner_path, n):
    f = n.follow_ups[0].id
    return [
        ("GET", f"{owner_path}/outreach/{n.id}/"),
        ("POST", f"{owner_path}/outreach/{n.id}/follow-ups/{f}"),
        ("POST", f"{owner_path}/outreach/{n.id}/follow-ups/{f}/snooze"),
        ("POST", f"{owner_path}/outreach/{n.id}/assign"),
        ("POST", f"{owner_path}/outreach/{n.id}/hand-back"),
    ]


def test_a_sponsor_sees_only_their_own_newcomers_and_guessing_another_answers_404(setup, client, cards):
    mine, theirs, *_ = cards
    login(client, "sponsor@example.org")
    listing = client.get(f"/groups/{setup.group.slug}/outreach/")
    assert "Mine" in listing.text and "Theirs" not in listing.text
    assert client.get(f"/groups/{setup.group.slug}/outreach/{mine.id}/").status_code == 200
    for method, url in _urls(f"/groups/{setup.group.slug}", theirs):
        assert client.open(url, method=method, data={"outcome": "reached"}).status_code == 404, url
    # The organisation's cards are not theirs either.
    assert client.get(f"/orgs/{setup.org.slug}/outreach/{cards[2].id}/").status_code == 404


def test_the_secretary_sees_every_newcomer_of_the_group(setup, client, cards):
    login(client, "sec@example.org")
    listing = client.get(f"/groups/{setup.group.slug}/outreach/")
    assert "Mine" in listing.text and "Theirs" in listing.text and "Waiting" not in listing.text
    assert client.get(f"/groups/{setup.group.slug}/outreach/{cards[1].id}/").status_code == 200


def test_the_organisations_outreach_volunteer_sees_unassigned_requests_and_theirs(setup, client, cards):
    mine, theirs, waiting, taken = cards
    login(client, "outreach@example.org")
    listing = client.get(f"/orgs/{setup.org.slug}/outreach/")
    assert "Waiting" in listing.text and "Taken" not in listing.text and "Mine" not in listing.text
    assert client.get(f"/orgs/{setup.org.slug}/outreach/{taken.id}/").status_code == 404
    assert client.get(f"/orgs/{setup.org.slug}/outreach/{mine.id}/").status_code == 404
    response = client.post(
        f"/orgs/{setup.org.slug}/outreach/{waiting.id}/assign", data={"volunteer": setup.outreach.id}
    )
    assert response.status_code == 302
    assert client.get(f"/orgs/{setup.org.slug}/outreach/{waiting.id}/").status_code == 200


@pytest.mark.parametrize(
    ("email", "group_status", "org_status"),
    [
        ("orgadmin@example.org", 403, 403),
        ("coord@example.org", 404, 403),
        ("leader@example.org", 403, 404),
    ],
)
def test_admins_coordinators_and_leaders_see_nothing_personal(
    setup, client, cards, email, group_status, org_status
):
    login(client, email)
    assert client.get(f"/groups/{setup.group.slug}/outreach/").status_code == group_status
    assert client.get(f"/groups/{setup.group.slug}/outreach/{cards[0].id}/").status_code == group_status
    assert client.get(f"/orgs/{setup.org.slug}/outreach/").status_code == org_status
    assert client.get(f"/orgs/{setup.org.slug}/outreach/{cards[2].id}/").status_code == org_status
    mine = client.get("/outreach/")
    assert mine.status_code == 200 and "Mine" not in mine.text and "Waiting" not in mine.text


def test_only_the_secretary_assigns_and_only_a_candidate_can_be_chosen(setup, client, cards):
    mine = cards[0]
    login(client, "sponsor@example.org")
    assert (
        client.post(
            f"/groups/{setup.group.slug}/outreach/{mine.id}/assign", data={"volunteer": setup.sponsor.id}
        ).status_code
        == 403
    )
    client.post("/logout")
    login(client, "sec@example.org")
    refused = client.post(
        f"/groups/{setup.group.slug}/outreach/{mine.id}/assign", data={"volunteer": setup.leader.id}
    )
    assert refused.status_code == 422 and "Choose a volunteer from the list." in refused.text


def test_the_group_settings_are_for_secretaries_and_the_organisations_for_its_admins(setup, client):
    login(client, "sec@example.org")
    assert client.get(f"/groups/{setup.group.slug}/outreach/settings").status_code == 200
    response = client.post(
        f"/groups/{setup.group.slug}/outreach/settings",
        data={"plan": "1, 7, 30", "retention_days": "60", "consent_wording": "You may call me."},
    )
    assert response.status_code == 302
    bad = client.post(
        f"/groups/{setup.group.slug}/outreach/settings",
        data={"plan": "7, 1", "retention_days": "60", "consent_wording": "You may call me."},
    )
    assert bad.status_code == 422 and "Each day must come after the one before" in bad.text
    client.post("/logout")
    login(client, "sponsor@example.org")
    assert client.get(f"/groups/{setup.group.slug}/outreach/settings").status_code == 403
    client.post("/logout")
    login(client, "orgadmin@example.org")
    assert client.get(f"/orgs/{setup.org.slug}/outreach/settings").status_code == 200
