"""Transports, chosen by ``MAIL_URL``:

- ``file://<dir>``: one ``.eml`` file per message, written atomically (a temporary file, fsync'd, then
  renamed), named after the outbox row so that a resend replaces the file instead of adding one;
- ``smtp://[user:pass@]host:port[?tls=starttls|ssl]``: one connection reused for a whole run of the
  relay, opened on the first message and reopened after the server drops it.

A transport opens a *session*; ``session.send(envelope)`` raises ``DeliveryError`` with a ``kind``
that tells the relay what to do:

=============  ==========================================================================================
``temporary``  try this message again later (4xx answers)
``connection`` the server cannot be reached or dropped us: every message of the batch waits for later
``recipient``  the server refused the recipient for good (5xx to RCPT): fail, flag the address
``message``    the server refused this message for good (5xx to DATA): fail, keep the address
``session``    the server refused us (authentication, sender, TLS, relaying denied): hold all mail,
               alert the admin
=============  ==========================================================================================
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class Envelope:
    outbox_id: int
    sender: str
    recipient: str
    # The message, or a function that builds it: the SMTP session calls it while the server reads the
    # RCPT command, so that building overlaps the server's work.
    data: bytes | Callable[[], bytes]
    file_name: str

    def content(self) -> bytes:
        if not callable(self.data):
            return self.data
        try:
            return self.data()
        except (ValueError, TypeError, KeyError) as exc:  # a malformed row fails alone
            raise DeliveryError("message", f"cannot build the message: {type(exc).__name__}") from exc


class DeliveryError(Exception):
    def __init__(self, kind: str, detail: str, code: int | None = None):
        super().__init__(kind, detail, code)
        self.kind, self.detail, self.code = kind, detail, code

    def __str__(self) -> str:
        return f"{self.code} {self.detail}" if self.code else self.detail


_ADDRESS = re.compile(r"[^\s<>@,;:\"]+@[^\s<>,;:\"]+")


def redact(text: str) -> str:
    """A server's answer without the addresses it may quote (they must not reach logs or the admin page)."""
    return _ADDRESS.sub("<address>", text)


def _answer(raw) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return redact(" ".join(text.split()))[:400]


# ---------------------------------------------------------------------------------------------------


class FileTransport:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def describe(self) -> str:
        return f"files in {self.directory}"

    def session(self) -> FileSession:
        return FileSession(self.directory)


class FileSession:
    def __init__(self, directory: Path):
        self.directory = directory
        self._dir_ready = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, envelope: Envelope, meanwhile: Callable[[], None] | None = None) -> None:
        if meanwhile is not None:
            meanwhile()
        data = envelope.content()
        try:
            if not self._dir_ready:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._dir_ready = True
            final = self.directory / envelope.file_name
            tmp = self.directory / f".{envelope.file_name}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, final)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DeliveryError("connection", f"cannot write the mail file: {exc.strerror or exc}") from exc

    def close(self) -> None:
        if self._dir_ready:  # make the renames durable
            try:
                fd = os.open(self.directory, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------------


class SMTPTransport:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        tls: str | None = None,
        timeout: float = 30.0,
    ):
        if tls not in (None, "starttls", "ssl"):
            raise ValueError("MAIL_URL: tls must be starttls or ssl")
        self.host, self.port, self.username, self.password = host, port, username, password
        self.tls, self.timeout = tls, timeout

    def describe(self) -> str:
        return f"SMTP {self.host}:{self.port}" + (f" ({self.tls})" if self.tls else "")

    def session(self) -> SMTPSession:
        return SMTPSession(self)


class SMTPSession:
    """One SMTP connection for many messages; reconnects after the server drops it."""

    def __init__(self, transport: SMTPTransport):
        self.t = transport
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _connect(self) -> None:
        t = self.t
        try:
            if t.tls == "ssl":
                smtp = smtplib.SMTP_SSL(
                    t.host, t.port, timeout=t.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(t.host, t.port, timeout=t.timeout)
            try:
                if t.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if t.username:
                    smtp.login(t.username, t.password or "")
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise _session_or_temporary(
                exc.smtp_code, "authentication refused: " + _answer(exc.smtp_error)
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError("session", f"the server does not support what MAIL_URL asks: {exc}") from exc
        except smtplib.SMTPResponseException as exc:  # greeting, HELO or STARTTLS refused
            raise _session_or_temporary(exc.smtp_code, _answer(exc.smtp_error)) from exc
        except ssl.SSLError as exc:
            raise DeliveryError("session", f"TLS failed: {exc.reason or exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError("connection", f"cannot reach {t.host}:{t.port}: {_os_error(exc)}") from exc
        self.smtp = smtp

    def send(self, envelope: Envelope, meanwhile: Callable[[], None] | None = None) -> None:
        """Send one message (smtplib's ``sendmail`` for one recipient, in its steps).

        The message is built while the server reads MAIL FROM, and `meanwhile` runs while it reads
        RCPT TO: the relay commits the previous message's mark there, overlapping its database write
        with the server's work, yet before this message can be accepted (so at most one accepted
        message is ever unmarked). (No SIZE parameter: the data is not built when MAIL FROM goes out;
        a server refuses an oversized message at the end of DATA instead.)
        """
        if self.smtp is None:
            try:
                self._connect()
            finally:
                if meanwhile is not None and self.smtp is None:
                    meanwhile()
                    meanwhile = None
        try:
            self._transaction(self.smtp, envelope, meanwhile)
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            raise DeliveryError(_recipient_refusal(code, answer), _answer(answer), code) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise _session_or_temporary(exc.smtp_code, "sender refused: " + _answer(exc.smtp_error)) from exc
        except smtplib.SMTPDataError as exc:
            kind = "message" if 500 <= exc.smtp_code < 600 else "temporary"
            raise DeliveryError(kind, _answer(exc.smtp_error), exc.smtp_code) from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _session_or_temporary(exc.smtp_code, _answer(exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:  # disconnected, timeout, reset
            self._drop()
            raise DeliveryError("connection", f"connection lost: {_os_error(exc)}") from exc
        except UnicodeError as exc:  # an address this server cannot take (no SMTPUTF8)
            self._drop()
            raise DeliveryError("message", "the message cannot be encoded for this server") from exc

    def _transaction(self, smtp, envelope: Envelope, meanwhile: Callable[[], None] | None) -> None:
        """MAIL FROM, RCPT TO and DATA for one message; smtplib's exceptions for the refusals."""
        smtp.ehlo_or_helo_if_needed()
        # Addresses were validated as plain ASCII at enqueue: no need for smtplib's parsing quoteaddr.
        smtp.putcmd("mail", f"FROM:<{envelope.sender}>")
        try:  # build the message while the server reads MAIL FROM
            data = envelope.content()
        except DeliveryError:
            self._drop()  # a MAIL command is outstanding: never leave the session half-way
            raise
        code, answer = smtp.getreply()
        if code != 250:
            self._reset(code)
            raise smtplib.SMTPSenderRefused(code, answer, envelope.sender)
        smtp.putcmd("rcpt", f"TO:<{envelope.recipient}>")
        if meanwhile is not None:  # and commit the last mark while it reads RCPT TO
            try:
                meanwhile()
            except BaseException:
                self._drop()
                raise
        code, answer = smtp.getreply()
        if code not in (250, 251):
            self._reset(code)
            raise smtplib.SMTPRecipientsRefused({envelope.recipient: (code, answer)})
        code, answer = smtp.data(data)
        if code != 250:
            self._reset(code)
            raise smtplib.SMTPDataError(code, answer)

    def _reset(self, code: int) -> None:
        """After a refusal: 421 means the server is closing; otherwise RSET and carry on."""
        if code == 421:
            self._drop()
            return
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self._drop()


_RELAY_DENIED = re.compile(rb"^5\.7\.[01]\b|relay", re.IGNORECASE)


def _recipient_refusal(code: int, answer) -> str:
    """A 4xx to RCPT is temporary. A 5xx refuses the address for good (5.1.x: no such mailbox or
    domain), except "relaying denied" (5.7.1, or the word relay): that refuses us, not the address,
    so it holds all mail and alerts the admin instead of flagging every recipient."""
    if not 500 <= code < 600:
        return "temporary"
    raw = answer if isinstance(answer, bytes) else str(answer).encode()
    return "session" if _RELAY_DENIED.search(raw.strip()) else "recipient"


def _session_or_temporary(code: int | None, detail: str) -> DeliveryError:
    if code is not None and 500 <= code < 600:
        return DeliveryError("session", detail, code)
    return DeliveryError("connection", detail, code)


def _os_error(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return redact(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)


# ---------------------------------------------------------------------------------------------------


def from_url(url: str, *, timeout: float = 30.0, root: str | Path | None = None):
    """The transport that ``MAIL_URL`` names. A relative ``file://`` path is taken from `root`."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.netloc + parts.path)
        directory = Path(path)
        if not directory.is_absolute() and root is not None:
            directory = Path(root) / directory
        return FileTransport(directory)
    if parts.scheme in ("smtp", "smtps"):
        query = parse_qs(parts.query)
        tls = query.get("tls", ["ssl" if parts.scheme == "smtps" else None])[0] or None
        port = parts.port or (465 if tls == "ssl" else 587 if tls == "starttls" else 25)
        return SMTPTransport(
            parts.hostname or "localhost",
            port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            timeout=timeout,
        )
    raise ValueError("MAIL_URL must start with file:// or smtp://")
