"""An organisation's import: one file for the whole intergroup, split by each row's group; existing groups
matched by name or slug, new ones created with the fellowship chosen in the preview, one preview with a
section per group, one confirm. Organisation admins only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.meetings import importer
from groupadmin.meetings.models import Meeting
from tests import factories
from tests.conftest import NOW, login
from tests.meetings.import_helpers import form_fields

FEED = (Path(__file__).parent / "data" / "intergroup_feed.csv").read_text()


@pytest.fixture
def org(app):
    org = factories.organisation(slug="lakes")
    org.timezone = "America/New_York"
    factories.group(org, "lakeside-group", name="Lakeside Group")
    db.session.commit()
    return org


def meetings_by_group() -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for group_name, slug in db.session.execute(sa.select(Group.name, Meeting.slug).join(Meeting.group)):
        result.setdefault(group_name, set()).add(slug)
    return result


def test_the_file_is_split_by_group(org):
    plan = importer.plan_org_import(org, "feed.csv", FEED, now=NOW)
    sections = {s.name: (s.is_new, [r.slug for r in s.rows]) for s in plan.sections}
    assert sections == {
        "District 4": (True, ["valley-wed"]),
        "Hill Group": (True, ["hill-mon", "hill-sat"]),
        "Lakeside Group": (False, ["lakeside-tue", "lakeside-fri"]),
    }
    assert [kind for kind, _, rows in plan.summary()] == ["when"]
    assert meetings_by_group() == {}


def test_an_org_admin_imports_three_groups_in_one_confirm(client, org):
    factories.org_member(org, "admin", email="admin@example.org")
    login(client, "admin@example.org")
    upload = {"file": (io.BytesIO(FEED.encode()), "feed.csv")}
    page = client.post("/orgs/lakes/meetings/import", data=upload, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "<h3>District 4</h3>" in text and "<h3>Hill Group</h3>" in text and "<h3>Lakeside Group</h3>" in text
    )
    assert "2 new groups will be created" in text
    fields = form_fields(text, skip_bad="y", timezone="America/Chicago")
    fields[next(k for k, v in fields.items() if v == "Hill Group").replace("key", "fellowship")] = "na"
    preview = client.post("/orgs/lakes/meetings/import/apply", data=fields).get_data(as_text=True)
    assert "Import 4 meetings" in preview and meetings_by_group() == {}
    done = client.post("/orgs/lakes/meetings/import/apply", data=form_fields(preview))
    assert done.status_code == 302
    assert meetings_by_group() == {
        "District 4": {"valley-wed"},
        "Hill Group": {"hill-mon"},
        "Lakeside Group": {"lakeside-tue", "lakeside-fri"},
    }
    hill = db.session.scalar(sa.select(Group).where(Group.name == "Hill Group"))
    assert hill.fellowship == "na" and hill.organisation_id == org.id
    district = db.session.scalar(sa.select(Group).where(Group.name == "District 4"))
    assert district.fellowship == "aa"
    hill_mon = db.session.scalar(sa.select(Meeting).where(Meeting.slug == "hill-mon"))
    assert hill_mon.attendance == "hybrid" and hill_mon.latest_schedule.timezone == "America/Chicago"
    # The same file again: everything matched, nothing created.
    plan = importer.plan_org_import(org, "feed.csv", FEED, now=NOW)
    assert all(not s.is_new for s in plan.sections)
    assert plan.count("create") == 0


@pytest.mark.parametrize("role", ["secretary", "coordinator"])
def test_only_org_admins_import_for_the_organisation(client, org, role):
    if role == "secretary":
        factories.member(db.session.scalar(sa.select(Group)), "secretary", email="who@example.org")
    else:
        factories.org_member(org, "coordinator", email="who@example.org")
    login(client, "who@example.org")
    assert client.get("/orgs/lakes/meetings/import").status_code in (403, 404)
