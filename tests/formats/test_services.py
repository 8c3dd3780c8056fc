"""Formats: versions are immutable, a date's script is derived (never rewritten by later edits), a date
can choose its own format or version, starters and copies, differences, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.formats import services, starters
from groupadmin.formats.models import FormatSection, FormatVersion, ImmutableVersionError, MeetingFormat
from groupadmin.meetings.models import Occurrence
from groupadmin.rota import services as rota_services
from tests import factories
from tests.conftest import NOW
from tests.formats.helpers import make_format, titles

DAY = timedelta(days=1)


def _occurrences(meeting) -> list[Occurrence]:
    return list(
        db.session.scalars(
            sa.select(Occurrence).where(Occurrence.meeting_id == meeting.id).order_by(Occurrence.starts_at)
        )
    )


def _edit_title(fmt, key, title, now):
    section = services.section_in_working_copy(fmt, key)
    values = services.section_values(section) | {"title": title}
    services.edit_section(fmt, key, actor=None, now=now, values=values)


@pytest.mark.postgres
def test_editing_a_format_never_changes_what_a_past_date_shows(app):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=8)
    fmt = make_format(group, now=NOW, meeting=meeting)
    first, second, third = _occurrences(meeting)[:3]

    # After the first date has started, the secretary renames a section and saves version 2.
    after_first = first.starts_at + timedelta(hours=2)
    _edit_title(fmt, 1, "Welcome and moment of quiet", after_first)
    services.save_version(fmt, actor=None, now=after_first)
    # ... and after the second, version 3.
    after_second = second.starts_at + timedelta(minutes=1)
    services.move_section(fmt, 4, "top", actor=None, now=after_second)
    services.save_version(fmt, actor=None, now=after_second)
    db.session.commit()

    scripts = services.scripts_for([first, second, third])
    assert [scripts[o.id].version.number for o in (first, second, third)] == [1, 2, 3]
    assert titles(scripts[first.id].version) == ["Welcome", "Readings", "Shares", "Close"]
    assert titles(scripts[second.id].version)[0] == "Welcome and moment of quiet"
    assert titles(scripts[third.id].version)[0] == "Close"

    # An unsaved draft changes no date at all.
    _edit_title(fmt, 2, "Draft only", after_second + DAY)
    db.session.commit()
    assert services.scripts_for([third])[third.id].version.number == 3


def test_a_saved_version_cannot_be_changed_or_deleted(app):
    group = factories.group()
    fmt = make_format(group, now=NOW)
    version = services.latest_version(fmt)
    version.sections[0].title = "Rewritten history"
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    version = services.latest_version(fmt)
    version.sections.append(FormatSection(key=99, position=9, kind="custom", title="Sneaked in"))
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    version = services.latest_version(fmt)
    version.note = "Changed note"
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ImmutableVersionError):
        db.session.delete(services.latest_version(fmt))
        db.session.flush()
    db.session.rollback()


def test_edits_go_to_one_draft_with_stable_keys_and_saving_numbers_it(app):
    group = factories.group()
    fmt = make_format(group, now=NOW)
    services.move_section(fmt, 2, "down", actor=None, now=NOW + DAY)
    services.add_section(
        fmt,
        actor=None,
        now=NOW + DAY,
        place="after-1",
        values={"kind": "seventh_tradition", "title": "7th Tradition", "body": "", "duration_minutes": 3},
    )
    services.remove_section(fmt, 4, actor=None, now=NOW + DAY)
    draft = services.draft_of(fmt)
    assert [(s.key, s.title) for s in draft.sections] == [
        (1, "Welcome"),
        (5, "7th Tradition"),
        (3, "Shares"),
        (2, "Readings"),
    ]
    assert [s.position for s in draft.sections] == [0, 1, 2, 3]
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FormatVersion)
            .where(FormatVersion.format_id == fmt.id, FormatVersion.number.is_(None))
        )
        == 1
    )
    version = services.save_version(fmt, actor=None, now=NOW + DAY, note="Reordered")
    assert version.number == 2 and services.draft_of(fmt) is None
    assert titles(services.version_by_number(fmt, 1)) == ["Welcome", "Readings", "Shares", "Close"]


def test_saving_without_a_change_is_refused(app):
    group = factories.group()
    fmt = make_format(group, now=NOW)
    with pytest.raises(services.FormatError):
        services.save_version(fmt, actor=None, now=NOW + DAY)
    services.move_section(fmt, 1, "down", actor=None, now=NOW + DAY)
    services.move_section(fmt, 1, "up", actor=None, now=NOW + DAY)
    with pytest.raises(services.FormatError, match="Nothing has changed"):
        services.save_version(fmt, actor=None, now=NOW + DAY)


@pytest.mark.postgres
def test_a_date_can_use_another_format_or_a_pinned_version(app):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=8)
    usual = make_format(group, now=NOW, meeting=meeting, name="Usual")
    special = make_format(
        group,
        now=NOW,
        name="Anniversary",
        sections=[
            {"kind": "speaker", "title": "Anniversary speaker", "body": "", "duration_minutes": 40},
        ],
    )
    first, second = _occurrences(meeting)[:2]
    services.set_date_format(first, actor=None, now=NOW, fmt=special)
    pinned = services.latest_version(usual)
    services.set_date_format(second, actor=None, now=NOW, fmt=usual, version=pinned)
    # A later save of the usual format reaches neither the pinned date nor the special one.
    _edit_title(usual, 1, "New welcome", NOW + DAY)
    services.save_version(usual, actor=None, now=NOW + DAY)
    db.session.commit()
    scripts = services.scripts_for([first, second])
    assert scripts[first.id].format.name == "Anniversary" and scripts[first.id].overridden
    assert scripts[second.id].version.number == 1 and scripts[second.id].pinned
    # Clearing the override: the date follows the meeting's format again (version 2 was saved before it).
    services.set_date_format(second, actor=None, now=NOW + DAY, fmt=None)
    db.session.commit()
    assert services.scripts_for([second])[second.id].version.number == 2


def test_changing_a_meetings_format_keeps_the_format_of_dates_that_started(app):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=8)
    old = make_format(group, now=NOW, meeting=meeting, name="Old")
    new = make_format(group, now=NOW, name="New")
    first, second = _occurrences(meeting)[:2]
    services.assign_format(meeting, new, actor=None, now=first.starts_at + timedelta(hours=3))
    db.session.commit()
    scripts = services.scripts_for([first, second])
    assert scripts[first.id].format.id == old.id
    assert scripts[second.id].format.id == new.id
    assert services.meetings_using(new) == [meeting] and services.meetings_using(old) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingFormat)) == 2


def test_a_date_before_any_saved_version_shows_no_script(app):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=8)
    first, second = _occurrences(meeting)[:2]
    fmt = make_format(group, now=first.starts_at + DAY, meeting=None)
    services.assign_format(meeting, fmt, actor=None, now=NOW)
    db.session.commit()
    scripts = services.scripts_for([first, second])
    assert scripts[first.id].format.id == fmt.id and scripts[first.id].version is None
    assert scripts[second.id].version.number == 1


def test_starters_are_complete_and_reference_readings_by_title_and_page(app):
    group = factories.group(fellowship="aa")
    for key in starters.STARTERS:
        fmt = services.create_format(group, actor=None, now=NOW, name=f"From {key}", starter=key)
        version = services.latest_version(fmt)
        assert version.number == 1 and len(version.sections) >= 5
        assert {s.kind for s in version.sections} >= {"opening", "closing"}
        for section in version.sections:
            assert len(section.body) < 400  # summaries in our own words, never copied literature
            if section.body.startswith("Read:"):
                assert "p." in section.body or "(" in section.body
    open_version = services.latest_version(
        services.create_format(group, actor=None, now=NOW, name="Open", starter="open")
    )
    assert any("How It Works" in s.body and "p. 58" in s.body for s in open_version.sections)
    smart = services.create_format(
        factories.group(fellowship="smart"), actor=None, now=NOW, name="S", starter="open"
    )
    assert not any("Alcoholics" in s.body for s in services.latest_version(smart).sections)


def test_copy_of_another_format_takes_its_newest_saved_version(app):
    group = factories.group()
    source = make_format(group, now=NOW)
    _edit_title(source, 1, "Unsaved", NOW + DAY)  # a draft is not copied
    copy = services.create_format(group, actor=None, now=NOW + DAY, name="Copy", copy_of=source)
    assert titles(services.latest_version(copy)) == ["Welcome", "Readings", "Shares", "Close"]
    other_group = factories.group()
    with pytest.raises(services.FormatError):
        services.create_format(other_group, actor=None, now=NOW, name="Theirs", copy_of=source)


def test_names_are_unique_in_a_group_and_required(app):
    group = factories.group()
    make_format(group, now=NOW, name="Speaker")
    with pytest.raises(services.FormatError) as error:
        services.create_format(group, actor=None, now=NOW, name="speaker ")
    assert error.value.field == "name"
    with pytest.raises(services.FormatError):
        services.create_format(group, actor=None, now=NOW, name="   ")
    services.create_format(factories.group(), actor=None, now=NOW, name="Speaker")  # another group: fine


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "ritual", "title": "X"}, "kind"),
        ({"kind": "custom", "title": "  "}, "title"),
        ({"kind": "custom", "title": "X" * 121}, "title"),
        ({"kind": "custom", "title": "X", "duration_minutes": -1}, "duration_minutes"),
        ({"kind": "custom", "title": "X", "duration_minutes": 241}, "duration_minutes"),
        ({"kind": "custom", "title": "X", "body": "x" * 20_001}, "body"),
        ({"kind": "custom", "title": "X", "led_by": "x" * 61}, "led_by"),
    ],
)
def test_section_validation_names_the_field(app, values, field):
    with pytest.raises(services.FormatError) as error:
        services.clean_section_values(values)
    assert error.value.field == field


def test_difference_between_versions(app):
    group = factories.group()
    fmt = make_format(group, now=NOW)
    services.move_section(fmt, 4, "top", actor=None, now=NOW + DAY)
    section = services.section_in_working_copy(fmt, 3)
    services.edit_section(
        fmt,
        3,
        actor=None,
        now=NOW + DAY,
        values=services.section_values(section)
        | {"body": "Shares of 3 minutes.\nNo cross-talk.", "duration_minutes": 40},
    )
    services.remove_section(fmt, 2, actor=None, now=NOW + DAY)
    services.add_section(fmt, actor=None, now=NOW + DAY, values={"kind": "custom", "title": "Tidy up"})
    new = services.save_version(fmt, actor=None, now=NOW + DAY)
    old = services.version_by_number(fmt, 1)
    diffs = {d.section.title: d for d in services.diff_versions(old, new)}
    assert [d.section.title for d in services.diff_versions(old, new)] == [
        "Close",
        "Welcome",
        "Readings",
        "Shares",
        "Tidy up",
    ]
    assert diffs["Close"].moved and diffs["Close"].status == "unchanged"
    assert not diffs["Welcome"].moved
    assert diffs["Readings"].status == "removed" and diffs["Tidy up"].status == "added"
    assert diffs["Shares"].status == "changed"
    assert ("Minutes", "45 min", "40 min") in diffs["Shares"].changes
    assert ("+", "No cross-talk.") in diffs["Shares"].body


def test_archive_refused_while_a_meeting_uses_it_and_delete_only_when_never_used(app):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=8)
    used = make_format(group, now=NOW, meeting=meeting, name="Used")
    with pytest.raises(services.FormatError):
        services.archive_format(used, actor=None, now=NOW)
    with pytest.raises(services.FormatError):
        services.delete_format(used, actor=None, now=NOW)
    services.assign_format(meeting, None, actor=None, now=NOW + DAY)
    services.archive_format(used, actor=None, now=NOW + DAY)
    assert used.is_archived and services.group_formats(group) == []
    unused = make_format(group, now=NOW, name="Unused")
    services.delete_format(unused, actor=None, now=NOW)
    db.session.commit()
    assert [f.name for f in services.group_formats(group, archived=True)] == ["Used"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormatVersion)) == 1


def test_people_on_script_asks_the_rota(app, monkeypatch):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=8)
    occurrence = _occurrences(meeting)[0]

    assert services.people_on_script(occurrence) == []  # nobody on the rota of that date yet
    monkeypatch.setattr(
        rota_services, "people_for_occurrence", lambda occ: [("Chair", "Sam S."), ("Speaker", "Pat P.")]
    )
    assert services.people_on_script(occurrence) == [("Chair", "Sam S."), ("Speaker", "Pat P.")]


def test_a_meetings_own_copy_takes_a_free_name_and_replaces_the_shared_format(app):
    group = factories.group()
    meeting = factories.meeting(group, "Tuesday Night", now=NOW, weeks=2)
    shared = make_format(group, now=NOW, meeting=meeting)
    first = services.copy_for_meeting(meeting, actor=None, now=NOW + DAY)
    second = services.copy_for_meeting(meeting, actor=None, now=NOW + 2 * DAY)
    assert (first.name, second.name) == ("Tuesday Night format", "Tuesday Night format (2)")
    assert titles(services.latest_version(second)) == titles(services.latest_version(shared))
    assert services.meetings_using(second) == [meeting] and services.meetings_using(shared) == []
    lonely = factories.meeting(group, "Lonely", now=NOW, weeks=2)
    assert services.copy_for_meeting(lonely, actor=None, now=NOW) is None


def test_comparison_chooses_sensible_sides_and_nothing_without_a_version(app):
    group = factories.group()
    assert (
        services.comparison(
            services.create_format(group, actor=None, now=NOW, name="Blank"), None, "", with_draft=True
        )
        is None
    )
    fmt = make_format(group, now=NOW)
    _edit_title(fmt, 1, "Hello", NOW + DAY)
    services.save_version(fmt, actor=None, now=NOW + DAY)
    found = services.comparison(fmt, None, "", with_draft=True)
    assert (found.old.number, found.new.number, found.draft) == (1, 2, None)
    assert [d.status for d in found.diffs] == ["changed", "unchanged", "unchanged", "unchanged"]
    _edit_title(fmt, 1, "Draft only", NOW + 2 * DAY)
    found = services.comparison(fmt, 2, "draft", with_draft=True)
    assert found.old.number == 2 and found.new is found.draft and found.draft.number is None
    found = services.comparison(fmt, None, "zzz", with_draft=False)
    assert (found.old.number, found.new.number, found.draft) == (1, 2, None)
