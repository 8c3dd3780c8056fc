"""Words (issue 15 item 6): the change log says what happened in words, with field labels, no internal
names or ids, in the group's local time with the zone named; counts use plural forms; import problems
name fields as people know them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.meetings import importer
from tests import factories
from tests.conftest import NOW, login


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_change_log_reads_in_words_in_local_time(app, client):
    group = factories.group()
    group.timezone = "America/Chicago"
    secretary = factories.member(group, "secretary", email="sec@example.org")
    audit.record(
        now=NOW,
        actor=secretary,
        action="rota_person.created",
        obj=group,
        object_type="rota_person",
        group=group,
        contact_changed=True,
        user_id=3,
        has_phone=False,
    )
    audit.record(
        now=NOW - timedelta(hours=1),
        actor=secretary,
        action="occurrence.updated",
        obj=group,
        object_type="occurrence",
        group=group,
        meeting_id=7,
        date="2026-11-24",
        fields=["status", "venue_location"],
    )
    audit.record(now=NOW, actor=None, action="something.new_kind", obj=group, group=group)
    db.session.commit()
    login(client, "sec@example.org")
    html = client.get(f"/groups/{group.slug}/audit").get_data(as_text=True)
    assert "When (America/Chicago)" in html and "UTC" not in html
    assert re.search(r"Nov 21, 2026, 12:00\s?PM CST", html)  # 18:00 UTC in Chicago
    assert "Rota person added" in html and "Contact details changed: yes" in html
    assert "One date changed" in html and "Changed: Cancelled or not, Other venue" in html
    assert "Date: Nov 24, 2026" in html and "2026-11-24" not in html  # in the reader's words
    assert "Something new kind" in html
    for internal in (
        "rota_person.created",
        "contact_changed",
        "user_id",
        "meeting_id",
        "venue_location",
        ": 3",
    ):
        assert internal not in html


def test_import_problems_never_show_internal_field_names(app):
    group = factories.group()
    csv_text = "Name,Day,Time,End Time\nLong One,Tuesday,19:00,19:02\n"
    plan = importer.plan_import(group, "m.csv", csv_text, now=NOW)
    texts = " ".join(str(p.message) for row in plan.rows for p in row.errors)
    assert "duration_minutes" not in texts and "Length:" in texts


def test_a_rota_person_added_does_not_say_no_contact_details_changed(app, client):
    group = factories.group()
    secretary = factories.member(group, "secretary", email="sec@example.org")
    audit.record(
        now=NOW,
        actor=secretary,
        action="rota_person.created",
        obj=group,
        object_type="rota_person",
        group=group,
        contact_changed=False,
    )
    db.session.commit()
    login(client, "sec@example.org")
    html = client.get(f"/groups/{group.slug}/audit").get_data(as_text=True)
    assert "Rota person added" in html and "Contact details changed" not in html


def test_the_change_log_names_the_volunteer_given_a_newcomer_and_pages(app, client):
    group = factories.group()
    secretary = factories.member(group, "secretary", email="sec@example.org")
    sponsor = factories.member(group, "sponsor", name="Sam the sponsor.")
    gone = factories.member(group, "sponsor")
    for volunteer in (sponsor, gone):
        audit.record(
            now=NOW,
            actor=secretary,
            action="outreach.assigned",
            obj=group,
            object_type="newcomer",
            group=group,
            volunteer_id=volunteer.id,
        )
    for n in range(audit.PER_PAGE):
        audit.record(
            now=NOW - timedelta(days=1, minutes=n), actor=secretary, action="group.updated", group=group
        )
    db.session.delete(gone)
    db.session.commit()
    login(client, "sec@example.org")
    html = client.get(f"/groups/{group.slug}/audit").get_data(as_text=True)
    assert "Newcomer given to a volunteer" in html and "Volunteer: Sam the sponsor." in html
    assert html.count("Volunteer:") == 1  # an account since removed is named by nobody, not by its id
    assert "Page 1 of 2" in html and "page=2" in html
    older = client.get(f"/groups/{group.slug}/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in older and "Group settings changed" in older and "Newcomer given" not in older
