"""Reports by mail: a coordinator subscribes; on the second day of the next period at 08:00 organisation
time one mail per subscription and period goes through the outbox, with a signed expiring link (no
attachment) that shows a page and sends the file on POST."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine

from groupadmin.extensions import db
from groupadmin.groups.models import OrgRole
from groupadmin.reports import services
from tests.attendance.helpers import outbox
from tests.conftest import login


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def subscribe(client, **choices):
    login(client, "coord@example.org")
    response = client.post(
        "/orgs/lakeside/reports/subscriptions", data={k: "y" for k, v in choices.items() if v}
    )
    assert response.status_code == 302


def test_the_monthly_and_quarterly_reports_go_out_once_per_period(setup, client):
    subscribe(client, monthly=True, quarterly=True)
    assert services.subscriptions_of(setup.org, setup.coordinator) == {"monthly", "quarterly"}
    # New York is UTC-5 in winter: 08:00 on 2 January is 13:00 UTC.
    with time_machine.travel(at("2027-01-02 12:59"), tick=False):
        assert services.deliver_due(now=at("2027-01-02 12:59")) == 0
    with time_machine.travel(at("2027-01-02 13:00"), tick=False):
        assert services.deliver_due(now=at("2027-01-02 13:00")) == 2
        db.session.commit()
        assert services.deliver_due(now=at("2027-01-02 13:15")) == 0  # the next tick: nothing new
    with time_machine.travel(at("2027-01-05 09:00"), tick=False):
        assert services.deliver_due(now=at("2027-01-05 09:00")) == 0
    with time_machine.travel(at("2027-02-02 13:15"), tick=False):
        assert services.deliver_due(now=at("2027-02-02 13:15")) == 1  # monthly only
        db.session.commit()
    messages = outbox("reports/delivery")
    assert sorted(m.subject for m in messages) == [
        "Lakeside Intergroup: the report for December 2026",
        "Lakeside Intergroup: the report for January 2027",
        "Lakeside Intergroup: the report for Q4 2026",
    ]
    assert all(m.recipient == "coord@example.org" for m in messages)
    assert "Content-Disposition" not in (messages[0].headers or {})


def test_the_mailed_link_shows_a_page_sends_the_file_on_post_and_expires(setup, client, app):
    subscribe(client, monthly=True)
    client.post("/logout")
    with time_machine.travel(at("2026-12-02 13:30"), tick=False):
        services.deliver_due(now=at("2026-12-02 13:30"))
        db.session.commit()
        body = outbox("reports/delivery")[0].text_body
        path = re.search(r"http://localhost(/r/report/\S+)", body).group(1)
        page = client.get(path)
        assert page.status_code == 200 and "November 2026" in page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "no-store"
        file = client.post(path, data={"format": "csv"})
        assert file.mimetype == "text/csv" and "November 2026" in file.get_data(as_text=True)
        assert client.get(path[:-3] + "xyz").status_code == 404
    with time_machine.travel(at("2027-01-02 13:30"), tick=False):
        assert client.get(path).status_code == 410  # 31 days later
    # Someone who is no longer a coordinator: the link stops working.
    with time_machine.travel(at("2026-12-03 13:30"), tick=False):
        db.session.execute(db.delete(OrgRole).where(OrgRole.user_id == setup.coordinator.id))
        db.session.commit()
        assert client.get(path).status_code == 410


def test_unsubscribing_stops_the_mail(setup, client):
    subscribe(client, monthly=True)
    subscribe(client)
    assert services.subscriptions_of(setup.org, setup.coordinator) == set()
    with time_machine.travel(at("2026-12-02 13:30"), tick=False):
        assert services.deliver_due(now=at("2026-12-02 13:30")) == 0
