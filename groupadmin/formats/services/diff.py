"""Comparing two versions of a format: section by section, matched by their stable keys."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from groupadmin.extensions import db
from groupadmin.formats.models import Format, FormatSection, FormatVersion
from groupadmin.formats.rendering import KIND_LABELS
from groupadmin.formats.services.versions import draft_of, history


@dataclass
class SectionDiff:
    status: str  # unchanged | changed | added | removed
    old: FormatSection | None
    new: FormatSection | None
    moved: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    body: list[tuple[str, str]] = field(default_factory=list)  # (" ", "-" or "+", line)

    @property
    def section(self) -> FormatSection:
        return self.new or self.old


def _label_kind(kind: str | None) -> str:
    return str(KIND_LABELS.get(kind, kind or ""))


def _minutes(value: int | None) -> str:
    return "" if value is None else str(_l("%(n)s min", n=value))


def diff_versions(old: FormatVersion, new: FormatVersion) -> list[SectionDiff]:
    """Section by section, matched by their stable keys, in the new version's order; removed sections
    appear where they used to be."""
    old_by_key = {s.key: s for s in old.sections}
    new_by_key = {s.key: s for s in new.sections}
    common_old = [s.key for s in old.sections if s.key in new_by_key]
    common_new = [s.key for s in new.sections if s.key in old_by_key]
    matcher = difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    in_place: set[int] = set()
    for block in matcher.get_matching_blocks():
        in_place.update(common_new[block.b : block.b + block.size])
    result: list[SectionDiff] = []
    for section in new.sections:
        before = old_by_key.get(section.key)
        if before is None:
            result.append(SectionDiff("added", None, section))
        else:
            result.append(_section_diff(before, section, moved=section.key not in in_place))
    # Removed sections go back after the section that preceded them in the old version.
    for index, section in enumerate(old.sections):
        if section.key in new_by_key:
            continue
        position = 0
        for previous in reversed(old.sections[:index]):
            found = next((i for i, d in enumerate(result) if d.section.key == previous.key), None)
            if found is not None:
                position = found + 1
                break
        result.insert(position, SectionDiff("removed", section, None))
    return result


def _section_diff(before: FormatSection, after: FormatSection, *, moved: bool) -> SectionDiff:
    """What changed in one section kept from the old version to the new."""
    item = SectionDiff("unchanged", before, after, moved=moved)
    for label, attr, show in (
        (_l("Title"), "title", str),
        (_l("Kind"), "kind", _label_kind),
        (_l("Minutes"), "duration_minutes", _minutes),
        (_l("Led by"), "led_by", lambda v: v or ""),
    ):
        a, b = getattr(before, attr), getattr(after, attr)
        if a != b:
            item.changes.append((str(label), show(a), show(b)))
    if before.body != after.body:
        item.body = _line_diff(before.body, after.body)
    if item.changes or item.body:
        item.status = "changed"
    return item


def _line_diff(a: str, b: str) -> list[tuple[str, str]]:
    old_lines, new_lines = a.splitlines(), b.splitlines()
    lines: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [(" ", line) for line in old_lines[i1:i2]]
        else:
            lines += [("-", line) for line in old_lines[i1:i2]]
            lines += [("+", line) for line in new_lines[j1:j2]]
    return lines


# ---------------------------------------------------------------------------------------------------
# The compare page


@dataclass
class Comparison:
    history: list[FormatVersion]  # saved versions, newest first
    draft: FormatVersion | None
    old: FormatVersion | None
    new: FormatVersion
    diffs: list[SectionDiff]


def _choose_sides(
    history: list[FormatVersion], draft: FormatVersion | None, a: int | None, b: str
) -> tuple[FormatVersion | None, FormatVersion]:
    """The versions asked for (a: a number; b: a number or "draft"), or sensible ones: the newest
    against the one before it, or the draft against the newest."""
    by_number = {v.number: v for v in history}
    old = by_number.get(a)
    new = draft if b == "draft" else by_number.get(int(b) if b.isdigit() else -1)
    if old is None and history:
        old = history[1] if len(history) > 1 and new is None else history[0]
    if new is None:
        new = draft or history[0]
    return old, new


def comparison(fmt: Format, a: int | None, b: str, *, with_draft: bool) -> Comparison | None:
    """Two versions of a format and their differences; None when there is nothing to compare (no saved
    version, and no draft or the reader may not see it)."""
    saved = history(fmt)
    draft = draft_of(fmt) if with_draft else None
    if not saved and draft is None:
        return None
    old, new = _choose_sides(saved, draft, a, b)
    # Both sides' sections, in one query however they were chosen.
    db.session.scalars(
        sa.select(FormatVersion)
        .where(FormatVersion.id.in_({v.id for v in (old, new) if v is not None}))
        .options(sa.orm.selectinload(FormatVersion.sections))
    ).all()
    return Comparison(saved, draft, old, new, diff_versions(old, new) if old is not None else [])
