"""A validator for Meeting Guide feeds, written from the rules in shared/reference/meeting-guide.md.

`problems(feed)` returns a list of human-readable problems (empty when the feed is valid), so a test
failure says exactly which meeting broke which rule.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import available_timezones

TYPES = set(json.loads((Path(__file__).resolve().parents[2] / "groupadmin/meetings/types.json").read_text()))
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]*$")
PHONE = re.compile(r"^[0-9+,*#]+$")
# What TSML UI (code4recovery/tsml-ui, src/helpers/load-meeting-data.ts) keeps of what it reads: it
# recognises a conference link by its host ending with a provider's domain, case-sensitively; keeps
# only digits + , # of a dial-in number and hides one shorter than 10 characters; links PayPal names of
# 1-20 letters or digits only; reads end_time on the day of `time`.
FINDER_PROVIDERS = (
    "bluejeans.com",
    "discord.gg",
    "freeconference.com",
    "freeconferencecall.com",
    "goto.com",
    "gotomeet.me",
    "gotomeeting.com",
    "horizon.meta.com",
    "maps.secondlife.com",
    "meet.google.com",
    "meet.jit.si",
    "meetings.dialpad.com",
    "signal.group",
    "skype.com",
    "slurl.com",
    "teams.live.com",
    "teams.microsoft.com",
    "vrchat.com",
    "webex.com",
    "zoho.com",
    "zoom.us",
)
HTML = re.compile(r"<[a-zA-Z/][^>]*>")
TEXT_FIELDS = (
    "name",
    "location",
    "location_notes",
    "notes",
    "formatted_address",
    "address",
    "city",
    "state",
    "region",
    "group",
    "conference_url_notes",
    "conference_phone_notes",
)
KNOWN_FIELDS = {
    "name",
    "slug",
    "day",
    "time",
    "end_time",
    "timezone",
    "formatted_address",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "location",
    "location_notes",
    "notes",
    "region",
    "sub_region",
    "regions",
    "latitude",
    "longitude",
    "approximate",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "types",
    "updated",
    "group",
    "group_notes",
    "url",
    "edit_url",
    "venmo",
    "square",
    "paypal",
    "homegroup_online",
    "feedback_emails",
    "feedback_url",
    "entity",
    "entity_email",
    "entity_location",
    "entity_logo",
    "entity_phone",
    "entity_website_url",
    "entity_url",
    *(f"contact_{n}_{kind}" for n in (1, 2, 3) for kind in ("name", "email", "phone")),
}


def problems(feed) -> list[str]:
    found: list[str] = []
    if not isinstance(feed, list):
        return ["the document is not a JSON array"]
    slugs: set[str] = set()
    for index, meeting in enumerate(feed):
        where = f"meeting {index}"
        if not isinstance(meeting, dict):
            found.append(f"{where}: not an object")
            continue
        where = f"meeting {index} ({meeting.get('slug')!r})"

        def bad(message, where=where):
            found.append(f"{where}: {message}")

        for key in meeting:
            if key not in KNOWN_FIELDS:
                bad(f"unknown field {key!r}")
            value = meeting[key]
            if key != "types" and (value is None or value == "" or value == []):
                bad(f"{key} is sent empty: omit optional fields that do not apply")
        name = meeting.get("name")
        if not isinstance(name, str) or not name.strip():
            bad("name is required")
        elif len(name) > 255:
            bad("name is longer than 255 characters")
        slug = meeting.get("slug")
        if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 64:
            bad("slug must be a URL-safe string of at most 64 characters")
        elif slug in slugs:
            bad("slug is not unique in the feed")
        else:
            slugs.add(slug)
        day = meeting.get("day")
        days = day if isinstance(day, list) else [day]
        if not days or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days):
            bad("day must be an integer 0-6 (Sunday = 0) or an array of them")
        for key in ("time", "end_time"):
            if key in meeting and not (isinstance(meeting[key], str) and HHMM.match(meeting[key])):
                bad(f"{key} must be HH:MM, 24-hour")
        if "time" not in meeting:
            bad("time is required for the app")
        elif HHMM.match(str(meeting.get("end_time", ""))) and meeting["end_time"] <= meeting["time"]:
            bad("end_time is not after time: finders read it on the same day, before the start")
        if "timezone" in meeting and meeting["timezone"] not in available_timezones():
            bad("timezone is not an IANA zone name")
        for key in TEXT_FIELDS:
            if isinstance(meeting.get(key), str) and HTML.search(meeting[key]):
                bad(f"{key} contains HTML")
        types = meeting.get("types", [])
        if not isinstance(types, list) or not all(t in TYPES for t in types):
            bad(f"types must be codes from the list: {types!r}")
        if "approximate" in meeting and meeting["approximate"] not in ("yes", "no"):
            bad("approximate must be the string 'yes' or 'no'")
        for key in ("latitude", "longitude"):
            if key in meeting and not isinstance(meeting[key], (int, float)):
                bad(f"{key} must be a number")
        if "conference_phone" in meeting and not PHONE.match(meeting["conference_phone"]):
            bad("conference_phone must be digits with + , * # only")
        if "conference_phone" in meeting:
            kept = re.sub(r"[^\d,+#]", "", meeting["conference_phone"])
            if kept != meeting["conference_phone"]:
                bad("conference_phone has characters finders drop (e.g. *): the sequence dials other digits")
            if len(kept) < 10:
                bad("conference_phone is shorter than 10 characters: finders hide it")
        if "conference_url" in meeting:
            parts = urlsplit(meeting["conference_url"])
            if parts.scheme not in ("https", "http") or not parts.hostname:
                bad("conference_url must be a link")
            host = (
                meeting["conference_url"].split("/")[2] if meeting["conference_url"].count("/") >= 2 else ""
            )
            if not host.endswith(FINDER_PROVIDERS) and "conference_phone" not in meeting:
                bad(f"conference_url host {host!r} is not one finders recognise (case-sensitive)")
        if "paypal" in meeting and not re.fullmatch(r"[a-zA-Z0-9]{1,20}", meeting["paypal"]):
            bad("paypal must be 1-20 letters or digits: finders drop any other")
        if "venmo" in meeting and not meeting["venmo"].startswith("@"):
            bad("venmo must start with @")
        if "square" in meeting and not meeting["square"].startswith("$"):
            bad("square must start with $")
        has_conference = "conference_url" in meeting or "conference_phone" in meeting
        has_address = "formatted_address" in meeting or "address" in meeting or "city" in meeting
        approximate = meeting.get("approximate")
        online = has_conference and ("TC" in types or approximate == "yes")
        if not has_address and not has_conference:
            bad("no geographic information and no conference details")
        if not online and not has_conference:
            # In person: a specific address.
            address = meeting.get("formatted_address", "")
            if approximate != "no" and address.count(",") < 3:
                bad("an in-person meeting needs a specific address (approximate 'no', or 4 parts)")
        if approximate == "yes" and not has_conference and "TC" not in types:
            bad("an approximate address without conference details: the meeting shows as inactive")
        if "updated" in meeting:
            try:
                datetime.strptime(meeting["updated"], "%Y-%m-%d %H:%M:%S")
            except (TypeError, ValueError):
                bad("updated must be 'YYYY-MM-DD HH:MM:SS' (UTC)")
        entity_fields = [k for k in meeting if k.startswith("entity_")]
        if entity_fields and "entity" not in meeting:
            bad("entity is required when other entity fields are present")
        if "entity_logo" in meeting and not str(meeting["entity_logo"]).startswith("https://"):
            bad("entity_logo must be https")
        if "feedback_emails" in meeting and not isinstance(meeting["feedback_emails"], list):
            bad("feedback_emails must be an array")
        for n in (1, 2, 3):
            contact = meeting.get(f"contact_{n}_name")
            if contact and len(contact.split()) > 1 and len(contact.split()[-1].rstrip(".")) > 1:
                bad("contact names: first names only")
    return found
