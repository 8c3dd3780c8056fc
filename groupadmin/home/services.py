"""The signed-in home page (what needs the user's attention across their groups) and the health check."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from groupadmin.attendance import services as attendance
from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.outreach import services as outreach
from groupadmin.rota import services as rota


def dashboard(user, *, now: datetime) -> dict:
    """The user's groups and organisations with their roles, the head counts to enter, the open rota
    places in the groups they lead and their follow-ups due: a fixed number of queries however many
    groups."""
    my_groups = groups.groups_of_user(user)
    my_orgs = groups.orgs_of_user(user)
    # Head counts to enter: the recent dates without one, of the groups where the user enters counts.
    leading = [group for group, roles in my_groups if {"secretary", "leader"} & set(roles)]
    to_enter = attendance.counts_to_enter([group.id for group in leading], now=now)
    # Open rota places in the next two weeks, per group.
    rota_gaps = rota.open_places_by_group(leading, now=now)
    # Follow-ups due today or overdue, of the newcomers assigned to the user (one query).
    follow_ups_due = outreach.due_count(user, now=now)
    return {
        "my_groups": my_groups,
        "my_orgs": my_orgs,
        "counts_to_enter": to_enter,
        "rota_gaps": rota_gaps,
        "follow_ups_due": follow_ups_due,
    }


def database_answers() -> bool:
    """True when the database answers a trivial query; on an error the session is rolled back."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True
