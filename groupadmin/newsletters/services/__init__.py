"""Newsletters: lists, sign-up with double opt-in, leaving at once, issues and their sending.

Modules: ``lists`` (lists by owner or slug, counts), ``signup`` (double opt-in, limits, expiry),
``leaving`` (one-click unsubscribe, the preference page, download, forget), ``messages`` (what every
list message shares: sender, List-Id), ``throttle`` (sign-up counts).
"""

from groupadmin.newsletters.services.leaving import (
    forget,
    leave_url,
    load_leave,
    load_subscriber,
    subscription_of,
    subscriptions_of,
    unsubscribe,
    what_we_hold,
)
from groupadmin.newsletters.services.lists import (
    DEFAULT_WORDING,
    bounced_of,
    counts_by_list,
    is_group,
    list_by_slug,
    list_of,
    lists_of,
    mask,
    owner_of,
    save_list,
)
from groupadmin.newsletters.services.messages import list_id_header, list_mail_values
from groupadmin.newsletters.services.signup import (
    CONFIRM_MAX_AGE,
    SignupError,
    Throttled,
    check_form_timing,
    confirm,
    expire_unconfirmed,
    form_stamp,
    load_confirmation,
    preferences_url,
    record_consent,
    request_signup,
    subscriber_for,
)

__all__ = [
    "CONFIRM_MAX_AGE",
    "DEFAULT_WORDING",
    "SignupError",
    "Throttled",
    "bounced_of",
    "check_form_timing",
    "confirm",
    "counts_by_list",
    "expire_unconfirmed",
    "forget",
    "form_stamp",
    "is_group",
    "leave_url",
    "list_by_slug",
    "list_id_header",
    "list_mail_values",
    "list_of",
    "lists_of",
    "load_confirmation",
    "load_leave",
    "load_subscriber",
    "mask",
    "owner_of",
    "preferences_url",
    "record_consent",
    "request_signup",
    "save_list",
    "subscriber_for",
    "subscription_of",
    "subscriptions_of",
    "unsubscribe",
    "what_we_hold",
]
