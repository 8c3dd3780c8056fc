"""The message as it goes on the wire: headers, text and HTML alternatives, quoted-printable UTF-8."""

from __future__ import annotations

import binascii
import uuid
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr

import sqlalchemy as sa

from groupadmin import crypto
from groupadmin.mail.models import OutboxMessage
from groupadmin.mail.services.addressing import sender_address
from groupadmin.mail.transports import Envelope


def _encrypted(column):
    """A column as stored (still encrypted): the relay decrypts bodies as it builds each message."""
    return sa.type_coerce(column, sa.Text).label(column.key)


ROW_COLUMNS = (
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
    OutboxMessage.idempotency_key,
)


_WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)


def build_envelope(row, *, lazy: bool = False) -> Envelope:
    """The message as it goes on the wire: text and HTML alternatives, quoted-printable UTF-8.

    `row` has the columns of ``ROW_COLUMNS`` (subject and bodies still encrypted). With `lazy`, the
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
