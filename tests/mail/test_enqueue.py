"""enqueue: rendering, one recipient, idempotency keys, headers, discretion, the caller's transaction."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.mail import services
from groupadmin.mail.models import OutboxMessage
from tests import factories
from tests.conftest import NOW
from tests.mail.helpers import enqueue


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_enqueue_renders_both_bodies_autoescapes_html_and_sets_headers(app):
    group = factories.group(name="Tuesday Night Group", fellowship="aa")
    message = services.enqueue(
        key="k1",
        to="Pat@Example.net",
        subject="Your <commitments>",
        template="mail/send_test",
        context={"n": 1, "count": 1, "run": "<b>bold</b>"},
        now=NOW,
        group=group,
    )
    db.session.commit()
    assert message.status == "pending" and message.attempts == 0 and message.next_attempt_at == NOW
    assert message.recipient == "Pat@example.net"  # the domain is normalised, the local part kept
    assert "run <b>bold</b>" in message.text_body
    assert "&lt;b&gt;bold&lt;/b&gt;" in message.html_body and "<b>bold" not in message.html_body
    assert message.subject == "Your <commitments>"
    assert (
        message.headers["From"] == '"Tuesday Night Group" <groupadmin@example.org>'
        or message.headers["From"] == "Tuesday Night Group <groupadmin@example.org>"
    )
    assert message.headers["Auto-Submitted"] == "auto-generated"
    # Not an account holder: a way to stop, in the body and as a one-click header.
    assert message.headers["List-Unsubscribe"].startswith("<http://localhost/r/stop/")
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://localhost/r/stop/" in message.text_body and "http://localhost/r/stop/" in message.html_body
    assert message.message_id.startswith("<") and message.message_id.endswith("@example.org>")
    assert message.group_id == group.id and message.template == "mail/send_test"


def test_personal_data_is_encrypted_at_rest(app):
    enqueue("k1", to="pat@example.net", subject="About Jo Quartermaine")
    raw = db.session.execute(sa.text("SELECT recipient, subject, text_body FROM outbox_message")).one()
    assert (
        "pat@example.net" not in raw.recipient
        and "Quartermaine" not in raw.subject  # long enough not to turn up in ciphertext by chance
        and "test message" not in raw.text_body
    )


def test_the_same_key_twice_adds_one_message(app):
    first = enqueue("reminder:1:2026-11-24")
    second = enqueue("reminder:1:2026-11-24", to="someone.else@example.net")
    assert first is not None and second is None
    assert outbox_count() == 1


def test_the_same_key_twice_in_one_transaction_adds_one_message(app):
    assert enqueue("k", commit=False) is not None
    assert enqueue("k", commit=False) is None
    db.session.commit()
    assert outbox_count() == 1


def test_a_message_enqueued_in_a_transaction_that_rolls_back_is_never_sent(app, smtp_sink):
    group = factories.group()
    group.name = "Renamed in the same transaction"
    enqueue("rolled-back", group=group, commit=False)
    db.session.rollback()
    stats = services.deliver_due(now=NOW, transport=services.transports.from_url(smtp_sink.url))
    assert outbox_count() == 0 and stats.sent == 0 and smtp_sink.handler.count() == 0


def test_account_holders_get_no_stop_link(app):
    factories.user(email="sam@example.org")
    message = enqueue("k", to="Sam@example.org")
    assert "List-Unsubscribe" not in message.headers
    assert "/r/stop/" not in message.text_body


def test_a_domain_unsubscribe_link_is_used_as_given(app):
    message = enqueue("k", unsubscribe_url="http://localhost/r/unsubscribe/abc")
    assert message.headers["List-Unsubscribe"] == "<http://localhost/r/unsubscribe/abc>"
    assert "http://localhost/r/unsubscribe/abc" in message.text_body


@pytest.mark.parametrize(
    "naming, display_name, expected",
    [
        ("group", None, "Tuesday Night Group"),
        ("group", "Tuesday Friends", "Tuesday Friends"),
        ("fellowship", None, "Tuesday Night Group (AA)"),
    ],
)
def test_sender_name_follows_the_discretion_rule(app, naming, display_name, expected):
    group = factories.group(name="Tuesday Night Group", fellowship="aa")
    group.mail_naming, group.display_name = naming, display_name
    db.session.commit()
    message = enqueue("k", group=group)
    assert group.mail_name == expected
    assert expected in message.headers["From"]
    if naming == "group":
        assert (
            "AA" not in message.headers["From"] and "Alcoholics" not in message.text_body + message.html_body
        )


def test_reply_to_is_the_group_contact(app):
    group = factories.group()
    group.contact_email = "tuesday@example.org"
    db.session.commit()
    assert enqueue("k", group=group).headers["Reply-To"] == "tuesday@example.org"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"subject": "Hello\r\nBcc: victim@example.net"},
        {"subject": "Hello\nthere"},
        {"headers": {"X-Note": "a\r\nBcc: victim@example.net"}},
        {"headers": {"Bcc": "victim@example.net"}},
        {"headers": {"To": "victim@example.net"}},
        {"headers": {"Bad Name": "x"}},
        {"to": "a@example.net, b@example.net"},
        {"to": "a@example.net\r\nBcc: b@example.net"},
        {"to": "Pat <pat@example.net>"},
        {"to": "not an address"},
    ],
)
def test_header_injection_and_several_recipients_are_refused(app, kwargs):
    args = {
        "key": "k",
        "to": "pat@example.net",
        "subject": "Hello",
        "template": "mail/send_test",
        "context": {"n": 1, "count": 1, "run": "x"},
        "now": NOW,
        **kwargs,
    }
    with pytest.raises(services.MailError):
        services.enqueue(**args)
    assert outbox_count() == 0


def test_a_held_address_is_not_written_to(app):
    services.flag_undeliverable(
        "gone@example.net",
        address_hash=services.crypto.lookup_hash("gone@example.net"),
        reason="550 no such user",
        now=NOW,
    )
    db.session.commit()
    message = enqueue("k", to="GONE@example.net")
    assert message.status == "failed" and message.last_error == services.HELD


@pytest.mark.postgres
def test_two_transactions_racing_for_one_key_add_one_message(app):
    """The second transaction's insert waits for the first and then adds nothing (ON CONFLICT DO NOTHING)."""
    inserted, second_result, errors = threading.Event(), [], []
    release = threading.Event()

    def first():
        try:
            with app.app_context():
                enqueue("race", commit=False)
                inserted.set()
                release.wait(10)
                db.session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            inserted.set()

    def second():
        try:
            with app.app_context():
                second_result.append(enqueue("race", to="other@example.net"))
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    t1 = threading.Thread(target=first)
    t1.start()
    assert inserted.wait(10)
    t2 = threading.Thread(target=second)
    t2.start()
    t2.join(0.3)  # the second is blocked behind the first's uncommitted row
    release.set()
    t1.join(20)
    t2.join(20)
    assert not errors, errors
    assert second_result == [None]
    assert outbox_count() == 1


@pytest.mark.postgres
def test_enqueue_many_follows_the_same_rules_in_one_insert(app, count_queries):
    group = factories.group()
    enqueue("used", to="a@example.net")
    services.flag_undeliverable(
        "gone@example.net",
        address_hash=services.crypto.lookup_hash("gone@example.net"),
        reason="550",
        now=NOW,
    )
    db.session.commit()

    def item(key, to):
        return {
            "key": key,
            "to": to,
            "subject": "News",
            "template": "mail/send_test",
            "context": {"n": 1, "count": 1, "run": key},
            "group": group,
            "headers": {"List-Id": "<news.example.org>"},
            "unsubscribe_url": "http://localhost/r/x/1",
        }

    items = [
        item("used", "a@example.net"),
        item("new1", "b@example.net"),
        item("new2", "gone@example.net"),
        item("bad", "not an address"),
    ] + [item(f"more{n}", f"m{n}@example.net") for n in range(20)]
    with count_queries() as queries:
        added = services.enqueue_many(items, now=NOW)
    db.session.commit()
    assert added == 22 and queries.count <= 5
    rows = {m.idempotency_key: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert "bad" not in rows and rows["used"].subject == "Test used"
    assert rows["new1"].status == "pending" and rows["new1"].recipient == "b@example.net"
    assert rows["new1"].headers["List-Unsubscribe"] == "<http://localhost/r/x/1>"
    assert rows["new2"].status == "failed" and rows["new2"].last_error == services.HELD
    assert services.enqueue_many(items, now=NOW) == 0  # twice: nothing more
