from __future__ import annotations

from groupadmin.extensions import db
from groupadmin.mail import services
from tests.conftest import NOW


def enqueue(key: str, to: str = "pat@example.net", *, group=None, now=NOW, commit=True, **extra):
    message = services.enqueue(
        key=key,
        to=to,
        subject=extra.pop("subject", f"Test {key}"),
        template="mail/send_test",
        context={"n": 1, "count": 1, "run": key, **extra.pop("context", {})},
        now=now,
        group=group,
        **extra,
    )
    if commit:
        db.session.commit()
    return message


def reload(message):
    db.session.expire_all()
    return db.session.get(type(message), message.id)
