"""Links from email: signed, bound to one assignment (and its person and date), valid until it starts;
and the "remove me from the rota" link. Tokens go through `groupadmin.signing` (purposes rota-accept,
rota-decline, rota-swap and rota-remove), with the same data as ever, so links already sent still work."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from groupadmin import signing
from groupadmin.errors import LinkProblem
from groupadmin.extensions import db
from groupadmin.mail import services as mail
from groupadmin.rota.models import Assignment, RotaPerson

LINK_ACTIONS = ("accept", "decline", "swap")


def link_token(assignment: Assignment, action: str) -> str:
    if action not in LINK_ACTIONS:
        raise ValueError(action)
    return signing.sign(
        f"rota-{action}",
        {
            "a": assignment.id,
            "p": assignment.person_id,
            "o": assignment.occurrence_id,
            "r": assignment.role_id,
        },
    )


def link_url(assignment: Assignment, action: str) -> str:
    return mail.external_url(f"rota.{action}_link", token=link_token(assignment, action))


def load_link(action: str, token: str, *, now: datetime) -> Assignment:
    """The assignment a link stands for, or LinkProblem with a clear message (nothing changes)."""
    data = signing.unsign(f"rota-{action}", token, max_age=current_app.config["ROTA_LINK_MAX_AGE"])
    assignment = db.session.get(Assignment, data.get("a"))
    if (
        assignment is None
        or assignment.person_id != data.get("p")
        or assignment.occurrence_id != data.get("o")
        or assignment.role_id != data.get("r")
        or assignment.person.is_removed
    ):
        raise LinkProblem(_l("This turn is no longer on the rota."))
    if assignment.occurrence.starts_at <= now:
        raise LinkProblem(_l("This link has expired: the meeting has started or is over."))
    return assignment


def remove_url(person: RotaPerson) -> str:
    token = signing.sign("rota-remove", {"p": person.id, "g": person.group_id})
    return mail.external_url("rota.remove_link", token=token)


def load_remove_link(token: str) -> RotaPerson:
    data = signing.unsign("rota-remove", token, max_age=mail.STOP_LINK_MAX_AGE)
    person = db.session.get(RotaPerson, data.get("p"))
    if person is None or person.group_id != data.get("g"):
        raise LinkProblem.invalid()
    return person
