"""Exports read back: CSV with the csv module, XLSX with openpyxl, PDF with pypdf. They hold what the
page holds (suppressed), cells never run as formulas, and a group named in another script never breaks
the PDF. The outreach section, from rows built here (the outreach domain sums them)."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pypdf

from groupadmin.extensions import db
from groupadmin.reports import exports
from groupadmin.reports.services import OutreachMonth, Period, build_report
from tests.conftest import NOW, login

OCT_NOV = Period(date(2026, 10, 1), date(2026, 11, 30))
URL = "/orgs/lakeside/reports/report.{fmt}?period=custom&start=2026-10-01&end=2026-11-30"
PEOPLE_LABELS = ("Attendances (visits, not people)", "Newcomers", "In the room", "Online")


def small_numbers(rows, header_row_index_of):
    """Numbers from 1 to 10 in people columns of the table rows read back."""
    found = []
    header = None
    for row in rows:
        if row and row[0] in ("Month", "Group", "Figure", "Currency", "Kind"):
            header = row
            continue
        if not row or header is None:
            header = None if not row else header
            continue
        for name, cell in zip(header, row, strict=False):
            if (
                name in PEOPLE_LABELS
                and str(cell).replace(",", "").isdigit()
                and 0 < int(str(cell).replace(",", "")) < 11
            ):
                found.append((row[0], name, cell))
        if row[0] in PEOPLE_LABELS and len(row) > 1 and str(row[1]).isdigit() and 0 < int(row[1]) < 11:
            found.append((row[0], row[1]))
    return found


def test_csv_reads_back_suppressed_and_formula_safe(setup, client):
    setup.na.name = '=HYPERLINK("http://x";"a;b")\tgroup'
    db.session.commit()
    login(client, "coord@example.org")
    response = client.get(URL.format(fmt="csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Monthly summary", "Lakeside Intergroup"]
    names = [r[0] for r in rows if r and "HYPERLINK" in r[0]]
    assert names and all(name.startswith("'=") for name in names)  # never a formula, one cell
    assert ["Tuesday Group", "Alcoholics Anonymous (AA)", "4", "3", "47", "fewer than 11"] == next(
        r for r in rows if r and r[0] == "Tuesday Group"
    )[:6]
    assert small_numbers(rows, None) == []
    assert any(r and r[0] == "Method" for r in rows)


def test_xlsx_has_numbers_as_numbers_and_a_method_sheet(setup, client):
    setup.na.name = "@SUM(A1:A2)"
    db.session.commit()
    login(client, "coord@example.org")
    response = client.get(URL.format(fmt="xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Report", "Method"]
    sheet = book["Report"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    tuesday = next(r for r in rows if r[0] == "Tuesday Group")
    assert tuesday[2:5] == [4, 3, 47] and isinstance(tuesday[4], int)
    assert tuesday[5] == "fewer than 11"
    formula = next(c for row in sheet.iter_rows() for c in row if c.value == "@SUM(A1:A2)")
    assert formula.data_type == "s"
    shares = [c for row in sheet.iter_rows() for c in row if c.number_format == "0.0%"]
    assert shares and all(isinstance(c.value, int | float) and 0 <= c.value <= 1 for c in shares)
    method = [c.value for c in book["Method"]["A"]]
    assert any("fewer than 11" in str(v) for v in method)
    cleaned = [[("" if v is None else str(v)) for v in r] for r in rows]
    assert small_numbers(cleaned, None) == []


def test_pdf_has_the_tables_charts_and_method_even_for_names_in_other_scripts(setup, client):
    setup.aa.name = "Группа «Надежда» 希望 Café"
    db.session.commit()
    login(client, "coord@example.org")
    response = client.get(URL.format(fmt="pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Monthly summary: Lakeside Intergroup" in text
    assert "Attendances per month" in text  # the charts' titles
    assert "Method" in text and "fewer than 11" in text
    assert "Data coverage by group" in text
    assert "Café" in text and "?" in text  # transliterated, never a crash
    images = sum(len(page.images) for page in reader.pages)
    drawn = any("/XObject" in str(page.get("/Resources", {})) for page in reader.pages)
    assert images or drawn or len(response.data) > 5000


def test_the_outreach_section_is_suppressed_with_its_rates(setup):
    rows = [
        OutreachMonth(
            setup.aa.id,
            date(2026, 10, 1),
            30,
            20,
            28,
            25,
            {"meeting": 15, "declined": 10},
            {"web": 20, "phone": 10},
        ),
        OutreachMonth(setup.na.id, date(2026, 10, 1), 4, 2, 3, 3, {"meeting": 3}, {"web": 4}),
        OutreachMonth(
            setup.na.id, date(2026, 11, 1), 40, 35, 39, 30, {"meeting": 30}, {"web": 25, "phone": 15}
        ),
    ]
    report = build_report(setup.org, OCT_NOV, now=NOW, locale="en", threshold=11, outreach=rows)
    outreach = report.table("outreach")
    october = dict(zip([c.key for c in outreach.columns], outreach.rows[0].figures, strict=True))
    assert october["requests"].value == 34 and october["rate_1d"].value == 22 / 34
    whole = dict(zip([c.key for c in outreach.columns], outreach.rows[-1].figures, strict=True))
    assert whole["requests"].value == 74 and whole["reached"].value == 58
    # The NA group's 4 requests in October are fewer than 11: hidden, its rates with them.
    groups_cells = report.suppressed
    assert (("g", setup.na.id), "requests") not in groups_cells.hidden  # 44 over the period
    outcomes = {r.label: r.figures[0] for r in report.table("outcomes").rows}
    # 10 declined is fewer than 11; the 48 beside it would give it away from the total of 58: hidden.
    assert outcomes["Declined"].state == "fewer" and outcomes["Meeting"].state == "hidden"
    assert outcomes["All"].value == 58
    sources = {r.label: r.figures[0] for r in report.table("sources").rows}
    assert sources["Phone"].value == 25
    # One month of one group only: everything small is hidden, and the rates go with their parts.
    small = build_report(
        setup.org,
        Period(date(2026, 10, 1), date(2026, 10, 31)),
        now=NOW,
        locale="en",
        threshold=11,
        outreach=rows,
        group_id=setup.na.id,
    )
    row = dict(
        zip(
            [c.key for c in small.table("outreach").columns],
            small.table("outreach").rows[0].figures,
            strict=True,
        )
    )
    assert (
        row["requests"].state == "fewer" and row["rate_1d"].state == "hidden" and row["rate_1d"].value is None
    )
    for fmt in ("csv", "xlsx", "pdf"):
        data = exports.render(small, fmt)
        assert data
    text = exports.csv_bytes(small).decode("utf-8")
    assert ",4," not in text and "fewer than 11" in text
