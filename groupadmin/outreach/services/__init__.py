"""Newcomer outreach's rules: ``settings`` (plan, retention, consent wording), ``access`` (who sees
which newcomer), ``newcomers`` (asking for a call, in person, returning people, do-not-contact),
``assigning``, ``followups``, ``erasure`` (asked not to be contacted, retention), ``reminders``
(digests, escalations), ``welcome``, ``figures`` (for the reports), ``pages``."""

from groupadmin.outreach.services.access import (
    manages,
    newcomer_for,
    visible_clause,
    volunteer_clause,
    volunteer_scopes,
)
from groupadmin.outreach.services.assigning import AssignError, assign, candidates, hand_back, suggestion
from groupadmin.outreach.services.erasure import ERASE_BATCH, do_not_contact, erase, erase_expired
from groupadmin.outreach.services.figures import OutreachMonth, monthly_figures
from groupadmin.outreach.services.followups import (
    FollowUpError,
    due_for_volunteers,
    follow_up_of,
    record,
    snooze,
)
from groupadmin.outreach.services.newcomers import (
    CHANNELS,
    Contact,
    RequestError,
    Throttled,
    add_in_person,
    contact_problems,
    request_call,
)
from groupadmin.outreach.services.pages import (
    DashboardCounts,
    dashboard_counts,
    my_follow_ups,
    my_newcomers,
    newcomers_page,
    next_steps,
)
from groupadmin.outreach.services.reminders import send_digests, send_escalations
from groupadmin.outreach.services.settings import (
    DEFAULT_WORDING,
    SettingsError,
    is_group,
    plan_dates,
    save_settings,
    settings_for,
)
from groupadmin.outreach.services.welcome import send_welcome

__all__ = [
    "CHANNELS",
    "DEFAULT_WORDING",
    "ERASE_BATCH",
    "AssignError",
    "Contact",
    "FollowUpError",
    "OutreachMonth",
    "RequestError",
    "SettingsError",
    "Throttled",
    "add_in_person",
    "contact_problems",
    "assign",
    "candidates",
    "do_not_contact",
    "DashboardCounts",
    "dashboard_counts",
    "due_for_volunteers",
    "erase",
    "erase_expired",
    "follow_up_of",
    "hand_back",
    "is_group",
    "volunteer_clause",
    "manages",
    "monthly_figures",
    "my_follow_ups",
    "my_newcomers",
    "newcomer_for",
    "newcomers_page",
    "next_steps",
    "plan_dates",
    "record",
    "request_call",
    "save_settings",
    "send_digests",
    "send_escalations",
    "send_welcome",
    "settings_for",
    "snooze",
    "suggestion",
    "visible_clause",
    "volunteer_scopes",
]
