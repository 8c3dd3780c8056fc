"""What the home pages need that is no domain's: whether the database answers (the health check)."""

from __future__ import annotations

import sqlalchemy as sa

from groupadmin.extensions import db


def database_answers() -> bool:
    """True when the database answers a trivial query; on an error the session is rolled back."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True
