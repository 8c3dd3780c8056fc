"""The directory: who edits what, another owner's entries answer 404, validation beside the field,
crisis lines first, mark as checked, delete after a confirmation, the public pages and their query
count, and what other domains read (welcome selection, crisis lines)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.resources import services
from groupadmin.resources.models import Resource
from tests import factories
from tests.conftest import NOW, login


@pytest.fixture
def setup(app):
    org = factories.organisation()
    group = factories.group(org)
    other_org = factories.organisation()
    other_group = factories.group(other_org)
    factories.org_member(org, "admin", email="admin@example.org")
    factories.member(group, "secretary", email="sec@example.org")
    factories.member(group, "sponsor", email="sponsor@example.org")
    return org, group, other_org, other_group


def _entry_values(**values):
    return {"name": "Night Line", "kind": "crisis_line", "phone": "555-0100", **values}


def test_an_org_admin_adds_changes_checks_and_removes_an_entry(client, setup):
    org, *_ = setup
    login(client, "admin@example.org")
    page = client.get(f"/orgs/{org.slug}/resources/new")
    assert page.status_code == 200
    response = client.post(f"/orgs/{org.slug}/resources/new", data=_entry_values(is_24_7="y"))
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(Resource))
    assert (entry.group_id, entry.organisation_id, entry.is_24_7) == (None, org.id, True)
    assert entry.checked_at == NOW and entry.checked_by.email == "admin@example.org"
    listing = client.get(f"/orgs/{org.slug}/resources/")
    assert "Night Line" in listing.text and 'href="tel:5550100"' in listing.text

    response = client.post(
        f"/orgs/{org.slug}/resources/{entry.id}/edit", data=_entry_values(name="Night Line East")
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.name == "Night Line East" and entry.is_24_7 is False

    entry.checked_at = NOW.replace(year=2025)
    db.session.commit()
    assert "Due for a re-check" in client.get(f"/orgs/{org.slug}/resources/").text
    assert client.post(f"/orgs/{org.slug}/resources/{entry.id}/checked").status_code == 302
    db.session.refresh(entry)
    assert entry.checked_at == NOW

    confirm = client.get(f"/orgs/{org.slug}/resources/{entry.id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert db.session.get(Resource, entry.id) is not None  # nothing removed by looking
    assert client.post(f"/orgs/{org.slug}/resources/{entry.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 0


def test_a_javascript_link_is_refused_beside_the_field_and_what_was_typed_is_kept(client, setup):
    org, *_ = setup
    login(client, "admin@example.org")
    response = client.post(
        f"/orgs/{org.slug}/resources/new", data=_entry_values(url="javascript:alert(1)", hours="Weekdays")
    )
    assert response.status_code == 422
    assert re.search(r'id="url-error"[^>]*>Give a web address starting with https://', response.text)
    assert 'value="Weekdays"' in response.text and 'value="Night Line"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 0


def test_a_new_entrys_kind_starts_empty_and_must_be_chosen(client, setup):
    org, *_ = setup
    login(client, "admin@example.org")
    page = client.get(f"/orgs/{org.slug}/resources/new").text
    select = re.search(r'<select[^>]*name="kind"[^>]*>(.*?)</select>', page, re.S)
    assert "required" in re.search(r'<select[^>]*name="kind"[^>]*>', page).group(0)
    first = re.search(r"<option[^>]*>([^<]*)</option>", select.group(1))
    assert first.group(1) == "— choose —" and 'value=""' in first.group(0)
    assert 'selected value="crisis_line"' not in page and 'value="crisis_line" selected' not in page
    # Sent without choosing (no browser check): refused beside the field, nothing becomes a crisis line.
    response = client.post(f"/orgs/{org.slug}/resources/new", data=_entry_values(kind=""))
    assert response.status_code == 422
    assert re.search(r'id="kind-error"[^>]*>Choose a kind from the list.', response.text)
    assert 'value="Night Line"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 0


def test_a_web_address_without_https_is_completed_and_links_on_the_public_page(client, setup):
    org, *_ = setup
    login(client, "admin@example.org")
    response = client.post(f"/orgs/{org.slug}/resources/new", data=_entry_values(url="www.example.org/help"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Resource.url)) == "https://www.example.org/help"
    assert 'href="https://www.example.org/help"' in client.get(f"/resources/{org.slug}").text
    for hostile in ("javascript:alert(1)", "data:text/html,hi", "JaVaScRiPt:alert(1)", "ftp://example.org"):
        refused = client.post(f"/orgs/{org.slug}/resources/new", data=_entry_values(url=hostile))
        assert refused.status_code == 422, hostile
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 1


@pytest.mark.parametrize(
    "values, field",
    [
        ({"url": "ftp://example.org"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "data:text/html,hi"}, "url"),
        ({"url": "mailto:help@example.org"}, "url"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "", "url": ""}, "phone"),
        ({"name": " "}, "name"),
        ({"kind": "bar"}, "kind"),
    ],
)
def test_the_service_refuses_bad_values_naming_the_field(app, setup, values, field):
    org, *_ = setup
    with pytest.raises(services.ResourceError) as error:
        services.save_entry(org, None, _entry_values(**values), now=NOW, actor=None)
    assert field in error.value.problems


def test_a_secretary_edits_the_groups_entries_and_reads_the_organisations(client, setup):
    org, group, *_ = setup
    org_entry = factories.resource(org, name="Intergroup Housing")
    login(client, "sec@example.org")
    assert (
        client.post(
            f"/groups/{group.slug}/resources/new", data=_entry_values(name="Our coffee", kind="peer_recovery")
        ).status_code
        == 302
    )
    own = db.session.scalar(sa.select(Resource).where(Resource.group_id == group.id))
    assert own.organisation_id == org.id
    page = client.get(f"/groups/{group.slug}/resources/")
    assert "Our coffee" in page.text and "Intergroup Housing" in page.text
    assert f"/resources/{own.id}/edit" in page.text
    assert f"/resources/{org_entry.id}/edit" not in page.text  # the organisation's: read-only
    # The organisation's entry through the group's URLs: 404, as is the organisation's page.
    assert client.get(f"/groups/{group.slug}/resources/{org_entry.id}/edit").status_code == 404
    assert client.post(f"/groups/{group.slug}/resources/{org_entry.id}/delete").status_code == 404
    assert client.post(f"/groups/{group.slug}/resources/{org_entry.id}/checked").status_code == 404
    assert client.get(f"/orgs/{org.slug}/resources/").status_code == 404


def test_a_sponsor_reads_and_prints_but_does_not_edit(client, setup):
    org, group, *_ = setup
    own = factories.resource(group)
    login(client, "sponsor@example.org")
    page = client.get(f"/groups/{group.slug}/resources/")
    assert page.status_code == 200 and own.name in page.text and "/edit" not in page.text
    assert client.get(f"/groups/{group.slug}/resources/card").status_code == 200
    assert client.get(f"/groups/{group.slug}/resources/new").status_code == 403
    assert client.post(f"/groups/{group.slug}/resources/{own.id}/checked").status_code == 403


def test_another_organisations_and_groups_entries_answer_404(client, setup):
    org, group, other_org, other_group = setup
    theirs = factories.resource(other_org)
    their_group_entry = factories.resource(other_group)
    group_entry = factories.resource(group)
    login(client, "admin@example.org")
    for path in (
        f"/orgs/{org.slug}/resources/{theirs.id}/edit",
        f"/orgs/{org.slug}/resources/{theirs.id}/delete",
        f"/orgs/{org.slug}/resources/{group_entry.id}/edit",  # a group's own is not the organisation's
        f"/orgs/{other_org.slug}/resources/",
        f"/groups/{other_group.slug}/resources/{their_group_entry.id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/orgs/{org.slug}/resources/{theirs.id}/checked").status_code == 404
    assert db.session.get(Resource, theirs.id) is not None


def test_the_recheck_setting_is_checked_beside_its_field(client, setup):
    org, *_ = setup
    login(client, "admin@example.org")
    response = client.post(f"/orgs/{org.slug}/resources/settings", data={"recheck_days": "5"})
    assert response.status_code == 422 and 'id="recheck_days-error"' in response.text
    assert client.post(f"/orgs/{org.slug}/resources/settings", data={"recheck_days": "90"}).status_code == 302
    assert services.recheck_days(org.id) == 90


def test_crisis_lines_come_first_everywhere(client, setup):
    org, group, *_ = setup
    factories.resource(org, "housing", name="A Housing")
    factories.resource(org, "crisis_line", name="Z Warmline")
    factories.resource(org, "crisis_line", name="Y Night Line", is_24_7=True)
    factories.resource(group, "employment", name="B Jobs")
    page = client.get(f"/resources/{org.slug}").text
    assert page.index("Y Night Line") < page.index("Z Warmline") < page.index("A Housing")
    assert "B Jobs" not in page  # a group's own entry is on the group's variant only
    group_page = client.get(f"/resources/{org.slug}/{group.slug}").text
    assert group_page.index("Z Warmline") < group_page.index("A Housing") < group_page.index("B Jobs")
    login(client, "admin@example.org")
    admin_page = client.get(f"/orgs/{org.slug}/resources/").text
    assert admin_page.index("Y Night Line") < admin_page.index("A Housing")


def test_the_public_pages_need_no_account_and_show_tel_links(client, setup):
    org, group, other_org, other_group = setup
    factories.resource(org, "crisis_line", name="Night Line", phone="+1 (555) 010-0 ext. 12")
    page = client.get(f"/resources/{org.slug}")
    assert page.status_code == 200
    assert 'href="tel:+15550100;ext=12"' in page.text
    assert "<script" not in page.text.split("</head>")[1]
    assert client.get(f"/resources/{org.slug}/{group.slug}").status_code == 200
    assert client.get(f"/resources/{org.slug}/{other_group.slug}").status_code == 404  # another org's group
    assert client.get(f"/resources/{org.slug}/nobody").status_code == 404
    assert client.get("/resources/nowhere").status_code == 404


def test_an_empty_directory_says_so(client, setup):
    org, *_ = setup
    assert "No entry yet" in client.get(f"/resources/{org.slug}").text


def test_the_public_page_keeps_its_query_count_as_entries_grow(client, setup, count_queries):
    org, group, *_ = setup
    factories.resource(org, "crisis_line")
    factories.resource(group, "housing")

    def measure():
        with count_queries() as q:
            assert client.get(f"/resources/{org.slug}/{group.slug}").status_code == 200
        return q.count

    few = measure()
    for n in range(20):
        factories.resource(org if n % 2 else group, ("housing", "legal_aid", "crisis_line")[n % 3])
    assert measure() == few


def test_the_managers_page_keeps_its_query_count_as_entries_grow(client, setup, count_queries):
    org, group, *_ = setup
    factories.resource(group, "housing")
    login(client, "sec@example.org")

    def measure():
        with count_queries() as q:
            assert client.get(f"/groups/{group.slug}/resources/").status_code == 200
        return q.count

    few = measure()
    for n in range(10):
        factories.resource(org if n % 2 else group, "legal_aid")
    assert measure() == few


def test_welcome_selection_and_crisis_lines_for_other_domains(app, setup):
    org, group, other_org, other_group = setup
    factories.resource(org, "housing", name="Org Housing")
    factories.resource(org, "legal_aid", name="Org Legal")
    factories.resource(group, "employment", name="Group Jobs")
    factories.resource(org, "crisis_line", name="Warmline")
    factories.resource(org, "crisis_line", name="Night Line", is_24_7=True)
    factories.resource(other_org, "crisis_line", name="Elsewhere")
    factories.resource(other_group, "housing", name="Their group")

    chosen = services.welcome_selection(org.id, group.id)
    assert [r.name for r in chosen] == ["Night Line", "Warmline", "Group Jobs", "Org Housing", "Org Legal"]
    assert services.welcome_selection(org.id, group.id, limit=3) == chosen[:3]
    first = chosen[0]
    assert (first.phone, first.is_24_7, first.kind_label, first.url, first.hours) == (
        first.phone,
        True,
        "Crisis lines",
        None,
        None,
    )
    assert [r.name for r in services.welcome_selection(org.id, None)][:2] == ["Night Line", "Warmline"]
    assert "Group Jobs" not in [r.name for r in services.welcome_selection(org.id, None)]
    assert [r.name for r in services.crisis_lines(org.id)] == ["Night Line", "Warmline"]
    assert services.crisis_lines(factories.organisation().id) == []


def test_changes_are_in_the_change_log_without_personal_values(client, setup):
    org, group, *_ = setup
    login(client, "sec@example.org")
    client.post(f"/groups/{group.slug}/resources/new", data=_entry_values(name="Secret Name Line"))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "resource.created"))
    assert event.group_id == group.id
    assert "Secret Name Line" not in str(event.details)


def test_the_public_page_and_form_errors_speak_spanish_in_the_same_register(client, setup):
    org, *_ = setup
    factories.resource(org)
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    public = client.get(f"/resources/{org.slug}", headers=spanish).text
    assert "Llama antes de ir" in public and "Llame" not in public and "usted" not in public
    # WTForms' own messages (required, too long) come in Spanish on a Spanish page.
    login(client, "admin@example.org")
    response = client.post(
        f"/orgs/{org.slug}/resources/new",
        data=_entry_values(name="", note="y" * 501),
        headers=spanish,
    )
    assert response.status_code == 422
    assert re.search(r'id="name-error"[^>]*>Este campo es obligatorio.', response.text)
    assert re.search(r'id="note-error"[^>]*>El campo no puede tener más de 500 caracteres.', response.text)
    assert "This field is required." not in response.text


def test_the_note_says_its_limit_before_the_browser_cuts_it(client, setup):
    org, *_ = setup
    login(client, "admin@example.org")
    page = client.get(f"/orgs/{org.slug}/resources/new").text
    assert re.search(r'<textarea[^>]*maxlength="500"', page) or 'maxlength="500"' in page
    assert re.search(r'id="note-help"[^>]*>[^<]*Up to 500 characters.', page)
