"""Reading an import file: a Meeting Guide JSON feed, or a CSV (or TSV, or semicolon-separated) with the
spec's column names or the 12 Step Meeting List (TSML) plugin's export headings. Gives records with
normalised keys; a file that cannot be read as a whole raises ImportFileError."""

from __future__ import annotations

import csv
import io
import json
import re

from flask_babel import lazy_gettext as _l

from groupadmin.errors import UserError


class ImportFileError(UserError):
    """The file as a whole cannot be read; str(error) is a translated message."""


# Our field for each (normalised) column heading; None: read but not imported.
COLUMN_MAP = {
    "name": "name",
    "meeting_name": "name",
    "slug": "slug",
    "id": "slug",
    "day": "day",
    "time": "time",
    "start_time": "time",
    "end_time": "end_time",
    "timezone": "timezone",
    "formatted_address": "formatted_address",
    "address": "address",
    "street": "address",
    "city": "city",
    "state": "state",
    "province": "state",
    "postal_code": "postal_code",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "postcode": "postal_code",
    "country": "country",
    "region": "region",
    "sub_region": "sub_region",
    "location": "location",
    "location_name": "location",
    "location_notes": "location_notes",
    "notes": "notes",
    "latitude": "latitude",
    "longitude": "longitude",
    "approximate": "approximate",
    "conference_url": "conference_url",
    "conference_url_notes": "conference_url_notes",
    "conference_phone": "conference_phone",
    "conference_phone_notes": "conference_phone_notes",
    "types": "types",
    "type": "types",
    "venmo": "venmo",
    "square": "square",
    "paypal": "paypal",
    "homegroup_online": "homegroup_online",
    "regions": "region",
    "attendance_option": "attendance",
    # The group holding the meeting: an organisation's import splits the file by it.
    "group": "group",
    "group_id": "group",
    "district": "group",
    # Read, but not imported: the old tool's bookkeeping, or contact details of people, which we do not
    # take in bulk.
    "group_notes": None,
    "updated": None,
    "url": None,
    "edit_url": None,
    "website": None,
    "website_2": None,
    "email": None,
    "phone": None,
    "mailing_address": None,
    "author": None,
    "data_source": None,
    "last_contact": None,
    "feedback_url": None,
    "feedback_emails": None,
}
IGNORED_PREFIXES = ("contact_", "entity")


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_l("The file is not readable text. Save it as UTF-8 CSV or JSON and try again."))


def normalise_heading(heading: str) -> str:
    return re.sub(r"[\s\-]+", "_", (heading or "").strip().lower())


def read_records(filename: str, content: str) -> tuple[str, list[dict], list[str]]:
    """(kind, records with normalised keys, headings as found in the file)."""
    stripped = content.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith(("[", "{")):
        return read_json(content)
    return read_csv(content)


def read_json(content: str) -> tuple[str, list[dict], list[str]]:
    """A Meeting Guide feed: a list of meeting objects (or {"meetings": [...]})."""
    try:
        data = json.loads(content)
    except ValueError as error:
        raise ImportFileError(
            _l(
                "The JSON file could not be read (line %(line)s): check it is a Meeting Guide feed.",
                line=getattr(error, "lineno", "?"),
            )
        ) from None
    except RecursionError:  # nested deeper than the parser goes: not a Meeting Guide feed
        raise ImportFileError(
            _l("The JSON file could not be read (line %(line)s): check it is a Meeting Guide feed.", line="?")
        ) from None
    if isinstance(data, dict) and isinstance(data.get("meetings"), list):
        data = data["meetings"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError(_l("A Meeting Guide file is a list of meetings: [ {...}, {...} ]."))
    headings: list[str] = []
    for item in data:
        for key in item:
            if key not in headings:
                headings.append(key)
    return "json", [{normalise_heading(k): v for k, v in item.items()} for item in data], headings


def read_csv(content: str) -> tuple[str, list[dict], list[str]]:
    """A CSV (the delimiter sniffed) with a heading row: the spec's names or the TSML plugin's."""
    try:
        sample = content[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(content), dialect=dialect)
    try:
        records = [
            {normalise_heading(k): (v or "").strip() for k, v in row.items() if k is not None}
            for row in reader
        ]
    except csv.Error as error:
        raise ImportFileError(_l("The CSV file could not be read: %(problem)s", problem=str(error))) from None
    headings = list(reader.fieldnames or [])
    if not headings or "name" not in {normalise_heading(h) for h in headings}:
        raise ImportFileError(
            _l("The CSV file needs a heading row with at least Name, Day and Time columns.")
        )
    return "csv", records, headings


def column_mapping(headings: list[str]) -> list[tuple[str, str | None]]:
    """(heading in the file, our field or None) for each heading."""
    return [(heading, COLUMN_MAP.get(normalise_heading(heading))) for heading in headings]
