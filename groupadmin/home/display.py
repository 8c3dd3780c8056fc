"""What the signed-in pages' navigation shows."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from groupadmin.database import utcnow
from groupadmin.home import services


def navigation() -> dict[str, bool]:
    """The navigation's optional links for the signed-in user, asked once per request."""
    if "_navigation" not in g:
        g._navigation = services.navigation(current_user, now=utcnow())
    return g._navigation


# Registered with every template by groupadmin.templating.
TEMPLATE_FILTERS: dict = {}
TEMPLATE_GLOBALS = {"navigation": navigation}
