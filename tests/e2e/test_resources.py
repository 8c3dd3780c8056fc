"""The resources directory in a browser: the public page on a phone (crisis lines first, tel: links),
and the group's card printed to PDF on A4 and Letter: one page each."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_public_directory_on_a_phone(phone, artifacts):
    phone.goto("/resources/lakeside")
    headings = phone.locator("h2").all_inner_texts()
    assert headings[0] == "Crisis lines"
    call = phone.get_by_role("link", name="555-0100")
    assert call.get_attribute("href") == "tel:5550100"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing wider than the phone
    phone.screenshot(path=str(artifacts / "resources-public-phone.png"), full_page=True)
    phone.goto("/resources/lakeside/lakeside-aa")
    assert phone.get_by_text("Tuesday Night Group's sober coffee").is_visible()


def test_the_card_prints_on_one_page(page, artifacts):
    log_in(page, "secretary@example.org")
    page.goto("/groups/lakeside-aa/resources/card")
    assert page.locator(".resource-qr svg").is_visible()
    page.screenshot(path=str(artifacts / "resources-card.png"), full_page=True)
    page.emulate_media(media="print")
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        (artifacts / f"resources-card-{paper}.pdf").write_bytes(pdf)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, paper
