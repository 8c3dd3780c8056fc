"""Formats: the business rules. Callers (views, the demo, tests) commit.

Every function takes the current time as ``now`` and the acting user as ``actor``; nothing here reads the
clock, the request or the signed-in user.

Editing works on a draft: the first edit after a save copies the newest saved version into a draft
(sections keep their stable keys), later edits change the draft, and saving numbers it. A saved version
never changes again, so the script of a date is derived: the version a date uses is the newest one saved
before the date's occurrence started, unless the date chose another format or version.

The modules, by what they do:
  versions    reading formats and their versions (newest, draft, history)
  formats     creating, renaming, archiving, deleting; a meeting's own copy; the format's pages
  starting    what a new format starts from: a starter or a copy
  sections    editing sections in the draft; saving and discarding the draft
  diff        comparing two versions
  assigning   which format a meeting uses; the overview of the group's formats
  dates       which format and version a date uses; a date's own choice; a meeting's dates
  printing    the printable script of a date
  errors      FormatError
"""

from groupadmin.formats.services.assigning import (
    Overview,
    assign_format,
    current_assignments,
    current_format,
    group_meetings,
    meeting_minutes,
    meetings_using,
    overview,
)
from groupadmin.formats.services.dates import (
    DateChoices,
    DateScript,
    MeetingPage,
    date_choices,
    date_override,
    meeting_page,
    script_for,
    scripts_for,
    set_date_format,
    upcoming_and_recent,
)
from groupadmin.formats.services.diff import Comparison, SectionDiff, comparison, diff_versions
from groupadmin.formats.services.errors import FormatError
from groupadmin.formats.services.formats import (
    FormatPage,
    FormatUsage,
    NewFormatOptions,
    archive_format,
    copy_for_meeting,
    create_format,
    delete_format,
    format_page,
    new_format_options,
    restore_format,
    update_format,
    usage,
)
from groupadmin.formats.services.printing import (
    ScriptPage,
    next_date,
    people_on_script,
    script_page,
    section_times,
)
from groupadmin.formats.services.sections import (
    MAX_BODY_CHARS,
    MAX_SECTIONS,
    add_section,
    clean_section_values,
    discard_draft,
    edit_section,
    ensure_draft,
    has_changes,
    move_section,
    remove_section,
    save_version,
    section_in_working_copy,
)
from groupadmin.formats.services.starting import copied_sections, starter_sections, starting_sections
from groupadmin.formats.services.versions import (
    count_archived,
    draft_of,
    format_in_use,
    group_formats,
    history,
    latest_version,
    latest_versions,
    saved_versions,
    section_values,
    version_by_number,
    version_page,
    working_copy,
)

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_SECTIONS",
    "Comparison",
    "DateChoices",
    "DateScript",
    "FormatError",
    "FormatPage",
    "FormatUsage",
    "MeetingPage",
    "NewFormatOptions",
    "Overview",
    "ScriptPage",
    "SectionDiff",
    "add_section",
    "archive_format",
    "assign_format",
    "clean_section_values",
    "comparison",
    "copied_sections",
    "copy_for_meeting",
    "count_archived",
    "create_format",
    "current_assignments",
    "current_format",
    "date_choices",
    "date_override",
    "delete_format",
    "diff_versions",
    "discard_draft",
    "draft_of",
    "edit_section",
    "ensure_draft",
    "format_in_use",
    "format_page",
    "group_formats",
    "group_meetings",
    "has_changes",
    "history",
    "latest_version",
    "latest_versions",
    "meeting_minutes",
    "meeting_page",
    "meetings_using",
    "move_section",
    "new_format_options",
    "next_date",
    "overview",
    "people_on_script",
    "remove_section",
    "restore_format",
    "save_version",
    "saved_versions",
    "script_for",
    "script_page",
    "scripts_for",
    "section_in_working_copy",
    "section_times",
    "section_values",
    "set_date_format",
    "starter_sections",
    "starting_sections",
    "update_format",
    "upcoming_and_recent",
    "usage",
    "version_by_number",
    "version_page",
    "working_copy",
]
