"""Meeting reminders for members: asked on the meeting's public page with double opt-in (the same
answer whatever the address), sent once per date at the chosen time with the clock moved, carrying the
date's change, a correction after a late change (never a second reminder), the one-click stop, forget."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.meetings import services as meetings
from groupadmin.newsletters import jobs, services
from groupadmin.newsletters.models import MeetingReminder, Subscriber
from tests import factories
from tests.conftest import NOW
from tests.newsletters import helpers
from tests.rota import helpers as rota

UTC = NOW.tzinfo
# The meeting: Tuesdays at 19:00 in New York. NOW is Saturday 21 November 2026, 18:00 UTC; the next date
# is Tuesday 24 November, 19:00 EST = 25 November 00:00 UTC.
EVENING_BEFORE = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 18:00 EST on Monday
TWO_HOURS_BEFORE = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)


def _setup(setup):
    meeting = factories.meeting(
        setup.group,
        "Tuesday Night Big Book",
        slug="tuesday-night-big-book",
        attendance="hybrid",
        conference_url="https://meet.jit.si/tuesday",
    )
    org = setup.group.organisation.slug
    return meeting, f"/news/remind/{org}/tuesday-night-big-book"


def _run(moment):
    """The job, as the scheduler runs it (and commits after it)."""
    jobs.meeting_reminders(moment)
    db.session.commit()


def _ask(client, url, email, timing="evening"):
    return client.post(url, data={**helpers.form(email), "timing": timing})


def _confirm_all(client):
    for message in helpers.outbox("newsletters/remind_confirm"):
        client.post(helpers.link_in(message.text_body, "/r/news-remind-confirm/"))


def _reminders() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template.in_(("newsletters/remind", "newsletters/remind_fix")))
            .order_by(OutboxMessage.id)
        )
    )


def test_ask_on_the_public_page_and_confirm(client, setup):
    meeting, url = _setup(setup)
    page = client.get(f"/meetings/{setup.group.organisation.slug}/tuesday-night-big-book")
    assert url in page.get_data(as_text=True)
    assert "No tracking" in client.get(url).get_data(as_text=True)
    answer = _ask(client, url, "pat@example.net")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/check-your-inbox")
    reminder = db.session.scalar(sa.select(MeetingReminder))
    assert reminder.status == "unconfirmed" and reminder.consent_wording.startswith("I agree")
    (message,) = helpers.outbox("newsletters/remind_confirm")
    link = helpers.link_in(message.text_body, "/r/news-remind-confirm/")
    assert "Confirm your reminders" in client.get(link).get_data(as_text=True)
    assert helpers.reload(reminder).status == "unconfirmed"
    client.post(link)
    assert helpers.reload(reminder).status == "confirmed"
    # The same answer and one message, whatever the address.
    answers = {_ask(client, url, a).headers["Location"] for a in ("pat@example.net", "new@example.net")}
    assert len(answers) == 1
    assert [m.template for m in helpers.outbox("newsletters/remind")][-2:] == [
        "newsletters/remind_already",
        "newsletters/remind_confirm",
    ]
    assert _ask(client, url, "x@example.net", timing="hourly").status_code == 422
    assert client.get(f"/news/remind/{setup.group.organisation.slug}/nothing").status_code == 404


def test_one_reminder_per_date_at_the_chosen_time_with_the_clock_moved(client, setup):
    meeting, url = _setup(setup)
    _ask(client, url, "evening@example.net")
    _ask(client, url, "early@example.net", timing="two_hours")
    _confirm_all(client)
    for moment in (NOW, EVENING_BEFORE - timedelta(minutes=1)):
        _run(moment)
        assert _reminders() == []
    _run(EVENING_BEFORE)
    _run(EVENING_BEFORE + timedelta(minutes=15))
    (evening,) = _reminders()
    assert evening.recipient == "evening@example.net"
    assert evening.subject.startswith("Reminder: Tuesday Night Big Book") and "AA" not in evening.subject
    assert (
        "Church hall" in evening.text_body and "Or online: https://meet.jit.si/tuesday" in evening.text_body
    )
    assert evening.headers["List-Unsubscribe"].startswith("<http://localhost/r/news-remind-stop/")
    assert evening.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with time_machine.travel(TWO_HOURS_BEFORE, tick=False):
        _run(TWO_HOURS_BEFORE)
        _run(TWO_HOURS_BEFORE + timedelta(minutes=15))
    assert [m.recipient for m in _reminders()] == ["evening@example.net", "early@example.net"]
    _run(TWO_HOURS_BEFORE + timedelta(hours=3))  # the date has begun: nothing late
    assert len(_reminders()) == 2


@pytest.mark.postgres
def test_a_change_after_the_reminder_sends_one_correction_never_a_second_reminder(client, setup):
    meeting, url = _setup(setup)
    _ask(client, url, "pat@example.net")
    _confirm_all(client)
    _run(EVENING_BEFORE)
    occurrence = rota.occurrences(meeting)[0]
    later = EVENING_BEFORE + timedelta(hours=1)
    meetings.update_occurrence(
        occurrence,
        actor=None,
        now=later,
        cancelled=False,
        online_only=True,
        venue_location=None,
        venue_address=None,
        note=None,
    )
    db.session.commit()
    _run(later + timedelta(minutes=15))
    _run(later + timedelta(minutes=30))
    reminder, correction = _reminders()
    assert correction.template == "newsletters/remind_fix" and correction.subject.startswith("Change:")
    assert "Online only this week. https://meet.jit.si/tuesday" in correction.text_body
    meetings.update_occurrence(
        occurrence,
        actor=None,
        now=later + timedelta(hours=1),
        cancelled=True,
        online_only=False,
        venue_location=None,
        venue_address=None,
        note="Hall closed",
    )
    db.session.commit()
    _run(later + timedelta(hours=2))
    *_, last = _reminders()
    assert len(_reminders()) == 3 and "There is no meeting on this date." in last.text_body
    assert [m.template for m in _reminders()].count("newsletters/remind") == 1


def test_a_reminder_carries_a_change_made_before_it(client, setup):
    meeting, url = _setup(setup)
    _ask(client, url, "pat@example.net")
    _confirm_all(client)
    occurrence = rota.occurrences(meeting)[0]
    meetings.update_occurrence(
        occurrence,
        actor=None,
        now=NOW,
        cancelled=False,
        online_only=False,
        venue_location="The library",
        venue_address="2 Oak Street",
        note=None,
    )
    db.session.commit()
    _run(EVENING_BEFORE)
    _run(EVENING_BEFORE + timedelta(hours=1))
    (message,) = _reminders()
    assert "At another venue this week: The library, 2 Oak Street" in message.text_body


def test_stop_with_one_click_and_forget(app, client, setup):
    meeting, url = _setup(setup)
    _ask(client, url, "pat@example.net")
    _confirm_all(client)
    _run(EVENING_BEFORE)
    (message,) = _reminders()
    link = message.headers["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    assert "Stop the reminders" in client.get(link).get_data(as_text=True)
    provider = app.test_client(use_cookies=False)
    assert provider.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    reminder = db.session.scalar(sa.select(MeetingReminder))
    assert reminder.status == "unsubscribed"
    assert helpers.reload(message).status == "failed"  # it was still waiting: cancelled
    subscriber = db.session.scalar(sa.select(Subscriber))
    prefs = services.preferences_url(subscriber).removeprefix("http://localhost")
    client.post(f"{prefs}/forget", data={"sure": "y"})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingReminder)) == 0
