"""How newsletters read on pages: links to a list's pages whoever owns it, labels, masked addresses."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from groupadmin.newsletters import services

STATUS_LABELS = {
    "unconfirmed": _l("Waiting for confirmation"),
    "confirmed": _l("Subscribed"),
    "unsubscribed": _l("Left"),
    "bounced": _l("Undeliverable"),
}
ISSUE_STATE_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "sending": _l("Sending"),
    "paused": _l("Paused"),
    "sent": _l("Sent"),
    "cancelled": _l("Cancelled"),
    "held": _l("Held: it could not go out on time"),
}


def news_url(owner, endpoint: str, **values) -> str:
    """The URL of a managers' page of newsletters (`endpoint` without its prefix) for a group's list
    (``/groups/<slug>/news/...``) or an organisation's (``/orgs/<slug>/news/...``)."""
    if services.is_group(owner):
        return url_for(f"newsletters.group_{endpoint}", group_slug=owner.slug, **values)
    return url_for(f"newsletters.org_{endpoint}", org_slug=owner.slug, **values)


TEMPLATE_FILTERS = {"mask_email": services.mask}
TEMPLATE_GLOBALS = {
    "news_url": news_url,
    "NEWS_STATUS_LABELS": STATUS_LABELS,
    "NEWS_ISSUE_STATE_LABELS": ISSUE_STATE_LABELS,
}
