"""Canary values (a name, a phone number, an email address, a note) go through every path: the public
request with a welcome message, the escalation, assignment, the digest, follow-ups, and "asked not to
be contacted". They never reach the logs, the audit events or a mail subject; after the erasure they
are nowhere in the database file."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import time_machine

from groupadmin import StructuredFormatter
from groupadmin.audit.models import AuditEvent
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.outreach import jobs
from tests import factories
from tests.conftest import NOW, login
from tests.outreach.helpers import ask_form, newcomers

NAME, PHONE, EMAIL, NOTE = "Zqxcanary", "555-019-9771", "zqx-canary@example.org", "zqxnote canary"
CANARIES = [NAME, "0199771", "019-9771", EMAIL, "zqx-canary", NOTE, "zqxnote"]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(StructuredFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_canary_values_never_reach_logs_audit_or_subjects_and_are_gone_after_erasure(setup, client, app):
    factories.meeting(setup.group, name="Tuesday meeting")
    handler = Collect()
    logger = logging.getLogger("groupadmin")
    logger.addHandler(handler)
    try:
        path = f"/help/{setup.org.slug}/{setup.group.slug}"
        stamp = re.search(r'name="started" type="hidden" value="([^"]+)"', client.get(path).text).group(1)
        with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
            data = ask_form(name=NAME, phone=PHONE, email=EMAIL, by_email="y", wants_welcome="y")
            assert client.post(path, data={**data, "started": stamp}).status_code == 302
        (n,) = newcomers()
        with time_machine.travel(NOW + timedelta(hours=5), tick=False):
            jobs.reminders(NOW + timedelta(hours=5))  # the escalation: nobody took it
            db.session.commit()
            login(client, "sec@example.org")
            page = client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/")
            assert NAME in page.text and PHONE in page.text
            assert (
                client.post(
                    f"/groups/{setup.group.slug}/outreach/{n.id}/assign", data={"volunteer": setup.sponsor.id}
                ).status_code
                == 302
            )
            client.post("/logout")
        morning = datetime(2026, 11, 22, 12, 30, tzinfo=UTC)
        with time_machine.travel(morning, tick=False):
            jobs.reminders(morning)
            db.session.commit()
            login(client, "sponsor@example.org")
            first, second = n.follow_ups[0].id, n.follow_ups[1].id
            url = f"/groups/{setup.group.slug}/outreach/{n.id}/follow-ups/"
            assert client.post(f"{url}{first}", data={"outcome": "reached", "note": NOTE}).status_code == 302
            assert NOTE in client.get(f"/groups/{setup.group.slug}/outreach/{n.id}/").text
            assert (
                client.post(
                    f"{url}{second}", data={"outcome": "do_not_contact", "confirm_erase": "y"}
                ).status_code
                == 302
            )
    finally:
        logger.removeHandler(handler)

    subjects = list(db.session.scalars(sa.select(OutboxMessage.subject)))
    templates = set(db.session.scalars(sa.select(OutboxMessage.template)))
    assert {"outreach/welcome", "outreach/escalation", "outreach/digest"} <= templates
    audit = [repr((e.action, e.object_type, e.details)) for e in db.session.scalars(sa.select(AuditEvent))]
    assert any("outreach.follow_up_recorded" in a for a in audit)
    for canary in CANARIES:
        assert not any(canary in line for line in handler.lines), canary
        assert not any(canary in line for line in audit), canary
        assert not any(canary in (s or "") for s in subjects), canary

    if db.engine.dialect.name == "sqlite":
        db.session.commit()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = Path(db.engine.url.database).read_bytes()
        wal = Path(db.engine.url.database + "-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        for canary in CANARIES:
            assert canary.encode() not in raw, canary
