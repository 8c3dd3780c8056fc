"""Meeting Guide type codes (code4recovery/spec data/types.json), with their names in several languages.

The codes are the interchange values; people choose and see the names, in their own language.
``ONL`` is not chosen by hand: the feed derives it from the attendance. ``TC`` (location temporarily
closed) may be: an in-person meeting whose building is closed and that has no link keeps it (finders list
it as temporarily inactive); the feed also adds it for a week marked "online only".
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from flask_babel import lazy_gettext as _l

_PATH = Path(__file__).with_name("types.json")

# Derived by the feed, never chosen on the form.
DERIVED_CODES = {"ONL"}

# How the form groups the codes (the spec's list has no categories: these are ours). A code not named
# here is a language when its name is one, otherwise "Other".
CATEGORIES = {
    "open_closed": (_l("Open or closed"), ("O", "C")),
    "format": (
        _l("Format"),
        (
            "11",
            "12x12",
            "ABSI",
            "B",
            "CAN",
            "D",
            "DR",
            "GR",
            "H",
            "LIT",
            "LS",
            "MED",
            "SP",
            "ST",
            "TR",
            "XT",
            "BRK",
            "OUT",
            "POA",
            "DB",
            "A",
        ),
    ),
    "people": (
        _l("Who it is for"),
        (
            "BE",
            "M",
            "W",
            "Y",
            "SEN",
            "G",
            "L",
            "BI",
            "T",
            "NB",
            "LGBTQ",
            "POC",
            "N",
            "NDG",
            "P",
            "DD",
            "AL",
            "AL-AN",
        ),
    ),
    "access": (_l("Access and the room"), ("X", "XB", "ASL", "BA", "CF", "FF", "SM", "TC")),
}
LANGUAGE_CATEGORY = "language"
LANGUAGE_LABEL = _l("Language")
OTHER_LABEL = _l("Other")


@functools.cache
def _all() -> dict[str, dict[str, str]]:
    return json.loads(_PATH.read_text(encoding="utf-8"))


def codes() -> set[str]:
    return set(_all())


def name(code: str, locale: str = "en") -> str:
    names = _all().get(code)
    if not names:
        return code
    return names.get(str(locale)[:2]) or names["en"]


def choices(locale: str = "en") -> list[tuple[str, str]]:
    """(code, translated name) for the form, sorted by name in that language."""
    items = [(code, name(code, locale)) for code in _all() if code not in DERIVED_CODES]
    return sorted(items, key=lambda item: item[1].casefold())


@functools.cache
def _by_name() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, names in _all().items():
        for value in names.values():
            index.setdefault(value.casefold(), code)
    for code in _all():
        index[code.casefold()] = code
    # Names that the 12 Step Meeting List plugin and older feeds use for the same codes.
    index.update(
        {
            "onl": "ONL",
            "online": "ONL",
            "online meeting": "ONL",
            "temporary closure": "TC",
            "newcomers": "BE",
            "beginners": "BE",
            "beginner": "BE",
            "wheelchair accessible": "X",
            "spanish speaking": "S",
        }
    )
    return index


def code_for(value: str) -> str | None:
    """A type code from a code or a name in any of the list's languages; None when unknown."""
    return _by_name().get(value.strip().casefold())


def grouped_choices(locale: str = "en") -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(category key, label, [(code, name)...]) for the form: the categories above in order, then the
    languages, then anything else; names sorted within each."""
    placed = {code: key for key, (_label, codes_) in CATEGORIES.items() for code in codes_}
    groups: dict[str, list[tuple[str, str]]] = {key: [] for key in CATEGORIES}
    groups[LANGUAGE_CATEGORY], groups["other"] = [], []
    for code, label in choices(locale):
        groups[placed.get(code, LANGUAGE_CATEGORY if _is_language(code) else "other")].append((code, label))
    labels = {key: label for key, (label, _codes) in CATEGORIES.items()}
    labels[LANGUAGE_CATEGORY], labels["other"] = LANGUAGE_LABEL, OTHER_LABEL
    return [(key, str(labels[key]), items) for key, items in groups.items() if items]


def _is_language(code: str) -> bool:
    # Every remaining code of the spec's list is a language (EN, ITA, KOR... and S, Spanish).
    return code == "S" or (code.isalpha() and code.isupper() and 2 <= len(code) <= 3)
