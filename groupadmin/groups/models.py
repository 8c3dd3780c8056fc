"""Organisations, groups and roles (memberships, organisation roles), and the discretion rule."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, TimestampMixin, choice_check
from groupadmin.extensions import db

GROUP_ROLES = ("secretary", "leader", "sponsor")
ORG_ROLES = ("coordinator", "admin", "outreach")
FELLOWSHIPS = ("aa", "na", "ca", "smart", "al-anon", "other")
# How the group is named in mail subjects, sender names and calendar titles (discretion rule).
MAIL_NAMING = ("group", "fellowship")
# The fellowship's short name, added to discreet names only when the group chose so.
FELLOWSHIP_SHORT = {"aa": "AA", "na": "NA", "ca": "CA", "smart": "SMART Recovery", "al-anon": "Al-Anon"}


def discreet(name: str, *, fellowship: str, mail_naming: str) -> str:
    """The discretion rule, the one place it is written: how a group or one of its meetings is named
    where a lock screen, an inbox preview or a shared family calendar can show it (mail subjects and
    sender names, calendar and feed event titles). The name itself; the fellowship is added only when
    the group chose to show it (`mail_naming == "fellowship"`) and the name does not already say it."""
    name = " ".join(name.split())  # a line break stored before forms refused it never reaches a header
    short = FELLOWSHIP_SHORT.get(fellowship) if mail_naming == "fellowship" else None
    if short and short.lower() not in name.lower():
        return f"{name} ({short})"
    return name


# Counts of people from 1 to threshold - 1 are shown as "fewer than <threshold>" in the figures that
# leave a group (reports); 11 as the CMS cell-size rule (no cell from 1 to 10).
REPORT_THRESHOLD_DEFAULT, REPORT_THRESHOLD_MIN, REPORT_THRESHOLD_MAX = 11, 2, 100


class Organisation(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint(
            f"report_threshold >= {REPORT_THRESHOLD_MIN} AND report_threshold <= {REPORT_THRESHOLD_MAX}",
            name="report_threshold_range",
        ),
    )

    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    website_url: Mapped[str | None] = mapped_column(sa.String(255))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    report_threshold: Mapped[int] = mapped_column(
        sa.SmallInteger, default=REPORT_THRESHOLD_DEFAULT, server_default=str(REPORT_THRESHOLD_DEFAULT)
    )

    groups = relationship("Group", back_populates="organisation", order_by="Group.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Group(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "group"
    __table_args__ = (
        choice_check("fellowship", FELLOWSHIPS),
        choice_check("mail_naming", MAIL_NAMING),
    )

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    fellowship: Mapped[str] = mapped_column(sa.String(20), default="aa")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    mail_naming: Mapped[str] = mapped_column(sa.String(20), default="group")
    # The name used in mail and calendars when mail_naming == "group" (defaults to the group's name).
    display_name: Mapped[str | None] = mapped_column(sa.String(120))

    organisation = relationship("Organisation", back_populates="groups")
    memberships = relationship("Membership", back_populates="group", cascade="all, delete-orphan")

    @property
    def discreet_name(self) -> str:
        """The group's own name (its display name if set), without the fellowship."""
        return self.display_name or self.name

    @property
    def mail_name(self) -> str:
        """The group's name in mail subjects, sender names and calendar titles (the discretion rule)."""
        return self.discreet(self.discreet_name)

    def discreet(self, name: str) -> str:
        """`name` (of the group or one of its meetings) as the discretion rule shows it."""
        return discreet(name, fellowship=self.fellowship, mail_naming=self.mail_naming)

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"


class Membership(IdMixin, TimestampMixin, db.Model):
    """A user's role in a group. A user may hold several roles in one group (one row each)."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "group_id", "role"),
        choice_check("role", GROUP_ROLES),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))

    user = relationship("User", back_populates="memberships")
    group = relationship("Group", back_populates="memberships")


class OrgRole(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "org_role"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "organisation_id", "role"),
        choice_check("role", ORG_ROLES),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))

    user = relationship("User", back_populates="org_roles")
    organisation = relationship("Organisation")
