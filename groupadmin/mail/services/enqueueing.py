"""Enqueue: render a pair of templates and add one row for one recipient to the caller's transaction.

The same idempotency key twice adds nothing (a unique constraint and an ``INSERT ... ON CONFLICT DO
NOTHING``, so two processes racing cannot both add it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.mail.models import OutboxMessage
from groupadmin.mail.services.addressing import (
    RESERVED_HEADERS,
    MailError,
    check_header,
    external_url,
    normalise_address,
    sender_address,
    sender_header,
)
from groupadmin.mail.services.stop_links import stop_token
from groupadmin.mail.services.tables import HELD, insert_for
from groupadmin.mail.services.undeliverable import flagged_among, is_flagged

log = logging.getLogger("groupadmin.mail")

# Whether an address is an account holder's (who gets no stop link): told by the accounts domain,
# registered by `groupadmin.create_app` (mail imports no domain). Until then, nobody is one.
_account_holder: list[Callable[[str], bool]] = []


def recognise_account_holders(check: Callable[[str], bool]) -> None:
    """Register `check(address) -> bool`: True for an account holder's address."""
    _account_holder[:] = [check]


def _is_account_holder(address: str) -> bool:
    return any(check(address) for check in _account_holder)


def render(template: str, context: dict) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/mail/<template>.txt`` and ``.html`` (HTML autoescaped)."""
    return (
        render_template(f"mail/{template}.txt", **context),
        render_template(f"mail/{template}.html", **context),
    )


def key_exists(key: str) -> bool:
    return (
        db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None
    )


def enqueue(
    *,
    key: str,
    to: str,
    subject: str,
    template: str,
    context: dict,
    now: datetime,
    group=None,
    headers: dict | None = None,
    unsubscribe_url: str | None = None,
    locale: str | None = None,
    sender_name: str | None = None,
) -> OutboxMessage | None:
    """Add one message to the caller's transaction; None (and nothing added) when `key` exists already.

    - `template` names the pair ``templates/mail/<template>.txt`` / ``.html``; `context` is passed to
      both, with ``group``, ``group_name`` (discreet), ``unsubscribe_url`` and ``base_url`` added.
    - `subject` may be a lazy string: it is evaluated in the message's `locale` (default: the group's).
    - `unsubscribe_url`: the domain's own way to stop this kind of mail (a newsletter's one-click
      unsubscribe). Without one, a message to someone who is not an account holder gets a link that
      stops all mail to the address. Either way it is also sent as ``List-Unsubscribe`` (RFC 8058).
    - `sender_name`: the name in the From header instead of the group's (a newsletter list's own).
    - A recipient marked undeliverable is not written to: the row is added as failed ("held"), so the
      key stays used and secretaries see why.
    """
    _check_key(key)
    if key_exists(key):
        return None
    values = _prepare(
        key=key,
        to=to,
        subject=subject,
        template=template,
        context=context,
        group=group,
        headers=headers,
        unsubscribe_url=unsubscribe_url,
        locale=locale,
        sender_name=sender_name,
    )
    return _add(values, held=is_flagged(values["recipient_hash"]), now=now)


def enqueue_many(messages: list[dict], *, now: datetime) -> int:
    """Add several messages at once (a newsletter's batch) to the caller's transaction: each item of
    `messages` holds ``enqueue``'s keyword arguments but `now`, and the same rules hold, with one query
    for the keys already used, one for the addresses flagged and one INSERT ... ON CONFLICT DO NOTHING
    for the lot. A message whose address our mail cannot carry is left out (and logged, without the
    address). Returns how many were added."""
    for item in messages:
        _check_key(item["key"])
    keys = [item["key"] for item in messages]
    used = set(
        db.session.scalars(
            sa.select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(keys))
        )
    )
    prepared = []
    for item in messages:
        if item["key"] in used:
            continue
        try:
            prepared.append(_prepare(**item))
        except MailError:
            log.warning("mail.not_enqueued", extra={"fields": {"template": item.get("template")}})
    if not prepared:
        return 0
    flagged = flagged_among({v["recipient_hash"] for v in prepared})
    rows = [_row(v, held=v["recipient_hash"] in flagged, now=now) for v in prepared]
    db.session.flush()
    insert = insert_for(db.session)(OutboxMessage.__table__).values(rows)
    statement = insert.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(OutboxMessage.id)
    added = len(db.session.execute(statement).all())
    log.info("mail.enqueued_many", extra={"fields": {"messages": added, "held": len(flagged)}})
    return added


def _check_key(key: str) -> None:
    if not key or len(key) > 200:
        raise MailError("an idempotency key of 1 to 200 characters is needed")


def _prepare(
    *,
    key,
    to,
    subject,
    template,
    context,
    group=None,
    headers=None,
    unsubscribe_url=None,
    locale=None,
    sender_name=None,
) -> dict:
    """One message's row values: the address checked, the subject and bodies rendered, the headers."""
    address = normalise_address(to)
    address_hash = crypto.lookup_hash(address)
    if unsubscribe_url is None and not _is_account_holder(address):
        unsubscribe_url = external_url("mail.stop", token=stop_token(address_hash))
    subject, text_body, html_body = _render_message(
        subject, template, context, group, unsubscribe_url, locale
    )
    all_headers = _message_headers(group, unsubscribe_url, headers, sender_name)
    if not subject:
        raise MailError("a subject is needed")
    return {
        "idempotency_key": key,
        "group_id": group.id if group is not None else None,
        "template": template,
        "recipient": address,
        "recipient_hash": address_hash,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "headers": all_headers,
    }


def _render_message(subject, template: str, context: dict, group, unsubscribe_url, locale):
    """The subject (one line) and both bodies, in the message's locale (default: the group's)."""
    locale = (
        locale or (group.locale if group is not None else None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    with force_locale(locale):
        subject = str(subject)
        check_header("Subject", subject)
        subject = " ".join(subject.split())
        full_context = {
            "base_url": current_app.config["BASE_URL"],
            "group": group,
            "group_name": group.mail_name if group is not None else None,
            "unsubscribe_url": unsubscribe_url,
            **context,
        }
        text_body, html_body = render(template, full_context)
    return subject, text_body, html_body


def _message_headers(group, unsubscribe_url: str | None, headers: dict | None, sender_name=None) -> dict:
    """The outbox's headers and the caller's, each checked (no reserved name, no line break)."""
    all_headers = {"From": sender_header(group, sender_name), "Auto-Submitted": "auto-generated"}
    if group is not None and group.contact_email:
        all_headers["Reply-To"] = group.contact_email
    if unsubscribe_url:
        all_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        all_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in (headers or {}).items():
        if name.lower() in RESERVED_HEADERS:
            raise MailError(f"header {name} is set by the outbox")
        all_headers[name] = str(value)
    for name, value in all_headers.items():
        check_header(name, value)
    return all_headers


def _row(values: dict, *, held: bool, now: datetime) -> dict:
    """A new row: pending, or failed as held; a stable Message-ID."""
    domain = sender_address().rpartition("@")[2] or "localhost"
    return {
        **values,
        "status": "failed" if held else "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": HELD if held else None,
        "message_id": f"<{uuid.uuid4().hex}@{domain}>",
        "created_at": now,
    }


def _add(values: dict, *, held: bool, now: datetime) -> OutboxMessage | None:
    """Insert the row (pending, or failed as held), unless another transaction added the key."""
    values = _row(values, held=held, now=now)
    db.session.flush()  # the caller's pending rows first (the group, the object the message is about)
    insert = insert_for(db.session)(OutboxMessage).values(**values)
    statement = insert.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(OutboxMessage.id)
    new_id = db.session.execute(statement).scalar()
    if new_id is None:  # another transaction added the key meanwhile
        return None
    log.info(
        "mail.enqueued", extra={"fields": {"outbox_id": new_id, "template": values["template"], "held": held}}
    )
    return db.session.get(OutboxMessage, new_id)


def send_test(*, to: str, count: int, now: datetime) -> int:
    """Enqueue `count` test messages to `to`, each with its own key. Returns how many were added."""
    run = uuid.uuid4().hex[:12]
    added = 0
    for n in range(1, count + 1):
        message = enqueue(
            key=f"send-test:{run}:{n}",
            to=to,
            subject=f"groupadmin test message {n} of {count}",
            template="mail/send_test",
            context={"n": n, "count": count, "run": run, "now": now},
            now=now,
        )
        added += message is not None
    return added
