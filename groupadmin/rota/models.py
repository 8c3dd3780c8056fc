"""The speaker and service rota: service roles, rota people, blackouts and assignments.

- ``ServiceRole``: a job at a meeting (chair, speaker, tech host...), per group: which meetings need it,
  how many people per occurrence, and when to remind them.
- ``RotaPerson``: someone who can take turns. First name and initial only; email and phone are optional,
  encrypted at rest, kept only with a recorded consent, and forgotten on request or after a period
  without turns. Removing a person keeps the row (past assignments show "(removed)") but nothing that
  identifies them.
- ``Blackout``: dates a person is away.
- ``Assignment``: a person in a role at one occurrence. proposed (asked, no answer yet) → confirmed or
  declined; "offered" is a swap offer to a colleague that fills no slot until accepted; "swapped" is a
  turn handed over that way; "released" a turn of an occurrence that was cancelled, paused or moved;
  "withdrawn" a turn the secretary took back (or an offer that was overtaken).
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.crypto import EncryptedString
from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

ROLE_KINDS = (
    "chair",
    "speaker",
    "tech_host",
    "greeter",
    "literature",
    "seventh_tradition",
    "coffee",
    "other",
)
APPLIES_TO = ("all", "online", "in_person", "chosen")
ASSIGNMENT_STATUSES = ("proposed", "confirmed", "declined", "offered", "swapped", "released", "withdrawn")
# Statuses that fill a slot; "offered" also blocks the person (they were asked) but fills nothing.
FILLING = ("proposed", "confirmed")
PENDING_OR_FILLING = ("proposed", "confirmed", "offered")
DEFAULT_REMIND_DAYS = [3, 1]
DEFAULT_REMIND_AT = time(10, 0)

REMOVED_LABEL = _l("(removed)")


service_role_meeting = sa.Table(
    "service_role_meeting",
    db.metadata,
    sa.Column("role_id", sa.ForeignKey("service_role.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("meeting_id", sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True, index=True),
)

rota_person_role = sa.Table(
    "rota_person_role",
    db.metadata,
    sa.Column("person_id", sa.ForeignKey("rota_person.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("service_role.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class RotaSettings(db.Model):
    """A group's rota settings (one row per group, created when first needed)."""

    __tablename__ = "rota_settings"
    __table_args__ = (sa.CheckConstraint("min_gap_days >= 0 AND min_gap_days <= 120", name="min_gap_range"),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True)
    # Auto-fill keeps at least this many days between one person's turns where the pool allows.
    min_gap_days: Mapped[int] = mapped_column(sa.SmallInteger, default=14)
    # A weekly summary to the group's secretaries (gaps in the next two weeks first).
    weekly_summary: Mapped[bool] = mapped_column(default=True)
    # Part of every group rota calendar link: a new value revokes all of them.
    calendar_nonce: Mapped[str | None] = mapped_column(sa.String(32))


class ServiceRole(IdMixin, db.Model):
    __tablename__ = "service_role"
    __table_args__ = (
        sa.UniqueConstraint("group_id", "name"),
        choice_check("kind", ROLE_KINDS),
        choice_check("applies_to", APPLIES_TO),
        sa.CheckConstraint("per_occurrence >= 1 AND per_occurrence <= 10", name="per_occurrence_range"),
    )

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # What the role is, whatever the group calls it: the chair (who may enter the head count, and is
    # printed on the script) and the speaker are found by kind.
    kind: Mapped[str] = mapped_column(sa.String(20), default="other")
    position: Mapped[int] = mapped_column(default=0)
    per_occurrence: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    # Which occurrences need it: all, those with an online part (online, hybrid, or online only that
    # week), those with an in-person part, or the meetings chosen in `meetings`.
    applies_to: Mapped[str] = mapped_column(sa.String(10), default="all")
    # Reminders: days before the occurrence (e.g. [3, 1]), at this local time in the meeting's zone.
    remind_days: Mapped[list] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_REMIND_DAYS))
    remind_at: Mapped[time] = mapped_column(sa.Time, default=DEFAULT_REMIND_AT)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meetings = relationship("Meeting", secondary=service_role_meeting, order_by="Meeting.name")

    def __repr__(self) -> str:
        return f"<ServiceRole {self.id} {self.kind}>"


class RotaPerson(IdMixin, db.Model):
    __tablename__ = "rota_person"
    __table_args__ = (sa.UniqueConstraint("group_id", "email_hash"),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    # First name and initial ("Sam T."); None once the person is removed.
    display_name: Mapped[str | None] = mapped_column(sa.String(60))
    email: Mapped[str | None] = mapped_column(EncryptedString)
    # Keyed hash of the email (crypto.lookup_hash): unique per group, and how an address is found.
    email_hash: Mapped[str | None] = mapped_column(sa.String(64))
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    # The consent to be contacted: when, recorded by whom, and the wording the person agreed to.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    consent_wording: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # Part of the personal calendar link: a new value revokes the old link; None: no link.
    calendar_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by edits, assignments and answers; the retention job forgets contact details of people
    # inactive for ROTA_INACTIVE_FORGET_MONTHS (and without turns since).
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contact_forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles = relationship("ServiceRole", secondary=rota_person_role, order_by="ServiceRole.position")
    blackouts = relationship(
        "Blackout",
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="Blackout.starts_on",
        passive_deletes=True,
    )
    user = relationship("User", foreign_keys=[user_id])
    consent_by = relationship("User", foreign_keys=[consent_by_id])

    @property
    def label(self) -> str:
        """The name shown everywhere: first name and initial, or "(removed)"."""
        return self.display_name if self.display_name and self.removed_at is None else str(REMOVED_LABEL)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def contact_email(self) -> str | None:
        """Where rota mail goes: the person's own address, else their linked account's."""
        if self.removed_at is not None:
            return None
        if self.email:
            return self.email
        if self.user is not None and self.user.active:
            return self.user.email
        return None

    def is_away(self, day: date) -> bool:
        return any(b.starts_on <= day <= b.ends_on for b in self.blackouts)

    def __repr__(self) -> str:  # never the name: reprs end up in logs
        return f"<RotaPerson {self.id}>"


class Blackout(IdMixin, db.Model):
    """Dates (inclusive, in the group's local calendar) a person is away."""

    __tablename__ = "rota_blackout"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("rota_person.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)

    person = relationship("RotaPerson", back_populates="blackouts")


class Assignment(IdMixin, db.Model):
    __tablename__ = "rota_assignment"
    __table_args__ = (
        choice_check("status", ASSIGNMENT_STATUSES),
        sa.CheckConstraint(
            "confirmed_via IS NULL OR confirmed_via IN ('link', 'hand', 'swap')", name="confirmed_via_choice"
        ),
        sa.Index("ix_rota_assignment_occurrence_role", "occurrence_id", "role_id"),
        sa.Index("ix_rota_assignment_person_status", "person_id", "status"),
        # One person holds a role at an occurrence once (while asked, confirmed or offered).
        sa.Index(
            "uq_rota_assignment_active",
            "occurrence_id",
            "role_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'confirmed', 'offered')"),
            postgresql_where=sa.text("status IN ('proposed', 'confirmed', 'offered')"),
        ),
    )

    occurrence_id: Mapped[int] = mapped_column(sa.ForeignKey("occurrence.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(sa.ForeignKey("service_role.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("rota_person.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(12), default="proposed")
    # A swap offer points at the turn it would take over.
    swap_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rota_assignment.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # When the person was asked by mail (None: no address, or not sent).
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it was confirmed: by the person's link, by hand (they said yes on the phone), by a swap.
    confirmed_via: Mapped[str | None] = mapped_column(sa.String(10))

    occurrence = relationship("Occurrence")
    role = relationship("ServiceRole")
    person = relationship("RotaPerson")
    swap_from = relationship("Assignment", remote_side="Assignment.id", foreign_keys=[swap_from_id])

    @property
    def fills_slot(self) -> bool:
        return self.status in FILLING

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.status}>"
