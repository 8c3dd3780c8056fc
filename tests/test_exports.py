"""CSV exports: no cell runs as a formula, and no cell splits whichever separator a spreadsheet assumes."""

from __future__ import annotations

import csv
import io

import pytest

from groupadmin.exports import csv_text, neutralise


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\n=1", "'\n=1"),
        ("|cmd", "'|cmd"),
        ("Tuesday Night", "Tuesday Night"),
        ("45.50", "45.50"),
        (12, "12"),
        (None, ""),
    ],
)
def test_cells_never_run_as_formulas(cell, expected):
    assert neutralise(cell) == expected


def test_cells_holding_a_separator_quote_or_line_break_stay_one_cell():
    rows = [["Name", "Note"], ["Lakeside; Tuesday", 'Say "hi", then\r\nsit'], ["=1+1", 3]]
    text = csv_text(rows)
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    body = text.lstrip("\ufeff")
    assert '"Lakeside; Tuesday"' in body  # a spreadsheet splitting on ";" keeps it whole
    assert list(csv.reader(io.StringIO(body))) == [
        ["Name", "Note"],
        ["Lakeside; Tuesday", 'Say "hi", then\r\nsit'],
        ["'=1+1", "3"],
    ]
    # A spreadsheet that splits on ";" (many languages' default) still sees the name as one cell.
    second_row = list(csv.reader(io.StringIO(body), delimiter=";"))[1]
    assert second_row[0].startswith("Lakeside; Tuesday")
