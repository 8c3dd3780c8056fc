"""The figures for the reports (from what survives erasure, a fixed number of queries), and pages whose
number of queries does not grow with the number of newcomers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from groupadmin.extensions import db
from groupadmin.outreach import services
from groupadmin.outreach.services import OutreachMonth
from tests import factories
from tests.conftest import NOW, login


@pytest.mark.postgres
def test_monthly_figures_survive_erasure(setup, count_queries):
    october = datetime(2026, 10, 10, 15, 0, tzinfo=UTC)
    a = factories.newcomer(setup.group, phone="555-0101", volunteer=setup.sponsor, now=october)
    services.record(
        a, a.follow_ups[0], outcome="no_answer", note=None, confirmed=False, actor=setup.sponsor, now=october
    )
    services.record(
        a,
        a.follow_ups[1],
        outcome="reached",
        note=None,
        confirmed=False,
        actor=setup.sponsor,
        now=october + timedelta(days=7),
    )
    b = factories.newcomer(setup.group, phone="555-0102", volunteer=setup.sponsor, now=october)
    services.record(
        b,
        b.follow_ups[0],
        outcome="left_message",
        note=None,
        confirmed=False,
        actor=setup.sponsor,
        now=october + timedelta(days=3),
    )
    services.record(
        b,
        b.follow_ups[1],
        outcome="do_not_contact",
        note=None,
        confirmed=True,
        actor=setup.sponsor,
        now=october + timedelta(days=8),
    )
    factories.newcomer(setup.org, phone="555-0103", now=NOW)
    services.add_in_person(
        setup.group, services.Contact("Kim", "555-0104", None, ["call"]), actor=setup.sponsor, now=NOW
    )
    db.session.commit()
    services.erase_expired(today=date(2027, 6, 1), now=NOW + timedelta(days=200))
    db.session.commit()
    services.monthly_figures(setup.org.id, date(2026, 10, 1), date(2026, 11, 30))  # the session begins
    with count_queries() as q:
        months = services.monthly_figures(setup.org.id, date(2026, 10, 1), date(2026, 11, 30))
    assert q.count == 3
    assert months == [
        OutreachMonth(
            setup.group.id,
            date(2026, 10, 1),
            2,
            1,
            2,
            1,
            {"no_answer": 1, "reached": 1, "left_message": 1, "do_not_contact": 1},
            {"group_page": 2},
        ),
        OutreachMonth(None, date(2026, 11, 1), 1, 0, 0, 0, {}, {"org_page": 1}),
        OutreachMonth(setup.group.id, date(2026, 11, 1), 1, 0, 0, 0, {}, {"in_person": 1}),
    ]
    only_group = services.monthly_figures(
        setup.org.id, date(2026, 11, 1), date(2026, 11, 30), group_ids=[setup.group.id]
    )
    assert [(m.group_id, m.requests) for m in only_group] == [(setup.group.id, 1)]


@pytest.mark.parametrize("path", ["/", "/outreach/", "/groups/{g}/outreach/"])
def test_volunteer_pages_keep_a_fixed_number_of_queries(setup, client, count_queries, path):
    path = path.format(g=setup.group.slug)
    login(client, "sponsor@example.org")

    def queries():
        client.get(path)
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200
        return q.count, response.text

    factories.newcomer(setup.group, phone="555-0100", volunteer=setup.sponsor)
    few, html = queries()
    for i in range(1, 8):
        factories.newcomer(setup.group, name=f"N{i}", phone=f"555-01{i:02d}", volunteer=setup.sponsor)
    many, html = queries()
    assert many == few
    if path == "/":
        assert "8 follow-ups due today" in html
    else:
        assert "N7" in html


def test_the_nav_link_is_only_for_volunteers(setup, client):
    login(client, "sponsor@example.org")
    assert "Follow-ups</a>" in client.get("/").text
    client.post("/logout")
    login(client, "coord@example.org")
    assert "Follow-ups</a>" not in client.get("/").text


def test_the_dashboard_tells_who_assigns_that_requests_wait_for_a_volunteer(setup, client):
    factories.newcomer(setup.group, phone="555-0101")
    factories.newcomer(setup.group, phone="555-0102")
    factories.newcomer(setup.group, phone="555-0103", volunteer=setup.sponsor)  # taken: not waiting
    factories.newcomer(setup.org, phone="555-0104")
    login(client, "sec@example.org")
    page = client.get("/").get_data(as_text=True)
    link = f'<a href="/groups/{setup.group.slug}/outreach/">2 requests for a call wait for a volunteer</a>'
    assert link in page
    client.post("/logout")
    login(client, "outreach@example.org")
    page = client.get("/").get_data(as_text=True)
    assert (
        f'<a href="/orgs/{setup.org.slug}/outreach/">1 request for a call waits for a volunteer</a>' in page
    )
    client.post("/logout")
    login(client, "sponsor@example.org")  # a sponsor cannot assign: not told
    assert "wait for a volunteer" not in client.get("/").get_data(as_text=True)
