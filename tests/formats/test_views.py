"""Format pages through the web: editing without JavaScript, validation beside the field, permissions,
the printable script, and a fixed number of queries however big a format grows."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from groupadmin.database import utcnow
from groupadmin.extensions import db
from groupadmin.formats import services
from groupadmin.formats.models import Format
from groupadmin.meetings.models import Occurrence
from tests import factories
from tests.conftest import login
from tests.formats.helpers import make_format


@pytest.fixture
def setup(app):
    """A group with a meeting (dates from three weeks ago on) and a format saved before all of them."""
    now = utcnow()
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=now - timedelta(days=21), weeks=8)
    fmt = make_format(group, now=now - timedelta(days=30), meeting=meeting)
    return SimpleNamespace(group=group, meeting=meeting, format=fmt)


def _as(client, group, role):
    email = f"{role}@example.org"
    factories.member(group, role, email=email)
    login(client, email)


def _dates(meeting, *, past: bool):
    now = utcnow()
    query = sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id)
    query = query.where(Occurrence.ends_at <= now) if past else query.where(Occurrence.starts_at > now)
    return list(db.session.scalars(query.order_by(Occurrence.starts_at)))


def test_secretary_starts_from_a_starter_reorders_saves_and_compares(client, setup):
    group, meeting = setup.group, setup.meeting
    _as(client, group, "secretary")
    base = f"/groups/{group.slug}/formats"
    page = client.get(f"{base}/new?start_from=starter:speaker&meeting={meeting.id}")
    assert page.status_code == 200 and 'value="Speaker meeting"' in page.text
    response = client.post(
        f"{base}/new",
        data={"name": "Speaker nights", "start_from": "starter:speaker", "meeting_id": meeting.id},
    )
    fmt = db.session.scalar(sa.select(Format).where(Format.name == "Speaker nights"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/formats/{fmt.id}/")
    assert services.meetings_using(fmt) == [meeting]
    first_two = [s.title for s in services.latest_version(fmt).sections[:2]]

    assert client.post(f"{base}/{fmt.id}/sections/2/move", data={"direction": "up"}).status_code == 302
    page = client.get(f"{base}/{fmt.id}/")
    assert "Unsaved changes" in page.text and "Save as version 2" in page.text
    assert client.post(f"{base}/{fmt.id}/save", data={"note": "Preamble first"}).status_code == 302
    latest = services.latest_version(fmt)
    assert latest.number == 2 and [s.title for s in latest.sections[:2]] == first_two[::-1]
    assert latest.note == "Preamble first" and latest.saved_by.email == "secretary@example.org"

    page = client.get(f"{base}/{fmt.id}/compare?a=1&b=2")
    assert page.status_code == 200 and "Moved" in page.text
    assert client.get(f"{base}/{fmt.id}/versions/1").status_code == 200


def test_bad_section_input_is_shown_beside_the_field_and_what_was_typed_is_kept(client, setup):
    group, fmt = setup.group, setup.format
    _as(client, group, "secretary")
    url = f"/groups/{group.slug}/formats/{fmt.id}/sections/new"
    typed = "Read: the Promises, pp. 83-84. Slowly."
    response = client.post(
        url, data={"kind": "reading", "title": "", "body": typed, "duration_minutes": "ten"}
    )
    assert response.status_code == 200
    assert "Give the section a title" in response.text and typed in response.text
    assert 'aria-invalid="true"' in response.text
    response = client.post(
        url, data={"kind": "reading", "title": "Promises", "body": typed, "duration_minutes": "999"}
    )
    assert response.status_code == 200 and "between 0 and 240" in response.text and typed in response.text
    response = client.post(url, data={"kind": "nonsense", "title": "Promises", "place": "after-zzz"})
    assert response.status_code == 200
    assert services.draft_of(fmt) is None  # nothing was changed


def test_preview_renders_without_saving(client, setup):
    group, fmt = setup.group, setup.format
    _as(client, group, "secretary")
    response = client.post(
        f"/groups/{group.slug}/formats/{fmt.id}/sections/1",
        data={
            "kind": "opening",
            "title": "Welcome",
            "body": "**Hello** <script>alert(1)</script>",
            "preview": "1",
        },
    )
    assert response.status_code == 200 and "<strong>Hello</strong>" in response.text
    assert "<script>alert(1)" not in response.text
    assert services.draft_of(fmt) is None


def test_hostile_markdown_saved_through_the_form_prints_harmless(client, setup):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, "secretary")
    base = f"/groups/{group.slug}/formats/{fmt.id}"
    body = "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1))"
    assert (
        client.post(
            f"{base}/sections/new", data={"kind": "custom", "title": "Evil", "body": body}
        ).status_code
        == 302
    )
    assert client.post(f"{base}/save", data={}).status_code == 302
    future = _dates(meeting, past=False)[0]
    page = client.get(f"/groups/{group.slug}/formats/dates/{future.id}/script")
    assert page.status_code == 200 and "Evil" in page.text
    assert (
        "<script>alert" not in page.text and "<img" not in page.text and 'href="javascript' not in page.text
    )


def test_duplicate_name_is_refused_beside_the_field_keeping_the_description(client, setup):
    group, fmt = setup.group, setup.format
    _as(client, group, "secretary")
    response = client.post(
        f"/groups/{group.slug}/formats/new",
        data={"name": fmt.name.upper(), "description": "For the holidays", "start_from": ""},
    )
    assert response.status_code == 200
    assert "already has a format of that name" in response.text and "For the holidays" in response.text


def test_editing_never_changes_a_past_dates_script(client, setup):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, "secretary")
    base = f"/groups/{group.slug}/formats/{fmt.id}"
    client.post(
        f"{base}/sections/1", data={"kind": "opening", "title": "A brand new welcome", "duration_minutes": 2}
    )
    client.post(f"{base}/save", data={"note": "New welcome"})
    past, future = _dates(meeting, past=True)[-1], _dates(meeting, past=False)[0]
    past_page = client.get(f"/groups/{group.slug}/formats/dates/{past.id}/script").text
    future_page = client.get(f"/groups/{group.slug}/formats/dates/{future.id}/script").text
    assert "A brand new welcome" not in past_page and "Welcome" in past_page and "version 1" in past_page
    assert "A brand new welcome" in future_page and "version 2" in future_page


def test_script_names_the_meeting_date_and_version_and_has_a_large_print_option(client, setup):
    group, meeting = setup.group, setup.meeting
    _as(client, group, "leader")
    nxt = _dates(meeting, past=False)[0]
    page = client.get(f"/groups/{group.slug}/formats/dates/{nxt.id}/script")
    assert page.status_code == 200
    assert meeting.name in page.text and "version 1" in page.text and str(nxt.local_date.year) in page.text
    assert "script-large" not in page.text
    assert "7:00" in page.text  # the first section starts with the meeting, in its own zone
    large = client.get(f"/groups/{group.slug}/formats/dates/{nxt.id}/script?size=large")
    assert 'class="script script-large"' in large.text
    redirect = client.get(f"/groups/{group.slug}/formats/meetings/{meeting.id}/next-script")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith(f"/dates/{nxt.id}/script")


def test_a_date_can_choose_a_pinned_version(client, setup):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, "secretary")
    version = services.latest_version(fmt)
    nxt = _dates(meeting, past=False)[0]
    url = f"/groups/{group.slug}/formats/dates/{nxt.id}"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"choice": "v:999999"}).status_code == 200  # not a choice: shown, no 500
    assert client.post(url, data={"choice": f"v:{version.id}"}).status_code == 302
    page = client.get(f"/groups/{group.slug}/formats/meetings/{meeting.id}")
    assert "Chosen for this date" in page.text
    assert services.script_for(nxt).pinned


def test_meeting_format_can_be_changed_and_copied(client, setup):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, "secretary")
    url = f"/groups/{group.slug}/formats/meetings/{meeting.id}"
    assert client.post(f"{url}/copy", data={}).status_code == 302
    copy = db.session.scalar(sa.select(Format).where(Format.id != fmt.id))
    assert copy.name == f"{meeting.name} format" and services.meetings_using(copy) == [meeting]
    assert client.post(f"{url}/format", data={"format_id": str(fmt.id)}).status_code == 302
    assert services.meetings_using(fmt) == [meeting]
    assert client.post(f"{url}/format", data={"format_id": "nonsense"}).status_code == 302  # flashed, no 500
    assert services.meetings_using(fmt) == [meeting]


def test_archived_format_cannot_be_edited_and_can_be_restored(client, setup):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, "secretary")
    base = f"/groups/{group.slug}/formats/{fmt.id}"
    response = client.post(f"{base}/archive", data={}, follow_redirects=True)
    assert "choose another format for them first" in response.text
    client.post(f"/groups/{group.slug}/formats/meetings/{meeting.id}/format", data={"format_id": ""})
    assert client.post(f"{base}/archive", data={}).status_code == 302
    response = client.post(f"{base}/sections/1/move", data={"direction": "down"}, follow_redirects=True)
    assert "archived" in response.text and services.draft_of(fmt) is None
    assert client.post(f"{base}/restore", data={}).status_code == 302
    db.session.refresh(fmt)
    assert not fmt.is_archived


def test_odd_urls_and_parameters_answer_without_a_500(client, setup):
    group, fmt = setup.group, setup.format
    _as(client, group, "secretary")
    base = f"/groups/{group.slug}/formats/{fmt.id}"
    assert client.get(f"{base}/sections/999").status_code == 404
    assert client.get(f"{base}/versions/99").status_code == 404
    assert client.get(f"{base}/compare?a=abc&b=zzz").status_code == 200
    assert client.post(f"{base}/sections/999/move", data={"direction": "up"}).status_code == 302
    assert client.post(f"{base}/sections/1/move", data={"direction": "sideways"}).status_code == 302
    assert client.post(f"{base}/save", data={}, follow_redirects=True).status_code == 200  # nothing to save
    assert client.post(f"{base}/discard", data={}).status_code == 302


VIEW_PAGES = [
    "/groups/{g}/formats/",
    "/groups/{g}/formats/{f}/",
    "/groups/{g}/formats/{f}/versions/1",
    "/groups/{g}/formats/{f}/compare",
    "/groups/{g}/formats/meetings/{m}",
    "/groups/{g}/formats/dates/{o}/script",
    "/groups/{g}/formats/dates/{o}/script?size=large",
]
SECRETARY_PAGES = [
    "/groups/{g}/formats/new",
    "/groups/{g}/formats/{f}/settings",
    "/groups/{g}/formats/{f}/sections/new",
    "/groups/{g}/formats/{f}/sections/1",
    "/groups/{g}/formats/dates/{o}",
]
SECRETARY_POSTS = [
    "/groups/{g}/formats/{f}/sections/1/move",
    "/groups/{g}/formats/{f}/sections/1/remove",
    "/groups/{g}/formats/{f}/save",
    "/groups/{g}/formats/{f}/archive",
    "/groups/{g}/formats/meetings/{m}/format",
    "/groups/{g}/formats/meetings/{m}/copy",
]


@pytest.mark.parametrize("role", ["leader", "sponsor"])
def test_leaders_and_sponsors_see_and_print_but_do_not_edit(client, setup, role):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, role)
    ids = {"g": group.slug, "f": fmt.id, "m": meeting.id, "o": _dates(meeting, past=False)[0].id}
    for path in VIEW_PAGES:
        response = client.get(path.format(**ids))
        assert response.status_code == 200, path
        assert "Add a section" not in response.text and "Save as version" not in response.text
    for path in SECRETARY_PAGES:
        assert client.get(path.format(**ids)).status_code == 403, path
    for path in SECRETARY_POSTS:
        assert client.post(path.format(**ids), data={"direction": "down"}).status_code == 403, path
    assert services.draft_of(fmt) is None and services.latest_version(fmt).number == 1


def test_another_groups_formats_meetings_and_dates_answer_404(client, setup):
    meeting, fmt = setup.meeting, setup.format
    mine = factories.group()
    _as(client, mine, "secretary")
    ids = {"g": mine.slug, "f": fmt.id, "m": meeting.id, "o": _dates(meeting, past=False)[0].id}
    for path in [p for p in VIEW_PAGES + SECRETARY_PAGES if "{f}" in p or "{m}" in p or "{o}" in p]:
        assert client.get(path.format(**ids)).status_code == 404, path
    for path in SECRETARY_POSTS:
        assert client.post(path.format(**ids), data={"direction": "down"}).status_code == 404, path
    # ... and their format cannot be copied into mine.
    client.post(f"/groups/{mine.slug}/formats/new", data={"name": "Stolen", "start_from": f"format:{fmt.id}"})
    assert db.session.scalar(sa.select(Format).where(Format.name == "Stolen")) is None


def _grow(group, meeting, fmt, *, sections: int, versions: int, now):
    for i in range(sections):
        services.add_section(
            fmt, actor=None, now=now, values={"kind": "custom", "title": f"Extra {i}", "body": f"*{i}*"}
        )
    services.save_version(fmt, actor=None, now=now)
    for i in range(versions):
        key = services.latest_version(fmt).sections[0].key
        services.move_section(fmt, key, "bottom", actor=None, now=now + timedelta(seconds=i + 1))
        services.save_version(fmt, actor=None, now=now + timedelta(seconds=i + 1))
    for i in range(2):
        other = factories.meeting(group, f"Another {i}", now=now, weeks=8)
        services.assign_format(other, fmt, actor=None, now=now)
    db.session.commit()


def test_query_counts_do_not_grow_with_the_format(client, app, count_queries, setup):
    group, meeting, fmt = setup.group, setup.meeting, setup.format
    _as(client, group, "secretary")
    ids = {"g": group.slug, "f": fmt.id, "m": meeting.id, "o": _dates(meeting, past=False)[0].id}
    pages = [p.format(**ids) for p in VIEW_PAGES]

    def counts():
        result = {}
        for path in pages:
            with count_queries() as q:
                assert client.get(path).status_code == 200
            result[path] = q.count
        return result

    small = counts()
    _grow(group, meeting, fmt, sections=20, versions=10, now=utcnow() - timedelta(days=29))
    large = counts()
    assert large == small, (small, large)
    assert max(small.values()) <= 20, small
