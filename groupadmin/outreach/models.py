"""Newcomer outreach: people who asked for a call (or were met in person), their follow-ups, the plan
of follow-ups, the do-not-contact list and the public form's throttle.

- ``OutreachSettings``: a group's (or an organisation's, for its own page) follow-up plan (days after
  the request, as local dates), how long personal fields are kept after the last activity, and the
  consent wording shown on the public form (versioned: the version grows when the wording changes).
- ``Newcomer``: one person's request. Name, phone, email, safe times are encrypted at rest; the keyed
  hashes of the normalised phone and email find a returning person and the do-not-contact list. The
  consent record (the exact wording and its version, when, how, recorded by whom), where the request
  came from, the group (None for the organisation's page), the volunteer, the status, the last activity
  and the date after which the personal fields are erased. What survives erasure (source, group, dates,
  the month of the request, how many days until the first attempt) is what the figures read.
- ``FollowUp``: one step of the plan: its due date (a local date), and once recorded the outcome code,
  a short note (encrypted), who recorded it and when.
- ``DoNotContact``: an organisation's "asked not to be contacted" list, as keyed hashes only.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.crypto import EncryptedString
from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

SOURCES = ("group_page", "org_page", "in_person")
CONSENT_WAYS = ("web_form", "in_person")
STATUSES = ("open", "closed")
OUTCOMES = ("reached", "left_message", "no_answer", "wrong_number", "declined", "do_not_contact")
FOLLOW_UP_STATES = ("open", "done", "closed")
DEFAULT_PLAN = "0,7,30"


class OutreachSettings(IdMixin, db.Model):
    __tablename__ = "outreach_settings"
    __table_args__ = (
        sa.CheckConstraint("(group_id IS NULL) <> (organisation_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("retention_days >= 7 AND retention_days <= 730", name="retention_range"),
    )

    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    # Days after the request, comma-separated, ascending ("0,7,30").
    plan: Mapped[str] = mapped_column(sa.String(60), default=DEFAULT_PLAN)
    retention_days: Mapped[int] = mapped_column(default=90)
    consent_wording: Mapped[str] = mapped_column(sa.String(500))
    consent_version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def plan_days(self) -> list[int]:
        return [int(day) for day in self.plan.split(",") if day.strip()]


class Newcomer(IdMixin, db.Model):
    __tablename__ = "newcomer"
    __table_args__ = (
        choice_check("source", SOURCES),
        choice_check("consent_via", CONSENT_WAYS),
        choice_check("status", STATUSES),
        sa.Index("ix_newcomer_org_status", "organisation_id", "status"),
        sa.Index("ix_newcomer_volunteer_status", "volunteer_id", "status"),
        sa.Index("ix_newcomer_phone_hash", "organisation_id", "phone_hash"),
        sa.Index("ix_newcomer_email_hash", "organisation_id", "email_hash"),
        sa.Index("ix_newcomer_erase_after", "erase_after"),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    # Personal fields (None once erased).
    name: Mapped[str | None] = mapped_column(EncryptedString)
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    email: Mapped[str | None] = mapped_column(EncryptedString)
    safe_times: Mapped[str | None] = mapped_column(EncryptedString)
    phone_hash: Mapped[str | None] = mapped_column(sa.String(64))
    email_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Preferences: channels ("call,text,email"), voicemail, saying the group's name, language.
    channels: Mapped[str] = mapped_column(sa.String(30), default="call")
    voicemail_ok: Mapped[bool] = mapped_column(default=False)
    may_name_group: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    wants_welcome: Mapped[bool] = mapped_column(default=False)
    # The consent record.
    consent_wording: Mapped[str] = mapped_column(sa.String(500))
    consent_version: Mapped[int] = mapped_column(default=1)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_via: Mapped[str] = mapped_column(sa.String(10))
    consent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Where it came from and where it stands.
    source: Mapped[str] = mapped_column(sa.String(12))
    volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The first day of the (local) month of the request, and days from the request to the first
    # attempt (local dates): the figures read these, which survive erasure.
    month: Mapped[date] = mapped_column(sa.Date)
    first_attempt_days: Mapped[int | None]
    reached: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    asked_again_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erase_after: Mapped[date] = mapped_column(sa.Date)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    welcome_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")
    group = relationship("Group")
    volunteer = relationship("User", foreign_keys=[volunteer_id])
    consent_by = relationship("User", foreign_keys=[consent_by_id])
    follow_ups = relationship(
        "FollowUp",
        back_populates="newcomer",
        order_by="FollowUp.step",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def zone(self) -> str:
        """The zone its dates are in: the group's, or the organisation's for its own page."""
        return self.group.timezone if self.group is not None else self.organisation.timezone

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c]

    def __repr__(self) -> str:  # never the name: reprs end up in logs
        return f"<Newcomer {self.id} {self.status}>"


class FollowUp(IdMixin, db.Model):
    __tablename__ = "follow_up"
    __table_args__ = (
        sa.UniqueConstraint("newcomer_id", "step"),
        choice_check("state", FOLLOW_UP_STATES),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('reached', 'left_message', 'no_answer', 'wrong_number', "
            "'declined', 'do_not_contact')",
            name="outcome_choice",
        ),
        sa.Index("ix_follow_up_state_due", "state", "due_on"),
    )

    newcomer_id: Mapped[int] = mapped_column(sa.ForeignKey("newcomer.id", ondelete="CASCADE"))
    step: Mapped[int]
    # The plan's date (local, in the group's or organisation's zone) and the date it is due now
    # (later when snoozed).
    planned_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(8), default="open")
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(EncryptedString)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    newcomer = relationship("Newcomer", back_populates="follow_ups")
    done_by = relationship("User")

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} {self.state}>"


class DoNotContact(IdMixin, db.Model):
    __tablename__ = "outreach_do_not_contact"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "value_hash"),)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    value_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
