"""The figures against hand-counted fixtures (cancelled dates, hybrid splits, two currencies), the
suppressed report the coordinator sees, another organisation's answering 404, and query counts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from groupadmin.extensions import db
from groupadmin.outreach import services as outreach
from groupadmin.reports import services
from groupadmin.reports.services import Period
from tests import factories
from tests.attendance import helpers
from tests.conftest import NOW, login

OCT_NOV = Period(date(2026, 10, 1), date(2026, 11, 30))


def values(table, row_label):
    row = next(r for r in table.rows if r.label == row_label)
    return {c.key: f.value for c, f in zip(table.columns, row.figures, strict=True)}


def states(table, row_label):
    row = next(r for r in table.rows if r.label == row_label)
    return {c.key: f.state for c, f in zip(table.columns, row.figures, strict=True)}


def test_figures_match_the_hand_counts(setup):
    report = services.build_report(setup.org, OCT_NOV, now=NOW, locale="en", threshold=None)
    overview = {r.label: r.figures[0] for r in report.table("overview").rows}
    assert overview["Meetings held"].value == 9  # 4 Tuesdays (3 Nov cancelled) + 5 Thursdays
    assert overview["Head counts entered"].value == 5
    assert overview["Attendances (visits, not people)"].value == 70
    assert overview["Newcomers"].value == 4
    assert overview["Average attendance per meeting counted"].value == 14
    assert overview["Online share"].value == pytest.approx(9 / 70)
    assert overview["Groups active (with a meeting held)"].value == 2
    # Two currencies, never added together.
    assert overview["7th Tradition collections (EUR)"].value == 1000
    assert overview["7th Tradition collections (USD)"].value == 3500
    assert values(report.table("collections"), "USD") == {"collected_dates": 2, "collected": 3500}

    months = report.table("months")
    assert values(months, "October 2026") | {} == {
        "held": 4,
        "counted": 2,
        "attendances": 32,
        "in_person": 32,
        "online": 0,
        "newcomers": 2,
        "average": 16,
    }
    assert values(months, "November 2026")["attendances"] == 38
    assert values(months, "November 2026")["online"] == 9  # the hybrid split
    assert values(months, "November 2026")["held"] == 5

    coverage = report.table("coverage")
    assert values(coverage, "Tuesday Group")["coverage"] == pytest.approx(3 / 4)
    assert values(coverage, "Thursday Group")["coverage"] == pytest.approx(2 / 5)


def test_a_fellowship_filter_and_a_groups_own_view(setup):
    na_only = services.build_report(setup.org, OCT_NOV, now=NOW, locale="en", threshold=None, fellowship="na")
    assert values(na_only.table("months"), "Whole period")["attendances"] == 23
    own = services.group_report(setup.aa, OCT_NOV, now=NOW, locale="en")
    assert own.threshold is None
    assert values(own.table("months"), "Whole period")["attendances"] == 47
    assert [r.label for r in own.table("groups").rows] == ["Tuesday Group", "All groups"]


def test_the_coordinator_sees_small_counts_suppressed(setup, client):
    login(client, "coord@example.org")
    html = client.get("/orgs/lakeside/reports?period=custom&start=2026-10-01&end=2026-11-30").get_data(
        as_text=True
    )
    assert "fewer than 11" in html and "hidden" in html
    report = services.organisation_report(setup.org, OCT_NOV, now=NOW, locale="en")
    groups = report.table("groups")
    # Newcomers 3 and 1: both fewer than 11; the total 4 too.
    assert states(groups, "Tuesday Group")["newcomers"] == "fewer"
    assert states(groups, "All groups")["newcomers"] == "fewer"
    # Attendances 47 and 23 are shown; the online 9 of the NA group is hidden, and with it its share.
    assert values(groups, "Tuesday Group")["attendances"] == 47
    assert states(groups, "Thursday Group")["online_share"] == "hidden"
    # Nothing from 1 to 10 is shown anywhere as a count of people.
    for table in report.tables:
        for row in table.rows:
            for column, fig in zip(table.columns, row.figures, strict=True):
                if (
                    column.key in ("attendances", "in_person", "online", "newcomers", "subscribers")
                    and fig.shown
                ):
                    assert not 0 < fig.value < 11, (table.key, row.label, column.key)


def test_the_threshold_is_the_organisations_setting(setup, client):
    admin = factories.org_member(setup.org, "admin", email="admin@example.org")
    login(client, admin.email)
    page = client.get("/orgs/lakeside/settings")
    assert "Smallest number shown in reports" in page.get_data(as_text=True)
    form = {
        "name": "Lakeside Intergroup",
        "timezone": "America/New_York",
        "locale": "en",
        "report_threshold": "1",
    }
    refused = client.post("/orgs/lakeside/settings", data=form)
    assert refused.status_code == 200 and "between 2 and 100" in refused.get_data(as_text=True)
    assert client.post("/orgs/lakeside/settings", data=form | {"report_threshold": "5"}).status_code == 302
    html = client.get("/orgs/lakeside/reports?period=custom&start=2026-10-01&end=2026-11-30").get_data(
        as_text=True
    )
    assert "fewer than 5" in html and "fewer than 11" not in html


def test_another_organisations_reports_answer_404(setup, client):
    other = factories.organisation("other-org")
    other_group = factories.group(other, "other-group")
    login(client, "coord@example.org")
    assert client.get("/orgs/lakeside/reports").status_code == 200
    for url in (
        "/orgs/other-org/reports",
        "/orgs/other-org/reports/report.csv",
        "/orgs/other-org/reports/method",
        "/groups/other-group/reports",
        "/groups/tuesday-group/reports",
    ):
        assert client.get(url).status_code == 404, url
    assert other_group.id
    # A group's secretary sees the group's own figures, and nothing of the organisation's.
    client.post("/logout")
    login(client, "sec@example.org")
    assert client.get("/groups/tuesday-group/reports").status_code == 200
    assert client.get("/orgs/lakeside/reports").status_code == 404


def test_bad_dates_are_shown_beside_the_fields_and_kept(setup, client):
    login(client, "coord@example.org")
    response = client.get("/orgs/lakeside/reports?period=custom&start=2026-11-30&end=2026-10-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The last day comes before the first." in html and 'value="2026-11-30"' in html
    assert client.get("/orgs/lakeside/reports?period=custom&start=nonsense").status_code == 422
    assert client.get("/orgs/lakeside/reports?group=999999").status_code == 422
    assert client.get("/orgs/lakeside/reports?period=whatever&template=nope").status_code == 200


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_dates_outside_the_years_a_person_means_are_refused_on_the_page_and_every_export(setup, client, year):
    login(client, "coord@example.org")
    query = f"period=custom&start={year}-01-01&end={year}-12-31"
    exports = [f"/orgs/lakeside/reports/report.{fmt}" for fmt in ("csv", "xlsx", "pdf")]
    for url in ("/orgs/lakeside/reports", *exports):
        response = client.get(f"{url}?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 422, url
        assert response.mimetype == "text/html", url
        assert "Choose a day between 1900 and 2199." in html, url
        assert f'value="{year}-01-01"' in html, url  # what was typed is kept
    client.post("/logout")
    login(client, "sec@example.org")
    assert client.get(f"/groups/tuesday-group/reports/report.pdf?{query}").status_code == 422


def test_filters_that_cannot_both_hold_or_dates_a_preset_overrides_are_said_beside_the_field(setup, client):
    login(client, "coord@example.org")
    # An AA group with the NA fellowship: said beside the group, not an empty report about NA.
    response = client.get(f"/orgs/lakeside/reports?fellowship=na&group={setup.aa.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="group-error"[^>]*>This group is not of the fellowship chosen above', html)
    assert client.get(f"/orgs/lakeside/reports?fellowship=aa&group={setup.aa.id}").status_code == 200
    # Dates typed while the period is a preset: the preset is shown and the page says the dates are not used.
    page = client.get("/orgs/lakeside/reports?period=last-month&start=2026-01-01&end=2026-01-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "October 2026" in html
    assert "Not used: the period is “Last month”. Choose “Dates of my choice” to use these dates." in html
    plain = client.get("/orgs/lakeside/reports?period=last-month").get_data(as_text=True)
    assert "Not used" not in plain
    # "All groups" sends an empty value: the address never reads group=None.
    assert '<option selected value="">All groups</option>' in plain and 'value="None"' not in plain
    assert client.get("/orgs/lakeside/reports?group=").status_code == 200


def test_the_organisation_page_and_dashboard_lead_to_the_figures(setup, client):
    login(client, "coord@example.org")
    html = client.get("/orgs/lakeside/").get_data(as_text=True)
    assert "/orgs/lakeside/reports" in html
    assert f"/orgs/lakeside/reports?group={setup.aa.id}" in html  # group names are links to their figures
    assert "/orgs/lakeside/reports" in client.get("/").get_data(as_text=True)
    page = client.get(
        f"/orgs/lakeside/reports?group={setup.aa.id}&period=custom&start=2026-10-01&end=2026-11-30"
    )
    assert "Group: Tuesday Group" in page.get_data(as_text=True)


def test_the_trends_page_links_to_the_groups_own_figures(setup, client):
    login(client, "sec@example.org")
    html = client.get("/groups/tuesday-group/counts/trends").get_data(as_text=True)
    assert "Our figures as the organisation receives them" in html and "/groups/tuesday-group/reports" in html
    own = client.get("/groups/tuesday-group/reports?period=custom&start=2026-10-01&end=2026-11-30").get_data(
        as_text=True
    )
    assert "fewer than 11</abbr>" not in own and ">47<" in own


@pytest.mark.postgres
def test_the_report_page_makes_the_same_queries_for_one_month_and_five_years(setup, client, count_queries):
    login(client, "coord@example.org")
    helpers.history(setup.tuesday, weeks=260, end=helpers.START)

    def queries(start):
        with count_queries() as q:
            response = client.get(f"/orgs/lakeside/reports?period=custom&start={start}&end=2026-11-30")
            assert response.status_code == 200
        return q.count

    one_month = queries("2026-11-01")
    five_years = queries("2021-12-01")
    assert five_years == one_month
    html = client.get("/orgs/lakeside/reports?period=custom&start=2021-12-01&end=2026-11-30").get_data(
        as_text=True
    )
    assert "December 2021" in html


def test_outreach_in_the_report_comes_from_the_outreach_domain_and_survives_erasure(setup):
    """Real requests (not rows built by hand) reach the coordinator's report, with the outreach
    domain's words for outcomes and sources; erasing the people keeps the figures."""
    from_page = [factories.newcomer(setup.aa, name=f"N{i}", phone=f"555-01{i:02d}") for i in range(3)]
    factories.newcomer(setup.org, name="Org", phone="555-0199")
    for n in from_page[:2]:
        outreach.record(
            n, n.follow_ups[0], outcome="reached", note="", confirmed=False, actor=setup.secretary, now=NOW
        )
    setup.org.report_threshold = 2
    db.session.commit()
    first = from_page[0]
    november = Period(date(2026, 11, 1), date(2026, 11, 30))

    def figures():
        report = services.organisation_report(setup.org, november, now=NOW, locale="en")
        return (
            values(report.table("outreach"), "Whole period"),
            {r.label: r.figures[0].value for r in report.table("outcomes").rows},
            {r.label: r.figures[0].value for r in report.table("sources").rows},
        )

    before = figures()
    assert before[0]["requests"] == 4 and before[0]["reached"] == 2
    assert before[1]["Reached"] == 2
    # One request from the organisation's page is under the threshold (2): hidden, and the group's page
    # with it, or the total would give it away.
    assert before[2] == {"The group's page": None, "The organisation's page": None, "All": 4}
    outreach.erase(first, now=NOW, reason="retention")
    db.session.commit()
    assert figures() == before
    fellowship_only = services.organisation_report(setup.org, november, now=NOW, locale="en", fellowship="na")
    assert values(fellowship_only.table("outreach"), "Whole period")["requests"] == 0
