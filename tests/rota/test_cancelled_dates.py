"""A cancelled date (issue 15 item 1): who is released and told is shown before saving, summed up after,
and restoring the date before it starts gives the same people their places back in one step."""

from __future__ import annotations

import pytest
import time_machine

from groupadmin.extensions import db
from groupadmin.rota.models import Assignment
from tests import factories
from tests.conftest import NOW, login
from tests.rota import helpers


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(setup):
    """On the first date: Ann confirmed as chair (by email), Cal asked as speaker with no email but a
    phone; Eve on the second date (not touched)."""
    s = setup
    ann, _cal, eve = s.people
    cal = helpers.person(s.group, "Gus H.", roles=[s.chair, s.speaker], email=None, phone="+1 555 0101")
    occ = s.occurrences[0]
    a = helpers.assign(occ, s.chair, ann, confirmed=True)
    b = helpers.assign(occ, s.speaker, cal)
    b.asked_at = NOW  # asked at the last meeting
    db.session.commit()
    helpers.assign(s.occurrences[1], s.chair, eve)
    s.cal, s.turns, s.occ = cal, (a, b), occ
    s.url = f"/groups/{s.group.slug}/meetings/{s.meeting.id}/dates/{occ.id}"
    return s


def _post(client, url, **extra):
    data = {"cancelled": "y", "venue_location": "", "venue_address": "", "note": "Holiday"}
    data.update(extra)
    return client.post(url, data=data)


def test_cancelling_shows_who_is_released_and_how_before_saving(client, cast):
    login(client, "sec@example.org")
    page = _post(client, cast.url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Cancel the date and release them" in html
    assert "Told by email (1)" in html and "Ann B." in html
    assert "No email: tell this person yourself (1)" in html and "Gus H." in html and "+1 555 0101" in html
    assert 'name="release_seen" type="hidden" value="1"' in html
    # Nothing is saved yet: the date is still on, nobody released or mailed.
    db.session.expire_all()
    assert cast.occ.status == "scheduled"
    assert {db.session.get(Assignment, a.id).status for a in cast.turns} == {"confirmed", "proposed"}
    assert helpers.outbox("rota/released") == []


def test_after_cancelling_a_summary_says_who_was_released(client, cast):
    login(client, "sec@example.org")
    saved = _post(client, cast.url, release_seen="1")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(cast.url)
    page = client.get(cast.url).get_data(as_text=True)
    assert "The date is cancelled: 2 people released. 1 told by email. 1 to tell yourself (no email)." in page
    assert "Released when the date was cancelled: 2 people" in page
    assert "Gus H." in page and "+1 555 0101" in page
    db.session.expire_all()
    assert cast.occ.status == "cancelled"
    assert [m.recipient for m in helpers.outbox("rota/released")] == [cast.people[0].email]


def test_an_org_admin_sees_counts_never_names(client, cast):
    admin = factories.org_member(cast.group.organisation, "admin", email="orgadmin@example.org")
    assert admin
    login(client, "orgadmin@example.org")
    html = _post(client, cast.url).get_data(as_text=True)
    assert "1 person is told by email." in html
    assert "Ann B." not in html and "Gus H." not in html and "555" not in html


def test_restoring_before_the_meeting_gives_the_same_places_back_in_one_step(client, cast):
    login(client, "sec@example.org")
    _post(client, cast.url, release_seen="1")
    restored = _post(client, cast.url, cancelled="")
    give_back = f"/groups/{cast.group.slug}/rota/occurrences/{cast.occ.id}/give-back"
    assert restored.status_code == 302 and restored.headers["Location"].endswith(give_back)
    page = client.get(give_back).get_data(as_text=True)
    assert "Ann B." in page and "was confirmed" in page
    assert "Gus H." in page and "was asked" in page and "no email: tell them yourself" in page
    assert "Give all 2 places back" in page
    turns = ",".join(str(a.id) for a in cast.turns)
    done = client.post(give_back, data={"turns": turns})
    assert done.status_code == 302
    assert "2 places given back" in client.get(done.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    back = (
        db.session.query(Assignment)
        .filter_by(occurrence_id=cast.occ.id)
        .filter(Assignment.status.in_(("proposed", "confirmed")))
    )
    assert sorted((a.role_id, a.person_id, a.status) for a in back) == sorted(
        [(cast.chair.id, cast.people[0].id, "confirmed"), (cast.speaker.id, cast.cal.id, "proposed")]
    )
    (mail,) = [m for m in helpers.outbox("rota/ask") if m.recipient == cast.people[0].email][-1:]
    assert "You are on the rota" in mail.subject
    # A second click (the back button) gives nothing twice.
    again = client.post(give_back, data={"turns": turns})
    assert "There are no places to give back" in again.get_data(as_text=True)
    assert db.session.query(Assignment).filter_by(occurrence_id=cast.occ.id, status="confirmed").count() == 1


def test_no_places_are_offered_back_once_the_meeting_has_started(client, cast):
    login(client, "sec@example.org")
    _post(client, cast.url, release_seen="1")
    with time_machine.travel(cast.occ.starts_at, tick=False):
        login(client, "sec@example.org")
        restored = _post(client, cast.url, cancelled="")
        assert "/give-back" not in restored.headers["Location"]
        page = client.get(f"/groups/{cast.group.slug}/rota/occurrences/{cast.occ.id}/give-back")
        assert "There are no places to give back" in page.get_data(as_text=True)


def test_after_restoring_the_public_listing_no_longer_says_closed(client, cast):
    public = f"/meetings/{cast.group.organisation.slug}"
    login(client, "sec@example.org")
    _post(client, cast.url, release_seen="1", note="Closed for the holiday")
    listing = client.get(public).get_data(as_text=True)
    assert "cancelled" in listing and "— Closed for the holiday" in listing
    # The restore step says what becomes of the note; the secretary leaves the form as it is shown.
    form = client.get(cast.url).get_data(as_text=True)
    assert "Restoring the date removes its note from the public page" in form
    restored = _post(client, cast.url, cancelled="", note="Closed for the holiday")
    give_back = restored.headers["Location"]
    client.post(give_back, data={"turns": ",".join(str(a.id) for a in cast.turns)})
    listing = " ".join(client.get(public).get_data(as_text=True).split())
    assert "Closed for the holiday" not in listing and ": —" not in listing
    assert "cancelled" not in listing
    # A note written anew when restoring is kept, and reads without a dangling dash.
    _post(client, cast.url, release_seen="1", note="Closed for the holiday")
    _post(client, cast.url, cancelled="", note="Speaker meeting")
    listing = " ".join(client.get(public).get_data(as_text=True).split())
    assert "Speaker meeting" in listing and "Closed for the holiday" not in listing and ": —" not in listing
