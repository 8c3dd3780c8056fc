"""Names, links and headers: who a message is from and to, the absolute links in it, and the checks that
keep a header to one line (no header injection)."""

from __future__ import annotations

import functools
import re
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app


class MailError(ValueError):
    """A message that must not be enqueued (bad address, header injection...)."""


# Headers a caller may not set: the outbox sets them, one recipient per message.
RESERVED_HEADERS = {
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


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a message, always built on ``BASE_URL`` (never on a request's Host header)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


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


def sender_header(group, sender_name: str | None = None) -> str:
    """The From header: `sender_name` when the caller has one (a newsletter list's), else the group's
    discreet mail name (read duck-typed), or the configured name."""
    configured_name, address = parseaddr(current_app.config["MAIL_FROM"])
    name = group.mail_name if group is not None else (configured_name or "groupadmin")
    name = sender_name or name
    return formataddr((name, address or "groupadmin@localhost"))
