"""Meetings and occurrences: the business rules. Callers (views, jobs, the CLI, the import) commit.

Every function takes the current time as ``now`` and how far ahead occurrences are kept as ``weeks``;
nothing here reads the clock, the request or the signed-in user.

The past is never rewritten: an occurrence that has started is history (a head count or a format may
hang off it), so schedule changes, pauses and regeneration only touch occurrences that start after ``now``.

Modules: `validation` (checks shared by the form and the import), `hooks` (the occurrence-change hook),
`generation` (dated occurrences), `meetings` (create, edit, pause, archive), `dates` (per-date changes),
`schedules` (a schedule change from a date), `notifications` (listing-change notices), `queries`
(reading, for pages, feeds and other domains).
"""

from groupadmin.meetings.services.dates import occurrence_values, update_occurrence
from groupadmin.meetings.services.generation import expected_dates, generate_occurrences
from groupadmin.meetings.services.hooks import OccurrenceChange, occurrences_changed, on_occurrences_changed
from groupadmin.meetings.services.meetings import (
    STATUSES,
    EditOutcome,
    create_meeting,
    edit_meeting,
    save_meeting,
    set_status,
    status_change_count,
    update_meeting,
)
from groupadmin.meetings.services.notifications import FIELD_LABELS, listing_watchers, notify_listing_change
from groupadmin.meetings.services.queries import (
    Page,
    PublicFilters,
    count_archived,
    current_schedule_join,
    group_meetings,
    listed_group,
    next_occurrences,
    organisation_by_slug,
    organisation_groups_with_listed_meetings,
    past_occurrences,
    past_occurrences_query,
    public_filter_choices,
    public_listing,
    public_meeting,
    public_meetings_query,
    public_type_codes,
    upcoming_occurrences,
)
from groupadmin.meetings.services.schedules import (
    SchedulePreview,
    change_schedule,
    describe_rule_plain,
    preview_schedule_change,
    schedule_change_problems,
    schedule_differs,
    schedule_token,
)
from groupadmin.meetings.services.validation import (
    ADDRESS_FIELDS,
    KNOWN_CONFERENCE_HOSTS,
    MEETING_FIELDS,
    WATCHED_FIELDS,
    MeetingError,
    clean_values,
    conference_host_is_known,
    finder_url,
    known_zones,
    listing_problems,
    listing_warnings,
    normalise_phone,
    one_off_problems,
    payment_handle,
    rule_problems,
    shifted_dates,
)

__all__ = [
    "ADDRESS_FIELDS",
    "FIELD_LABELS",
    "KNOWN_CONFERENCE_HOSTS",
    "MEETING_FIELDS",
    "STATUSES",
    "WATCHED_FIELDS",
    "EditOutcome",
    "MeetingError",
    "OccurrenceChange",
    "Page",
    "PublicFilters",
    "SchedulePreview",
    "change_schedule",
    "clean_values",
    "conference_host_is_known",
    "count_archived",
    "create_meeting",
    "current_schedule_join",
    "describe_rule_plain",
    "edit_meeting",
    "expected_dates",
    "finder_url",
    "generate_occurrences",
    "group_meetings",
    "listing_problems",
    "known_zones",
    "listing_warnings",
    "listing_watchers",
    "next_occurrences",
    "normalise_phone",
    "notify_listing_change",
    "occurrence_values",
    "occurrences_changed",
    "on_occurrences_changed",
    "one_off_problems",
    "organisation_by_slug",
    "listed_group",
    "organisation_groups_with_listed_meetings",
    "past_occurrences",
    "payment_handle",
    "past_occurrences_query",
    "preview_schedule_change",
    "public_filter_choices",
    "public_listing",
    "public_meeting",
    "public_meetings_query",
    "public_type_codes",
    "rule_problems",
    "save_meeting",
    "schedule_change_problems",
    "schedule_differs",
    "schedule_token",
    "set_status",
    "shifted_dates",
    "status_change_count",
    "update_meeting",
    "update_occurrence",
    "upcoming_occurrences",
]
