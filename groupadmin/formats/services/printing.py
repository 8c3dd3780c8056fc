"""The printable script of a date: its sections with their start times, and the rota's names of that
date (the chair, the speaker…)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from groupadmin.formats.models import FormatSection, FormatVersion
from groupadmin.formats.services.dates import DateScript, script_for, upcoming_and_recent
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota import services as rota


def section_times(version: FormatVersion, start: datetime) -> list[tuple[FormatSection, datetime]]:
    """Each section with the time it starts, counting the expected durations from the meeting's start."""
    result, clock = [], start
    for section in version.sections:
        result.append((section, clock))
        clock += timedelta(minutes=section.duration_minutes or 0)
    return result


def people_on_script(occurrence: Occurrence) -> list[tuple[str, str]]:
    """(role name, display name) pairs to print on a date's script: the chair, the speaker… of that date.

    The one place the script asks the rota (issue 6): ``groupadmin.rota.services.people_for_occurrence``
    decides which roles and names.
    """
    return [(str(role), str(name)) for role, name in rota.people_for_occurrence(occurrence)]


@dataclass
class ScriptPage:
    script: DateScript
    timeline: list[tuple[FormatSection, datetime]]  # each section and its local start
    people: list[tuple[str, str]]  # (role name, display name)
    meeting_minutes: int


def script_page(occurrence: Occurrence) -> ScriptPage:
    script = script_for(occurrence)
    timeline = section_times(script.version, occurrence.local_start) if script.version else []
    return ScriptPage(
        script=script,
        timeline=timeline,
        people=people_on_script(occurrence),
        meeting_minutes=int((occurrence.ends_at - occurrence.starts_at).total_seconds() // 60),
    )


def next_date(meeting: Meeting, *, now: datetime) -> Occurrence | None:
    """The meeting's next date that has not ended (a stable link to its script)."""
    upcoming, _recent = upcoming_and_recent(meeting, now=now, ahead=1, past=0)
    return upcoming[0] if upcoming else None
