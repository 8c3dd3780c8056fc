"""Formats, their immutable versions and ordered sections, and which format a meeting (or one of its
dates) uses.

- ``Format``: belongs to a group, used by one or more of its meetings. Its name is a label; what a chair
  reads lives in its versions.
- ``FormatVersion``: a numbered, immutable snapshot of the sections, with who saved it and when. At most
  one *draft* per format (``number`` and ``saved_at`` both NULL) holds the edits in progress; saving
  numbers it and from then on it never changes (a flush that tries is refused, see ``_guard``).
- ``FormatSection``: one part of a version. ``key`` is stable across versions (a section keeps its key
  when copied into the next draft), so edits address it and the difference between two versions can
  match sections up even when they moved.
- ``MeetingFormat``: which format a meeting uses *from an instant on* (a history, so a past date keeps
  the format it had). ``OccurrenceFormat``: a date's own choice (a special meeting): another format, or
  a pinned version.

The version used on a date is derived, never copied: see ``services.scripts_for``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

SECTION_KINDS = (
    "opening",
    "reading",
    "share",
    "speaker",
    "announcement",
    "seventh_tradition",
    "business",
    "closing",
    "custom",
)
MAX_SECTION_MINUTES = 240


class Format(IdMixin, db.Model):
    __tablename__ = "format"
    __table_args__ = (sa.UniqueConstraint("group_id", "name"),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    # The next stable key for a new section (keys are never reused within a format).
    next_section_key: Mapped[int] = mapped_column(default=1)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    group = relationship("Group")
    versions = relationship(
        "FormatVersion",
        back_populates="format",
        order_by="FormatVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Format {self.id}>"


class FormatVersion(IdMixin, db.Model):
    __tablename__ = "format_version"
    __table_args__ = (
        sa.UniqueConstraint("format_id", "number"),
        sa.CheckConstraint(
            "(number IS NULL AND saved_at IS NULL)"
            " OR (number IS NOT NULL AND number >= 1 AND saved_at IS NOT NULL)",
            name="saved_has_number",
        ),
        # One draft per format.
        sa.Index(
            "uq_format_version_one_draft",
            "format_id",
            unique=True,
            sqlite_where=sa.text("number IS NULL"),
            postgresql_where=sa.text("number IS NULL"),
        ),
    )

    format_id: Mapped[int] = mapped_column(sa.ForeignKey("format.id", ondelete="CASCADE"))
    number: Mapped[int | None] = mapped_column()  # NULL: the draft
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.String(200))  # "what changed", optional
    # For a draft: when and by whom it was last edited.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    format = relationship("Format", back_populates="versions")
    sections = relationship(
        "FormatSection",
        back_populates="version",
        order_by="FormatSection.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    saved_by = relationship("User", foreign_keys=[saved_by_id])
    edited_by = relationship("User", foreign_keys=[edited_by_id])

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def total_minutes(self) -> int:
        return sum(s.duration_minutes or 0 for s in self.sections)

    def content(self) -> tuple:
        """What a reader sees, to tell whether two versions differ."""
        return tuple(s.content() for s in self.sections)

    def __repr__(self) -> str:
        return f"<FormatVersion {self.format_id} {self.number or 'draft'}>"


class FormatSection(IdMixin, db.Model):
    __tablename__ = "format_section"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        choice_check("kind", SECTION_KINDS),
        sa.CheckConstraint(
            "duration_minutes IS NULL"
            f" OR (duration_minutes >= 0 AND duration_minutes <= {MAX_SECTION_MINUTES})",
            name="duration_range",
        ),
    )

    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("format_version.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(20), default="custom")
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown; rendered and sanitised on display
    duration_minutes: Mapped[int | None] = mapped_column(sa.SmallInteger)
    led_by: Mapped[str | None] = mapped_column(sa.String(60))  # a service role's name, e.g. "Chair"

    version = relationship("FormatVersion", back_populates="sections")

    def content(self) -> tuple:
        return (self.key, self.kind, self.title, self.body, self.duration_minutes, self.led_by)

    def __repr__(self) -> str:
        return f"<FormatSection {self.version_id} {self.key}>"


class MeetingFormat(IdMixin, db.Model):
    """A meeting uses `format` (None: no format) for the dates that start at or after `since`."""

    __tablename__ = "meeting_format"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "since"),)

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    format_id: Mapped[int | None] = mapped_column(sa.ForeignKey("format.id", ondelete="CASCADE"), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    format = relationship("Format")


class OccurrenceFormat(IdMixin, db.Model):
    """A date's own format (a special meeting): the newest version of `format` saved before the date
    started, or exactly `version` when one is pinned."""

    __tablename__ = "occurrence_format"

    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("occurrence.id", ondelete="CASCADE"), unique=True
    )
    format_id: Mapped[int] = mapped_column(sa.ForeignKey("format.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("format_version.id", ondelete="CASCADE"), index=True
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    format = relationship("Format")
    version = relationship("FormatVersion")


class ImmutableVersionError(Exception):
    """A saved format version (or one of its sections) was about to change."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _guard(session, flush_context, instances) -> None:
    """A saved version never changes: refuse any flush that adds, edits or deletes one of its sections or
    edits or deletes the version itself (the format's own deletion, done by the database's cascade, is
    the one way they go)."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, FormatSection):
            version = obj.version
            if version is not None and _was_saved(version):
                raise ImmutableVersionError("a section of a saved format version")
        elif isinstance(obj, FormatVersion) and obj not in session.new and _was_saved(obj):
            if obj in session.deleted or session.is_modified(obj, include_collections=False):
                raise ImmutableVersionError("a saved format version")


def _was_saved(version: FormatVersion) -> bool:
    """True when the version was already saved before this flush (the save itself is allowed)."""
    state = sa.inspect(version)
    if state.pending or state.transient:
        return False
    if "number" in state.committed_state:
        return state.committed_state["number"] is not None
    return version.number is not None
