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

import binascii
import functools
import logging
import os
import random
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
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
from groupadmin.database import UTCDateTime
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
RETRY_CAP = timedelta(hours=2)
# A stop link keeps working for a long time: mail is read late, and RFC 8058 clients keep the header.
STOP_LINK_MAX_AGE = timedelta(days=400)


class MailError(ValueError):
    """A message that must not be enqueued (bad address, header injection...)."""


# ---------------------------------------------------------------------------------------------------
# Names, links, headers


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
        # ASCII only (an internationalised domain in its xn-- form): every SMTP server takes it.
        result = validate_email(to, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise MailError("not a valid email address") from exc
    return result.ascii_email or result.normalized


def can_write_to(address: str) -> bool:
    """Whether `address` is one that ``enqueue`` takes (one plain address, ASCII or an IDN domain)."""
    try:
        normalise_address(address)
    except MailError:
        return False
    return True


def sender_address() -> str:
    return _address_of(current_app.config["MAIL_FROM"])


@functools.lru_cache(maxsize=8)
def _address_of(mail_from: str) -> str:
    address = parseaddr(mail_from)[1] or "groupadmin@localhost"
    if not re.fullmatch(r"[!-~]+@[!-~]+", address) or any(c in address for c in '<>()[],;:\\"'):
        raise ValueError("MAIL_FROM must be an address, optionally with a name: 'Name <user@example.org>'")
    return address


def _sender_header(group) -> str:
    configured_name, address = parseaddr(current_app.config["MAIL_FROM"])
    name = group.mail_name if group is not None else (configured_name or "groupadmin")
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
    insert = _insert_for(db.session)
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
            "group_name": group.mail_name if group is not None else None,
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


_OUTBOX = OutboxMessage.__table__
_ALERTS = MailAlert.__table__
_UNDELIVERABLE = UndeliverableAddress.__table__


def _claim(sql, now: datetime, limit: int, owner: str) -> list[int]:
    """Lease up to `limit` due messages to `owner`, and commit: pending ones whose time has come, and
    ones being sent whose lease expired (a crashed relay). PostgreSQL skips rows another relay is
    claiming (FOR UPDATE SKIP LOCKED); SQLite serialises writers, so the conditional update is enough.
    `sql` is the relay's connection (or a session)."""
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    due = (
        sa.select(_OUTBOX.c.id)
        .where(_OUTBOX.c.status.in_(("pending", "sending")), _OUTBOX.c.next_attempt_at <= now)
        .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        _OUTBOX.update()
        .where(_OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(
            status="sending", lease_owner=owner, lease_expires_at=now + lease, next_attempt_at=now + lease
        )
        .returning(_OUTBOX.c.id)
    )
    ids = list(sql.execute(stmt).scalars())
    sql.commit()
    return ids


def _encrypted(column):
    """A column as stored (still encrypted): the relay decrypts bodies as it builds each message."""
    return sa.type_coerce(column, sa.Text).label(column.key)


_ROW_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.recipient_hash,
    _encrypted(OutboxMessage.subject),
    _encrypted(OutboxMessage.text_body),
    _encrypted(OutboxMessage.html_body),
    OutboxMessage.headers,
    OutboxMessage.message_id,
    OutboxMessage.created_at,
    OutboxMessage.attempts,
    OutboxMessage.group_id,
)


_WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)


def build_envelope(row, *, lazy: bool = False) -> Envelope:
    """The message as it goes on the wire: text and HTML alternatives, quoted-printable UTF-8.

    `row` has the columns of ``_ROW_COLUMNS`` (subject and bodies still encrypted). With `lazy`, the
    bytes are built only when the transport asks for them (during a wait on the server)."""

    def content() -> bytes:
        headers = dict(row.headers or {})
        fields = [
            ("From", headers.pop("From", None) or formataddr(("groupadmin", sender_address()))),
            ("To", row.recipient),
            ("Subject", _decrypt(row.subject)),
            ("Date", format_datetime(row.created_at)),
            ("Message-ID", row.message_id),
            *headers.items(),
        ]
        text, html = _decrypt(row.text_body) or "", _decrypt(row.html_body)
        if all(value.isascii() for name, value in fields if name != "Subject"):
            return _mime(fields, text, html)
        return _mime_with_email_package(fields, text, html)  # let the email package encode the rest

    return Envelope(
        outbox_id=row.id,
        sender=sender_address(),
        recipient=row.recipient,
        data=content if lazy else content(),
        file_name=f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}.eml",
    )


def _decrypt(token: str | None) -> str | None:
    return None if token is None else crypto.decrypt(token)


def _qp_part(content_type: str, body: str) -> bytes:
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return (
        f"Content-Type: {content_type}; charset=utf-8\r\n".encode()
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + binascii.b2a_qp(body.encode("utf-8"), istext=True)
        + b"\r\n"
    )


def _mime(fields, text: str, html: str | None) -> bytes:
    """Build the MIME message directly: several times faster than the email package, which parses every
    header it is given. Header values were checked for CR/LF at enqueue time; only the subject may be
    non-ASCII (RFC 2047 encoded here). Headers are folded only past SMTP's line limit, so a long
    List-Unsubscribe URL stays whole. Lines end in CRLF, as SMTP wants them."""
    lines = []
    for name, value in fields:
        if not value.isascii():
            value = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
        lines.append(f"{name}: {value}\r\n")
    lines.append("MIME-Version: 1.0\r\n")
    head = "".join(lines).encode("ascii")
    if not html:
        return head + _qp_part("text/plain", text)
    boundary = f"=_{uuid.uuid4().hex}"  # "=_" never occurs in quoted-printable text: no collision
    return (
        head
        + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n--{boundary}\r\n'.encode()
        + _qp_part("text/plain", text)
        + f"--{boundary}\r\n".encode()
        + _qp_part("text/html", html)
        + f"--{boundary}--\r\n".encode()
    )


def _mime_with_email_package(fields, text: str, html: str | None) -> bytes:
    msg = EmailMessage(policy=SMTP_POLICY)
    for name, value in fields:
        msg[name] = value
    msg.set_content(text, cte="quoted-printable")
    if html:
        msg.add_alternative(html, subtype="html", cte="quoted-printable")
    return msg.as_bytes(policy=_WIRE_POLICY)


def _update(sql, ids, **values) -> None:
    """Update outbox rows by id (Core on the table: the relay does this once per message)."""
    ids = [ids] if isinstance(ids, int) else list(ids)
    if ids:
        where = _OUTBOX.c.id == ids[0] if len(ids) == 1 else _OUTBOX.c.id.in_(ids)
        sql.execute(_OUTBOX.update().where(where).values(**values))


def _retry_later(sql, row, error: str, now: datetime) -> bool:
    """Record a temporary failure; True when the message will be tried again, False when it failed."""
    attempts = row.attempts + 1
    delay = retry_delay(attempts)
    done = {"attempts": attempts, "last_error": error[:500], "lease_owner": None, "lease_expires_at": None}
    if delay is None:
        _update(sql, row.id, status="failed", **done)
        return False
    _update(sql, row.id, status="pending", next_attempt_at=now + delay, **done)
    return True


def _insert_for(sql):
    """The dialect's INSERT (for ON CONFLICT DO NOTHING), for a session or a connection."""
    dialect = (sql.get_bind() if hasattr(sql, "get_bind") else sql).dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover
        raise RuntimeError(f"unsupported database {dialect}")
    return insert


def flag_undeliverable(
    address: str | None,
    *,
    address_hash: str,
    reason: str,
    now: datetime,
    group_id=None,
    kind: str = "refused",
    sql=None,
) -> None:
    """Mark an address undeliverable (once) and hold every message still waiting for it."""
    sql = db.session if sql is None else sql
    insert = _insert_for(sql)
    sql.execute(
        insert(_UNDELIVERABLE)
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
    sql.execute(
        _OUTBOX.update()
        .where(_OUTBOX.c.recipient_hash == address_hash, _OUTBOX.c.status == "pending")
        .values(status="failed", last_error=HELD)
    )


def _alert(sql, kind: str, detail: str, now: datetime) -> None:
    open_ = sql.execute(
        sa.select(_ALERTS.c.id).where(_ALERTS.c.kind == kind, _ALERTS.c.cleared_at.is_(None)).limit(1)
    ).scalar()
    if open_ is None:
        sql.execute(_ALERTS.insert().values(kind=kind, detail=detail[:500], created_at=now, last_seen_at=now))
    else:
        sql.execute(
            _ALERTS.update().where(_ALERTS.c.id == open_).values(detail=detail[:500], last_seen_at=now)
        )


def _clear_alerts(sql, now: datetime) -> None:
    sql.execute(_ALERTS.update().where(_ALERTS.c.cleared_at.is_(None)).values(cleared_at=now))


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
    should_stop=None,
) -> RelayStats:
    """The relay: deliver every message due at `now`, batch after batch, over one connection.

    Each batch is claimed with a lease (``MAIL_LEASE_SECONDS``) and committed; then each message is
    sent and its mark committed at once. Time moves on from `now` as the run takes real time.
    `should_stop()` is asked between batches (the scheduler stopping).
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
    # The relay works on a connection of its own for the whole run: one mark committed per message,
    # without a session's bookkeeping or a pool check-out (and ping) for each.
    with db.engine.connect() as sql, transport.session() as session:
        while max_batches is None or batches < max_batches:
            if should_stop is not None and should_stop():  # the scheduler is stopping: the rest waits
                break
            ids = _claim(sql, clock(), batch, owner)
            if not ids:
                break
            batches += 1
            stats.claimed += len(ids)
            if not _deliver_batch(sql, ids, session, owner, clock, stats):
                break
    if stats.claimed:
        log.info(
            "mail.relay",
            extra={
                "fields": {k: getattr(stats, k) for k in ("claimed", "sent", "retried", "failed", "held")}
            },
        )
    return stats


# The relay's hot path, once per message: one statement built once, so that SQLAlchemy only looks it up.
_MARK_SENT = sa.text(
    "UPDATE outbox_message SET status = 'sent', sent_at = :sent_at, attempts = attempts + 1,"
    " last_error = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = :id"
).bindparams(sa.bindparam("sent_at", type_=UTCDateTime()), sa.bindparam("id", type_=sa.Integer()))


def _deliver_batch(sql, ids: list[int], session, owner: str, clock, stats: RelayStats) -> bool:
    """Send one claimed batch; False when the run must stop (the server is unreachable or refuses us).

    A sent message's mark is committed while the server reads the next message's MAIL FROM (or at
    once, when there is no next): never later than the start of the next message, so a crash leaves
    at most one accepted message unmarked, to be sent once more.
    """
    rows = sql.execute(
        sa.select(*_ROW_COLUMNS)
        .where(_OUTBOX.c.id.in_(ids), _OUTBOX.c.lease_owner == owner, _OUTBOX.c.status == "sending")
        .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
    ).all()
    flagged = set(
        sql.execute(
            sa.select(_UNDELIVERABLE.c.address_hash).where(
                _UNDELIVERABLE.c.address_hash.in_({r.recipient_hash for r in rows if r.recipient_hash})
            )
        ).scalars()
    )
    sql.commit()
    released = {"lease_owner": None, "lease_expires_at": None}
    unmarked: list[dict] = []  # the message sent last, until its mark is committed
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    renew_at = clock() + lease / 2

    def commit_mark() -> None:
        if unmarked:
            sql.execute(_MARK_SENT, unmarked.pop())
            if stats.sent == 1:  # mail flows: whatever alert was open is over
                _clear_alerts(sql, clock())
            sql.commit()

    try:
        for index, row in enumerate(rows):
            if clock() >= renew_at:  # a slow server: keep the rest of the batch ours (a heartbeat)
                commit_mark()
                now = clock()
                remaining = [r.id for r in rows[index:]]
                sql.execute(
                    _OUTBOX.update()
                    .where(_OUTBOX.c.id.in_(remaining), _OUTBOX.c.lease_owner == owner)
                    .values(lease_expires_at=now + lease, next_attempt_at=now + lease)
                )
                sql.commit()
                renew_at = now + lease / 2
            if row.recipient is None or row.recipient_hash in flagged:
                # Erased meanwhile; or flagged before, or refused earlier in this batch.
                commit_mark()
                error = FORGOTTEN if row.recipient is None else HELD
                _update(sql, row.id, status="failed", last_error=error, **released)
                sql.commit()
                if row.recipient is None:
                    stats.failed += 1
                else:
                    stats.held += 1
                continue
            try:
                session.send(build_envelope(row, lazy=True), meanwhile=commit_mark)
            except DeliveryError as error:
                commit_mark()
                if not _record_failure(sql, row, rows[index:], error, clock(), flagged, stats):
                    return False
            else:
                unmarked.append({"id": row.id, "sent_at": clock()})
                stats.sent += 1
    finally:
        commit_mark()
    return True


def _record_failure(
    sql, row, rest, error: DeliveryError, now: datetime, flagged: set, stats: RelayStats
) -> bool:
    """Record why `row` was not sent, and commit. False when nothing more can go out in this run."""
    released = {"lease_owner": None, "lease_expires_at": None}
    detail = str(error)
    log.warning(
        "mail.delivery_problem",
        extra={"fields": {"outbox_id": row.id, "kind": error.kind, "code": error.code}},
    )
    if error.kind == "temporary":
        if _retry_later(sql, row, detail, now):
            stats.retried += 1
        else:
            stats.failed += 1
    elif error.kind in ("recipient", "message"):
        failed = {"status": "failed", "attempts": row.attempts + 1, "last_error": detail[:500]}
        _update(sql, row.id, **failed, **released)
        if error.kind == "recipient":  # the address is refused for good: flag it
            flag_undeliverable(
                row.recipient,
                address_hash=row.recipient_hash,
                reason=detail,
                now=now,
                group_id=row.group_id,
                sql=sql,
            )
            flagged.add(row.recipient_hash)
        stats.failed += 1
    else:  # "connection" or "session": nothing more can go out in this run
        sendable = [r for r in rest if r.recipient is not None and r.recipient_hash not in flagged]
        if error.kind == "connection":  # every message of the batch waits, with backoff
            for other in sendable:
                if _retry_later(sql, other, detail, now):
                    stats.retried += 1
                else:
                    stats.failed += 1
        else:  # the session was refused: hold everything as it is, for the admin to fix
            _update(
                sql,
                [r.id for r in sendable],
                status="pending",
                next_attempt_at=now,
                last_error=detail[:500],
                **released,
            )
        others = [r.id for r in rest if r not in sendable]  # erased or flagged: the next run sees to them
        _update(sql, others, status="pending", next_attempt_at=now, **released)
        _alert(sql, error.kind, detail, now)
        log.error("mail.relay_stopped", extra={"fields": {"kind": error.kind, "code": error.code}})
        stats.problems.append(detail)
        sql.commit()
        return False
    sql.commit()
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
