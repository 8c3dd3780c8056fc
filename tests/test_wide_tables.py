"""Wide tables on a phone (issue 15 item 7): each scrolls in its own box that the keyboard can reach,
is named, tells screen readers it scrolls, and shows a shadow at the edge that has more (CSS only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from groupadmin import demo
from groupadmin.extensions import db
from tests.conftest import NOW, login

CSS = Path(__file__).resolve().parents[1] / "static" / "style.css"


@pytest.mark.parametrize(
    "path",
    ["/counts/trends", "/counts/treasurer", "/counts/catch-up", "/rota/", "/rota/people", "/audit"],
)
def test_wide_tables_scroll_in_a_focusable_named_region_with_a_note(app, client, path):
    demo.seed(now=NOW)
    db.session.commit()
    login(client, "secretary@example.org", "recovery-demo")
    html = client.get(f"/groups/lakeside-aa{path}").get_data(as_text=True)
    regions = re.findall(
        r'<div class="table-scroll"([^>]*)>\s*<p class="visually-hidden" id="([^"]+)">([^<]+)</p>', html
    )
    assert regions, path
    for attrs, note_id, note in regions:
        assert 'tabindex="0"' in attrs and 'role="region"' in attrs
        assert re.search(r'aria-label="[^"]+"', attrs)
        assert f'aria-describedby="{note_id}"' in attrs
        assert "scrolls sideways" in note
    # Every table of these pages sits in such a region (none left to be cut off).
    assert html.count("<table") == len(regions)


def test_the_scroll_shadow_is_css_only():
    css = CSS.read_text()
    rule = css[css.index(".table-scroll {") : css.index("}", css.index(".table-scroll {"))]
    assert "local" in rule and "scroll" in rule and "radial-gradient" in rule
