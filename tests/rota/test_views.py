"""Rota pages: permissions, the grid (conflicts before saving, query count), people, roles, calendars."""

from __future__ import annotations

import re
from datetime import UTC, date, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from icalendar import Calendar

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.rota import services
from groupadmin.rota.models import Assignment, RotaPerson, ServiceRole
from tests import factories, ical_js
from tests.conftest import NOW, login
from tests.rota import helpers


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _urls(s):
    g = s.group.slug
    occ = s.occurrences[0].id
    person = s.people[0].id
    role = s.chair.id
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    return {
        "grid": f"/groups/{g}/rota/",
        "print": f"/groups/{g}/rota/print",
        "occurrence": f"/groups/{g}/rota/occurrences/{occ}",
        "calendar": f"/groups/{g}/rota/calendar",
        "autofill": f"/groups/{g}/rota/autofill",
        "roles": f"/groups/{g}/rota/roles",
        "role": f"/groups/{g}/rota/roles/{role}",
        "people": f"/groups/{g}/rota/people",
        "person": f"/groups/{g}/rota/people/{person}",
        "new person": f"/groups/{g}/rota/people/new",
        "remove person": f"/groups/{g}/rota/people/{person}/remove",
        "confirm": ("POST", f"/groups/{g}/rota/assignments/{a.id}/confirm"),
    }


EXPECTED = {
    #              grid print occ  cal  auto roles role people person new  remove confirm
    "secretary": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "leader": (200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 302),
    "sponsor": (403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org admin": (403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "other group's secretary": (404,) * 12,
}


@pytest.mark.parametrize("who", EXPECTED)
def test_permissions_of_every_rota_page(setup, client, who):
    s = setup
    urls = _urls(s)
    if who == "secretary":
        login(client, "sec@example.org")
    elif who == "leader":
        login(client, "leader@example.org")
    elif who == "sponsor":
        factories.member(s.group, "sponsor", email="sponsor@example.org")
        login(client, "sponsor@example.org")
    elif who == "org admin":
        factories.org_member(s.group.organisation, "admin", email="admin@example.org")
        login(client, "admin@example.org")
    else:
        other = factories.group()
        factories.member(other, "secretary", email="other@example.org")
        login(client, "other@example.org")
    got = []
    for url in urls.values():
        method, path = url if isinstance(url, tuple) else ("GET", url)
        got.append(client.open(path, method=method).status_code)
    assert tuple(got) == EXPECTED[who], dict(zip(urls, got, strict=True))


def test_anonymous_visitors_are_sent_to_log_in(setup, client):
    for url in _urls(setup).values():
        method, path = url if isinstance(url, tuple) else ("GET", url)
        response = client.open(path, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_groups_objects_answer_404(setup, client):
    s = setup
    other = factories.group()
    factories.member(other, "secretary", email="other@example.org")
    login(client, "other@example.org")
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    for path in (
        f"/groups/{other.slug}/rota/occurrences/{s.occurrences[0].id}",
        f"/groups/{other.slug}/rota/people/{s.people[0].id}",
        f"/groups/{other.slug}/rota/roles/{s.chair.id}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/groups/{other.slug}/rota/assignments/{a.id}/confirm").status_code == 404
    assert (
        client.post(
            f"/groups/{other.slug}/rota/", data={f"a-{s.occurrences[1].id}-{s.chair.id}": str(s.people[0].id)}
        ).status_code
        == 422
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1


# ---------------------------------------------------------------------------------------------------
# The grid


def test_grid_flags_conflicts_before_saving_and_keeps_the_choices(setup, client):
    s = setup
    ann, cal, _eve = s.people
    services.add_blackout(
        ann, actor=None, now=NOW, starts_on=s.occurrences[1].local_date, ends_on=s.occurrences[1].local_date
    )
    db.session.commit()
    login(client, "leader@example.org")
    page = client.get(f"/groups/{s.group.slug}/rota/")
    assert "Ann B. ⚠ away that day" in page.text  # flagged in the choice itself
    field = f"a-{s.occurrences[1].id}-{s.chair.id}"
    clean = f"a-{s.occurrences[0].id}-{s.chair.id}"
    data = {
        field: str(ann.id),
        clean: str(cal.id),
        "start": s.occurrences[0].local_date.isoformat(),
        "weeks": "4",
    }
    response = client.post(f"/groups/{s.group.slug}/rota/", data=data)
    assert response.status_code == 422
    assert "Ann B.: away that day" in response.text
    assert re.search(rf'<option value="{ann.id}" selected>Ann B\.', response.text)  # what was chosen is kept
    assert 'name="accept_warnings"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    response = client.post(f"/groups/{s.group.slug}/rota/", data={**data, "accept_warnings": "y"})
    assert response.status_code == 302
    saved = db.session.scalars(sa.select(Assignment).order_by(Assignment.id)).all()
    assert {(a.occurrence_id, a.person_id, a.status) for a in saved} == {
        (s.occurrences[1].id, ann.id, "proposed"),
        (s.occurrences[0].id, cal.id, "proposed"),
    }
    assert len(helpers.outbox("rota/ask")) == 2


@pytest.mark.parametrize(
    ("count", "said"), [(1, "1 turn saved. The person has"), (2, "2 turns saved. Each person")]
)
def test_the_saved_message_counts_in_words(setup, client, count, said):
    s = setup
    login(client, "sec@example.org")
    data = {f"a-{s.occurrences[n].id}-{s.chair.id}": str(s.people[n].id) for n in range(count)}
    data.update(start=s.occurrences[0].local_date.isoformat(), weeks="4")
    page = client.post(f"/groups/{s.group.slug}/rota/", data=data, follow_redirects=True)
    assert said in page.text


GONE = "This choice is no longer possible: reload the page."


@pytest.mark.parametrize(
    ("name", "value", "status"),
    [
        ("cell", "abc", 302),  # not a number: no choice, nothing to save
        ("cell", "", 302),
        ("cell", "999999", 422),  # nobody has this id
        ("cell", "99999999999999999999", 422),  # beyond any id column: refused before the database
        ("a-99999999999999999999-{role}", "{ann}", 422),
        ("a-{occurrence}-99999999999999999999", "{ann}", 422),
    ],
)
def test_grid_bad_input_never_gives_a_500(setup, client, name, value, status):
    s = setup
    ann, cal, _eve = s.people
    login(client, "sec@example.org")
    ids = {"role": s.chair.id, "occurrence": s.occurrences[0].id, "ann": ann.id}
    name = f"a-{s.occurrences[0].id}-{s.chair.id}" if name == "cell" else name.format(**ids)
    data = {name: value.format(**ids), "a-x-y": "1", "start": "not a date", "weeks": "lots"}
    kept = f"a-{s.occurrences[1].id}-{s.chair.id}"
    if status == 422:
        data[kept] = str(cal.id)  # a good choice beside the bad one: nothing is saved, and it is kept
    response = client.post(f"/groups/{s.group.slug}/rota/", data=data)
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    if status == 422:
        assert GONE in response.text
        assert re.search(rf'<option value="{cal.id}" selected>Cal D\.', response.text)
        assert 'name="weeks" value="4"' in response.text  # the period falls back to four weeks from today
    else:
        page = client.get(response.headers["Location"])
        assert "Nothing to save: choose people for the open places first." in page.text


def test_a_full_place_and_a_past_date_are_refused(setup, client):
    s = setup
    helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    with pytest.raises(services.AssignmentProblems) as full:
        services.assign_many(
            s.group,
            [services.Choice(s.occurrences[0].id, s.chair.id, s.people[1].id)],
            actor=None,
            now=NOW,
            accept_warnings=True,
        )
    assert "filled" in str(list(full.value.errors.values()))
    db.session.rollback()
    with pytest.raises(services.AssignmentProblems) as past:
        services.assign_many(
            s.group,
            [services.Choice(s.occurrences[1].id, s.chair.id, s.people[1].id)],
            actor=None,
            now=s.occurrences[1].starts_at + timedelta(hours=1),
            accept_warnings=True,
        )
    assert "passed" in str(list(past.value.errors.values()))


def test_two_places_at_the_same_time_and_role_not_allowed_are_conflicts(setup):
    s = setup
    ann, cal, _eve = s.people
    other = factories.meeting(s.group, "Same Time Group")  # also Tuesdays at 19:00
    other_occ = helpers.occurrences(other)[0]
    helpers.assign(s.occurrences[0], s.chair, ann, notify=False)
    greeter = helpers.role(s.group, "Greeter", kind="greeter")
    with pytest.raises(services.AssignmentProblems) as problems:
        services.assign_many(
            s.group,
            [
                services.Choice(other_occ.id, s.chair.id, ann.id),
                services.Choice(s.occurrences[0].id, greeter.id, cal.id),
            ],
            actor=None,
            now=NOW,
        )
    warnings = {k[2]: v for k, v in problems.value.warnings.items()}
    assert "another meeting at the same time" in warnings[ann.id][0]
    assert "not usually Greeter" in warnings[cal.id][0]
    db.session.rollback()
    services.set_role_archived(db.session.get(ServiceRole, greeter.id), True, actor=None, now=NOW)
    cal_row = db.session.get(RotaPerson, cal.id)
    cal_row.active = False
    db.session.commit()
    with pytest.raises(services.AssignmentProblems) as inactive:
        services.assign_many(
            s.group, [services.Choice(s.occurrences[2].id, s.chair.id, cal.id)], actor=None, now=NOW
        )
    assert "not active" in next(iter(inactive.value.warnings.values()))[0]


@pytest.mark.parametrize("weeks", [2, 12])
def test_grid_query_count_does_not_grow_with_the_weeks_shown(setup, client, count_queries, weeks):
    s = setup
    for occurrence in s.occurrences:
        helpers.assign(occurrence, s.chair, s.people[occurrence.id % 3], notify=False)
    login(client, "sec@example.org")
    client.get(f"/groups/{s.group.slug}/rota/?weeks=1")  # warm caches (the session, templates)
    with count_queries() as q:
        response = client.get(f"/groups/{s.group.slug}/rota/?weeks={weeks}")
    assert response.status_code == 200
    assert response.text.count("rota-person rota-proposed") == min(weeks, 12)
    assert q.count <= 14, q.statements


@pytest.mark.postgres
def test_grid_query_count_is_the_same_for_2_and_12_weeks(setup, client, count_queries):
    s = setup
    for occurrence in s.occurrences:
        helpers.assign(occurrence, s.chair, s.people[occurrence.id % 3], notify=False)
    login(client, "sec@example.org")
    client.get(f"/groups/{s.group.slug}/rota/?weeks=1")
    counts = []
    for weeks in (2, 12):
        with count_queries() as q:
            response = client.get(f"/groups/{s.group.slug}/rota/?weeks={weeks}")
        assert response.status_code == 200
        assert response.text.count("rota-person rota-proposed") == weeks  # each week's turn is shown
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_secretary_confirms_by_hand_and_takes_someone_off(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    login(client, "leader@example.org")
    client.post(f"/groups/{s.group.slug}/rota/assignments/{a.id}/confirm")
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).status == "confirmed"
    assert db.session.get(Assignment, a.id).confirmed_via == "hand"
    client.post(f"/groups/{s.group.slug}/rota/assignments/{a.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).status == "withdrawn"
    assert len(helpers.outbox("rota/released")) == 1


def test_occurrence_page_assigns_with_a_second_look_at_conflicts(setup, client):
    s = setup
    ann = s.people[0]
    services.add_blackout(ann, actor=None, now=NOW, starts_on=s.occurrences[0].local_date, ends_on=None)
    db.session.commit()
    login(client, "sec@example.org")
    url = f"/groups/{s.group.slug}/rota/occurrences/{s.occurrences[0].id}"
    response = client.post(url, data={"role_id": str(s.chair.id), "person_id": str(ann.id), "confirmed": "y"})
    assert response.status_code == 422 and "away that day" in response.text
    response = client.post(
        url,
        data={"role_id": str(s.chair.id), "person_id": str(ann.id), "confirmed": "y", "accept_warnings": "y"},
    )
    assert response.status_code == 302
    (a,) = db.session.scalars(sa.select(Assignment)).all()
    assert a.status == "confirmed" and a.confirmed_via == "hand"
    (message,) = helpers.outbox("rota/ask")  # told, with a way to decline, not asked to accept
    assert "/r/rota-accept/" not in message.text_body and "/r/rota-decline/" in message.text_body
    assert client.post(url, data={"role_id": "x", "person_id": ""}).status_code == 422


def test_autofill_pages_preview_then_apply(setup, client):
    s = setup
    login(client, "sec@example.org")
    start, end = s.occurrences[0].local_date.isoformat(), s.occurrences[3].local_date.isoformat()
    preview = client.get(f"/groups/{s.group.slug}/rota/autofill?start={start}&end={end}")
    assert preview.status_code == 200 and "Apply and ask by email" in preview.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    fingerprint = re.search(r'name="fingerprint" value="(\w+)"', preview.text).group(1)
    response = client.post(
        f"/groups/{s.group.slug}/rota/autofill", data={"start": start, "end": end, "fingerprint": fingerprint}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 8
    # Applying the same preview again: the plan changed (nothing open), so nothing more is saved.
    again = client.post(
        f"/groups/{s.group.slug}/rota/autofill", data={"start": start, "end": end, "fingerprint": fingerprint}
    )
    assert again.status_code == 200 and "changed since the preview" in again.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 8
    bad = client.get(f"/groups/{s.group.slug}/rota/autofill?start=2027-02-01&end=2027-01-01")
    assert bad.status_code == 422 and "cannot be before" in bad.text
    assert client.get(f"/groups/{s.group.slug}/rota/autofill?start=nonsense&end=").status_code == 422


def test_printable_rota_shows_names_and_roles_only(setup, client):
    s = setup
    helpers.assign(s.occurrences[0], s.chair, s.people[0], confirmed=True, notify=False)
    helpers.assign(s.occurrences[0], s.speaker, s.people[1], notify=False)
    login(client, "sec@example.org")
    page = client.get(f"/groups/{s.group.slug}/rota/print?weeks=4&large=1").text
    assert "Ann B." in page and "Cal D.*" in page and "volunteer needed" in page
    assert "@example.org" not in page and "large-print" in page


# ---------------------------------------------------------------------------------------------------
# People and roles


@pytest.mark.postgres
def test_contact_details_need_consent_and_bad_input_keeps_what_was_typed(setup, client):
    s = setup
    login(client, "sec@example.org")
    url = f"/groups/{s.group.slug}/rota/people/new"
    data = {
        "display_name": "Gina Hopkins",
        "email": "gina@example",
        "phone": "call me",
        "roles": [str(s.chair.id)],
        "active": "y",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "initial of the last name" in response.text
    assert "not a valid email" in response.text and "Use digits" in response.text
    assert 'value="gina@example"' in response.text and 'value="Gina Hopkins"' in response.text
    response = client.post(
        url, data={**data, "display_name": "Gina h", "email": "Gina@Example.org", "phone": "+1 555 010 0199"}
    )
    assert response.status_code == 422 and "agreed" in response.text
    response = client.post(
        url,
        data={
            **data,
            "display_name": "Gina h",
            "email": "Gina@Example.org",
            "phone": "+1 555 010 0199",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(sa.select(RotaPerson).where(RotaPerson.display_name == "Gina H."))
    assert person.email == "Gina@example.org" and person.consent_by_id == s.secretary.id
    assert "rota messages" in person.consent_wording
    # Encrypted at rest; found by the keyed hash.
    raw = db.session.execute(
        sa.text("SELECT email, phone FROM rota_person WHERE id = :id"), {"id": person.id}
    ).one()
    assert "example.org" not in raw.email and "010 0199" not in raw.phone
    assert person.email_hash == crypto.lookup_hash("gina@example.org")
    # The same address twice in a group is refused beside the field.
    response = client.post(
        url, data={**data, "display_name": "Gil K.", "email": "gina@example.org", "phone": "", "consent": "y"}
    )
    assert response.status_code == 422 and "has this email" in response.text


@pytest.mark.postgres
def test_removing_a_person_forgets_them_everywhere_and_keeps_past_turns_as_removed(setup, client):
    s = setup
    ann = s.people[0]
    email = ann.email
    past_id = helpers.assign(s.occurrences[0], s.chair, ann, confirmed=True).id
    future_id = helpers.assign(s.occurrences[2], s.chair, ann).id
    later = s.occurrences[1].starts_at + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        login(client, "sec@example.org")
        page = client.get(f"/groups/{s.group.slug}/rota/people/{ann.id}/remove")
        assert "Remove Ann B." in page.text
        client.post(f"/groups/{s.group.slug}/rota/people/{ann.id}/remove")
    db.session.expire_all()
    person = db.session.get(RotaPerson, ann.id)
    assert person.removed_at is not None and person.label == "(removed)"
    assert person.email is None and person.phone is None and person.email_hash is None
    assert person.consent_wording is None and person.calendar_nonce is None
    assert db.session.get(Assignment, past_id).status == "confirmed"
    assert db.session.get(Assignment, future_id) is None
    assert all(
        m.recipient is None and m.text_body is None for m in helpers.outbox() if m.template == "rota/ask"
    )
    assert services.people_for_occurrence(s.occurrences[0]) == [("Chair", "(removed)")]
    with time_machine.travel(later, tick=False):
        people_page = client.get(f"/groups/{s.group.slug}/rota/people")
        assert (
            people_page.status_code == 200 and email not in people_page.text and "Ann" not in people_page.text
        )
        assert client.get(f"/groups/{s.group.slug}/rota/people/{ann.id}").status_code == 404


@pytest.mark.postgres
def test_inactive_people_have_their_contact_details_forgotten_by_the_job(setup):
    s = setup
    ann, cal, eve = s.people
    helpers.assign(s.occurrences[-1], s.chair, cal, confirmed=True, notify=False)  # in February
    services.add_blackout(
        cal, actor=None, now=NOW, starts_on=NOW.date(), ends_on=NOW.date() + timedelta(days=3)
    )
    services.add_blackout(eve, actor=None, now=NOW, starts_on=NOW.date() + timedelta(days=370), ends_on=None)
    db.session.commit()
    a_year_on = NOW + timedelta(days=380)
    from groupadmin.rota import jobs

    jobs.retention(a_year_on)
    db.session.commit()
    db.session.expire_all()
    # Ann and Eve: nothing for a year. Cal served within the year (his turn is recent enough).
    assert db.session.get(RotaPerson, ann.id).email is None
    assert db.session.get(RotaPerson, ann.id).display_name == "Ann B."  # still on the rota, unreachable
    assert db.session.get(RotaPerson, eve.id).contact_forgotten_at is not None
    assert db.session.get(RotaPerson, cal.id).email is not None
    # Dates away long past are gone; coming ones stay.
    assert db.session.get(RotaPerson, cal.id).blackouts == []
    assert len(db.session.get(RotaPerson, eve.id).blackouts) == 1
    # Nothing left to forget: a second run does nothing.
    assert services.forget_inactive(now=a_year_on) == 0


def test_roles_page_adds_the_usual_roles_and_validates(setup, client):
    s = setup
    login(client, "sec@example.org")
    client.post(f"/groups/{s.group.slug}/rota/roles/defaults")
    names = set(db.session.scalars(sa.select(ServiceRole.name).where(ServiceRole.group_id == s.group.id)))
    assert {"Chair", "Speaker", "Tech host", "Greeter", "Coffee"} <= names
    assert len([n for n in names if n == "Chair"]) == 1
    response = client.post(
        f"/groups/{s.group.slug}/rota/roles/new",
        data={
            "name": "Chair",
            "kind": "other",
            "per_occurrence": "0",
            "applies_to": "chosen",
            "remind_days": "3, x",
            "remind_at": "25:00",
        },
    )
    assert response.status_code == 422
    assert "From 1 to 10" in response.text
    response = client.post(
        f"/groups/{s.group.slug}/rota/roles/new",
        data={
            "name": "Chair",
            "kind": "other",
            "per_occurrence": "2",
            "applies_to": "chosen",
            "remind_days": "3, x",
            "remind_at": "09:30",
        },
    )
    assert response.status_code == 422 and "whole numbers of days" in response.text
    response = client.post(
        f"/groups/{s.group.slug}/rota/roles/new",
        data={
            "name": "Door",
            "kind": "greeter",
            "per_occurrence": "2",
            "applies_to": "chosen",
            "meetings": [str(s.meeting.id)],
            "remind_days": "2",
            "remind_at": "09:30",
        },
    )
    assert response.status_code == 302
    door = db.session.scalar(sa.select(ServiceRole).where(ServiceRole.name == "Door"))
    assert door.remind_days == [2] and [m.id for m in door.meetings] == [s.meeting.id]
    client.post(f"/groups/{s.group.slug}/rota/roles/{door.id}/change", data={"action": "up"})
    client.post(f"/groups/{s.group.slug}/rota/roles/{door.id}/change", data={"action": "archive"})
    db.session.expire_all()
    assert db.session.get(ServiceRole, door.id).archived


def test_roles_follow_the_meeting_kind(setup):
    s = setup
    tech = helpers.role(s.group, "Tech", kind="tech_host", applies_to="online")
    greeter = helpers.role(s.group, "Door", kind="greeter", applies_to="in_person")
    occ = s.occurrences[0]
    assert not services.role_applies(tech, occ) and services.role_applies(greeter, occ)
    occ.online_only = True
    assert services.role_applies(tech, occ) and not services.role_applies(greeter, occ)


# ---------------------------------------------------------------------------------------------------
# Calendars


def test_personal_calendar_feed_is_secret_discreet_and_revocable(setup, client):
    s = setup
    s.group.fellowship = "aa"
    db.session.commit()
    ann = s.people[0]
    helpers.assign(s.occurrences[0], s.chair, ann, confirmed=True, notify=False)
    helpers.assign(s.occurrences[1], s.speaker, ann, notify=False)
    url = services.calendar_url(ann)
    path = url.replace("http://localhost", "")
    assert path.startswith("/feeds/cal/")
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == [
        "Tuesday Night Group: Chair",
        "Tuesday Night Group: Speaker (please confirm)",
    ]
    assert all("AA" not in str(e["SUMMARY"]) for e in events)
    assert events[0].decoded("DTSTART") == s.occurrences[0].starts_at
    # A second, independent parser (ical.js, as web calendars read it) sees the same turns at the same times.
    read = ical_js.expand(response.data, date(2000, 1, 1), date(2100, 1, 1))
    assert [(e["summary"], e["utc"]) for e in read] == [
        (str(e["SUMMARY"]), o.starts_at.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        for e, o in zip(events, s.occurrences[:2], strict=True)
    ]
    login(client, "sec@example.org")
    client.post(f"/groups/{s.group.slug}/rota/people/{ann.id}/calendar")
    client.post("/logout")
    assert client.get(path).status_code == 410
    assert client.get("/feeds/cal/tampered").status_code == 404


def test_group_calendar_feed_for_secretaries_and_leaders(setup, client):
    s = setup
    helpers.assign(s.occurrences[0], s.chair, s.people[0], confirmed=True, notify=False)
    login(client, "leader@example.org")
    page = client.get(f"/groups/{s.group.slug}/rota/calendar").text
    path = re.search(r'value="http://localhost(/feeds/cal/[^"]+)"', page).group(1)
    client.post("/logout")
    cal = Calendar.from_ical(client.get(path).data)
    first = next(iter(cal.walk("VEVENT")))
    assert "Chair: Ann B." in str(first["DESCRIPTION"]) and "Speaker: open" in str(first["DESCRIPTION"])
    assert str(first["SUMMARY"]) == "Tuesday Night Group · 1 open"
    # The leader loses the role: their link stops working.
    from groupadmin.groups.models import Membership

    db.session.execute(sa.delete(Membership).where(Membership.user_id == s.leader.id))
    db.session.commit()
    assert client.get(path).status_code == 410


# ---------------------------------------------------------------------------------------------------
# What other domains read


@pytest.mark.postgres
def test_people_for_occurrence_and_chair_for_occurrences(setup, count_queries):
    s = setup
    ann, cal, eve = s.people
    helpers.assign(s.occurrences[0], s.speaker, cal, notify=False)
    helpers.assign(s.occurrences[0], s.chair, ann, confirmed=True, notify=False)
    declined = helpers.assign(s.occurrences[1], s.chair, eve, notify=False)
    services.decline(declined, now=NOW)
    helpers.assign(s.occurrences[2], s.chair, cal, notify=False)
    db.session.commit()
    assert services.people_for_occurrence(s.occurrences[0]) == [("Chair", "Ann B."), ("Speaker", "Cal D.")]
    assert services.people_for_occurrence(s.occurrences[1]) == []
    ids = [o.id for o in s.occurrences[:3]]
    with count_queries() as q:
        chairs = services.chair_for_occurrences(ids)
        assert [p.contact_email for p in chairs.values()] == [ann.email, cal.email]
    assert q.count == 1
    assert {k: v.id for k, v in chairs.items()} == {ids[0]: ann.id, ids[2]: cal.id}
    assert services.chair_for_occurrences([]) == {}


@pytest.mark.postgres
def test_cancelling_or_moving_a_date_releases_its_turns_and_tells_the_people(setup):
    from groupadmin.meetings import services as meetings
    from groupadmin.meetings.schedule import Rule

    s = setup
    ann, cal, eve = s.people
    a = helpers.assign(s.occurrences[0], s.chair, ann, confirmed=True)
    b = helpers.assign(s.occurrences[0], s.speaker, cal, notify=False)  # never asked: not told
    c = helpers.assign(s.occurrences[3], s.chair, eve)
    meetings.update_occurrence(
        s.occurrences[0],
        actor=s.secretary,
        now=NOW,
        cancelled=True,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note="Holiday",
    )
    db.session.commit()
    assert db.session.get(Assignment, a.id).status == "released"
    assert db.session.get(Assignment, b.id).status == "released"
    (told,) = helpers.outbox("rota/released")
    assert told.recipient == ann.email and "cancelled" in told.text_body
    # Restoring the date opens its places again (nobody is put back without being asked).
    meetings.update_occurrence(
        s.occurrences[0],
        actor=s.secretary,
        now=NOW,
        cancelled=False,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    db.session.commit()
    grid = services.load_grid(
        s.group, start=s.occurrences[0].local_date, end=s.occurrences[0].local_date, now=NOW
    )
    assert [c.open for c in grid.rows[0].cells] == [1, 1]
    # The meeting moves to Wednesdays from the fourth date: that date's turn is released, Eve told.
    rule = Rule("weekly", 2, None, None, s.meeting.latest_schedule.start_time, 60, s.group.timezone)
    meetings.change_schedule(
        s.meeting, rule, s.occurrences[3].local_date, actor=s.secretary, now=NOW, weeks=12
    )
    db.session.commit()
    assert db.session.get(Assignment, c.id) is None  # the date left the schedule, and its turn with it
    assert [m.recipient for m in helpers.outbox("rota/released")] == [ann.email, eve.email]


@pytest.mark.postgres
def test_one_person_holds_a_place_once_while_active_but_may_be_asked_again_after_declining(setup):
    from sqlalchemy.exc import IntegrityError

    s = setup
    first = helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    db.session.add(
        Assignment(
            occurrence_id=s.occurrences[0].id,
            role_id=s.chair.id,
            person_id=s.people[0].id,
            status="offered",
            created_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    services.decline(db.session.get(Assignment, first.id), now=NOW)
    db.session.commit()
    again = helpers.assign(s.occurrences[0], s.chair, s.people[0], notify=False)
    assert again.status == "proposed"


def test_the_people_page_shows_who_cannot_be_mailed_and_forgetting_clears_the_flag(
    setup, client, count_queries
):
    from groupadmin.mail import services as mail
    from groupadmin.mail.models import UndeliverableAddress

    s = setup
    ann = s.people[0]
    mail.flag_undeliverable(ann.email, address_hash=ann.email_hash, reason="550", now=NOW)
    db.session.commit()
    url = f"/groups/{s.group.slug}/rota/people"
    login(client, "sec@example.org")
    client.get(url)
    with count_queries() as few:
        page = client.get(url)
    assert page.text.count("mail stopped or refused") == 1
    for n in range(6):
        helpers.person(s.group, f"Extra {chr(65 + n)}.", roles=[s.chair])
    with count_queries() as more:
        client.get(url)
    assert more.count == few.count
    services.forget_person(db.session.get(RotaPerson, ann.id), actor=None, now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"starts_on": "not a date"},
        {"starts_on": "2027-02-10", "ends_on": "2027-02-01"},
        {"starts_on": "2027-01-01", "ends_on": "2029-01-01"},
        {},
    ],
)
def test_dates_away_bad_input_is_explained_and_kept(setup, client, data):
    s = setup
    login(client, "sec@example.org")
    response = client.post(f"/groups/{s.group.slug}/rota/people/{s.people[0].id}/blackouts", data=data)
    assert response.status_code == 422
    assert 'class="error"' in response.text
    if data.get("starts_on"):
        assert f'value="{data["starts_on"]}"' in response.text
    assert db.session.get(RotaPerson, s.people[0].id).blackouts == []


def test_public_link_pages_survive_garbage(setup, client):
    s = setup
    a = helpers.assign(s.occurrences[0], s.chair, s.people[0])
    swap = f"/r/rota-swap/{services.link_token(a, 'swap')}"
    assert client.post(swap, data={"colleague": "not a number"}).status_code == 422
    assert client.post(swap, data={}).status_code == 422
    for path in ("/r/rota-remove/x.y.z", "/r/rota-swap/", "/feeds/cal/" + "A" * 300, "/r/rota-decline/%00"):
        assert client.get(path).status_code in (404, 410), path
    login(client, "sec@example.org")
    for query in ("start=9999-99-99&end=", "start=2027-01-01&end=2027-02-01&roles=x&roles=99999"):
        assert client.get(f"/groups/{s.group.slug}/rota/autofill?{query}").status_code in (200, 422)
    assert client.get(f"/groups/{s.group.slug}/rota/?start=garbage&weeks=-4").status_code == 200
    assert client.get(f"/groups/{s.group.slug}/rota/print?weeks=9999&start=x").status_code == 200
