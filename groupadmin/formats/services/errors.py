"""The formats domain's refusal, and the one place a concurrent edit turns into it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.errors import UserError
from groupadmin.extensions import db


class FormatError(UserError):
    """A user-facing refusal about a format: str(error) is a translated message; `field` names the
    form field it belongs beside, if any."""


def flush_or_conflict() -> None:
    """Flush; two secretaries starting a draft or saving a version at the same moment meet a unique
    constraint: the second is told to look again instead of seeing an error page."""
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        raise FormatError(
            _l("Someone else changed this format at the same moment. Check the format and try again.")
        ) from error
