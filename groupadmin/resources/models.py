"""The community resources directory: crisis lines, treatment, housing, legal aid and the like.

- ``Resource``: one entry of an organisation's directory (``group_id`` empty) or of one of its groups
  (a group's own entry). Kind from a fixed list (a CHECK); a link only http(s) (a CHECK as well as the
  form's message); hours in plain words and a 24/7 flag; when it was last checked and by whom (the
  user is forgotten, not the date, when the account goes). Only public information: no person.
- ``ResourceSettings``: an organisation's setting of how old an entry may get before its admins are
  reminded to re-check it (default 182 days).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groupadmin.database import IdMixin, UTCDateTime, choice_check, utcnow
from groupadmin.extensions import db

# In the order the directory shows them: crisis lines are pinned first everywhere.
KINDS = (
    "crisis_line",
    "detox_treatment",
    "medication_assisted",
    "peer_recovery",
    "housing",
    "legal_aid",
    "employment",
    "family_groups",
)
KIND_LABELS = {
    "crisis_line": _l("Crisis lines"),
    "detox_treatment": _l("Detox and treatment"),
    "medication_assisted": _l("Medication-assisted treatment"),
    "peer_recovery": _l("Peer recovery centres"),
    "housing": _l("Housing"),
    "legal_aid": _l("Legal aid"),
    "employment": _l("Employment"),
    "family_groups": _l("Family groups (such as Al-Anon and Nar-Anon)"),
}
DEFAULT_RECHECK_DAYS = 182
MIN_RECHECK_DAYS, MAX_RECHECK_DAYS = 30, 730


class Resource(IdMixin, db.Model):
    __tablename__ = "resource"
    __table_args__ = (
        choice_check("kind", KINDS),
        sa.CheckConstraint(
            "url IS NULL OR substr(url, 1, 7) = 'http://' OR substr(url, 1, 8) = 'https://'", name="url_http"
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Empty: the organisation's entry; set: one group's own entry.
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(30))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    hours: Mapped[str | None] = mapped_column(sa.String(200))
    is_24_7: Mapped[bool] = mapped_column(default=False)
    languages: Mapped[str | None] = mapped_column(sa.String(120))
    cost: Mapped[str | None] = mapped_column(sa.String(120))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group = relationship("Group")
    organisation = relationship("Organisation")
    checked_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_crisis_line(self) -> bool:
        return self.kind == "crisis_line"

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.kind}>"


class ResourceSettings(IdMixin, db.Model):
    __tablename__ = "resource_settings"
    __table_args__ = (
        sa.CheckConstraint(
            f"recheck_days BETWEEN {MIN_RECHECK_DAYS} AND {MAX_RECHECK_DAYS}", name="recheck_days_range"
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    recheck_days: Mapped[int] = mapped_column(default=DEFAULT_RECHECK_DAYS)
