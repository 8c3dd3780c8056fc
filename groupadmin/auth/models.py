"""Accounts: users (argon2id hash, session nonce, site-admin flag), invitations and login throttles."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, TimestampMixin, UTCDateTime, choice_check
from groupadmin.extensions import db


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(IdMixin, TimestampMixin, UserMixin, db.Model):
    """An account holder. Account holders are trusted servants, so their email is stored in clear."""

    __tablename__ = "user"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    is_site_admin: Mapped[bool] = mapped_column(default=False)
    # Changes on logout and password change; part of the session and remember-me id, so that every
    # other session of this user ends with it.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=new_nonce)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan")
    org_roles = relationship("OrgRole", back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: used for the session and the remember-me cookie
        return f"{self.id}:{self.session_nonce}"

    def __repr__(self) -> str:  # never the email: reprs end up in logs
        return f"<User {self.id}>"


class Invitation(IdMixin, TimestampMixin, db.Model):
    """An invitation to a role, sent as a signed link; single use (accepted_at), expiring (expires_at)."""

    __tablename__ = "invitation"
    __table_args__ = (
        choice_check("role", ("secretary", "leader", "sponsor", "coordinator", "admin")),
        sa.CheckConstraint("(group_id IS NULL) <> (organisation_id IS NULL)", name="one_scope"),
    )

    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(20))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group = relationship("Group")
    organisation = relationship("Organisation")
    invited_by = relationship("User")

    def is_open(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class LoginThrottle(db.Model):
    """Failed logins counted per account and per address, shared by every worker through the database.

    The key is a keyed hash (never the email or IP itself). A window of failures slows further attempts
    down with a growing delay; it never locks an account, so a stranger cannot shut a secretary out.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
