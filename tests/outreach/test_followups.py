"""The plan, recording, snoozing, assignment suggestions, "asked not to be contacted" and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.outreach import services
from groupadmin.outreach.models import DoNotContact, FollowUp
from groupadmin.rota.models import Blackout, RotaPerson
from tests import factories
from tests.conftest import NOW, login
from tests.outreach.helpers import newcomers


@pytest.mark.postgres
def test_the_plan_is_local_dates_across_a_daylight_saving_change(setup):
    # 23:30 in New York on Saturday 31 October 2026 is already 1 November in UTC; DST ends on 1 November.
    asked = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)
    n = factories.newcomer(setup.group, now=asked)
    assert [f.due_on for f in n.follow_ups] == [date(2026, 10, 31), date(2026, 11, 7), date(2026, 11, 30)]
    assert services.plan_dates(date(2026, 3, 7), [0, 1, 7]) == [
        date(2026, 3, 7),
        date(2026, 3, 8),
        date(2026, 3, 14),
    ]


def test_a_group_plan_is_editable_and_used_for_new_requests(setup):
    services.save_settings(setup.group, plan="1, 3", retention_days=30, consent_wording="Call me.", now=NOW)
    db.session.commit()
    n = factories.newcomer(setup.group)
    assert [f.due_on for f in n.follow_ups] == [date(2026, 11, 22), date(2026, 11, 24)]
    assert n.consent_wording == "Call me." and n.erase_after == date(2026, 12, 21)


def test_recording_from_the_card_moves_to_the_next_step_and_keeps_the_note(setup, client):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    login(client, "sponsor@example.org")
    first = n.follow_ups[0]
    response = client.post(
        f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/{first.id}",
        data={"outcome": "reached", "note": "prefers texts"},
    )
    assert response.status_code == 302
    card = client.get(response.headers["Location"])
    assert "Reached" in card.text and "prefers texts" in card.text and "Nov 28, 2026" in card.text
    (n,) = newcomers()
    assert n.first_attempt_days == 0 and n.reached and n.status == "open"
    refused = client.post(
        f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/{first.id}", data={"outcome": "reached"}
    )
    assert refused.status_code == 422 and "recorded already" in refused.text


def test_snooze_moves_the_due_date(setup, client):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    login(client, "sponsor@example.org")
    url = f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/{n.follow_ups[0].id}/snooze"
    assert client.post(url, data={"until": "2026-11-19"}).status_code == 422
    assert client.post(url, data={"until": "2026-11-23"}).status_code == 302
    db.session.expire_all()
    assert n.follow_ups[0].due_on == date(2026, 11, 23) and n.follow_ups[0].planned_on == date(2026, 11, 21)


def test_the_suggestion_is_the_least_busy_volunteer_not_away(setup):
    factories.newcomer(setup.group, phone="555-0120", volunteer=setup.other_sponsor)
    candidates = services.candidates(setup.group, now=NOW)
    # Pat and Sam follow nobody; Lee follows one newcomer. Ties go by name.
    assert [c.user.display_name for c in candidates] == ["Pat P.", "Sam S.", "Lee L."]
    person = RotaPerson(group_id=setup.group.id, display_name="Pat P.", user_id=setup.sponsor.id)
    db.session.add(person)
    db.session.flush()
    db.session.add(Blackout(person_id=person.id, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 25)))
    db.session.commit()
    assert services.suggestion(setup.group, now=NOW).display_name == "Sam S."


def test_a_volunteer_hands_a_newcomer_back(setup, client):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    login(client, "sponsor@example.org")
    response = client.post(f"/groups/{setup.group.slug}/outreach/{n.id}/hand-back")
    assert response.status_code == 302
    (n,) = newcomers()
    assert n.volunteer_id is None
    assert client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/").status_code == 404


def test_asked_not_to_be_contacted_erases_at_once_and_keeps_the_outcome_codes(setup, client):
    n = factories.newcomer(
        setup.group,
        email="jo@example.org",
        channels=("call", "email"),
        wants_welcome=True,
        volunteer=setup.sponsor,
    )
    welcome = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "outreach/welcome"))
    assert welcome.status == "pending"
    login(client, "sponsor@example.org")
    url = f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/{n.follow_ups[0].id}"
    unconfirmed = client.post(url, data={"outcome": "do_not_contact"})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm" in unconfirmed.text
    assert (
        client.post(url, data={"outcome": "do_not_contact", "confirm_erase": "y", "note": "x"}).status_code
        == 302
    )
    (n,) = newcomers()
    assert (n.name, n.phone, n.email, n.safe_times, n.phone_hash, n.email_hash) == (None,) * 6
    assert n.status == "closed" and n.erased_at == NOW
    assert [(f.state, f.outcome, f.note) for f in n.follow_ups] == [
        ("done", "do_not_contact", None),
        ("closed", None, None),
        ("closed", None, None),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DoNotContact)) == 2
    db.session.refresh(welcome)
    assert welcome.status == "failed" and welcome.recipient is None and welcome.text_body is None
    card = client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/")
    assert "Jo" not in card.text and "555" not in card.text and "were erased" in card.text


def test_retention_erases_personal_fields_after_the_last_activity(setup):
    n = factories.newcomer(setup.group, email="jo@example.org", channels=("email",), volunteer=setup.sponsor)
    services.record(
        n,
        n.follow_ups[0],
        outcome="reached",
        note="call back Friday",
        confirmed=False,
        actor=setup.sponsor,
        now=NOW,
    )
    db.session.commit()
    assert n.erase_after == date(2027, 2, 19)
    assert services.erase_expired(today=date(2027, 2, 19), now=NOW + timedelta(days=90)) == 0
    assert services.erase_expired(today=date(2027, 2, 20), now=NOW + timedelta(days=91)) == 1
    db.session.commit()
    (n,) = newcomers()
    assert n.name is None and n.email is None and n.is_erased
    assert [f.outcome for f in n.follow_ups] == ["reached", None, None]
    assert db.session.scalar(sa.select(FollowUp.note).where(FollowUp.note.is_not(None))) is None
    # What the figures need is still there.
    assert (n.source, n.group_id, n.month, n.first_attempt_days, n.reached) == (
        "group_page",
        setup.group.id,
        date(2026, 11, 1),
        0,
        True,
    )


def test_the_outcome_starts_empty_and_must_be_chosen(setup, client):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    login(client, "sponsor@example.org")
    page = client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/")
    # The browser shows the first option: nothing chosen, and the select is required.
    assert '<select id="outcome" name="outcome" required><option value="">— choose —</option>' in page.text
    assert "selected" not in page.text.split('name="outcome"')[1].split("</select>")[0]
    first = n.follow_ups[0]
    url = f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/{first.id}"
    refused = client.post(url, data={"outcome": "", "note": "keep me"})
    assert (
        refused.status_code == 422 and "Choose what happened." in refused.text and "keep me" in refused.text
    )
    db.session.expire_all()
    assert n.follow_ups[0].state == "open" and not n.reached


def test_asked_not_to_be_contacted_says_the_details_are_erased_and_shows_no_snooze(setup, client):
    n = factories.newcomer(setup.group, volunteer=setup.sponsor)
    login(client, "sponsor@example.org")
    url = f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/{n.follow_ups[0].id}"
    snoozed = client.post(f"{url}/snooze", data={"until": "2026-11-23"}, follow_redirects=True)
    assert "(snoozed)" in snoozed.text
    done = client.post(url, data={"outcome": "do_not_contact", "confirm_erase": "y"}, follow_redirects=True)
    assert "The follow-up is recorded, and their details are erased." in done.text
    assert "were erased" in done.text and "(snoozed)" not in done.text


def test_the_assign_box_counts_newcomers_and_follow_ups_due_as_the_dashboard_does(setup, client):
    factories.newcomer(setup.group, phone="555-0120", volunteer=setup.other_sponsor)
    factories.newcomer(setup.group, phone="555-0121", volunteer=setup.other_sponsor)
    waiting = factories.newcomer(setup.group, phone="555-0122")
    login(client, "sec@example.org")
    card = client.get(f"/groups/{setup.group.slug}/outreach/{waiting.id}/").text
    assert "Lee L.: 2 newcomers (2 follow-ups due today)" in card
    assert "Pat P.: 0 newcomers (0 follow-ups due today)" in card
    assert "open follow-ups" not in card
    client.post("/logout")
    login(client, "sponsor2@example.org")
    assert "2 follow-ups due today" in client.get("/").text  # Lee's own dashboard: the same count


def test_the_plan_settings_take_spaces_name_the_step_limit_and_say_they_apply_to_new_requests(setup, client):
    login(client, "sec@example.org")
    url = f"/groups/{setup.group.slug}/outreach/settings"
    page = client.get(url).text
    assert "A changed plan applies to new requests" in page
    data = {"retention_days": "90", "consent_wording": "Call me."}
    too_many = client.post(url, data={**data, "plan": " ".join(str(d) for d in range(20))})
    assert too_many.status_code == 422 and "A plan has 8 steps at most: you wrote 20." in too_many.text
    assert client.post(url, data={**data, "plan": "0 3  14"}).status_code == 302
    assert services.settings_for(setup.group).plan == "0,3,14"


def test_the_change_log_tells_outreach_events_in_words_with_their_details(setup, client):
    n = factories.newcomer(setup.group)
    login(client, "sec@example.org")
    base = f"/groups/{setup.group.slug}/outreach/{n.id}"
    assert client.post(f"{base}/assign", data={"volunteer": setup.secretary.id}).status_code == 302
    url = f"{base}/follow-ups/{n.follow_ups[0].id}"
    assert client.post(f"{url}/snooze", data={"until": "2026-11-23"}).status_code == 302
    data = {"outcome": "do_not_contact", "confirm_erase": "y"}
    assert client.post(url, data=data).status_code == 302
    log = client.get(f"/groups/{setup.group.slug}/audit").text
    for words in (
        "Newcomer added",
        "Came from: the group&#39;s page",
        "Newcomer given to a volunteer",
        f"Volunteer: {setup.secretary.display_name}",
        "Follow-up snoozed",
        "Step: 1; Until: Nov 23, 2026",
        "Follow-up recorded",
        "What happened: Asked not to be contacted",
        "Newcomer&#39;s personal details erased",
        "Why: Asked not to be contacted",
    ):
        assert words in log, words
    assert "Outreach" not in log and "do not contact" not in log
