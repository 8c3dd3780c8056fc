"""Accounts: passwords, login throttling, sessions, invitations and password resets.

Every function takes what it needs explicitly (``now``, the user, the settings) and never reads the
request, so the web, the CLI and the tests share one code path. Callers commit.

Modules: ``passwords`` (rules and hashing), ``accounts`` (accounts, profiles, sessions, the admin's
list), ``login`` (credentials and throttling), ``invitations``, ``resets`` (password resets).
"""

from groupadmin.auth.services.accounts import (
    AuthError,
    change_password,
    create_user,
    end_other_sessions,
    find_user_by_email,
    is_account_holder,
    session_credentials,
    session_is_current,
    toggle_active,
    update_profile,
    users_page,
)
from groupadmin.auth.services.invitations import (
    accept_invitation,
    invitation_link,
    invitation_token,
    invite,
    load_invitation,
    pending_invitations,
    send_invitation,
    withdraw_invitation,
)
from groupadmin.auth.services.login import (
    DatabaseThrottleStore,
    MemoryThrottleStore,
    Throttled,
    authenticate,
    throttle_store,
)
from groupadmin.auth.services.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    common_passwords,
    hash_password,
    password_problem,
    set_password,
)
from groupadmin.auth.services.resets import (
    RESET_MAIL_WINDOW_SECONDS,
    load_password_reset,
    password_reset_token,
    request_password_reset,
    reset_link,
    reset_password,
)

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "RESET_MAIL_WINDOW_SECONDS",
    "AuthError",
    "DatabaseThrottleStore",
    "MemoryThrottleStore",
    "Throttled",
    "accept_invitation",
    "authenticate",
    "change_password",
    "common_passwords",
    "create_user",
    "end_other_sessions",
    "find_user_by_email",
    "hash_password",
    "invitation_link",
    "invitation_token",
    "invite",
    "is_account_holder",
    "load_invitation",
    "load_password_reset",
    "session_credentials",
    "session_is_current",
    "password_problem",
    "password_reset_token",
    "pending_invitations",
    "request_password_reset",
    "reset_link",
    "reset_password",
    "send_invitation",
    "set_password",
    "throttle_store",
    "toggle_active",
    "update_profile",
    "users_page",
    "withdraw_invitation",
]
