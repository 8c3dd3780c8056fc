"""What the signed-in pages' navigation shows."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.home import services


def load_user(session_id: str):
    """Flask-Login's user loader: the session's user, with what the navigation offers them (one query)."""
    user, links = services.session_user(session_id, now=utcnow())
    g._navigation = (getattr(user, "id", None), links)
    return user


def navigation() -> dict[str, bool]:
    """The navigation's optional links for the signed-in user: known from loading the user, else (the
    request that signed them in) asked once."""
    user_id = current_user.id if current_user.is_authenticated else None
    known = g.get("_navigation")
    if known is None or known[0] != user_id:
        known = g._navigation = (user_id, services.navigation(current_user, now=utcnow()))
    return known[1]


# Registered with every template by groupadmin.templating.
TEMPLATE_FILTERS: dict = {}
TEMPLATE_GLOBALS = {"navigation": navigation}
