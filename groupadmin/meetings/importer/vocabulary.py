"""The words import files use: day names and time formats in the languages the 12 Step Meeting List
plugin (TSML) exports, the type names and aliases it knows, fixed-offset zone names, and HTML in notes
turned into text. Pure."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import time

from groupadmin.meetings import types as meeting_types

# Meeting Guide numbering: Sunday = 0. Keys are folded (see `fold`).
_DAYS = {
    0: "sunday sun domingo dom dimanche dim sonntag so sonn zondag zo zon sondag son 日曜日 日曜 日",
    1: "monday mon lunes lun lundi montag mo segunda segunda-feira seg maandag ma maa mandag man"
    " 月曜日 月曜 月",
    2: "tuesday tue tues martes mar mardi dienstag di terca terca-feira ter dinsdag tisdag tis"
    " 火曜日 火曜 火",
    3: "wednesday wed miercoles mie mercredi mer mittwoch mi quarta quarta-feira qua woensdag wo onsdag ons"
    " 水曜日 水曜 水",
    4: "thursday thu thur thurs jueves jue jeudi jeu donnerstag do quinta quinta-feira qui donderdag"
    " torsdag tors tor 木曜日 木曜 木",
    5: "friday fri viernes vie vendredi ven freitag fr sexta sexta-feira sex vrijdag vr fredag fre"
    " 金曜日 金曜 金",
    6: "saturday sat sabado sab samedi sam samstag sa sonnabend zaterdag za lordag lor 土曜日 土曜 土",
}
DAY_NAMES = {word: number for number, words in _DAYS.items() for word in words.split()}

_TIME_12H = re.compile(
    r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(a|p)\.?\s*m?\.?$|^(午前|午後)\s*(\d{1,2})(?:[:時]\s*(\d{2})分?)?$"
)
_TIME_24H = re.compile(r"^(\d{1,2})\s*(?::|\.|h|u|時)\s*(\d{2})?\s*(?:min|分|uhr|u)?(?::\d{2})?$")
_TIME_HOUR = re.compile(r"^(\d{1,2})\s*(?:h|uhr|u|時|heures?|hrs?)$")

# Names the TSML plugin and older feeds use beside the type list's own names (folded).
TYPE_ALIASES = {
    "onl": "ONL",
    "online": "ONL",
    "online meeting": "ONL",
    "virtual": "ONL",
    "temporary closure": "TC",
    "temporarily closed": "TC",
    "location temporarily closed": "TC",
    "newcomers": "BE",
    "beginners": "BE",
    "beginner": "BE",
    "wheelchair accessible": "X",
    "wheelchair": "X",
    "spanish speaking": "S",
    "step meeting": "ST",
    "steps": "ST",
    "step": "ST",
    "sign language": "ASL",
    "asl": "ASL",
    "outdoor meeting": "OUT",
    "outdoors": "OUT",
    "12 steps and 12 traditions": "12x12",
    "12 & 12": "12x12",
    "12&12": "12x12",
    "twelve and twelve": "12x12",
    "tradition": "TR",
    "traditions": "TR",
    "traditions study": "TR",
    "young people's": "Y",
    "young peoples": "Y",
    "mens": "M",
    "men's": "M",
    "womens": "W",
    "women's": "W",
    "big book study": "B",
    "speaker meeting": "SP",
    "discussion meeting": "D",
    "literature study": "LIT",
    "childcare available": "BA",
    "child friendly": "CF",
    "non smoking": "NS",
    "smoking": "SM",
    "birthday meeting": "H",
    "agnostic": "A",
    "atheist / agnostic": "A",
    "secular / agnostic": "A",
    # German (TSML's de export; the type list has no German names).
    "offen": "O",
    "offenes meeting": "O",
    "geschlossen": "C",
    "geschlossenes meeting": "C",
    "online-meeting": "ONL",
    "anfanger": "BE",
    "neue": "BE",
    "frauen": "W",
    "manner": "M",
    "sprecher": "SP",
    "sprechermeeting": "SP",
    "diskussion": "D",
    "blaues buch": "B",
    "grosses buch": "B",
    "schritte": "ST",
    "schrittemeeting": "ST",
    "traditionen": "TR",
    "meditation": "MED",
    "rollstuhlgerecht": "X",
    "barrierefrei": "X",
    "englisch": "EN",
    "deutsch": "DE",
    "junge leute": "Y",
    "im freien": "OUT",
    "standort vorubergehend geschlossen": "TC",
    "gebardensprache": "ASL",
    # French, Portuguese, Dutch, Swedish names that differ from the list's.
    "ouvert": "O",
    "ouverte": "O",
    "ferme": "C",
    "fermee": "C",
    "sprekers": "SP",
    "gesloten": "C",
    "slutet": "C",
    "aberto": "O",
    "fechada": "C",
    "fechado": "C",
    "langue des signes": "ASL",
    "en ligne": "ONL",
    "reunion en ligne": "ONL",
    "exterieur": "OUT",
    "nouveaux": "BE",
    "lingua de sinais": "ASL",
    "reuniao online": "ONL",
    "ao ar livre": "OUT",
    "gebarentaal": "ASL",
    "buiten": "OUT",
    "teckensprak": "ASL",
    "utomhus": "OUT",
    "オンライン": "ONL",
    "手話": "ASL",
    "屋外": "OUT",
}

# Fixed-offset and abbreviation zone names, with the IANA zone people most often mean by them.
FIXED_ZONES = {
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "EST5EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "CST6CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "MST7MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PST8PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "AST": "America/Halifax",
    "NST": "America/St_Johns",
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "MET": "Europe/Paris",
    "EET": "Europe/Athens",
    "AEST": "Australia/Sydney",
    "JST": "Asia/Tokyo",
    "IST": "Asia/Kolkata",
}
_OFFSET_ZONE = re.compile(
    r"^(?:etc/)?(?:gmt|utc)\s*[+-]\s*\d{1,2}(?::?\d{2})?$|^[+-]\d{1,2}(?::?\d{2})?$", re.I
)

# Tags removed from notes (anything else in angle brackets, like "<none>", is text).
_BREAK_TAGS = re.compile(r"<\s*(?:br\s*/?|/\s*(?:p|div|li|h[1-6]|tr|blockquote)\s*)>", re.I)
_ITEM_TAGS = re.compile(r"<\s*li\b[^>]*>", re.I)
_OTHER_TAGS = re.compile(
    r"<\s*/?\s*(?:a|abbr|b|big|blockquote|code|div|em|font|h[1-6]|hr|i|img|li|ol|p|pre|s|small|span"
    r"|strong|sub|sup|table|tbody|td|th|thead|tr|u|ul)\b[^>]*>",
    re.I,
)


def fold(text: str) -> str:
    """Lower case without accents ("Måndag" -> "mandag"; Japanese is kept as it is)."""
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def day_number(value: str) -> int | None:
    """Meeting Guide day (Sunday = 0) of a day name in any of the export languages."""
    word = fold(value).rstrip(".")
    if word in DAY_NAMES:
        return DAY_NAMES[word]
    return DAY_NAMES.get(re.sub(r"[\s-]*feira$", "", word))


def parse_time(value) -> time:
    """A local time from "19:30", "7:30 PM", "7.30pm", "19h30", "19 h 30 min", "19 Uhr", "午後7時30分"."""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text in ("noon", "midi", "mittag", "meio-dia", "middag", "正午"):
        return time(12, 0)
    if text in ("midnight", "minuit", "mitternacht", "meia-noite", "middernacht", "midnatt"):
        return time(0, 0)
    match = _TIME_12H.match(text)
    if match:
        if match.group(1):
            hour, minute, pm = int(match.group(1)), int(match.group(2) or 0), match.group(3) == "p"
        else:
            hour, minute, pm = int(match.group(5)), int(match.group(6) or 0), match.group(4) == "午後"
        if not 0 <= hour <= 12 or minute > 59:
            raise ValueError
        return time(hour % 12 + (12 if pm else 0), minute)
    match = _TIME_24H.match(text) or _TIME_HOUR.match(text)
    if match:
        hour = int(match.group(1))
        minute = int(match.group(2) or 0) if match.lastindex and match.lastindex >= 2 else 0
        return time(hour, minute)  # ValueError when out of range
    raise ValueError


def type_code(value: str) -> str | None:
    """A Meeting Guide code from a code, a name in any of the list's languages, or a TSML alias."""
    code = meeting_types.code_for(value)
    if code is not None:
        return code
    folded = fold(value)
    return TYPE_ALIASES.get(folded) or _folded_names().get(folded)


_FOLDED: dict[str, str] = {}


def _folded_names() -> dict[str, str]:
    if not _FOLDED:
        for code in meeting_types.codes():
            for language in ("en", "es", "fr", "ja", "nl", "pt", "sk", "sv", "th"):
                _FOLDED.setdefault(fold(meeting_types.name(code, language)), code)
    return _FOLDED


def fixed_zone(name: str) -> str | None:
    """For a fixed-offset or abbreviated zone name, the IANA zone to use instead ("" when no single
    zone fits); None for any other name."""
    upper = name.strip().upper()
    if upper in FIXED_ZONES:
        return FIXED_ZONES[upper]
    if _OFFSET_ZONE.match(name.strip()):
        return ""
    return None


def html_to_text(value: str) -> str:
    """Text of a note written in HTML: line breaks kept, tags removed, entities decoded; anything in
    angle brackets that is not an HTML tag ("<none>") is left as written."""
    text = value.replace("\r\n", "\n")
    text = _ITEM_TAGS.sub("- ", text)
    text = _BREAK_TAGS.sub("\n", text)
    text = _OTHER_TAGS.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
