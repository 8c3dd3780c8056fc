"""Applying an import: the same file planned again and applied only when no row has an error, in the
caller's one transaction. A meeting missing from the file is archived only when asked, never deleted."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from groupadmin.audit import services as audit
from groupadmin.groups.models import Group
from groupadmin.meetings import services
from groupadmin.meetings.importer.preview import ImportPlan, plan_import
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
    archive_missing: bool = False,
) -> ImportPlan:
    """Plan again and apply everything in the caller's transaction; refuses (changing nothing) when any
    row has an error. The caller commits once."""
    plan = plan_import(group, filename, content, now=now, archive_missing=archive_missing)
    if not plan.ok:
        raise ImportFileError(
            _l("The file has errors: nothing was imported. Correct them and upload it again.")
        )
    for row in plan.rows:
        if row.action == "create":
            services.create_meeting(
                group, actor=actor, now=now, rule=row.rule, values=row.values, weeks=weeks, slug=row.slug
            )
        elif row.action == "update":
            meeting = row.meeting
            if meeting.status != "active":
                services.set_status(meeting, "active", actor=actor, now=now, weeks=weeks)
            services.update_meeting(meeting, actor=actor, now=now, values=row.values)
            effective_from = max(local_today(row.rule.timezone, now), date.min)
            if services.schedule_differs(meeting, row.rule, effective_from):
                services.change_schedule(meeting, row.rule, effective_from, actor=actor, now=now, weeks=weeks)
    for meeting in plan.to_archive:
        services.set_status(meeting, "archived", actor=actor, now=now, weeks=weeks)
    audit.record(
        now=now,
        actor=actor,
        action="meetings.imported",
        obj=group,
        group=group,
        kind=plan.kind,
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        archived=len(plan.to_archive),
    )
    return plan
