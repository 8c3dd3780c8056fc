"""Import: Meeting Guide JSON and CSV (spec columns and the 12 Step Meeting List export), a preview that
changes nothing, bad rows that stop everything, and a second import that updates by slug."""

from __future__ import annotations

import io
import json
from datetime import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.meetings import importer
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.meetings.schedule import Rule
from tests import factories
from tests.conftest import NOW, login
from tests.meetings.import_helpers import form_fields

TSML_CSV = (Path(__file__).parent / "data" / "tsml_export.csv").read_text()


def meeting_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))


@pytest.fixture
def group(app):
    return factories.group(factories.organisation(slug="lakes"), "tuesday-group", name="Tuesday Group")


def test_tsml_csv_export_is_understood(group):
    plan = importer.plan_import(group, "export.csv", TSML_CSV, now=NOW)
    assert plan.ok, [(r.number, [str(e) for e in r.errors]) for r in plan.rows]
    big_book, online, sabado = plan.rows
    assert big_book.rule == Rule("weekly", 1, None, None, time(19, 30), 60, group.timezone)
    assert big_book.values["types"] == ["B", "O", "X"] and big_book.values["attendance"] == "in_person"
    assert big_book.values["address"] == "120 Lake Street" and big_book.values["city"] == "Lakeside"
    assert (
        online.values["attendance"] == "online" and online.values["conference_url"] == "https://zoom.us/j/123"
    )
    assert (
        sabado.rule.weekday == 5 and sabado.rule.start_time == time(8) and sabado.rule.duration_minutes == 90
    )
    assert sabado.values["formatted_address"] == "5 Oak Road, Lakeside, NY 12345, US"
    assert any("Custom Type" in str(w) for w in sabado.warnings)
    mapping = dict(plan.columns)
    assert (
        mapping["Contact 1 Name"] is None
        and mapping["Group"] == "group"
        and mapping["Conference URL"] == "conference_url"
    )
    # Nothing changed by planning.
    assert meeting_count() == 0
    importer.apply_import(group, "export.csv", TSML_CSV, actor=None, now=NOW, weeks=4)
    db.session.commit()
    slugs = set(db.session.scalars(sa.select(Meeting.slug)))
    assert slugs == {"tuesday-night", "lunchtime", "sabado"}
    assert "bob" not in json.dumps([m.__dict__.get("notes") for m in db.session.scalars(sa.select(Meeting))])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Occurrence)) == 12


def test_a_file_with_bad_rows_changes_nothing_and_reports_each_error(group):
    existing = factories.meeting(group, "Keep me", slug="keep-me")
    other_group = factories.group(group.organisation, "other")
    factories.meeting(other_group, "Theirs", slug="theirs")
    bad = json.dumps(
        [
            {
                "name": "Fine",
                "slug": "fine",
                "day": 2,
                "time": "19:00",
                "formatted_address": "1 A St, B, C 1, USA",
            },
            {"name": "", "slug": "no-name", "day": 9, "time": "25:99"},
            {"name": "Online, no link", "slug": "no-link", "day": 1, "time": "18:00", "types": ["ONL"]},
            {
                "name": "Bad link",
                "slug": "bad-link",
                "day": 1,
                "time": "18:00",
                "conference_url": "zoom.us/j/1",
            },
            {
                "name": "Dup",
                "slug": "fine",
                "day": 3,
                "time": "19:00",
                "formatted_address": "1 A St, B, C 1, USA",
            },
            {
                "name": "Stolen slug",
                "slug": "theirs",
                "day": 3,
                "time": "19:00",
                "formatted_address": "1 A, B, C, D",
            },
            {
                "name": "Keep me, renamed",
                "slug": "keep-me",
                "day": 1,
                "time": "19:00",
                "timezone": "Mars/Olympus",
                "formatted_address": "1 A St, B, C 1, USA",
            },
        ]
    )
    plan = importer.plan_import(group, "feed.json", bad, now=NOW)
    assert not plan.ok
    errors = {row.slug: " ".join(str(e) for e in row.errors) for row in reversed(plan.rows)}
    assert errors["fine"] == "" and "Name" in errors["no-name"] and "Day" in errors["no-name"]
    assert "Time" in errors["no-name"]
    assert "conference" in errors["no-link"] and "https" in errors["bad-link"]
    assert "another group" in errors["theirs"]
    assert "time zone" in errors["keep-me"].lower()
    assert any("row 1" in str(e) for e in plan.rows[4].errors)
    before = meeting_count()
    with pytest.raises(importer.ImportFileError):
        importer.apply_import(group, "feed.json", bad, actor=None, now=NOW, weeks=4)
    db.session.rollback()
    assert meeting_count() == before
    assert db.session.get(Meeting, existing.id).name == "Keep me"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.json", "{not json", "could not be read"),
        ("x.json", '{"a": 1}', "list of meetings"),
        ("x.csv", "foo,bar\n1,2\n", "heading row"),
        ("x.json", "[]", "no meetings"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(group, name, content, message):
    with pytest.raises(importer.ImportFileError) as error:
        importer.plan_import(group, name, content, now=NOW)
    assert message in str(error.value)


def test_a_second_import_updates_by_slug_and_archives_only_when_asked(group):
    first = [
        {
            "name": "Tuesday",
            "slug": "tue",
            "day": 2,
            "time": "19:00",
            "formatted_address": "1 A St, B, C 1, USA",
        },
        {
            "name": "Friday",
            "slug": "fri",
            "day": 5,
            "time": "20:00",
            "formatted_address": "1 A St, B, C 1, USA",
        },
    ]
    importer.apply_import(group, "a.json", json.dumps(first), actor=None, now=NOW, weeks=4)
    db.session.commit()
    tue = db.session.scalar(sa.select(Meeting).where(Meeting.slug == "tue"))
    tue.private_notes = "kept"
    db.session.commit()
    second = [
        {
            "name": "Tuesday Night",
            "slug": "tue",
            "day": 3,
            "time": "19:30",
            "formatted_address": "1 A St, B, C 1, USA",
        },
    ]
    plan = importer.plan_import(group, "b.json", json.dumps(second), now=NOW)
    assert [row.action for row in plan.rows] == ["update"]
    importer.apply_import(group, "b.json", json.dumps(second), actor=None, now=NOW, weeks=4)
    db.session.commit()
    assert meeting_count() == 2
    tue = db.session.get(Meeting, tue.id)
    assert tue.name == "Tuesday Night" and tue.private_notes == "kept"
    assert tue.latest_schedule.weekday == 2 and tue.latest_schedule.start_time == time(19, 30)
    assert db.session.scalar(sa.select(Meeting.status).where(Meeting.slug == "fri")) == "active"
    # The same file again: unchanged.
    assert [r.action for r in importer.plan_import(group, "b.json", json.dumps(second), now=NOW).rows] == [
        "unchanged"
    ]
    importer.apply_import(
        group, "b.json", json.dumps(second), actor=None, now=NOW, weeks=4, archive_missing=True
    )
    db.session.commit()
    assert db.session.scalar(sa.select(Meeting.status).where(Meeting.slug == "fri")) == "archived"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "meetings.imported").order_by(AuditEvent.id.desc())
    ).first()
    assert event.details["archived"] == 1


def test_import_through_the_pages_previews_then_applies(client, group):
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    upload = {"file": (io.BytesIO(TSML_CSV.encode()), "export.csv")}
    preview = client.post(
        "/groups/tuesday-group/meetings/import", data=upload, content_type="multipart/form-data"
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Preview: nothing has changed yet" in page and "Tuesday Night Big Book" in page
    assert "Import 3 meetings" in page
    assert meeting_count() == 0
    applied = client.post("/groups/tuesday-group/meetings/import/apply", data=form_fields(page))
    assert applied.status_code == 302
    assert meeting_count() == 3
    bad = {"file": (io.BytesIO(b'[{"name": "x", "day": 12, "time": "7"}]'), "bad.json")}
    page = client.post("/groups/tuesday-group/meetings/import", data=bad, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "1 row has problems" in text and "Import 1 meeting" not in text
    wrong_type = {"file": (io.BytesIO(b"hello"), "notes.pdf")}
    page = client.post(
        "/groups/tuesday-group/meetings/import", data=wrong_type, content_type="multipart/form-data"
    )
    assert page.status_code == 422 and "Choose a .json or .csv file." in page.get_data(as_text=True)


def test_a_deeply_nested_json_file_is_refused_with_a_message_not_a_500(client, group):
    nested = "[" * 100_000 + "]" * 100_000
    with pytest.raises(importer.ImportFileError) as error:
        importer.plan_import(group, "deep.json", nested, now=NOW)
    assert "could not be read" in str(error.value)
    factories.member(group, "secretary", email="sec@example.org")
    login(client, "sec@example.org")
    upload = {"file": (io.BytesIO(nested.encode()), "deep.json")}
    page = client.post(
        "/groups/tuesday-group/meetings/import", data=upload, content_type="multipart/form-data"
    )
    assert page.status_code == 422 and "could not be read" in page.get_data(as_text=True)
    applied = client.post(
        "/groups/tuesday-group/meetings/import/apply",
        data={"content": nested, "filename": "deep.json", "archive_missing": "", "timezone": "UTC"},
    )
    assert applied.status_code == 302 and meeting_count() == 0
