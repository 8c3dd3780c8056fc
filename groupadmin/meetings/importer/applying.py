"""Applying an import: the same file planned again with the same choices, and applied in the caller's one
transaction. Rows with problems are skipped only when the person chose so; otherwise nothing changes. A
meeting missing from the file is archived only when asked, never deleted."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.groups.models import Group
from groupadmin.meetings import services
from groupadmin.meetings.importer.preview import Choices, ImportPlan, plan_import
from groupadmin.meetings.importer.reading import ImportFileError
from groupadmin.meetings.schedule import local_today


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
    for row in rows:
        if row.action == "create":
            services.create_meeting(
                group_of(row),
                actor=actor,
                now=now,
                rule=row.rule,
                values=row.values,
                weeks=weeks,
                slug=row.slug,
            )
        elif row.action == "update":
            meeting = row.meeting
            if meeting.status != "active":
                services.set_status(meeting, "active", actor=actor, now=now, weeks=weeks)
            services.update_meeting(meeting, actor=actor, now=now, values=row.values)
            effective_from = max(local_today(row.rule.timezone, now), date.min)
            if services.schedule_differs(meeting, row.rule, effective_from):
                services.change_schedule(meeting, row.rule, effective_from, actor=actor, now=now, weeks=weeks)


def record(plan: ImportPlan, obj, *, actor, now: datetime, group: Group | None = None) -> None:
    audit.record(
        now=now,
        actor=actor,
        action="meetings.imported",
        obj=obj,
        group=obj if isinstance(obj, Group) else group,
        kind=plan.kind,
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        skipped=plan.count("skip"),
        archived=len(plan.to_archive),
    )
