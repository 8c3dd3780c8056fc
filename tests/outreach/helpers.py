from __future__ import annotations

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.outreach.models import Newcomer


def outbox(prefix: str = "outreach/") -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template.startswith(prefix))
            .order_by(OutboxMessage.id)
        )
    )


def newcomers() -> list[Newcomer]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Newcomer).order_by(Newcomer.id)))


def ask_form(**values) -> dict:
    data = {
        "name": "Jo",
        "phone": "555-0142",
        "email": "",
        "by_call": "y",
        "safe_times": "after 6",
        "language": "en",
        "consent": "y",
        "website": "",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}
