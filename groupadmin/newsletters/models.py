"""Newsletters: lists, subscribers, subscriptions with their consent record, issues, sign-up throttles.

- ``MailingList``: a group's (managed by its secretaries) or an organisation's (by its admins); its slug
  is unique site-wide (``/news/<slug>``); public (anyone may sign up) or private (added by hand or
  import); the consent wording shown on the sign-up form, with a version that grows when it changes.
- ``Subscriber``: one person by email address (encrypted, found by its keyed hash), an optional first
  name (encrypted) and a language. Shared by every list they are on.
- ``Subscription``: a subscriber on a list, with its state (unconfirmed / confirmed / unsubscribed /
  bounced) and the consent record: when, how (sign-up form, import, by hand), the wording shown and its
  version, and who recorded it (a user, for import and by hand).
- ``NewsletterIssue``: one issue of a list, written in Markdown; its state (draft / scheduled / sending /
  paused / sent / cancelled / held), the scheduled local time and its UTC instant, and the sending
  cursor (the last subscription enqueued), so a restart resumes where it stopped.
- ``SignupThrottle``: sign-up requests counted per keyed hash (of an address or a client), per window.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.crypto import EncryptedString
from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

VISIBILITIES = ("public", "private")
SUBSCRIPTION_STATUSES = ("unconfirmed", "confirmed", "unsubscribed", "bounced")
CONSENT_SOURCES = ("form", "import", "hand")
ISSUE_STATES = ("draft", "scheduled", "sending", "paused", "sent", "cancelled", "held")


class MailingList(IdMixin, db.Model):
    __tablename__ = "mailing_list"
    __table_args__ = (
        choice_check("visibility", VISIBILITIES),
        # A list belongs to exactly one group or one organisation.
        sa.CheckConstraint("(group_id IS NULL) <> (organisation_id IS NULL)", name="one_owner"),
    )

    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    visibility: Mapped[str] = mapped_column(sa.String(10), default="public")
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    # The name in the From header (default: the group's discreet mail name, or the organisation's name).
    sender_name: Mapped[str | None] = mapped_column(sa.String(120))
    consent_wording: Mapped[str] = mapped_column(sa.String(500))
    consent_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group = relationship("Group")
    organisation = relationship("Organisation")

    @property
    def public(self) -> bool:
        return self.visibility == "public"

    def __repr__(self) -> str:
        return f"<MailingList {self.slug}>"


class Subscriber(IdMixin, db.Model):
    __tablename__ = "news_subscriber"

    email: Mapped[str] = mapped_column(EncryptedString)
    email_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    first_name: Mapped[str | None] = mapped_column(EncryptedString)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriptions = relationship("Subscription", back_populates="subscriber", passive_deletes=True)

    def __repr__(self) -> str:  # never the address: reprs end up in logs
        return f"<Subscriber {self.id}>"


class Subscription(IdMixin, db.Model):
    __tablename__ = "news_subscription"
    __table_args__ = (
        sa.UniqueConstraint("list_id", "subscriber_id"),
        choice_check("status", SUBSCRIPTION_STATUSES),
        choice_check("consent_source", CONSENT_SOURCES),
        sa.Index("ix_news_subscription_sending", "list_id", "status", "id"),
    )

    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(
        sa.ForeignKey("news_subscriber.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(12), default="unconfirmed")
    # The consent record.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_source: Mapped[str] = mapped_column(sa.String(10))
    consent_wording: Mapped[str] = mapped_column(sa.String(500))
    consent_version: Mapped[int] = mapped_column(default=1)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The sign-up's life: asked (a confirmation sent; `requests` counts them), confirmed, left, bounced.
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requests: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounce_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # Temporary failures on distinct issues; three mark the subscription bounced.
    soft_bounces: Mapped[int] = mapped_column(default=0)

    mailing_list = relationship("MailingList")
    subscriber = relationship("Subscriber", back_populates="subscriptions")
    recorded_by = relationship("User")

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.status}>"


class NewsletterIssue(IdMixin, db.Model):
    __tablename__ = "news_issue"
    __table_args__ = (
        choice_check("state", ISSUE_STATES),
        sa.Index("ix_news_issue_due", "state", "send_at"),
    )

    list_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing_list.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(10), default="draft")
    # Scheduled: the local date and time as typed (in the owner's zone) and the instant it stands for.
    scheduled_local: Mapped[datetime | None] = mapped_column(sa.DateTime)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sending: the last subscription id enqueued (resumable), and how many messages were enqueued.
    cursor: Mapped[int] = mapped_column(default=0)
    enqueued: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mailing_list = relationship("MailingList")

    def __repr__(self) -> str:
        return f"<NewsletterIssue {self.id} {self.state}>"


class SignupThrottle(db.Model):
    """Sign-up requests per keyed hash (of an address, or of a client's network address) in a window."""

    __tablename__ = "news_signup_throttle"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)


REMINDER_TIMINGS = ("evening", "two_hours")
REMINDER_STATUSES = ("unconfirmed", "confirmed", "unsubscribed")


class MeetingReminder(IdMixin, db.Model):
    """ "Remind me before this meeting": a subscriber's reminder of each date of one meeting, the evening
    before or two hours before, with the same double opt-in and consent record as a list."""

    __tablename__ = "news_reminder"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "subscriber_id"),
        choice_check("timing", REMINDER_TIMINGS),
        choice_check("status", REMINDER_STATUSES),
        sa.Index("ix_news_reminder_due", "status", "meeting_id"),
    )

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(
        sa.ForeignKey("news_subscriber.id", ondelete="CASCADE"), index=True
    )
    timing: Mapped[str] = mapped_column(sa.String(10), default="evening")
    status: Mapped[str] = mapped_column(sa.String(12), default="unconfirmed")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_wording: Mapped[str] = mapped_column(sa.String(500))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requests: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting = relationship("Meeting")
    subscriber = relationship("Subscriber")

    def __repr__(self) -> str:
        return f"<MeetingReminder {self.id} {self.status}>"


class ReminderSent(db.Model):
    """A reminder enqueued for one date: at most one per reminder and occurrence (so a change afterwards
    sends a correction, never a second reminder); `told_at` is the date's last change already told."""

    __tablename__ = "news_reminder_sent"

    reminder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("news_reminder.id", ondelete="CASCADE"), primary_key=True
    )
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrence.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    told_at: Mapped[datetime] = mapped_column(UTCDateTime)
