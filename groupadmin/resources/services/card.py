"""The printable resource card of a group: the public page's absolute address (on BASE_URL, never on
a request's Host header) and its QR code as inline SVG (segno), and what fits on one printed page."""

from __future__ import annotations

import segno

from groupadmin.mail.services import external_url
from groupadmin.resources.models import Resource

# One A4 or Letter page: crisis lines always, then as many other entries as fit.
CARD_ENTRIES = 12


def public_url(organisation, group=None) -> str:
    if group is None:
        return external_url("resources.public_org", org_slug=organisation.slug)
    return external_url("resources.public_group", org_slug=organisation.slug, group_slug=group.slug)


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, scaling with its box (viewBox, no fixed size)."""
    return qr_code(url).svg_inline(scale=1, border=2, omitsize=True, dark="#000", light="#fff")


def card_entries(entries: list[Resource]) -> tuple[list[Resource], int]:
    """What the card shows (crisis lines first, in directory order, at most CARD_ENTRIES) and how many
    more the public page has."""
    return entries[:CARD_ENTRIES], max(len(entries) - CARD_ENTRIES, 0)
