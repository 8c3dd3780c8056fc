"""The outbox: enqueue (in the caller's transaction), the relay that delivers, retention, forgetting.

Every message leaves through here. ``enqueue`` renders a pair of templates and adds one row for one
recipient to the caller's transaction, so mail exists exactly when the change that causes it is
committed; the same idempotency key twice adds nothing (a unique constraint and an
``INSERT ... ON CONFLICT DO NOTHING``, so two processes racing cannot both add it). The relay
(``deliver_due``) claims due rows with a lease, sends them, and commits each mark right after its
send: at worst a crash between the server's acceptance and the mark sends one message twice; no
message is lost.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer

from groupadmin import crypto
from groupadmin.extensions import db
from groupadmin.mail import transports
from groupadmin.mail.models import MailAlert, OutboxMessage, UndeliverableAddress
from groupadmin.mail.transports import DeliveryError, Envelope

log = logging.getLogger("groupadmin.mail")

HELD = "held: the address is marked undeliverable"
FORGOTTEN = "forgotten: the address was erased"
# Headers a caller may not set: the outbox sets them, one recipient per message.
_RESERVED_HEADERS = {
    "to",
    "cc",
    "bcc",
    "from",
    "sender",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "return-path",
}
# How a fellowship is named when a group chooses to be named with it (mail_naming == "fellowship").
FELLOWSHIP_SHORT = {"aa": "AA", "na": "NA", "ca": "CA", "smart": "SMART Recovery", "al-anon": "Al-Anon"}
RETRY_CAP = timedelta(hours=2)
# A stop link keeps working for a long time: mail is read late, and RFC 8058 clients keep the header.
STOP_LINK_MAX_AGE = timedelta(days=400)


class MailError(ValueError):
    """A message that must not be enqueued (bad address, header injection...)."""


# ---------------------------------------------------------------------------------------------------
# Names, links, headers


def group_mail_name(group) -> str:
    """The group's name in sender names and subjects: its discreet name, with the fellowship only when
    the group chose so (discretion rule: an inbox preview or lock screen must not out anyone)."""
    name = group.discreet_name
    if group.mail_naming == "fellowship":
        short = FELLOWSHIP_SHORT.get(group.fellowship)
        if short and short.lower() not in name.lower():
            return f"{name} ({short})"
    return name


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a message, always built on ``BASE_URL`` (never on a request's Host header)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def _stop_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="groupadmin.mail-stop")


def stop_token(address_hash: str) -> str:
    return _stop_serializer().dumps({"h": address_hash})


def load_stop_token(token: str) -> str:
    """The address hash a stop link stands for; MailError when the link is not ours or too old."""
    try:
        data = _stop_serializer().loads(token, max_age=int(STOP_LINK_MAX_AGE.total_seconds()))
    except BadSignature as exc:
        raise MailError("bad stop link") from exc
    if not isinstance(data, dict) or not isinstance(data.get("h"), str):
        raise MailError("bad stop link")
    return data["h"]


def check_header(name: str, value: str) -> None:
    """Refuse header names that are not tokens and values with line breaks (header injection)."""
    if not name or any(c <= " " or c == ":" or c > "~" for c in name):
        raise MailError(f"bad header name {name!r}")
    if any(c in value for c in "\r\n\0"):
        raise MailError(f"header {name} contains a line break")


def normalise_address(to: str) -> str:
    """One syntactically valid address, or MailError (never a list, never a display name)."""
    to = (to or "").strip()
    if any(c in to for c in "\r\n\0,;<>") or " " in to:
        raise MailError("one plain email address is needed")
    try:
        result = validate_email(to, check_deliverability=False)
    except EmailNotValidError as exc:
        raise MailError("not a valid email address") from exc
    return result.normalized


def sender_address() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1] or "groupadmin@localhost"


def _sender_header(group) -> str:
    configured_name, address = parseaddr(current_app.config["MAIL_FROM"])
    name = group_mail_name(group) if group is not None else (configured_name or "groupadmin")
    return formataddr((name, address or "groupadmin@localhost"))


def is_undeliverable(address: str) -> bool:
    return (
        db.session.scalar(
            sa.select(UndeliverableAddress.id).where(
                UndeliverableAddress.address_hash == crypto.lookup_hash(address)
            )
        )
        is not None
    )


def _is_account_holder(address: str) -> bool:
    from groupadmin.auth.models import User

    return db.session.scalar(sa.select(User.id).where(User.email == address.lower())) is not None


# ---------------------------------------------------------------------------------------------------
# Enqueue


def render(template: str, context: dict) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/mail/<template>.txt`` and ``.html`` (HTML autoescaped)."""
    return (
        render_template(f"mail/{template}.txt", **context),
        render_template(f"mail/{template}.html", **context),
    )


def _insert(values: dict):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])


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
) -> OutboxMessage | None:
    """Add one message to the caller's transaction; None (and nothing added) when `key` exists already.

    - `template` names the pair ``templates/mail/<template>.txt`` / ``.html``; `context` is passed to
      both, with ``group``, ``group_name`` (discreet), ``unsubscribe_url`` and ``base_url`` added.
    - `subject` may be a lazy string: it is evaluated in the message's `locale` (default: the group's).
    - `unsubscribe_url`: the domain's own way to stop this kind of mail (a newsletter's one-click
      unsubscribe). Without one, a message to someone who is not an account holder gets a link that
      stops all mail to the address. Either way it is also sent as ``List-Unsubscribe`` (RFC 8058).
    - A recipient marked undeliverable is not written to: the row is added as failed ("held"), so the
      key stays used and secretaries see why.
    """
    if not key or len(key) > 200:
        raise MailError("an idempotency key of 1 to 200 characters is needed")
    if key_exists(key):
        return None
    address = normalise_address(to)
    address_hash = crypto.lookup_hash(address)
    if unsubscribe_url is None and not _is_account_holder(address):
        unsubscribe_url = external_url("mail.stop", token=stop_token(address_hash))

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
            "group_name": group_mail_name(group) if group is not None else None,
            "unsubscribe_url": unsubscribe_url,
            **context,
        }
        text_body, html_body = render(template, full_context)

    all_headers = {"From": _sender_header(group), "Auto-Submitted": "auto-generated"}
    if group is not None and group.contact_email:
        all_headers["Reply-To"] = group.contact_email
    if unsubscribe_url:
        all_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        all_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in (headers or {}).items():
        if name.lower() in _RESERVED_HEADERS:
            raise MailError(f"header {name} is set by the outbox")
        all_headers[name] = str(value)
    for name, value in all_headers.items():
        check_header(name, value)
    if not subject:
        raise MailError("a subject is needed")

    held = (
        db.session.scalar(
            sa.select(UndeliverableAddress.id).where(UndeliverableAddress.address_hash == address_hash)
        )
        is not None
    )
    domain = sender_address().rpartition("@")[2] or "localhost"
    values = {
        "idempotency_key": key,
        "group_id": group.id if group is not None else None,
        "template": template,
        "recipient": address,
        "recipient_hash": address_hash,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "headers": all_headers,
        "status": "failed" if held else "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": HELD if held else None,
        "message_id": f"<{uuid.uuid4().hex}@{domain}>",
        "created_at": now,
    }
    db.session.flush()  # the caller's pending rows first (the group, the object the message is about)
    new_id = db.session.execute(_insert(values).returning(OutboxMessage.id)).scalar()
    if new_id is None:  # another transaction added the key meanwhile
        return None
    log.info("mail.enqueued", extra={"fields": {"outbox_id": new_id, "template": template, "held": held}})
    return db.session.get(OutboxMessage, new_id)


# ---------------------------------------------------------------------------------------------------
# Delivery


@dataclass
class RelayStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    on_hold: bool = False
    problems: list[str] = field(default_factory=list)


def transport_from_config():
    root = current_app.instance_path and os.path.dirname(current_app.instance_path)
    return transports.from_url(
        current_app.config["MAIL_URL"], timeout=current_app.config["MAIL_SMTP_TIMEOUT"], root=root
    )


def relay_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _nominal_delay(attempt: int) -> timedelta:
    base = timedelta(seconds=current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return min(base * 2 ** min(attempt - 1, 30), RETRY_CAP)


def retry_delay(attempt: int) -> timedelta | None:
    """How long to wait after failed attempt number `attempt` (1, 2, ...): exponential backoff from
    ``MAIL_RETRY_BASE_SECONDS``, doubling up to two hours, with ±25 % jitter so that messages that
    failed together do not all come back together. None once the attempts so far span more than
    ``MAIL_RETRY_MAX_AGE`` (about a day): then the message fails."""
    spent = sum((_nominal_delay(n) for n in range(1, attempt + 1)), timedelta())
    if spent > current_app.config["MAIL_RETRY_MAX_AGE"]:
        return None
    return _nominal_delay(attempt) * random.uniform(0.75, 1.25)


def _claim(now: datetime, limit: int, owner: str) -> list[int]:
    """Lease up to `limit` due messages to `owner`: pending ones whose time has come, and ones being
    sent whose lease expired (a crashed relay). PostgreSQL skips rows another relay is claiming
    (FOR UPDATE SKIP LOCKED); SQLite serialises writers, so the conditional update is enough."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    due = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status="sending", lease_owner=owner, lease_expires_at=now + lease, next_attempt_at=now + lease
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(db.session.execute(stmt).scalars())
    db.session.commit()
    return ids


_ROW_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.recipient_hash,
    OutboxMessage.subject,
    OutboxMessage.text_body,
    OutboxMessage.html_body,
    OutboxMessage.headers,
    OutboxMessage.message_id,
    OutboxMessage.created_at,
    OutboxMessage.attempts,
    OutboxMessage.group_id,
)


_WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)


def build_envelope(row) -> Envelope:
    msg = EmailMessage(policy=SMTP_POLICY)
    headers = dict(row.headers or {})
    msg["From"] = headers.pop("From", None) or formataddr(("groupadmin", sender_address()))
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = row.message_id
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(row.text_body or "", cte="quoted-printable")
    if row.html_body:
        msg.add_alternative(row.html_body, subtype="html", cte="quoted-printable")
    return Envelope(
        outbox_id=row.id,
        sender=sender_address(),
        recipient=row.recipient,
        # Headers are folded only past SMTP's line limit: a long List-Unsubscribe URL must stay whole
        # (folding it would turn it into encoded words that mail clients cannot follow).
        data=msg.as_bytes(policy=_WIRE_POLICY),
        file_name=f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}.eml",
    )


def _update(ids, **values) -> None:
    ids = [ids] if isinstance(ids, int) else list(ids)
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _retry_later(row, error: str, now: datetime) -> bool:
    """Record a temporary failure; True when the message will be tried again, False when it failed."""
    attempts = row.attempts + 1
    delay = retry_delay(attempts)
    if delay is None:
        _update(
            row.id,
            status="failed",
            attempts=attempts,
            last_error=error[:500],
            lease_owner=None,
            lease_expires_at=None,
        )
        return False
    _update(
        row.id,
        status="pending",
        attempts=attempts,
        next_attempt_at=now + delay,
        last_error=error[:500],
        lease_owner=None,
        lease_expires_at=None,
    )
    return True


def flag_undeliverable(
    address: str, *, address_hash: str, reason: str, now: datetime, group_id=None, kind: str = "refused"
) -> None:
    """Mark an address undeliverable (once) and hold every message still waiting for it."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(UndeliverableAddress)
        .values(
            address_hash=address_hash,
            address=address,
            group_id=group_id,
            kind=kind,
            reason=reason[:300],
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["address_hash"])
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient_hash == address_hash, OutboxMessage.status == "pending")
        .values(status="failed", last_error=HELD)
        .execution_options(synchronize_session=False)
    )


def _alert(kind: str, detail: str, now: datetime) -> None:
    alert = db.session.scalar(
        sa.select(MailAlert).where(MailAlert.kind == kind, MailAlert.cleared_at.is_(None)).limit(1)
    )
    if alert is None:
        db.session.add(MailAlert(kind=kind, detail=detail[:500], created_at=now, last_seen_at=now))
    else:
        alert.detail, alert.last_seen_at = detail[:500], now


def _clear_alerts(now: datetime) -> None:
    db.session.execute(
        sa.update(MailAlert)
        .where(MailAlert.cleared_at.is_(None))
        .values(cleared_at=now)
        .execution_options(synchronize_session=False)
    )


def open_alerts() -> list[MailAlert]:
    return list(
        db.session.scalars(
            sa.select(MailAlert).where(MailAlert.cleared_at.is_(None)).order_by(MailAlert.created_at)
        )
    )


def _on_hold(now: datetime) -> bool:
    """After the server refused our session or could not be reached, wait one retry delay before the
    next attempt, instead of hammering it (and every message waits: nothing is failed or flagged)."""
    last = db.session.scalar(
        sa.select(sa.func.max(MailAlert.last_seen_at)).where(MailAlert.cleared_at.is_(None))
    )
    db.session.commit()
    return last is not None and now < last + _nominal_delay(1)


def deliver_due(
    *,
    now: datetime,
    transport=None,
    batch: int | None = None,
    max_batches: int | None = None,
    owner: str | None = None,
) -> RelayStats:
    """The relay: deliver every message due at `now`, batch after batch, over one connection.

    Each batch is claimed with a lease (``MAIL_LEASE_SECONDS``) and committed; then each message is
    sent and its mark committed at once. Time moves on from `now` as the run takes real time.
    """
    config = current_app.config
    batch = batch or config["MAIL_RELAY_BATCH"]
    owner = owner or relay_owner()
    stats = RelayStats()
    if _on_hold(now):
        stats.on_hold = True
        return stats
    transport = transport or transport_from_config()
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    batches = 0
    with transport.session() as session:
        while max_batches is None or batches < max_batches:
            ids = _claim(clock(), batch, owner)
            if not ids:
                break
            batches += 1
            stats.claimed += len(ids)
            if not _deliver_batch(ids, session, owner, clock, stats):
                break
    if stats.claimed:
        log.info(
            "mail.relay",
            extra={
                "fields": {k: getattr(stats, k) for k in ("claimed", "sent", "retried", "failed", "held")}
            },
        )
    return stats


def _deliver_batch(ids: list[int], session, owner: str, clock, stats: RelayStats) -> bool:
    """Send one claimed batch; False when the run must stop (the server is unreachable or refuses us)."""
    rows = db.session.execute(
        sa.select(*_ROW_COLUMNS)
        .where(
            OutboxMessage.id.in_(ids), OutboxMessage.lease_owner == owner, OutboxMessage.status == "sending"
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    flagged = set(
        db.session.scalars(
            sa.select(UndeliverableAddress.address_hash).where(
                UndeliverableAddress.address_hash.in_({r.recipient_hash for r in rows if r.recipient_hash})
            )
        )
    )
    db.session.commit()
    waiting = []
    for row in rows:
        if row.recipient is None:  # forgotten meanwhile
            _update(row.id, status="failed", last_error=FORGOTTEN, lease_owner=None, lease_expires_at=None)
            stats.failed += 1
        elif row.recipient_hash in flagged:
            _update(row.id, status="failed", last_error=HELD, lease_owner=None, lease_expires_at=None)
            stats.held += 1
        else:
            waiting.append(row)
    db.session.commit()

    for index, row in enumerate(waiting):
        if row.recipient_hash in flagged:  # refused earlier in this batch
            _update(row.id, status="failed", last_error=HELD, lease_owner=None, lease_expires_at=None)
            db.session.commit()
            stats.held += 1
            continue
        try:
            envelope = build_envelope(row)
            session.send(envelope)
        except DeliveryError as error:
            now = clock()
            detail = str(error)
            log.warning(
                "mail.delivery_problem",
                extra={"fields": {"outbox_id": row.id, "kind": error.kind, "code": error.code}},
            )
            if error.kind == "temporary":
                if _retry_later(row, detail, now):
                    stats.retried += 1
                else:
                    stats.failed += 1
            elif error.kind == "recipient":
                _update(
                    row.id,
                    status="failed",
                    attempts=row.attempts + 1,
                    last_error=detail[:500],
                    lease_owner=None,
                    lease_expires_at=None,
                )
                flag_undeliverable(
                    row.recipient,
                    address_hash=row.recipient_hash,
                    reason=detail,
                    now=now,
                    group_id=row.group_id,
                )
                flagged.add(row.recipient_hash)
                stats.failed += 1
            elif error.kind == "message":
                _update(
                    row.id,
                    status="failed",
                    attempts=row.attempts + 1,
                    last_error=detail[:500],
                    lease_owner=None,
                    lease_expires_at=None,
                )
                stats.failed += 1
            else:  # "connection" or "session": nothing more can go out in this run
                rest = waiting[index:]
                if error.kind == "connection":
                    for other in rest:
                        if _retry_later(other, detail, now):
                            stats.retried += 1
                        else:
                            stats.failed += 1
                else:  # the session was refused: hold everything as it is, for the admin to fix
                    _update(
                        [r.id for r in rest],
                        status="pending",
                        next_attempt_at=now,
                        last_error=detail[:500],
                        lease_owner=None,
                        lease_expires_at=None,
                    )
                _alert(error.kind, detail, now)
                log.error("mail.relay_stopped", extra={"fields": {"kind": error.kind, "code": error.code}})
                stats.problems.append(detail)
                db.session.commit()
                return False
            db.session.commit()
        else:
            _update(
                row.id,
                status="sent",
                sent_at=clock(),
                attempts=row.attempts + 1,
                last_error=None,
                lease_owner=None,
                lease_expires_at=None,
            )
            if index == 0:
                _clear_alerts(clock())
            db.session.commit()
            stats.sent += 1
    return True


# ---------------------------------------------------------------------------------------------------
# Administration, retention and forgetting


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status))
    counts = dict.fromkeys(("pending", "sending", "sent", "failed"), 0)
    counts.update({status: n for status, n in rows})
    return counts


def retry(message: OutboxMessage, *, now: datetime) -> bool:
    """Send a failed message again (from a fresh day of retries). False when there is nothing to send."""
    if message.status != "failed" or message.recipient is None:
        return False
    message.status, message.attempts, message.next_attempt_at = "pending", 0, now
    message.lease_owner = message.lease_expires_at = None
    return True


def clear_undeliverable(entry: UndeliverableAddress) -> None:
    db.session.delete(entry)


def undeliverable_for_group(group) -> list[UndeliverableAddress]:
    """Flagged addresses this group wrote to (or that were flagged through its mail)."""
    return list(
        db.session.scalars(
            sa.select(UndeliverableAddress)
            .where(
                sa.or_(
                    UndeliverableAddress.group_id == group.id,
                    UndeliverableAddress.address_hash.in_(
                        sa.select(OutboxMessage.recipient_hash).where(OutboxMessage.group_id == group.id)
                    ),
                )
            )
            .order_by(UndeliverableAddress.created_at.desc())
        )
    )


def count_undeliverable_for_group(group) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(UndeliverableAddress)
        .where(
            sa.or_(
                UndeliverableAddress.group_id == group.id,
                UndeliverableAddress.address_hash.in_(
                    sa.select(OutboxMessage.recipient_hash).where(OutboxMessage.group_id == group.id)
                ),
            )
        )
    )


def stop_address(address_hash: str, *, now: datetime) -> None:
    """The owner of an address asked for no more mail (a stop link): flag it, hold what waits for it."""
    address = db.session.scalar(
        sa.select(OutboxMessage.recipient)
        .where(OutboxMessage.recipient_hash == address_hash, OutboxMessage.recipient.is_not(None))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    flag_undeliverable(
        address, address_hash=address_hash, reason="asked to receive no more mail", now=now, kind="stopped"
    )
    db.session.execute(
        sa.update(UndeliverableAddress)
        .where(UndeliverableAddress.address_hash == address_hash)
        .values(kind="stopped")
        .execution_options(synchronize_session=False)
    )


_PURGED = {
    "recipient": None,
    "recipient_hash": None,
    "subject": None,
    "text_body": None,
    "html_body": None,
    "headers": None,
    "last_error": None,
    "lease_owner": None,
    "lease_expires_at": None,
}


def purge_expired(*, now: datetime) -> int:
    """Retention: sent and failed messages older than ``MAIL_RETENTION`` keep only key, status and times."""
    cutoff = now - current_app.config["MAIL_RETENTION"]
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.recipient_hash.is_not(None),
            OutboxMessage.created_at < cutoff,
            OutboxMessage.status.in_(("sent", "failed")),
        )
        .values(**_PURGED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(MailAlert).where(MailAlert.cleared_at < cutoff))
    if result.rowcount:
        log.info("mail.purged", extra={"fields": {"messages": result.rowcount}})
    return result.rowcount


def forget_address(address: str, *, now: datetime) -> int:
    """Erase an address from the outbox: messages waiting for it are cancelled (the key stays used, so
    nothing re-sends them), sent ones lose recipient and bodies, the undeliverable flag goes."""
    address_hash = crypto.lookup_hash(address)
    cancelled = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient_hash == address_hash, OutboxMessage.status.in_(("pending", "sending")))
        .values(**{**_PURGED, "status": "failed", "last_error": FORGOTTEN})
        .execution_options(synchronize_session=False)
    ).rowcount
    purged = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient_hash == address_hash)
        .values(**_PURGED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.delete(UndeliverableAddress).where(UndeliverableAddress.address_hash == address_hash)
    )
    log.info("mail.forgotten", extra={"fields": {"messages": cancelled + purged}})
    return cancelled + purged


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
