"""Organisations, groups, roles, hand-over and the audit log."""

from __future__ import annotations

import pytest

from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.groups.models import Group, Membership, Organisation
from tests import factories
from tests.conftest import login


def test_site_admin_creates_an_organisation_and_admin_creates_a_group(client):
    factories.user("root@example.org", site_admin=True)
    login(client, "root@example.org")
    response = client.post(
        "/orgs/",
        data={"name": "Riverside Intergroup", "slug": "", "timezone": "Europe/London", "locale": "en"},
    )
    assert response.status_code == 302
    org = db.session.scalar(db.select(Organisation).filter_by(slug="riverside-intergroup"))
    assert org.timezone == "Europe/London"
    page = client.get(f"/orgs/{org.slug}/").text
    assert '<option selected value="Europe/London">' in page  # the organisation's zone is offered first
    data = {"name": "Monday Step Group", "fellowship": "aa", "slug": "", "timezone": "Europe/Dublin"}
    response = client.post(f"/orgs/{org.slug}/groups/new", data=data)
    assert response.status_code == 302
    group = db.session.scalar(db.select(Group).filter_by(slug="monday-step-group"))
    assert group.timezone == "Europe/Dublin", "the zone asked when the group is made"
    members = client.get(response.headers["Location"]).text
    assert "Invite its secretary next" in members
    assert '<option selected value="secretary">' in members  # a group without a secretary asks for one


def test_bad_organisation_input_is_shown_beside_the_field(client):
    factories.organisation(slug="taken")
    factories.user("root@example.org", site_admin=True)
    login(client, "root@example.org")
    response = client.post(
        "/orgs/", data={"name": "Mine", "slug": "taken", "timezone": "Mars/Olympus", "locale": "en"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a time zone from the list." in html or "Not a valid choice" in html
    bad_slug = client.post(
        "/orgs/", data={"name": "Mine", "slug": "Not A Slug!", "timezone": "UTC", "locale": "en"}
    )
    assert b"lower-case letters" in bad_slug.data
    assert b'value="Mine"' in bad_slug.data
    taken = client.post("/orgs/", data={"name": "Mine", "slug": "taken", "timezone": "UTC", "locale": "en"})
    assert b"That address is taken" in taken.data
    reserved = client.post("/orgs/", data={"name": "Mine", "slug": "cal", "timezone": "UTC", "locale": "en"})
    assert b"That address is reserved" in reserved.data
    derived = client.post("/orgs/", data={"name": "Cal", "slug": "", "timezone": "UTC", "locale": "en"})
    assert derived.headers["Location"] == "/orgs/cal-intergroup/"


def test_secretary_edits_settings_and_the_change_is_audited_without_values(client):
    group = factories.group(name="Tuesday Night Group")
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    response = client.post(
        f"/groups/{group.slug}/settings",
        data={
            "name": "Tuesday Night Group",
            "fellowship": "aa",
            "timezone": "Europe/London",
            "locale": "es",
            "contact_email": "tng@example.org",
            "mail_naming": "group",
            "display_name": "Tuesday Friends",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert group.timezone == "Europe/London" and group.discreet_name == "Tuesday Friends"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="group.updated"))
    assert set(event.details["fields"]) == {"timezone", "locale", "contact_email", "display_name"}
    assert "tng@example.org" not in str(event.details)
    log = client.get(f"/groups/{group.slug}/audit").get_data(as_text=True)
    # In words, in the group's language (the locale was just set to Spanish), never the internal name.
    assert "Ajustes del grupo cambiados" in log and "group.updated" not in log


def test_bad_settings_keep_what_was_typed(client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    response = client.post(
        f"/groups/{group.slug}/settings",
        data={
            "name": "",
            "fellowship": "aa",
            "timezone": "UTC",
            "locale": "en",
            "contact_email": "not-an-email",
            "mail_naming": "group",
            "display_name": "Kept name",
        },
    )
    assert response.status_code == 200
    assert b"Invalid email address." in response.data
    assert b'value="Kept name"' in response.data


@pytest.mark.postgres
def test_the_last_secretary_is_removed_only_with_a_hand_over(client):
    group = factories.group()
    sec = factories.member(group, "secretary", email="sec@example.org", name="Sam S.")
    leader = factories.member(group, "leader", name="Lee L.")
    login(client, "sec@example.org")
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=sec.id, role="secretary"))
    page = client.get(f"/groups/{group.slug}/members/{membership.id}/remove")
    assert b"only secretary" in page.data

    refused = client.post(f"/groups/{group.slug}/members/{membership.id}/remove", data={"successor_id": "0"})
    assert b"A group always keeps a secretary" in refused.data
    assert db.session.get(Membership, membership.id) is not None

    done = client.post(
        f"/groups/{group.slug}/members/{membership.id}/remove", data={"successor_id": str(leader.id)}
    )
    assert done.status_code == 302
    db.session.expire_all()
    roles = {
        (m.user_id, m.role) for m in db.session.scalars(db.select(Membership).filter_by(group_id=group.id))
    }
    assert roles == {(leader.id, "leader"), (leader.id, "secretary")}
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="secretary.handed_over")) is not None
    assert client.get(f"/groups/{group.slug}/").status_code == 404, "the former secretary has no role left"


def test_a_second_secretary_can_be_removed_directly(client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    other = factories.member(group, "secretary")
    login(client, "sec@example.org")
    membership_id = db.session.scalar(db.select(Membership.id).filter_by(user_id=other.id))
    assert client.post(f"/groups/{group.slug}/members/{membership_id}/remove", data={}).status_code == 302
    assert db.session.scalar(db.select(Membership).filter_by(id=membership_id)) is None


def test_secretary_gives_a_member_another_role(client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    pat = factories.member(group, "sponsor")
    login(client, "sec@example.org")
    client.post(f"/groups/{group.slug}/members/add", data={"add-user_id": str(pat.id), "add-role": "leader"})
    roles = set(db.session.scalars(db.select(Membership.role).filter_by(user_id=pat.id)))
    assert roles == {"sponsor", "leader"}


def test_a_role_cannot_be_added_to_someone_outside_the_group(client):
    group = factories.group()
    factories.member(group, "secretary", email="sec@example.org")
    outsider = factories.user()
    login(client, "sec@example.org")
    response = client.post(
        f"/groups/{group.slug}/members/add", data={"add-user_id": str(outsider.id), "add-role": "leader"}
    )
    assert response.status_code == 422
    assert db.session.scalar(db.select(Membership).filter_by(user_id=outsider.id)) is None


def test_coordinator_sees_group_figures_but_no_names(client):
    org = factories.organisation()
    group = factories.group(org, name="Harbour Group")
    factories.member(group, "secretary", name="Secret Name S.")
    factories.org_member(org, "coordinator", email="coord@example.org")
    login(client, "coord@example.org")
    page = client.get(f"/orgs/{org.slug}/").get_data(as_text=True)
    assert "Harbour Group" in page
    assert "Secret Name" not in page
    assert f"/orgs/{org.slug}/meetings/import" not in page  # the import is for the organisation's admins


def test_the_organisation_page_leads_its_admins_to_the_import(client):
    org = factories.organisation()
    factories.org_member(org, "admin", email="admin@example.org")
    login(client, "admin@example.org")
    page = client.get(f"/orgs/{org.slug}/").get_data(as_text=True)
    assert f'href="/orgs/{org.slug}/meetings/import"' in page


def test_dashboard_query_count_does_not_grow_with_groups(client, count_queries):
    user = factories.user("sec@example.org")
    org = factories.organisation()
    login(client, "sec@example.org")

    def measure():
        with count_queries() as q:
            assert client.get("/").status_code == 200
        return q.count

    factories.org_member(org, "outreach", u=user)
    group = factories.group(org)
    factories.member(group, "secretary", u=user)
    factories.newcomer(group, phone="555-0100")
    factories.newcomer(org, phone="555-0199")
    few = measure()
    for n in range(15):
        group = factories.group(org)
        factories.member(group, "secretary", u=user)
        factories.newcomer(group, phone=f"555-01{n + 10}")
    assert measure() == few
    page = client.get("/").get_data(as_text=True)
    assert page.count("1 request for a call waits for a volunteer") == 17  # 16 groups, the organisation


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Tuesday\r\nBcc: all@example.org", "Keep this to one line."),
        ("Tuesday\x00Night", "Remove the invisible characters from this text."),
        ("Tuesday \u202egnineve", "Remove the invisible characters from this text."),
    ],
)
def test_one_line_fields_refuse_line_breaks_nul_and_direction_overrides(client, name, message):
    """A raw post can carry what no browser field would: refused beside the field, nothing stored."""

    group = factories.group(name="Tuesday Night")
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    data = {"name": name, "fellowship": "aa", "timezone": "UTC", "locale": "en", "mail_naming": "group"}
    response = client.post(f"/groups/{group.slug}/settings", data=data)
    assert response.status_code in (200, 422) and message in response.text
    db.session.expire_all()
    assert db.session.get(Group, group.id).name == "Tuesday Night"


def test_text_areas_keep_line_breaks_but_refuse_nul(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import StringField, TextAreaField

    from groupadmin.forms import AppForm

    class NoteForm(AppForm):
        title = StringField()
        note = TextAreaField()

    def problems(**data):
        with app.test_request_context(method="POST"):
            form = NoteForm(formdata=MultiDict(data), meta={"csrf": False})
            form.validate()
            return {name: [str(e) for e in errors] for name, errors in form.errors.items()}

    assert problems(title="Side door", note="Side door.\r\nRing twice.") == {}
    assert problems(title="Side door", note="Side\x00door") == {
        "note": ["Remove the invisible characters from this text."]
    }
    assert problems(title="Side\ndoor", note="") == {"title": ["Keep this to one line."]}


def test_a_name_stored_with_a_line_break_still_gets_its_mail(client):
    """Stored before forms refused it: the discreet name folds it, so invitations still go out."""
    group = factories.group(name="Tuesday")
    group.name = "Tuesday\r\nNight"
    db.session.commit()
    assert group.mail_name == "Tuesday Night"
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    data = {"invite-email": "new@example.net", "invite-role": "leader"}
    assert client.post(f"/groups/{group.slug}/members/invite", data=data).status_code == 200
