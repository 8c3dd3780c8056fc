"""The relay against a real SMTP server on loopback: delivery, retries, refusals, outages, leases."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.mail import services, transports
from groupadmin.mail.models import MailAlert, OutboxMessage, UndeliverableAddress
from tests import factories
from tests.conftest import NOW
from tests.mail.helpers import enqueue, reload
from tests.smtp_sink import SinkServer, free_port, pause, poll


def deliver(sink_or_url, now=NOW, **kwargs):
    url = sink_or_url if isinstance(sink_or_url, str) else sink_or_url.url
    return services.deliver_due(now=now, transport=transports.from_url(url, timeout=5), **kwargs)


def statuses() -> dict[str, int]:
    db.session.expire_all()
    return {k: v for k, v in services.counts_by_status().items() if v}


@pytest.mark.postgres
def test_due_messages_are_delivered_over_one_connection_with_their_message_id(app, smtp_sink):
    group = factories.group(name="Tuesday Night Group")
    messages = [enqueue(f"k{n}", to=f"p{n}@example.net", group=group) for n in range(7)]
    later = enqueue("later", now=NOW + timedelta(hours=1))
    stats = deliver(smtp_sink, batch=3)
    assert (stats.sent, stats.claimed) == (7, 7)
    assert smtp_sink.handler.sessions == 1  # three batches, one connection
    assert sorted(smtp_sink.handler.message_ids()) == sorted(m.message_id for m in messages)
    mail_from, rcpt_tos, content = smtp_sink.handler.messages[0]
    parsed = email.message_from_bytes(content)
    assert mail_from == "groupadmin@example.org" and len(rcpt_tos) == 1
    assert parsed["From"] == "Tuesday Night Group <groupadmin@example.org>"
    assert parsed["To"] == rcpt_tos[0]
    assert parsed.get_content_type() == "multipart/alternative"
    # The one-click header stays one unencoded line, however long the link.
    assert re.search(rb"^List-Unsubscribe: <http://localhost/r/stop/\S+>\r?$", content, re.MULTILINE)
    for message in messages:
        message = reload(message)
        assert message.status == "sent" and message.attempts == 1 and message.sent_at >= NOW
        assert message.lease_owner is None
    assert reload(later).status == "pending"
    assert deliver(smtp_sink).sent == 0  # nothing more is due


@pytest.mark.postgres
def test_421_twice_then_accepted_is_delivered_on_the_third_attempt_with_backoff(app, smtp_sink):
    message = enqueue("k")
    smtp_sink.handler.rcpt_answers.extend(["421 4.3.2 Try again later", "421 4.3.2 Try again later"])

    assert deliver(smtp_sink).retried == 1
    first = reload(message)
    first_delay = first.next_attempt_at - NOW
    assert first.status == "pending" and first.attempts == 1 and first.last_error.startswith("421")
    assert timedelta(seconds=44) <= first_delay <= timedelta(seconds=76)  # 60 s ± 25 % jitter
    assert deliver(smtp_sink, now=first.next_attempt_at - timedelta(seconds=1)).claimed == 0  # not yet

    now = first.next_attempt_at
    assert deliver(smtp_sink, now=now).retried == 1
    second = reload(message)
    assert second.attempts == 2
    assert timedelta(seconds=89) <= second.next_attempt_at - now <= timedelta(seconds=151)  # doubled

    assert deliver(smtp_sink, now=second.next_attempt_at).sent == 1
    done = reload(message)
    assert done.status == "sent" and done.attempts == 3 and done.last_error is None
    assert smtp_sink.handler.message_ids() == [message.message_id]


def test_4xx_to_data_is_retried_too(app, smtp_sink):
    message = enqueue("k")
    smtp_sink.handler.data_answers.append("452 4.3.1 Insufficient system storage")
    assert deliver(smtp_sink).retried == 1
    assert deliver(smtp_sink, now=reload(message).next_attempt_at).sent == 1


@pytest.mark.postgres
def test_550_fails_at_once_flags_the_address_and_holds_later_mail(app, smtp_sink):
    group = factories.group()
    smtp_sink.handler.refuse["gone@example.net"] = "550 5.1.1 <gone@example.net>: Recipient address rejected"
    refused = enqueue("k1", to="gone@example.net", group=group)
    fine = enqueue("k2", to="here@example.net", group=group)
    stats = deliver(smtp_sink, batch=1, max_batches=1)
    assert stats.failed == 1
    failed = reload(refused)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error.startswith("550") and "gone@example.net" not in failed.last_error  # redacted
    entry = db.session.scalar(sa.select(UndeliverableAddress))
    assert entry.address == "gone@example.net" and entry.group_id == group.id and entry.kind == "refused"
    assert entry.address_hash == crypto.lookup_hash("gone@example.net")
    assert "gone@example.net" not in entry.reason

    # Later mail to the flagged address is held, not sent; other mail goes on.
    later = enqueue("k3", to="Gone@example.net", group=group)
    assert later.status == "failed" and later.last_error == services.HELD
    assert deliver(smtp_sink, now=NOW + timedelta(days=2)).sent == 1
    assert reload(fine).status == "sent"
    assert smtp_sink.handler.count() == 1
    assert services.count_undeliverable_for_group(group) == 1


def test_a_message_waiting_when_its_address_is_flagged_is_held(app, smtp_sink):
    smtp_sink.handler.refuse["gone@example.net"] = "550 5.1.1 unknown user"
    enqueue("k1", to="gone@example.net")
    second = enqueue("k2", to="gone@example.net")
    deliver(smtp_sink)
    assert reload(second).status == "failed" and reload(second).last_error == services.HELD
    assert smtp_sink.handler.count() == 0


def test_5xx_to_data_fails_the_message_but_does_not_flag_the_address(app, smtp_sink):
    message = enqueue("k")
    smtp_sink.handler.data_answers.append("554 5.7.1 Message rejected")
    assert deliver(smtp_sink).failed == 1
    assert reload(message).status == "failed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0


@pytest.mark.postgres
def test_server_down_then_up_delivers_everything_and_loses_nothing(app):
    port = free_port()  # nothing listens here yet
    url = f"smtp://127.0.0.1:{port}"
    messages = [enqueue(f"k{n}", to=f"p{n}@example.net") for n in range(5)]
    stats = deliver(url)
    assert stats.retried == 5 and stats.sent == 0 and stats.problems
    assert statuses() == {"pending": 5}
    assert all(reload(m).attempts == 1 for m in messages)
    alert = db.session.scalar(sa.select(MailAlert))
    assert alert.kind == "connection" and alert.cleared_at is None
    # While the server is down, the relay waits one retry delay instead of hammering it.
    assert deliver(url, now=NOW + timedelta(seconds=30)).on_hold

    sink = SinkServer(port).start()
    try:
        stats = deliver(url, now=NOW + timedelta(minutes=10))
        assert stats.sent == 5
        assert sorted(sink.handler.message_ids()) == sorted(m.message_id for m in messages)
    finally:
        sink.stop()
    assert statuses() == {"sent": 5}
    assert db.session.scalar(sa.select(MailAlert)).cleared_at is not None


def test_a_refused_session_holds_everything_and_alerts_the_admin(app):
    sink = SinkServer(refuse_auth=True).start()
    try:
        messages = [enqueue(f"k{n}", to=f"p{n}@example.net") for n in range(3)]
        url = f"smtp://user:wrong@127.0.0.1:{sink.port}"
        stats = deliver(url)
        assert stats.sent == 0 and stats.failed == 0
        assert statuses() == {"pending": 3}
        assert all(reload(m).attempts == 0 for m in messages)  # held, not spent
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0
        alert = db.session.scalar(sa.select(MailAlert))
        assert alert.kind == "session" and "535" in alert.detail
        assert sink.handler.count() == 0
    finally:
        sink.stop()


def test_retries_span_about_a_day_then_the_message_fails(app, smtp_sink):
    delays = []
    attempt = 1
    while (delay := services.retry_delay(attempt)) is not None:
        delays.append(delay)
        attempt += 1
    total = sum(delays, timedelta())
    assert timedelta(hours=18) < total < timedelta(hours=32)
    assert max(delays) <= timedelta(hours=2) * 1.25

    message = enqueue("k")
    db.session.execute(sa.update(OutboxMessage).values(attempts=attempt - 1))
    db.session.commit()
    smtp_sink.handler.rcpt_answers.append("450 4.2.0 Mailbox busy")
    assert deliver(smtp_sink).failed == 1
    assert reload(message).status == "failed" and reload(message).last_error.startswith("450")


@pytest.mark.postgres
def test_an_expired_lease_is_picked_up_again(app, smtp_sink):
    message = enqueue("k")
    assert services.claim(db.session, NOW, 10, "crashed-relay") == [message.id]
    assert reload(message).status == "sending"
    assert deliver(smtp_sink, now=NOW + timedelta(seconds=10)).claimed == 0  # still leased
    lease = timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])
    assert deliver(smtp_sink, now=NOW + lease).sent == 1
    assert reload(message).status == "sent"


def test_file_transport_writes_one_eml_file_per_message_atomically(app, tmp_path):
    messages = [enqueue(f"k{n}", to=f"p{n}@example.net") for n in range(3)]
    url = f"file://{tmp_path / 'mail'}"
    assert deliver(url).sent == 3
    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 3 and all(f.suffix == ".eml" for f in files)
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["Message-ID"] == messages[0].message_id
    # A resend (a crash before the mark) replaces the file instead of adding one.
    db.session.execute(sa.update(OutboxMessage).values(status="pending", next_attempt_at=NOW))
    db.session.commit()
    assert deliver(url).sent == 3
    assert len(list((tmp_path / "mail").iterdir())) == 3


def test_mail_url_parsing():
    t = transports.from_url("smtp://u%40x:p%3Ass@mail.example.org:2525?tls=starttls")
    assert (t.host, t.port, t.username, t.password, t.tls) == (
        "mail.example.org",
        2525,
        "u@x",
        "p:ss",
        "starttls",
    )
    assert transports.from_url("smtp://mail.example.org?tls=ssl").port == 465
    assert transports.from_url("smtp://mail.example.org").port == 25
    assert str(transports.from_url("file:///var/mail/out").directory) == "/var/mail/out"
    assert (
        str(transports.from_url("file://instance/mail", root="/srv/app").directory)
        == "/srv/app/instance/mail"
    )
    with pytest.raises(ValueError):
        transports.from_url("http://example.org")
    with pytest.raises(ValueError):
        transports.from_url("smtp://x?tls=maybe")


def test_redact_removes_addresses():
    assert transports.redact("550 <bob@example.net>: no such user bob@example.net") == (
        "550 <<address>>: no such user <address>"
    )


def test_messages_are_well_formed_mime_with_non_ascii_subject_names_and_bodies(app, tmp_path):
    group = factories.group(name="Grupo Café del Martes")
    body_text = (
        "Ñandú = 3 € and a line that is much longer than seventy-six characters so it must be wrapped " * 2
    )
    message = enqueue(
        "k", group=group, subject="Contraseña: ¿mañana? " + "x" * 80, context={"run": body_text}
    )
    url = f"file://{tmp_path}"
    assert deliver(url).sent == 1
    (eml,) = tmp_path.iterdir()
    raw = eml.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only: no bare LF
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == message.subject
    assert parsed["From"].addresses[0].display_name == "Grupo Café del Martes"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == message.text_body
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == message.html_body
    assert not parsed.defects and not any(part.defects for part in parsed.walk())


@pytest.mark.parametrize(
    "answer",
    ["554 5.7.1 <pat@example.net>: Relay access denied", "550 Unable to relay for pat@example.net"],
)
def test_relaying_denied_holds_everything_instead_of_flagging_addresses(app, smtp_sink, answer):
    messages = [enqueue(f"k{n}", to=f"p{n}@example.net") for n in range(3)]
    smtp_sink.handler.rcpt_answers.append(answer)
    stats = deliver(smtp_sink)
    assert stats.sent == 0 and stats.failed == 0
    assert statuses() == {"pending": 3}
    assert all(reload(m).attempts == 0 for m in messages)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UndeliverableAddress)) == 0
    assert db.session.scalar(sa.select(MailAlert)).kind == "session"


@pytest.mark.parametrize("config_overrides", [{"MAIL_LEASE_SECONDS": 1}])
def test_a_slow_batch_keeps_its_lease_so_no_other_relay_takes_it(app, config_overrides):
    sink = SinkServer(delay=0.3).start()  # 5 messages take longer than the lease
    try:
        messages = [enqueue(f"k{n}", to=f"p{n}@example.net") for n in range(5)]
        started = time.monotonic()

        def elapsed_now():
            return NOW + timedelta(seconds=time.monotonic() - started)

        def relay():
            with app.app_context():
                deliver(sink)

        worker = threading.Thread(target=relay)
        worker.start()

        def claimed_by_the_relay():
            db.session.expire_all()
            return db.session.scalar(
                sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "pending")
            )

        assert poll(claimed_by_the_relay, timeout=10)  # then another relay tries its luck
        stolen = []
        deadline = time.monotonic() + 30
        while worker.is_alive() and time.monotonic() < deadline:
            with app.app_context():
                stolen += services.claim(db.session, elapsed_now(), 10, "another-relay")
            pause(0.05)
        worker.join(30)
        assert time.monotonic() - started > 1.2  # the batch did outlive one lease
        assert stolen == []
        assert sink.handler.count() == 5 and sink.handler.duplicates() == 0
        assert all(reload(m).status == "sent" for m in messages)
    finally:
        sink.stop()


def test_a_message_that_cannot_be_built_fails_alone(app, smtp_sink):
    broken_id, fine = enqueue("broken").id, enqueue("fine", to="other@example.net")
    db.session.execute(
        sa.text("UPDATE outbox_message SET text_body = 'not a token' WHERE id = :id"), {"id": broken_id}
    )
    db.session.commit()
    stats = deliver(smtp_sink)
    assert (stats.sent, stats.failed) == (1, 1)
    status, error = db.session.execute(
        sa.select(OutboxMessage.status, OutboxMessage.last_error).where(OutboxMessage.id == broken_id)
    ).one()
    assert status == "failed" and "cannot build" in error
    assert reload(fine).status == "sent" and smtp_sink.handler.message_ids() == [fine.message_id]


def test_the_relay_stops_between_batches_when_asked(app, smtp_sink):
    for n in range(5):
        enqueue(f"k{n}", to=f"p{n}@example.net")
    asked = []
    stats = deliver(smtp_sink, batch=2, should_stop=lambda: asked.append(1) or len(asked) > 1)
    assert stats.sent == 2 and statuses() == {"pending": 3, "sent": 2}
