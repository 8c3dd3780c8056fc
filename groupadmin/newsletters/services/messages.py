"""What every message of a list shares: its sender (the list's own name, else the group's discreet mail
name, else the organisation's name), its group for the outbox, and the List-Id header (RFC 2919)."""

from __future__ import annotations

from flask import current_app

from groupadmin.mail import services as mail
from groupadmin.newsletters.models import MailingList


def list_mail_values(mlist: MailingList) -> dict:
    """`group` and `sender_name` for ``mail.enqueue``."""
    if mlist.group_id is not None:
        return {"group": mlist.group, "sender_name": mlist.sender_name}
    return {"group": None, "sender_name": mlist.sender_name or mlist.organisation.name}


def list_id_header(mlist: MailingList) -> str:
    """``Name <slug.lists.host>``: the name only when it is plain ASCII without specials."""
    domain = mail.sender_address().rpartition("@")[2] or "localhost"
    ident = f"<{mlist.slug}.lists.{domain}>"
    name = " ".join(mlist.name.split())
    if name.isascii() and not any(c in name for c in '<>"\\()[]:;@,'):
        return f"{name} {ident}"
    return ident


def base_url() -> str:
    return current_app.config["BASE_URL"]
