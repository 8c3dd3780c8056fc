"""The community resources directory (crisis lines, treatment, housing, legal aid...): an organisation's
entries and each group's own, the public pages, the printable card with its QR code, the monthly
re-check reminder.

Modules: ``directory`` (reading, in directory order: crisis lines first; what other domains show),
``editing`` (save, mark checked, delete, the re-check setting), ``recheck`` (the reminder job),
``card`` (the public address and its QR code, what fits on a card).

Other domains use ``welcome_selection(organisation_id, group_id, limit=5)`` and
``crisis_lines(organisation_id)``: lists of ``Resource`` with ``.name``, ``.phone``, ``.url``,
``.hours``, ``.is_24_7`` and ``.kind_label``.
"""

from groupadmin.resources.services.card import CARD_ENTRIES, card_entries, public_url, qr_code, qr_svg
from groupadmin.resources.services.directory import (
    Section,
    by_kind,
    crisis_lines,
    directory_entries,
    entries_of,
    entry_of,
    is_group,
    public_group,
    public_organisation,
    scope_of,
    welcome_selection,
)
from groupadmin.resources.services.editing import (
    ResourceError,
    check,
    delete_entry,
    mark_checked,
    recheck_days,
    save_entry,
    save_recheck_days,
)
from groupadmin.resources.services.recheck import due_counts, due_ids, is_due, send_recheck_reminders

__all__ = [
    "CARD_ENTRIES",
    "ResourceError",
    "Section",
    "by_kind",
    "card_entries",
    "check",
    "crisis_lines",
    "delete_entry",
    "directory_entries",
    "due_counts",
    "due_ids",
    "entries_of",
    "entry_of",
    "is_due",
    "is_group",
    "mark_checked",
    "public_group",
    "public_organisation",
    "public_url",
    "qr_code",
    "qr_svg",
    "recheck_days",
    "save_entry",
    "save_recheck_days",
    "scope_of",
    "send_recheck_reminders",
    "welcome_selection",
]
