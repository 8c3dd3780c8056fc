"""The signed-in home page (what needs the user's attention across their groups) and the health check."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa

from groupadmin.attendance import services as attendance
from groupadmin.auth import services as auth
from groupadmin.auth.models import User
from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.outreach import services as outreach
from groupadmin.rota import services as rota


def dashboard(user, *, now: datetime) -> dict:
    """The user's groups and organisations with their roles, the head counts to enter, the open rota
    places in the groups they lead, their follow-ups due and the requests waiting for a volunteer: a
    fixed number of queries however many groups."""
    my_groups = groups.groups_of_user(user)
    my_orgs = groups.orgs_of_user(user)
    # Head counts to enter: the recent dates without one, of the groups where the user enters counts.
    leading = [group for group, roles in my_groups if {"secretary", "leader"} & set(roles)]
    to_enter = attendance.counts_to_enter([group.id for group in leading], now=now)
    # Open rota places in the next two weeks, per group.
    rota_gaps = rota.open_places_by_group(leading, now=now)
    # Follow-ups due today or overdue, of the newcomers assigned to the user, and the requests for a
    # call nobody has taken (a group's secretaries and an organisation's outreach volunteers assign
    # them): one query.
    outreach_counts = outreach.dashboard_counts(
        user,
        [group.id for group, roles in my_groups if "secretary" in roles],
        [org.id for org, roles in my_orgs if "outreach" in roles],
        now=now,
    )
    return {
        "my_groups": my_groups,
        "my_orgs": my_orgs,
        "counts_to_enter": to_enter,
        "rota_gaps": rota_gaps,
        "follow_ups_due": outreach_counts.due,
        "waiting_by_group": outreach_counts.waiting_by_group,
        "waiting_by_org": outreach_counts.waiting_by_org,
    }


NO_NAVIGATION = {"my_turns": False, "follow_ups": False}


@functools.cache
def _navigation_statement():
    return sa.select(rota.has_turns_clause(), outreach.volunteer_clause())


@functools.cache
def _session_statement():
    return sa.select(User, rota.has_turns_clause(), outreach.volunteer_clause()).where(
        User.id == sa.bindparam("user_id", type_=sa.Integer())
    )


def session_user(session_id: str, *, now: datetime) -> tuple[User | None, dict[str, bool]]:
    """The user of a session ('<id>:<nonce>', valid while the nonce is current) and what the navigation
    offers them (`navigation`), in one query: every signed-in page asks both."""
    credentials = auth.session_credentials(session_id)
    if credentials is None:
        return None, NO_NAVIGATION
    user_id, nonce = credentials
    row = db.session.execute(_session_statement(), {"user_id": user_id, "now": now}).one_or_none()
    if row is None or not auth.session_is_current(row[0], nonce):
        return None, NO_NAVIGATION
    user, turns, follows = row
    return user, {"my_turns": bool(turns), "follow_ups": bool(follows)}


def navigation(user, *, now: datetime) -> dict[str, bool]:
    """What the navigation offers the user besides what every signed-in person has: "My turns" when a
    turn is to come, "Follow-ups" when they follow newcomers somewhere. One query; a signed-in page
    usually has the answer already from `session_user`."""
    if not getattr(user, "is_authenticated", False):
        return NO_NAVIGATION
    turns, follows = db.session.execute(_navigation_statement(), {"user_id": user.id, "now": now}).one()
    return {"my_turns": bool(turns), "follow_ups": bool(follows)}


def database_answers() -> bool:
    """True when the database answers a trivial query; on an error the session is rolled back."""
    try:
        db.session.execute(sa.select(1))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True
