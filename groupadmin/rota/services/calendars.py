"""Calendars: a personal feed per person with an email, and the group's rota feed, at secret URLs
(signed, untimed tokens of purpose rota-calendar, revoked by the nonce inside)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin import permissions, signing
from groupadmin.audit import services as audit
from groupadmin.auth.models import User
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.groups.models import Group
from groupadmin.mail import services as mail
from groupadmin.meetings.models import Meeting, Occurrence
from groupadmin.rota.models import FILLING, Assignment, RotaPerson, RotaSettings
from groupadmin.rota.services.rules import new_nonce, settings_for


def calendar_url(person: RotaPerson) -> str | None:
    if person.calendar_nonce is None or person.contact_email is None or person.is_removed:
        return None
    token = signing.sign("rota-calendar", {"p": person.id, "n": person.calendar_nonce})
    return mail.external_url("rota.calendar_feed", token=token)


def group_calendar_url(group: Group, user: User, *, create: bool = True) -> str | None:
    settings = settings_for(group)
    if settings.calendar_nonce is None:
        if not create:
            return None
        settings.calendar_nonce = new_nonce()
    token = signing.sign("rota-calendar", {"g": group.id, "u": user.id, "n": settings.calendar_nonce})
    return mail.external_url("rota.calendar_feed", token=token)


def renew_group_calendar(group: Group, *, actor, now: datetime) -> None:
    settings_for(group).calendar_nonce = new_nonce()
    audit.record(
        now=now, actor=actor, action="rota.calendar_renewed", obj=group, object_type="rota", group=group
    )


def load_calendar_token(token: str):
    """(kind, object): ("person", RotaPerson) or ("group", Group); LinkProblem when revoked or bad."""
    data = signing.unsign("rota-calendar", token, invalid=_l("This calendar link is not valid."))
    if not isinstance(data.get("n"), str):
        raise LinkProblem(_l("This calendar link is not valid."), 404)
    if "p" in data:
        person = db.session.get(RotaPerson, data["p"])
        if person is None or person.is_removed or person.calendar_nonce != data["n"]:
            raise LinkProblem(_l("This calendar link has been replaced or withdrawn."))
        return "person", person
    group = db.session.get(Group, data.get("g"))
    user = db.session.get(User, data.get("u"))
    settings = db.session.get(RotaSettings, data.get("g")) if group else None
    if (
        group is None
        or user is None
        or not user.active
        or settings is None
        or settings.calendar_nonce != data["n"]
        or not permissions.can("group.leader", group, user=user)
    ):
        raise LinkProblem(_l("This calendar link has been replaced or withdrawn."))
    return "group", group


def person_calendar_assignments(person: RotaPerson, *, now: datetime) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Occurrence, Occurrence.id == Assignment.occurrence_id)
            .where(
                Assignment.person_id == person.id,
                Assignment.status.in_(FILLING),
                Occurrence.starts_at > now - timedelta(days=60),
                Occurrence.status == "scheduled",
            )
            .options(
                sa.orm.contains_eager(Assignment.occurrence)
                .joinedload(Occurrence.meeting)
                .joinedload(Meeting.group),
                sa.orm.joinedload(Assignment.role),
            )
            .order_by(Occurrence.starts_at)
        ).unique()
    )
