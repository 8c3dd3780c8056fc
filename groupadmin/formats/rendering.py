"""Markdown for section bodies: CommonMark with raw HTML switched off, then sanitised with nh3.

Two locks on one door: markdown-it escapes any HTML typed into a body (so it shows as text), and nh3
keeps only the few tags a script needs, links only to http(s) and mailto, and no attributes beyond a
link's href and title. Script tags, event handlers and ``javascript:`` links never reach a page.
"""

from __future__ import annotations

import nh3
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# What each kind of section is called on pages and in the script.
KIND_LABELS = {
    "opening": _l("Opening"),
    "reading": _l("Reading"),
    "share": _l("Shares"),
    "speaker": _l("Speaker"),
    "announcement": _l("Announcement"),
    "seventh_tradition": _l("7th Tradition"),
    "business": _l("Business"),
    "closing": _l("Closing"),
    "custom": _l("Other"),
}


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True})


def _image_as_text(renderer, tokens, idx, options, env) -> str:
    # No images from elsewhere (privacy, and the print stays clean): an image shows as its alt text.
    return str(escape(tokens[idx].content))


_md.add_render_rule("image", _image_as_text)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "hr",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a section body."""
    if not text:
        return Markup("")
    html = _md.render(text)
    # Headings in a body sit under the section's own title: h1/h2 read as h3.
    for big in ("h1", "h2"):
        html = html.replace(f"<{big}>", "<h3>").replace(f"</{big}>", "</h3>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)


# Registered with every template by groupadmin.templating.
TEMPLATE_FILTERS = {"markdown": render_markdown}
TEMPLATE_GLOBALS = {"SECTION_KIND_LABELS": KIND_LABELS}
