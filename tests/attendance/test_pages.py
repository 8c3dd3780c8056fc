"""The pages: permissions, the one form (kept input, messages, 422 never 500), the catch-up grid, the
dashboard's counts to enter, trends, the treasurer's view and its CSV, settings."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from groupadmin.attendance import services
from groupadmin.attendance.models import AttendanceSettings, HeadCount
from groupadmin.extensions import db
from tests import factories
from tests.attendance import helpers
from tests.conftest import NOW, login


def _count(occurrence) -> HeadCount | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(HeadCount).where(HeadCount.occurrence_id == occurrence.id))


def _url(s, occurrence, suffix=""):
    return f"/groups/{s.group.slug}/counts/{occurrence.id}{suffix}"


# ---------------------------------------------------------------------------------------------------
# Permissions


@pytest.mark.parametrize(
    ("role", "statuses"),
    [
        # index, enter, catch-up, trends, treasurer, csv, settings, group page
        ("secretary", (200, 200, 200, 200, 200, 200, 200, 200)),
        ("leader", (200, 200, 200, 200, 200, 200, 403, 200)),
        ("sponsor", (403, 403, 403, 403, 403, 403, 403, 200)),  # sponsors see meetings, not figures
    ],
)
def test_who_sees_what(setup, client, role, statuses):
    s = setup
    login(
        client,
        {"secretary": "sec@example.org", "leader": "leader@example.org", "sponsor": "sponsor@example.org"}[
            role
        ],
    )
    base = f"/groups/{s.group.slug}"
    urls = [
        f"{base}/counts/",
        _url(s, s.past[-1]),
        f"{base}/counts/catch-up",
        f"{base}/counts/trends",
        f"{base}/counts/treasurer",
        f"{base}/counts/treasurer.csv",
        f"{base}/counts/settings",
        f"{base}/",
    ]
    assert tuple(client.get(u).status_code for u in urls) == statuses
    if role == "sponsor":
        assert client.post(_url(s, s.past[-1]), data={"total": "5"}).status_code == 403
        assert client.post(_url(s, s.past[-1], "/remove")).status_code == 403
        assert _count(s.past[-1]) is None


def test_another_groups_dates_answer_404(setup, client):
    s = setup
    other = factories.group()
    factories.member(other, "secretary", email="other@example.org")
    theirs = helpers.occurrences(factories.meeting(other, now=helpers.START), past=True)[-1]
    login(client, "sec@example.org")
    # Their date through our group's URL, and our date through theirs.
    assert client.get(_url(s, theirs)).status_code == 404
    assert client.post(_url(s, theirs), data={"total": "5"}).status_code == 404
    assert client.post(_url(s, theirs, "/remove")).status_code == 404
    assert client.get(f"/groups/{other.slug}/counts/{s.past[-1].id}").status_code == 404
    assert client.get(f"/groups/{s.group.slug}/counts/trends?meeting={theirs.meeting_id}").status_code == 200
    assert _count(theirs) is None


# ---------------------------------------------------------------------------------------------------
# The one form


def test_a_leader_enters_last_nights_count(setup, client):
    s = setup
    login(client, "leader@example.org")
    occurrence = s.past[-1]
    page = client.get(_url(s, occurrence, "?back=dashboard"))
    html = page.get_data(as_text=True)
    assert "Tuesday Night Group" in html and "Tuesday, November 17, 2026" in html
    assert 'inputmode="numeric"' in html and 'inputmode="decimal"' in html and "never" in html.lower()
    response = client.post(
        _url(s, occurrence, "?back=dashboard"), data={"total": "23", "newcomers": "2", "cash": "41.25"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    count = _count(occurrence)
    assert (count.total, count.newcomers, count.in_person, count.online, count.cash_minor) == (
        23,
        2,
        23,
        0,
        4125,
    )
    assert count.recorded_by_id == s.leader.id and count.currency == "USD"
    flashed = client.get("/").get_data(as_text=True)
    assert "Saved for Tuesday Night Group" in flashed and "23 people, 2 newcomers · $41.25" in flashed
    # Opened again, it shows what was saved, for correcting.
    html = client.get(_url(s, occurrence)).get_data(as_text=True)
    assert 'value="23"' in html and 'value="41.25"' in html and "Remove this count" in html


def test_a_hybrid_date_asks_for_the_split(setup, client):
    s = setup
    login(client, "sec@example.org")
    occurrence = s.hybrid_past[-1]
    html = client.get(_url(s, occurrence)).get_data(as_text=True)
    assert "In the room" in html and "Leave empty to add up" in html
    assert client.post(_url(s, occurrence), data={"in_person": "14", "online": "6"}).status_code == 302
    count = _count(occurrence)
    assert (count.total, count.in_person, count.online, count.newcomers) == (20, 14, 6, 0)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"total": "twenty"}, "total", "Enter a whole number"),
        ({"total": "5", "newcomers": "7"}, "newcomers", "at most 5"),
        ({"total": "-4"}, "total", "negative"),
        ({"total": "9" * 30}, "total", "Field cannot be longer"),
        ({"total": "12", "cash": "12.345"}, "cash", "at most 2 decimal places"),
        ({"total": "12", "cash": "\u202e=1+1"}, "cash", "Remove the invisible characters"),
        ({"total": "12", "note": "Call Jo on 07700 900123"}, "note", "contact details"),
        ({"newcomers": "1"}, "total", "How many came?"),
        ({"total": "12\x00"}, "total", "Remove the invisible characters"),
    ],
)
def test_bad_input_keeps_what_was_typed_and_says_why(setup, client, data, field, message):
    s = setup
    login(client, "sec@example.org")
    occurrence = s.past[-1]
    response = client.post(_url(s, occurrence), data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1), html[:0]
    for value in data.values():
        if "\x00" not in value and len(value) < 30:
            assert f'value="{value}"' in html.replace("&#34;", '"').replace("&#39;", "'")
    assert _count(occurrence) is None


def test_no_count_for_a_date_to_come_or_cancelled(setup, client):
    s = setup
    login(client, "sec@example.org")
    future = s.future[0]
    page = client.get(_url(s, future))
    assert page.status_code == 200 and "has not started yet" in page.get_data(as_text=True)
    assert client.post(_url(s, future), data={"total": "5"}).status_code == 409
    cancelled = s.past[-2]
    cancelled.status = "cancelled"
    db.session.commit()
    response = client.post(_url(s, cancelled), data={"total": "5"})
    assert response.status_code == 409 and "cancelled" in response.get_data(as_text=True)
    assert _count(future) is None and _count(cancelled) is None


def test_no_head_count_taken_and_removal(setup, client):
    s = setup
    login(client, "sec@example.org")
    occurrence = s.past[-1]
    assert client.post(_url(s, occurrence), data={"not_counted": "y", "cash": "12"}).status_code == 302
    count = _count(occurrence)
    assert count.total is None and count.cash_minor == 1200
    other = s.past[-2]  # nothing at all known: the date is still dealt with, and nobody is reminded
    assert client.post(_url(s, other), data={"not_counted": "y"}).status_code == 302
    assert "no head count taken" in client.get("/groups/" + s.group.slug + "/counts/").get_data(as_text=True)
    assert _count(other).total is None
    response = client.post(_url(s, occurrence, "/remove"))
    assert response.status_code == 302 and _count(occurrence) is None


# ---------------------------------------------------------------------------------------------------
# The catch-up grid


def _grid(occurrence, **values):
    data = {f"c{occurrence.id}-present": "1"}
    data.update({f"c{occurrence.id}-{k}": v for k, v in values.items()})
    return data


def test_the_catch_up_grid_saves_all_or_nothing(setup, client):
    s = setup
    login(client, "sec@example.org")
    url = f"/groups/{s.group.slug}/counts/catch-up"
    page = client.get(url).get_data(as_text=True)
    for occurrence in s.past + s.hybrid_past:
        assert f'name="c{occurrence.id}-total"' in page
    assert f'name="c{s.future[0].id}-total"' not in page

    a, b, c = s.past[-1], s.past[-2], s.hybrid_past[-1]
    bad = {**_grid(a, total="20", cash="30"), **_grid(b, total="8", newcomers="9"), **_grid(c, in_person="5")}
    response = client.post(url, data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was saved: 2 rows need a correction" in html
    assert f'id="c{a.id}-total" value="20"' in html and f'id="c{b.id}-newcomers" value="9"' in html
    assert "at most 8" in html and "joined online" in html
    assert _count(a) is None and _count(b) is None

    good = {
        **_grid(a, total="20", cash="30"),
        **_grid(b, total="8", newcomers="1"),
        **_grid(c, in_person="5", online="3"),
    }
    good.update(_grid(s.past[0]))  # left empty: skipped
    response = client.post(url, data=good)
    assert response.status_code == 302
    assert (_count(a).total, _count(b).newcomers, _count(c).total) == (20, 1, 8)
    assert _count(s.past[0]) is None

    # Emptying a counted row is refused (a count is removed on its own page); unchanged rows are left.
    response = client.post(url, data={**_grid(a), **_grid(b, total="8", newcomers="1")})
    assert response.status_code == 422 and "Remove this count" in response.get_data(as_text=True)
    assert _count(a).total == 20


def test_the_catch_up_grid_answers_422_for_numbers_out_of_range_and_ignores_foreign_ids(setup, client):
    s = setup
    login(client, "sec@example.org")
    url = f"/groups/{s.group.slug}/counts/catch-up"
    a = s.past[-1]
    huge = 2**70
    data = {
        **_grid(a, total=str(huge), cash="9" * 40, newcomers="-3"),
        f"c{huge}-present": "1",
        f"c{huge}-total": "5",
        "c-1-present": "1",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "check the number" in html and "check the amount" in html and "negative" in html
    assert _count(a) is None
    for query in (f"?meeting={huge}", f"?weeks={huge}", "?weeks=-5&meeting=abc"):
        assert client.get(url + query).status_code == 200
    assert client.post(url + f"?meeting={huge}", data=_grid(a, total="7")).status_code == 302
    assert _count(a).total == 7


# ---------------------------------------------------------------------------------------------------
# The dashboard


@pytest.mark.postgres
def test_the_dashboard_lists_counts_to_enter_for_secretaries_and_leaders(setup, client, count_queries):
    s = setup
    helpers.record(s.past[-2], total="10")
    for email, expected in (
        ("sec@example.org", True),
        ("leader@example.org", True),
        ("sponsor@example.org", False),
    ):
        client.post("/logout")
        login(client, email)
        html = client.get("/").get_data(as_text=True)
        assert ("Counts to enter" in html) is expected, email
        if expected:
            assert f"/counts/{s.past[-1].id}?back=dashboard" in html
            assert f"/counts/{s.past[-2].id}?" not in html  # counted
            assert f"/counts/{s.future[0].id}?" not in html  # to come

    def dashboard_queries():
        with count_queries() as q:
            assert client.get("/").status_code == 200
        return q.count

    first = factories.group()
    factories.member(first, "leader", u=s.sponsor)
    factories.meeting(first, now=helpers.START)
    one_group = dashboard_queries()
    for _ in range(4):
        group = factories.group()
        factories.member(group, "leader", u=s.sponsor)
        factories.meeting(group, now=helpers.START)
    assert dashboard_queries() == one_group
    assert client.get("/").get_data(as_text=True).count("?back=dashboard") == 10  # two weeks, five groups


# ---------------------------------------------------------------------------------------------------
# Trends


@pytest.mark.postgres
def test_trends_put_dates_into_weeks_and_months(setup, client):
    s = setup
    # Tuesday 17 Nov and 10 Nov (in person), Thursday 19 Nov (hybrid), and 20 Oct (last month).
    helpers.record(s.past[-1], total="20", newcomers="2", cash="30")
    helpers.record(s.past[-2], total="10", newcomers="0", cash="10", digital="5")
    helpers.record(s.hybrid_past[-1], in_person="6", online="4", newcomers="1")
    helpers.record(s.past[0], total="8")
    trends = services.trends(s.group, now=NOW, locale="en")
    this_week, last_week = trends.weeks.buckets[-1], trends.weeks.buckets[-2]
    assert this_week.start.isoformat() == "2026-11-16" and last_week.start.isoformat() == "2026-11-09"
    assert (this_week.meetings, this_week.total, this_week.newcomers, this_week.online) == (2, 30, 3, 4)
    assert this_week.average == 15 and this_week.online_share == pytest.approx(4 / 30)
    assert (this_week.cash, this_week.digital, this_week.collections) == (3000, 0, 3000)
    assert (last_week.meetings, last_week.collections) == (1, 1500)
    november, october = trends.months.buckets[-1], trends.months.buckets[-2]
    assert (november.meetings, november.total, november.collections) == (3, 40, 4500)
    assert (october.meetings, october.total, october.collections) == (1, 8, None)
    assert trends.weeks.totals.meetings == 4 and len(trends.months.buckets) == 12

    login(client, "leader@example.org")
    html = client.get(f"/groups/{s.group.slug}/").get_data(as_text=True)
    assert "Average attendance per meeting" in html and "<svg" in html and "<table" in html
    assert "Week of 16 Nov 2026" in html and "November 2026" in html and "$45.00" in html
    # Our Content-Security-Policy allows no inline style: the charts use attributes and classes only.
    assert "style=" not in html and "<style" not in html and "<script>" not in html
    one = client.get(f"/groups/{s.group.slug}/counts/trends?meeting={s.hybrid.id}").get_data(as_text=True)
    assert "Thursday Hybrid" in one and "40%" in one


def test_empty_and_sparse_trends_read_sensibly(setup, client):
    s = setup
    login(client, "sec@example.org")
    html = client.get(f"/groups/{s.group.slug}/").get_data(as_text=True)
    assert "No head counts in the last 12 weeks yet." in html and "<svg" not in html
    helpers.record(s.past[0], total="9")
    html = client.get(f"/groups/{s.group.slug}/").get_data(as_text=True)
    assert "<svg" in html and "no head count" in html and "—" in html


@pytest.mark.postgres
def test_the_group_page_query_count_does_not_grow_with_five_years_of_counts(setup, client, count_queries):
    s = setup
    login(client, "sec@example.org")
    helpers.history(s.tuesday, weeks=4)

    def queries():
        with count_queries() as q:
            response = client.get(f"/groups/{s.group.slug}/")
        assert response.status_code == 200
        return q.count, response.get_data(as_text=True)

    month, _html = queries()
    helpers.history(s.tuesday, weeks=260)
    helpers.history(s.hybrid, weeks=260, total=12)
    five_years, html = queries()
    assert five_years == month
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HeadCount)) > 500
    assert "All 12 months" in html


# ---------------------------------------------------------------------------------------------------
# Treasurer and settings


def test_the_treasurer_view_and_its_csv(setup, client):
    s = setup
    s.tuesday.name = '=HYPERLINK("http://evil.example","Click")'
    db.session.commit()
    helpers.record(s.past[-1], total="20", cash="30", digital="12.50")
    helpers.record(s.past[-2], total="18", cash="25")
    helpers.record(s.hybrid_past[-1], in_person="6", online="4")  # no collection: not in the ledger
    login(client, "leader@example.org")
    html = client.get(f"/groups/{s.group.slug}/counts/treasurer").get_data(as_text=True)
    assert "$67.50" in html and "$55.00" in html and "November 2026" in html and "December 2025" in html
    response = client.get(f"/groups/{s.group.slug}/counts/treasurer.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="collections-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Date", "Meeting", "Head count", "Cash", "Digital", "Total", "Currency"]
    assert rows[1:] == [
        ["2026-11-10", '\'=HYPERLINK("http://evil.example","Click")', "18", "25.00", "", "25.00", "USD"],
        ["2026-11-17", '\'=HYPERLINK("http://evil.example","Click")', "20", "30.00", "12.50", "42.50", "USD"],
    ]
    year = client.get(f"/groups/{s.group.slug}/counts/treasurer.csv?year=2025").get_data(as_text=True)
    assert year.count("\n") == 1
    assert client.get(f"/groups/{s.group.slug}/counts/treasurer?year=nonsense").status_code == 200
    assert client.get(f"/groups/{s.group.slug}/counts/treasurer?year=99999").status_code == 200


def test_settings_change_the_currency_of_new_counts_only(setup, client):
    s = setup
    helpers.record(s.past[-2], total="10", cash="10")
    login(client, "sec@example.org")
    url = f"/groups/{s.group.slug}/counts/settings"
    assert client.post(url, data={"currency": "XYZ"}).status_code == 422
    assert client.post(url, data={"currency": "EUR", "reminders": "y"}).status_code == 302
    assert db.session.get(AttendanceSettings, s.group.id).currency == "EUR"
    client.post(_url(s, s.past[-1]), data={"total": "12", "cash": "20,50"})
    assert (_count(s.past[-1]).currency, _count(s.past[-1]).cash_minor) == ("EUR", 2050)
    assert _count(s.past[-2]).currency == "USD"
    html = client.get(f"/groups/{s.group.slug}/counts/treasurer").get_data(as_text=True)
    assert "€20.50" in html and "$10.00" in html
    assert "another currency (USD)" in client.get(f"/groups/{s.group.slug}/").get_data(as_text=True)


def test_sponsors_see_no_figures_on_the_group_page(setup, client):
    s = setup
    helpers.record(s.past[-1], total="12", cash="30.00")
    login(client, "sponsor@example.org")
    html = client.get(f"/groups/{s.group.slug}/").get_data(as_text=True)
    assert "Attendance and collections" not in html and "$30.00" not in html
