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

_PATH = Path(__file__).with_name("types.json")

# Derived by the feed, never chosen on the form.
DERIVED_CODES = {"ONL"}


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
