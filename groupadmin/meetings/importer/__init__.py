"""Import: a Meeting Guide JSON feed, or a CSV with the spec's column names or the 12 Step Meeting List
plugin's export headings (day names, 12-hour times such as "7:30 PM", type names).

`reading` turns the file into records; `rows` interprets each record (pure); `preview` (`plan_import`)
reads and checks everything and changes nothing: the preview shows each row, its mapping and every error.
`applying` (`apply_import`) re-plans the same content and applies it only when no row has an error, in
the caller's one transaction. Meetings are matched by slug (the Meeting Guide app stores favourites by
it), so importing again updates instead of duplicating; a meeting missing from the file is archived only
when asked, never deleted.
"""

from groupadmin.meetings.importer.applying import apply_import
from groupadmin.meetings.importer.organisation import (
    GroupSection,
    OrgChoices,
    OrgImportPlan,
    apply_org_import,
    plan_org_import,
)
from groupadmin.meetings.importer.preview import MAX_ROWS, Choices, ImportPlan, plan_import, preview
from groupadmin.meetings.importer.reading import (
    COLUMN_MAP,
    ImportFileError,
    column_mapping,
    decode,
    normalise_heading,
    read_records,
)
from groupadmin.meetings.importer.rows import (
    FIELD_LABELS,
    JSON_CLEARS,
    PROBLEM_KINDS,
    ImportRow,
    Problem,
    interpret,
    parse_day,
)
from groupadmin.meetings.importer.vocabulary import fixed_zone, html_to_text, parse_time, type_code

__all__ = [
    "COLUMN_MAP",
    "FIELD_LABELS",
    "JSON_CLEARS",
    "MAX_ROWS",
    "PROBLEM_KINDS",
    "Choices",
    "GroupSection",
    "OrgChoices",
    "OrgImportPlan",
    "apply_org_import",
    "plan_org_import",
    "Problem",
    "ImportFileError",
    "ImportPlan",
    "ImportRow",
    "apply_import",
    "column_mapping",
    "decode",
    "fixed_zone",
    "html_to_text",
    "type_code",
    "interpret",
    "normalise_heading",
    "parse_day",
    "parse_time",
    "plan_import",
    "preview",
    "read_records",
]
