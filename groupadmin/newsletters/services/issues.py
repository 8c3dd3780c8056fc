"""Issues of a list: written in Markdown (sanitised with nh3 for the HTML part; the plain-text part is the
Markdown as typed), previewed as sent, tested on oneself, then sent now or scheduled at a local date and
time. States: draft → scheduled → sending ⇄ paused → sent; cancelled from any state before sent; a
scheduled issue that could not start in time is held for its managers to send or cancel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from groupadmin.errors import UserError
from groupadmin.extensions import db
from groupadmin.formats.rendering import render_markdown
from groupadmin.mail import services as mail
from groupadmin.meetings.schedule import local_time_exists
from groupadmin.newsletters.models import MailingList, NewsletterIssue, Subscription
from groupadmin.newsletters.services.lists import owner_of, record
from groupadmin.newsletters.services.messages import list_id_header, list_mail_values

EDITABLE = ("draft", "scheduled", "held")
CANCELLABLE = ("draft", "scheduled", "held", "paused", "sending")
MAX_BODY = 50_000


class IssueError(UserError):
    """An issue that cannot be saved or moved on as asked."""


def issues_of(mlist: MailingList) -> list[NewsletterIssue]:
    return list(
        db.session.scalars(
            sa.select(NewsletterIssue)
            .where(NewsletterIssue.list_id == mlist.id)
            .order_by(NewsletterIssue.created_at.desc(), NewsletterIssue.id.desc())
        )
    )


def issue_of(mlist: MailingList, issue_id: int) -> NewsletterIssue | None:
    return db.session.scalar(
        sa.select(NewsletterIssue).where(NewsletterIssue.id == issue_id, NewsletterIssue.list_id == mlist.id)
    )


def save_issue(
    mlist: MailingList, issue: NewsletterIssue | None, *, subject: str, body: str, actor, now: datetime
) -> NewsletterIssue:
    """Create a draft (issue None) or change one not yet sending."""
    subject = " ".join((subject or "").split())
    if not subject or len(subject) > 200:
        raise IssueError(_l("A subject of up to 200 characters is needed."), field="subject")
    if len(body or "") > MAX_BODY:
        raise IssueError(_l("The text is too long."), field="body")
    if issue is None:
        issue = NewsletterIssue(
            mailing_list=mlist, state="draft", created_by_id=actor.id if actor else None, created_at=now
        )
        db.session.add(issue)
    elif issue.state not in EDITABLE:
        raise IssueError(_l("This issue is being sent or was sent: it cannot be changed."))
    issue.subject, issue.body, issue.updated_at = subject, body or "", now
    db.session.flush()
    return issue


@dataclass
class Preview:
    html: Markup
    text: str


def preview(issue: NewsletterIssue) -> Preview:
    """The two parts as they will be sent (before the footer each message gets)."""
    return Preview(html=render_markdown(issue.body), text=issue.body.strip())


def message_values(issue: NewsletterIssue, part: Preview | None = None) -> dict:
    """What every message of an issue shares: subject, template, context, List-Id, sender."""
    mlist = issue.mailing_list
    part = part or preview(issue)
    return {
        "subject": issue.subject,
        "template": "newsletters/issue",
        # The footer's link is the preference page (it asks before acting), not the one-click link.
        "context": {
            "list_name": mlist.name,
            "body_html": part.html,
            "body_text": part.text,
            "unsubscribe_url": None,
        },
        "headers": {"List-Id": list_id_header(mlist), "Precedence": "list"},
        **list_mail_values(mlist),
    }


def send_test(issue: NewsletterIssue, *, to: str, now: datetime) -> None:
    """The issue as it will be sent, to `to` (the person composing it), marked as a test."""
    values = message_values(issue)
    values["context"] = {**values["context"], "test": True, "preferences_url": None}
    values["subject"] = f"[{_l('Test')}] {issue.subject}"
    mail.enqueue(key=f"newsletter-test:{issue.id}:{uuid.uuid4().hex[:12]}", to=to, now=now, **values)


def send_now(issue: NewsletterIssue, *, now: datetime, actor=None) -> None:
    if issue.state not in EDITABLE:
        raise IssueError(_l("This issue is being sent or was sent already."))
    _check_ready(issue)
    issue.state, issue.send_at, issue.started_at = "sending", now, now
    record(issue.mailing_list, actor=actor, action="issue_sent", obj=issue, now=now)


def schedule(issue: NewsletterIssue, *, local: datetime, now: datetime, actor=None) -> None:
    """Send at `local` (naive, in the owner's zone): a time that exists there and is still to come."""
    if issue.state not in EDITABLE:
        raise IssueError(_l("This issue is being sent or was sent already."))
    _check_ready(issue)
    zone = owner_of(issue.mailing_list).timezone
    if not local_time_exists(local.date(), local.time(), zone):
        raise IssueError(_l("That time does not exist there (the clocks change)."), field="send_time")
    at = local.replace(tzinfo=ZoneInfo(zone))
    if at <= now:
        raise IssueError(_l("Choose a date and time still to come."), field="send_date")
    issue.state, issue.scheduled_local, issue.send_at = "scheduled", local, at
    record(issue.mailing_list, actor=actor, action="issue_scheduled", obj=issue, now=now, at=at.isoformat())


def _check_ready(issue: NewsletterIssue) -> None:
    if not issue.body.strip():
        raise IssueError(_l("The issue has no text yet."))


def change_state(issue: NewsletterIssue, action: str, *, now: datetime, actor=None) -> None:
    """ "pause" (sending), "resume" (paused), "cancel" (anything not sent): IssueError otherwise. A
    cancelled issue's messages still waiting in the outbox are cancelled too."""
    allowed = {"pause": ("sending",), "resume": ("paused",), "cancel": CANCELLABLE}
    if issue.state not in allowed.get(action, ()):
        raise IssueError(_l("That is not possible now."))
    if action == "cancel":
        mail.cancel_waiting(key_like=f"newsletter:{issue.id}:%", reason="cancelled: the issue was cancelled")
    issue.state = {"pause": "paused", "resume": "sending", "cancel": "cancelled"}[action]
    issue.updated_at = now
    record(issue.mailing_list, actor=actor, action=f"issue_{issue.state}", obj=issue, now=now)


@dataclass
class Progress:
    state: str
    subscribers: int
    to_go: int
    sent: int
    waiting: int
    failed: int
    held: int


def progress(issue: NewsletterIssue) -> Progress:
    """How far an issue has gone: the outbox's messages by state, and the confirmed subscribers it has
    still to reach (two queries, whatever the list's size)."""
    counts = mail.counts_for_keys(f"newsletter:{issue.id}:%")
    confirmed = sa.and_(Subscription.list_id == issue.list_id, Subscription.status == "confirmed")
    total, to_go = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Subscription.id > issue.cursor),
        ).where(confirmed)
    ).one()
    done = issue.state in ("sent", "cancelled")
    return Progress(
        state=issue.state,
        subscribers=total,
        to_go=0 if done else to_go,
        sent=counts["sent"],
        waiting=counts["pending"] + counts["sending"],
        failed=counts["failed"],
        held=counts["held"],
    )
