"""Draft from this month: the coming changes (cancelled, online only, another venue), the meetings'
next dates, open service positions, anniversaries, help from the resources directory and last month's
attendance in one anonymous line."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from groupadmin.attendance.models import HeadCount
from groupadmin.extensions import db
from groupadmin.meetings.models import Occurrence
from groupadmin.newsletters.models import NewsletterIssue
from tests import factories
from tests.conftest import NOW, login
from tests.newsletters import helpers
from tests.rota import helpers as rota


def _dates(meeting):
    return list(
        db.session.scalars(
            sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id).order_by(Occurrence.starts_at)
        )
    )


def _past_date(meeting, day: date, total: int, newcomers: int):
    start = datetime(day.year, day.month, day.day, 0, 0, tzinfo=NOW.tzinfo)
    occurrence = Occurrence(
        meeting=meeting,
        local_date=day,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone=meeting.group.timezone,
        status="scheduled",
    )
    db.session.add(occurrence)
    db.session.flush()
    db.session.add(
        HeadCount(
            occurrence_id=occurrence.id,
            total=total,
            newcomers=newcomers,
            in_person=total,
            online=0,
            currency="USD",
        )
    )


@pytest.mark.postgres
def test_a_draft_from_this_month(client, setup):
    meeting = factories.meeting(setup.group, "Tuesday Night Big Book")
    factories.meeting(setup.group, "Business Meeting", listed=False)
    first, second, third = _dates(meeting)[:3]
    first.status, first.note = "cancelled", "Closed for the holiday"
    second.online_only = True
    third.venue_location = "The library"
    _past_date(meeting, date(2025, 11, 25), 20, 2)  # a year ago: an anniversary on 25 November
    for day, total, newcomers in ((date(2026, 10, 6), 20, 3), (date(2026, 10, 13), 16, 3)):
        _past_date(meeting, day, total, newcomers)
    rota.role(setup.group, "Chair", kind="chair")
    factories.resource(setup.group.organisation, "housing", name="Sober Living House")
    factories.resource(setup.group.organisation, "crisis_line", name="Lifeline", phone="988", is_24_7=True)
    db.session.commit()
    login(client, "sec@example.org")
    response = client.post(f"/groups/{setup.group.slug}/news/{setup.mlist.id}/issues/draft")
    assert response.status_code == 302
    issue = db.session.scalar(sa.select(NewsletterIssue))
    body = issue.body
    assert issue.state == "draft" and issue.subject == "Tuesday News: this month"
    assert "no meeting. Closed for the holiday" in body
    assert "online only this week" in body and "another venue: The library" in body
    assert "**Tuesday Night Big Book**: next on" in body
    assert "Business Meeting" not in body  # unlisted
    assert "Tuesday Night Big Book is 1 year old on" in body
    assert "18 people a meeting on average, 6 newcomers." in body
    assert "service positions are still open" in body
    assert "New meetings" in body  # created this month
    # Help between meetings, from the resources directory: crisis lines first, then the whole directory.
    assert (
        "## Help between meetings\n\n- Lifeline (Crisis lines): 988 · 24/7\n- Sober Living House (Housing)"
        in body
    )
    assert (
        f"More in our directory: http://localhost/resources/{setup.group.organisation.slug}/{setup.group.slug}"
        in body
    )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "<h3>Changes to our meetings</h3>" in page.get_data(as_text=True)


def test_an_organisation_list_drafts_across_its_groups(client, setup):
    factories.meeting(setup.group, "Lunchtime Online")
    org_list = helpers.mailing_list(setup.group.organisation, slug="org-news", name="Org News")
    login(client, "orgadmin@example.org")
    org = setup.group.organisation.slug
    assert client.post(f"/orgs/{org}/news/{org_list.id}/issues/draft").status_code == 302
    issue = db.session.scalar(sa.select(NewsletterIssue))
    assert "**Lunchtime Online**" in issue.body and "average" not in issue.body
    assert "Help between meetings" not in issue.body  # an empty directory: no section
