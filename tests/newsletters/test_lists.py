"""Lists: a group's secretaries and an organisation's admins manage their own; nobody else sees them."""

from __future__ import annotations

import sqlalchemy as sa

from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.newsletters.models import MailingList
from tests import factories
from tests.conftest import login
from tests.newsletters import helpers

LIST_FORM = {
    "name": "Lakeside News",
    "slug": "lakeside-news",
    "description": "Monthly.",
    "visibility": "public",
    "language": "en",
    "sender_name": "",
    "consent_wording": "Yes, send me the news.",
}


def test_a_secretary_creates_and_changes_a_group_list(client, setup):
    login(client, "sec@example.org")
    assert client.get(f"/groups/{setup.group.slug}/news/").status_code == 200
    assert client.get(f"/groups/{setup.group.slug}/news/new").status_code == 200
    response = client.post(f"/groups/{setup.group.slug}/news/new", data=LIST_FORM)
    assert response.status_code == 302
    mlist = db.session.scalar(sa.select(MailingList).filter_by(slug="lakeside-news"))
    assert mlist.group_id == setup.group.id and mlist.consent_version == 1
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "/news/lakeside-news" in page.get_data(as_text=True)
    changed = {**LIST_FORM, "consent_wording": "Yes please."}
    client.post(f"/groups/{setup.group.slug}/news/{mlist.id}/settings", data=changed)
    assert helpers.reload(mlist).consent_version == 2


def test_bad_list_input_is_refused_beside_its_field(client, setup):
    login(client, "sec@example.org")
    for values in ({"slug": "Bad Slug!"}, {"slug": "tuesday-news"}, {"name": ""}, {"visibility": "secret"}):
        response = client.post(f"/groups/{setup.group.slug}/news/new", data={**LIST_FORM, **values})
        assert response.status_code == 422, values
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailingList)) == 1


def test_an_org_admin_manages_the_organisations_lists(client, setup):
    login(client, "orgadmin@example.org")
    org = setup.group.organisation
    response = client.post(f"/orgs/{org.slug}/news/new", data=LIST_FORM)
    assert response.status_code == 302
    mlist = db.session.scalar(sa.select(MailingList).filter_by(slug="lakeside-news"))
    assert mlist.organisation_id == org.id and mlist.group_id is None
    assert client.get(f"/orgs/{org.slug}/news/{mlist.id}/").status_code == 200
    # A group's list is not reachable under the organisation's pages.
    assert client.get(f"/orgs/{org.slug}/news/{setup.mlist.id}/").status_code == 404


def test_who_may_see_a_groups_lists(app, client, setup):
    url = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/"
    factories.member(setup.group, "leader", email="leader@example.org")
    other = factories.group()
    factories.member(other, "secretary", email="other@example.org")
    assert client.get(url).status_code == 302  # to the login page
    login(client, "leader@example.org")
    assert client.get(url).status_code == 403
    stranger = app.test_client()
    login(stranger, "other@example.org")
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/groups/{other.slug}/news/{setup.mlist.id}/").status_code == 404


def test_changes_go_to_the_change_log_without_personal_values(client, setup):
    login(client, "sec@example.org")
    client.post(f"/groups/{setup.group.slug}/news/new", data=LIST_FORM)
    add = f"/groups/{setup.group.slug}/news/{setup.mlist.id}/add"
    client.post(add, data={"email": "kim@example.net", "how": "Asked at the meeting"})
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events if e.action.startswith("newsletter.")]
    assert actions[-2:] == ["newsletter.list_saved", "newsletter.added_by_hand"]
    assert all(e.group_id == setup.group.id and e.actor_id == setup.secretary.id for e in events[-2:])
    assert "kim@" not in str([e.details for e in events])
    log_page = client.get(f"/groups/{setup.group.slug}/audit").get_data(as_text=True)
    assert "Subscriber added by hand" in log_page and "newsletter.added_by_hand" not in log_page
