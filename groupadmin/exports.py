"""CSV files that spreadsheets open safely, for every export (treasurer's ledger, subscribers, reports).

A cell never runs as a formula: one starting with =, +, -, @, tab, carriage return, line feed, | or %
gets a leading apostrophe (OWASP's advice). A cell holding the comma, the semicolon (the separator of
spreadsheets in many languages), a tab, a quote or a line break is quoted, so it stays one cell whichever
separator the spreadsheet assumes. The file starts with a byte-order mark so spreadsheets read UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_QUOTE_WHEN = (",", ";", "\t", '"', "\r", "\n")


def neutralise(cell) -> str:
    """The cell as text that a spreadsheet shows and never runs."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _field(cell) -> str:
    text = neutralise(cell)
    if any(mark in text for mark in _QUOTE_WHEN):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(rows: Iterable[Iterable]) -> str:
    """The whole file: one line per row (CRLF, as RFC 4180), every cell neutralised."""
    return "\ufeff" + "".join(",".join(_field(cell) for cell in row) + "\r\n" for row in rows)
