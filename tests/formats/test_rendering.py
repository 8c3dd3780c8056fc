"""Section bodies: Markdown rendered, and nothing a browser would run gets through."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from groupadmin.formats.rendering import ALLOWED_TAGS, render_markdown


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "<p onmouseover=alert(1)>hover</p>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"></svg>',
    "**bold** <b onclick=alert(1)>x</b>",
    "[a]: javascript:alert(1)\n\n[link][a]",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_rendered_harmless(text):
    html = str(render_markdown(text))
    for tag, attrs in Elements(html).tags:
        assert tag in ALLOWED_TAGS, (text, html)
        assert not any(name.lower().startswith("on") for name in attrs), (text, html)
        assert set(attrs) <= {"href", "title", "rel", "start"}, (text, html)
        if "href" in attrs:
            assert attrs["href"].split(":")[0].lower() in {"http", "https", "mailto"}, (text, html)


def test_typed_html_shows_as_text():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(render_markdown("<script>alert(1)</script>"))


def test_markdown_renders_what_a_script_needs():
    html = str(
        render_markdown(
            "# Opening\n\n**Read**: How It Works, *p. 58*\n\n- one\n- two\n\n1. first\n\n"
            "[Meeting Guide](https://example.org/guide)"
        )
    )
    assert "<h3>Opening</h3>" in html  # a body's headings sit below the section's own title
    assert "<strong>Read</strong>" in html and "<em>p. 58</em>" in html
    assert "<ul>" in html and "<ol>" in html
    assert 'href="https://example.org/guide"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_images_show_as_their_alt_text():
    html = str(render_markdown("![The group's logo](https://tracker.example/pixel.png)"))
    assert "<img" not in html and "tracker.example" not in html and "logo" in html


def test_empty_body():
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""
