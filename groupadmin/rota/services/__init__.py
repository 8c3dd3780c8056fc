"""The rota's business rules. Callers (views, jobs, the CLI) commit; nothing here reads the clock, the
request or the signed-in user: the current time comes in as ``now``, the acting user as ``actor``.

One module per job, each re-exported here so callers write ``services.assign_many(...)``:

- ``rules``: the domain's error, which roles a date needs, open places, the group's settings and day;
- ``roles``: service roles and the rota settings;
- ``people``: rota people (consent, dates away, forgetting);
- ``grid``: the grid of occurrences × roles with conflicts, one date's rota, the printable rota;
- ``assigning``: putting people in places, confirming, withdrawing; releasing turns of changed dates;
- ``cancelling``: who a cancelled date releases (before and after) and giving their places back;
- ``autofill``: the fair plan of a period, previewed then applied;
- ``links``: the signed links in rota mail; ``answers``: accept, decline, offer a swap through them;
- ``notifications``: rota mail to people and secretaries; ``reminders``: the reminder and summary jobs;
- ``calendars``: personal and group calendar feeds at secret URLs;
- ``mine``: a signed-in user's own turns (the rota people linked to their account);
- ``queries``: what other domains read (dashboard gaps, names on a script, the chair of a date).
"""

from groupadmin.errors import LinkProblem
from groupadmin.rota.services.answers import accept, decline, offer_swap, pending_offer, swap_candidates
from groupadmin.rota.services.assigning import (
    AssignmentProblems,
    Choice,
    assign_many,
    confirm_by_hand,
    release_for_changes,
    resend,
    withdraw,
)
from groupadmin.rota.services.autofill import (
    MAX_WEEKS,
    AutofillPreview,
    PlanChanged,
    apply_autofill,
    check_period,
    preview_autofill,
)
from groupadmin.rota.services.calendars import (
    calendar_url,
    group_calendar_url,
    load_calendar_token,
    person_calendar_assignments,
    renew_group_calendar,
)
from groupadmin.rota.services.cancelling import (
    ReleasedTurn,
    cancel_preview,
    give_places_back,
    places_to_give_back,
    released_turns,
)
from groupadmin.rota.services.grid import (
    BusyIndex,
    Cell,
    Grid,
    Option,
    Row,
    load_grid,
    occurrence_detail,
    person_warnings,
    printable,
)
from groupadmin.rota.services.links import (
    LINK_ACTIONS,
    link_token,
    link_url,
    load_link,
    load_remove_link,
    remove_url,
)
from groupadmin.rota.services.mine import has_turns_clause, my_people, my_person, my_turns
from groupadmin.rota.services.notifications import MailItem, ask
from groupadmin.rota.services.people import (
    add_blackout,
    clean_display_name,
    consent_wording,
    forget_inactive,
    forget_person,
    group_people,
    linkable_users,
    name_problem,
    new_calendar_link,
    remove_blackout,
    save_person,
    unreachable_people,
)
from groupadmin.rota.services.queries import (
    chair_for_occurrences,
    open_places_by_group,
    people_for_occurrence,
)
from groupadmin.rota.services.reminders import (
    REMINDER_CATCH_UP,
    reminder_instant,
    send_reminders,
    send_weekly_summaries,
)
from groupadmin.rota.services.roles import (
    DEFAULT_ROLES,
    ROLE_CHANGES,
    add_default_roles,
    change_role,
    group_roles,
    move_role,
    parse_remind_days,
    save_role,
    set_role_archived,
    update_settings,
)
from groupadmin.rota.services.rules import (
    SUMMARY_DAYS,
    RotaError,
    group_today,
    is_upcoming_gap,
    occurrence_attendance,
    open_places,
    role_applies,
    settings_for,
    summary_period,
)

__all__ = [
    "DEFAULT_ROLES",
    "LINK_ACTIONS",
    "MAX_WEEKS",
    "ROLE_CHANGES",
    "REMINDER_CATCH_UP",
    "SUMMARY_DAYS",
    "AssignmentProblems",
    "AutofillPreview",
    "BusyIndex",
    "Cell",
    "Choice",
    "Grid",
    "LinkProblem",
    "MailItem",
    "Option",
    "PlanChanged",
    "ReleasedTurn",
    "RotaError",
    "Row",
    "accept",
    "add_blackout",
    "add_default_roles",
    "apply_autofill",
    "ask",
    "assign_many",
    "calendar_url",
    "cancel_preview",
    "chair_for_occurrences",
    "change_role",
    "check_period",
    "clean_display_name",
    "confirm_by_hand",
    "consent_wording",
    "decline",
    "forget_inactive",
    "forget_person",
    "give_places_back",
    "group_calendar_url",
    "group_people",
    "group_roles",
    "group_today",
    "has_turns_clause",
    "is_upcoming_gap",
    "link_token",
    "link_url",
    "linkable_users",
    "load_calendar_token",
    "load_grid",
    "load_link",
    "load_remove_link",
    "move_role",
    "my_people",
    "my_person",
    "my_turns",
    "name_problem",
    "new_calendar_link",
    "occurrence_attendance",
    "occurrence_detail",
    "offer_swap",
    "open_places",
    "open_places_by_group",
    "parse_remind_days",
    "pending_offer",
    "places_to_give_back",
    "people_for_occurrence",
    "person_calendar_assignments",
    "person_warnings",
    "preview_autofill",
    "printable",
    "release_for_changes",
    "released_turns",
    "reminder_instant",
    "remove_blackout",
    "remove_url",
    "renew_group_calendar",
    "resend",
    "role_applies",
    "save_person",
    "save_role",
    "send_reminders",
    "send_weekly_summaries",
    "set_role_archived",
    "settings_for",
    "summary_period",
    "swap_candidates",
    "unreachable_people",
    "update_settings",
    "withdraw",
]
