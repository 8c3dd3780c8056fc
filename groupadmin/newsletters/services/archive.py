"""The public archive of a list: its sent issues (subject, date, text; never anything about who received
them) as pages and as an Atom feed (RFC 4287)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.newsletters.models import MailingList, NewsletterIssue
from groupadmin.newsletters.services.issues import preview

ARCHIVE_SIZE = 100
FEED_SIZE = 20
ATOM = "http://www.w3.org/2005/Atom"


def sent_issues(mlist: MailingList, limit: int = ARCHIVE_SIZE) -> list[NewsletterIssue]:
    return list(
        db.session.scalars(
            sa.select(NewsletterIssue)
            .where(NewsletterIssue.list_id == mlist.id, NewsletterIssue.state == "sent")
            .order_by(NewsletterIssue.sent_at.desc(), NewsletterIssue.id.desc())
            .limit(limit)
        )
    )


def sent_issue(mlist: MailingList, issue_id: int) -> NewsletterIssue | None:
    return db.session.scalar(
        sa.select(NewsletterIssue).where(
            NewsletterIssue.id == issue_id,
            NewsletterIssue.list_id == mlist.id,
            NewsletterIssue.state == "sent",
        )
    )


def atom_feed(mlist: MailingList, *, feed_url: str, page_url: str, issue_url) -> bytes:
    """The list's last sent issues as an Atom feed; `issue_url(issue)` gives each issue's page."""
    ET.register_namespace("", ATOM)
    issues = sent_issues(mlist, FEED_SIZE)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_url)
    _text(feed, "title", mlist.name)
    if mlist.description:
        _text(feed, "subtitle", mlist.description)
    updated = issues[0].sent_at if issues else mlist.created_at
    _text(feed, "updated", updated.isoformat())
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=page_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", mlist.sender_name or mlist.name)
    for issue in issues:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = issue_url(issue)
        _text(entry, "id", url)
        _text(entry, "title", issue.subject)
        _text(entry, "updated", issue.sent_at.isoformat())
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url)
        content = _text(entry, "content", str(preview(issue).html))
        content.set("type", "html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent, tag: str, value: str):
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = value
    return element
