"""An organisation's import: one feed or TSML export for the whole intergroup, split by each row's group
(`group`, `group_id` or `district`). Existing groups are matched by name or slug; the others are created
on confirming, with the fellowship chosen in the preview. One preview (a section per group), one confirm,
one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.groups import services as groups
from groupadmin.groups.models import FELLOWSHIPS, Group, Organisation
from groupadmin.meetings.importer.applying import apply_rows, check_plan, record
from groupadmin.meetings.importer.preview import Choices, ImportPlan, existing_meetings, match_rows, read_rows
from groupadmin.meetings.importer.rows import ImportRow


@dataclass
class GroupSection:
    """The rows of one of the file's groups: an existing group, or one to create."""

    key: str
    group: Group | None
    rows: list[ImportRow] = field(default_factory=list)
    fellowship: str = "aa"  # for a group to create

    @property
    def name(self) -> str:
        return self.group.name if self.group is not None else self.key

    @property
    def is_new(self) -> bool:
        return self.group is None


@dataclass
class OrgChoices(Choices):
    fellowships: dict[str, str] = field(default_factory=dict)  # new group's key -> fellowship


@dataclass
class OrgImportPlan(ImportPlan):
    sections: list[GroupSection] = field(default_factory=list)

    @property
    def new_groups(self) -> list[GroupSection]:
        return [s for s in self.sections if s.is_new and any(not r.errors for r in s.rows)]

    def titled_sections(self) -> list[tuple[str, list[ImportRow]]]:
        return [(s.name, s.rows) for s in self.sections]


def plan_org_import(
    organisation: Organisation,
    filename: str,
    content: str,
    *,
    now: datetime,
    choices: OrgChoices | None = None,
) -> OrgImportPlan:
    """Read and check a whole organisation's file, split by group. Changes nothing."""
    choices = choices or OrgChoices()
    zone = choices.timezone or organisation.timezone
    kind, columns, rows = read_rows(filename, content, timezone=zone)
    plan = OrgImportPlan(kind=kind, columns=columns, rows=rows, timezone=zone, choices=choices)
    plan.sections = _sections(organisation, rows, choices)
    section_of = {id(row): section for section in plan.sections for row in section.rows}
    existing = existing_meetings(organisation.id)
    group_ids = {s.group.id for s in plan.sections if s.group is not None}
    match_rows(rows, group_ids, existing, choices, now, group_of=lambda row: section_of[id(row)].group)
    return plan


def _sections(organisation: Organisation, rows: list[ImportRow], choices: OrgChoices) -> list[GroupSection]:
    known = list(db.session.scalars(sa.select(Group).where(Group.organisation_id == organisation.id)))
    by_name = {g.name.casefold(): g for g in known} | {g.slug: g for g in known}
    sections: dict[str, GroupSection] = {}
    for row in rows:
        key = row.group_key
        if not key:
            key = ""
            row.problem(
                "group", _l("No group: give the row a group, or import it from the group's own page.")
            )
        section = sections.get(key.casefold())
        if section is None:
            group = by_name.get(key.casefold()) or by_name.get(groups.slugify(key)) if key else None
            fellowship = choices.fellowships.get(key, "aa")
            section = GroupSection(key, group, fellowship=fellowship if fellowship in FELLOWSHIPS else "aa")
            sections[key.casefold()] = section
        section.rows.append(row)
    return sorted(sections.values(), key=lambda s: (s.key == "", s.name.casefold()))


def apply_org_import(
    organisation: Organisation,
    filename: str,
    content: str,
    *,
    actor,
    now: datetime,
    weeks: int,
    choices: OrgChoices | None = None,
) -> OrgImportPlan:
    """Plan again, create the new groups and apply the rows, in the caller's one transaction."""
    plan = plan_org_import(organisation, filename, content, now=now, choices=choices)
    check_plan(plan)
    for section in plan.new_groups:
        section.group = groups.create_group(
            organisation, actor=actor, name=section.key[:255], fellowship=section.fellowship, now=now
        )
    group_of = {id(row): section.group for section in plan.sections for row in section.rows}
    apply_rows(plan.good_rows, group_of=lambda row: group_of[id(row)], actor=actor, now=now, weeks=weeks)
    record(plan, organisation, actor=actor, now=now)
    return plan
