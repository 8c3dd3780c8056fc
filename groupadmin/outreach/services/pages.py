"""What the outreach pages show: the owner's newcomers (paginated, with their next step), the user's
own follow-ups across their groups, and the dashboard's "follow-ups due" panel and "requests waiting for
a volunteer" lines."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.outreach.models import FollowUp, Newcomer
from groupadmin.outreach.services.access import visible_clause
from groupadmin.outreach.services.followups import due_by, due_rows_statement, is_due

PER_PAGE = 25


def next_steps(newcomer_ids: list[int]) -> dict[int, FollowUp]:
    """Each newcomer's first open step: one query."""
    if not newcomer_ids:
        return {}
    result: dict[int, FollowUp] = {}
    for follow_up in db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.newcomer_id.in_(newcomer_ids), FollowUp.state == "open")
        .order_by(FollowUp.due_on, FollowUp.step)
    ):
        result.setdefault(follow_up.newcomer_id, follow_up)
    return result


def newcomers_page(user, owner, roles: set[str], *, status: str, page: int):
    """The newcomers the user sees on the owner's pages, open ones oldest first, closed newest first:
    a fixed number of queries however many."""
    statement = (
        sa.select(Newcomer)
        .where(visible_clause(user, owner, roles), Newcomer.status == status)
        .options(sa.orm.joinedload(Newcomer.volunteer))
        .order_by(Newcomer.created_at if status == "open" else Newcomer.created_at.desc(), Newcomer.id)
    )
    result = db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)
    return result, next_steps([n.id for n in result.items])


def my_newcomers(user) -> list[Newcomer]:
    """The open newcomers assigned to the user, wherever: one query (and one for their next steps)."""
    return list(
        db.session.scalars(
            sa.select(Newcomer)
            .where(Newcomer.volunteer_id == user.id, Newcomer.status == "open")
            .options(sa.orm.joinedload(Newcomer.group), sa.orm.joinedload(Newcomer.organisation))
            .order_by(Newcomer.created_at)
            .limit(200)
        ).unique()
    )


def my_follow_ups(user) -> list[tuple[Newcomer, FollowUp | None]]:
    """The user's open newcomers with their next step, the most urgent first: two queries."""
    newcomers = my_newcomers(user)
    steps = next_steps([n.id for n in newcomers])
    rows = [(n, steps.get(n.id)) for n in newcomers]
    return sorted(rows, key=lambda row: (row[1] is None, row[1].due_on if row[1] else None, row[0].id))


@functools.cache
def _dashboard_statement():
    """The user's follow-ups due (a row each, with its zone) and the requests waiting for a volunteer
    (counted per group of :group_ids and per organisation of :org_ids), in one statement built once:
    the dashboard asks it on every view."""
    due = due_rows_statement(
        sa.literal("due"), sa.null().label("group_id"), sa.null().label("org_id"), FollowUp.due_on
    ).where(Newcomer.volunteer_id == sa.bindparam("user_id", type_=sa.Integer()))
    waiting = (
        sa.select(
            sa.literal("waiting"),
            Newcomer.group_id,
            Newcomer.organisation_id,
            sa.null().label("due_on"),
            sa.cast(sa.func.count(), sa.String()),
        )
        .where(
            Newcomer.status == "open",
            Newcomer.volunteer_id.is_(None),
            sa.or_(
                Newcomer.group_id.in_(sa.bindparam("group_ids", expanding=True)),
                sa.and_(
                    Newcomer.group_id.is_(None),
                    Newcomer.organisation_id.in_(sa.bindparam("org_ids", expanding=True)),
                ),
            ),
        )
        .group_by(Newcomer.group_id, Newcomer.organisation_id)
    )
    return sa.union_all(due, waiting)


@dataclass
class DashboardCounts:
    due: int  # the user's follow-ups due today or overdue
    waiting_by_group: dict[int, int]  # requests nobody has taken, per group
    waiting_by_org: dict[int, int]  # per organisation (its own page's requests)


def dashboard_counts(user, group_ids, org_ids, *, now: datetime) -> DashboardCounts:
    """For the dashboard, in one query: how many of the user's follow-ups are due today or overdue, and
    how many open requests wait for a volunteer per group (of `group_ids`, where the user assigns) and
    per organisation (its own requests, of `org_ids`)."""
    params = {
        "user_id": user.id,
        "due_by": due_by(now),
        "group_ids": list(group_ids),
        "org_ids": list(org_ids),
    }
    counts = DashboardCounts(0, {}, {})
    for kind, group_id, org_id, due_on, extra in db.session.execute(_dashboard_statement(), params):
        if kind == "due":
            counts.due += is_due(due_on, extra, now)
        elif group_id is None:
            counts.waiting_by_org[org_id] = int(extra)
        else:
            counts.waiting_by_group[group_id] = int(extra)
    return counts
