"""Outreach figures for the reports (coordinators see these, never a name): per group (None for the
organisation's own page) and month of the request, computed in SQL from what survives erasure."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from groupadmin.extensions import db
from groupadmin.outreach.models import FollowUp, Newcomer


class OutreachMonth(NamedTuple):
    group_id: int | None
    month: date  # the first of the month (local to the group or organisation)
    requests: int
    contacted_1d: int  # a first attempt recorded within a day (local dates)
    contacted_7d: int  # ... within seven days
    reached: int  # newcomers reached at least once
    outcomes: dict[str, int]  # follow-ups recorded, by outcome code
    sources: dict[str, int]  # requests by source (group page, organisation page, in person)


def monthly_figures(organisation_id: int, start: date, end: date, group_ids=None) -> list[OutreachMonth]:
    """The months from `start` to `end` (inclusive, by the month of the request), per group: three
    queries whatever the number of newcomers. `group_ids`: only these groups (None: all, and the
    organisation's own page)."""
    scope = [
        Newcomer.organisation_id == organisation_id,
        Newcomer.month >= date(start.year, start.month, 1),
        Newcomer.month <= end,
    ]
    if group_ids is not None:
        scope.append(Newcomer.group_id.in_(list(group_ids)))
    key = (Newcomer.group_id, Newcomer.month)
    totals = db.session.execute(
        sa.select(
            *key,
            sa.func.count(Newcomer.id),
            sa.func.sum(sa.case((Newcomer.first_attempt_days <= 1, 1), else_=0)),
            sa.func.sum(sa.case((Newcomer.first_attempt_days <= 7, 1), else_=0)),
            sa.func.sum(sa.case((Newcomer.reached.is_(True), 1), else_=0)),
        )
        .where(*scope)
        .group_by(*key)
    ).all()
    outcomes = db.session.execute(
        sa.select(*key, FollowUp.outcome, sa.func.count(FollowUp.id))
        .join(FollowUp, FollowUp.newcomer_id == Newcomer.id)
        .where(*scope, FollowUp.outcome.is_not(None))
        .group_by(*key, FollowUp.outcome)
    ).all()
    sources = db.session.execute(
        sa.select(*key, Newcomer.source, sa.func.count(Newcomer.id))
        .where(*scope)
        .group_by(*key, Newcomer.source)
    ).all()
    by_outcome: dict[tuple, dict[str, int]] = {}
    for group_id, month, outcome, count in outcomes:
        by_outcome.setdefault((group_id, month), {})[outcome] = count
    by_source: dict[tuple, dict[str, int]] = {}
    for group_id, month, source, count in sources:
        by_source.setdefault((group_id, month), {})[source] = count
    months = [
        OutreachMonth(
            group_id,
            month,
            requests,
            int(c1 or 0),
            int(c7 or 0),
            int(reached or 0),
            by_outcome.get((group_id, month), {}),
            by_source.get((group_id, month), {}),
        )
        for group_id, month, requests, c1, c7, reached in totals
    ]
    return sorted(months, key=lambda m: (m.month, m.group_id is not None, m.group_id or 0))
