"""What a new format starts from: a starter written for the group's fellowship, or a copy of the
newest saved version of another format of the group."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from groupadmin.formats import starters
from groupadmin.formats.models import Format
from groupadmin.formats.services.errors import FormatError
from groupadmin.formats.services.versions import latest_version, section_values
from groupadmin.groups.models import Group


def starter_sections(key: str, fellowship: str) -> tuple[list[dict], str]:
    """A starter's sections (as section values) and the note of the version they become."""
    if key not in starters.STARTERS:
        raise FormatError(_l("Choose a starter from the list."), field="start_from")
    sections = [
        {
            "kind": s.kind,
            "title": str(s.title),
            "body": str(s.body),
            "duration_minutes": s.minutes,
            "led_by": str(s.led_by) if s.led_by else None,
        }
        for s in starters.starter_sections(key, fellowship)
    ]
    return sections, str(_l("Started from the “%(starter)s” starter.", starter=starters.STARTERS[key][0]))


def copied_sections(source: Format) -> tuple[list[dict], str]:
    """The sections of the newest saved version of `source` (none if it has none yet), and the note."""
    version = latest_version(source)
    sections = [section_values(s) for s in (version.sections if version else [])]
    note = str(
        _l("Copied from “%(name)s”, version %(number)s.", name=source.name, number=version.number)
        if version
        else _l("Copied from “%(name)s”.", name=source.name)
    )
    return sections, note


def starting_sections(
    group: Group, starter: str | None, copy_of: Format | None
) -> tuple[list[dict], str | None]:
    """A new format's first sections and their note: from a starter, a copy, or nothing (blank)."""
    if starter is not None:
        return starter_sections(starter, group.fellowship)
    if copy_of is not None:
        return copied_sections(copy_of)
    return [], None
