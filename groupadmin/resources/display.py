"""How the directory reads on pages: links to an owner's pages whoever owns it (a group or an
organisation), the kinds' labels, phone numbers as tel: links, whether an entry is due for a re-check."""

from __future__ import annotations

import re

from flask import url_for

from groupadmin.resources import services
from groupadmin.resources.models import KIND_LABELS


def resources_url(owner, endpoint: str, **values) -> str:
    """The URL of a managers' page (`endpoint` without its prefix) of a group's entries
    (``/groups/<slug>/resources/...``) or an organisation's (``/orgs/<slug>/resources/...``)."""
    if services.is_group(owner):
        return url_for(f"resources.group_{endpoint}", group_slug=owner.slug, **values)
    return url_for(f"resources.org_{endpoint}", org_slug=owner.slug, **values)


def tel_href(phone: str | None) -> str:
    """A ``tel:`` link of a phone number as typed: digits and a leading +, an extension as ``;ext=``."""
    if not phone:
        return ""
    main, extension = phone, ""
    match = EXTENSION.search(phone)
    if match:
        main, extension = phone[: match.start()], match.group(1)
    digits = ("+" if main.strip().startswith("+") else "") + re.sub(r"\D", "", main)
    return f"tel:{digits};ext={extension}" if extension else f"tel:{digits}"


EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|x)\s*([0-9]+)\s*$")


TEMPLATE_FILTERS = {"tel_href": tel_href}
TEMPLATE_GLOBALS = {"resources_url": resources_url, "RESOURCE_KIND_LABELS": KIND_LABELS}
