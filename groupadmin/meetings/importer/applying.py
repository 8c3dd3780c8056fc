"""Applying an import: the same file planned again with the same choices, and applied in the caller's one
transaction. Rows with problems are skipped only when the person chose so; otherwise nothing changes. A
meeting missing from the file is archived only when asked, never deleted."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.extensions import db
from groupadmin.groups.models import Group, Organisation
from groupadmin.groups.services import slugify
from groupadmin.meetings import services
from groupadmin.meetings.importer.preview import Choices, ImportPlan, plan_import
from groupadmin.meetings.importer.reading import ImportFileError
from groupadmin.meetings.models import Meeting
from groupadmin.meetings.schedule import local_today
from groupadmin.meetings.services.schedules import new_schedule


def apply_import(
    group: Group,
    filename: str,
    content: str,
    *,
    actor,
    now: datetime,
    weeks: int,
    choices: Choices | None = None,
    archive_missing: bool = False,
) -> ImportPlan:
    """Plan again and apply everything in the caller's transaction; refuses (changing nothing) when a row
    has a problem the person did not choose to skip. The caller commits once."""
    choices = choices or Choices(archive_missing=archive_missing)
    plan = plan_import(group, filename, content, now=now, choices=choices)
    check_plan(plan)
    apply_rows(plan.good_rows, group_of=lambda row: group, actor=actor, now=now, weeks=weeks)
    for meeting in plan.to_archive:
        services.set_status(meeting, "archived", actor=actor, now=now, weeks=weeks)
    record(plan, group, actor=actor, now=now)
    return plan


def check_plan(plan: ImportPlan) -> None:
    if not plan.good_rows:
        raise ImportFileError(_l("No row of the file can be imported: nothing was imported."))
    if not plan.ok:
        raise ImportFileError(
            _l(
                "The file has problems: nothing was imported. Correct them and upload it again, or choose "
                "to skip the rows with problems."
            )
        )


def apply_rows(rows, *, group_of, actor, now: datetime, weeks: int) -> None:
    create_meetings(
        [r for r in rows if r.action == "create"], group_of=group_of, actor=actor, now=now, weeks=weeks
    )
    for row in rows:
        if row.action == "update":
            meeting = row.meeting
            if meeting.status != "active":
                services.set_status(meeting, "active", actor=actor, now=now, weeks=weeks)
            services.update_meeting(meeting, actor=actor, now=now, values=row.values)
            effective_from = max(local_today(row.rule.timezone, now), date.min)
            if services.schedule_differs(meeting, row.rule, effective_from):
                services.change_schedule(meeting, row.rule, effective_from, actor=actor, now=now, weeks=weeks)


def create_meetings(rows, *, group_of, actor, now: datetime, weeks: int) -> list[Meeting]:
    """The import's new meetings, all at once: their rows were checked by the plan with the meeting form's
    rules (`listing_problems`, the schedule's), so they are inserted together with one flush, and their
    occurrences generated together (5,000 meetings one by one take a minute). A row without a slug gets
    one made from its name, free in the organisation."""
    if not rows:
        return []
    organisation_ids = {group_of(row).organisation_id for row in rows}
    taken = set(
        db.session.scalars(sa.select(Meeting.slug).where(Meeting.organisation_id.in_(organisation_ids)))
    )
    taken |= {row.slug for row in rows if row.slug}
    meetings = []
    for row in rows:
        group, rule = group_of(row), row.rule.normalised()
        values = {"listed": True, "types": [], **services.clean_values(row.values)}
        meeting = Meeting(
            organisation_id=group.organisation_id,
            group=group,
            slug=row.slug or _free_slug(values["name"], taken),
            status="active",
            created_at=now,
            updated_at=now,
            **values,
        )
        meeting.schedules.append(new_schedule(rule, local_today(rule.timezone, now), now))
        meetings.append(meeting)
    db.session.add_all(meetings)
    db.session.flush()
    for meeting in meetings:
        audit.record(
            now=now, actor=actor, action="meeting.created", obj=meeting, group=meeting.group, listed=True
        )
    services.generate_occurrences(meetings, now=now, weeks=weeks)
    return meetings


def _free_slug(name: str, taken: set[str]) -> str:
    base = slugify(name, 60)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def record(plan: ImportPlan, obj, *, actor, now: datetime, group: Group | None = None) -> None:
    audit.record(
        now=now,
        actor=actor,
        action="meetings.imported",
        obj=obj,
        group=obj if isinstance(obj, Group) else group,
        organisation=obj if isinstance(obj, Organisation) else None,
        kind=plan.kind,
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        skipped=plan.count("skip"),
        archived=len(plan.to_archive),
    )
