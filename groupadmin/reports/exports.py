"""A report as a file: CSV (through the one CSV writer, groupadmin/exports.py), XLSX (openpyxl: numbers
as numbers, a "Method" sheet) and PDF (fpdf2: the tables, the charts, and the method note).

Every file is written from the report object alone, so it holds exactly what the page shows: the
suppressed cells read "fewer than N" or "hidden", never a number.

fpdf2's core fonts cover Latin-1 only, and no Unicode font ships with our packages: text in the PDF is
transliterated (accents dropped, other scripts replaced by "?"), so a group named in any script never
breaks the file. The CSV and XLSX keep every character.
"""

from __future__ import annotations

import io
import unicodedata

from flask_babel import gettext
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font

from groupadmin import exports
from groupadmin.attendance.services.money import to_major
from groupadmin.reports.display import chart_svg, report_charts
from groupadmin.reports.services.report import Figure, Report, Table, figure_text

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(report: Report, fmt: str) -> str:
    scope = report.group.slug if report.group is not None else report.organisation.slug
    return f"{scope}-{report.template}-{report.period.slug}.{fmt}"


def render(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(report)
    if fmt == "xlsx":
        return xlsx_bytes(report)
    if fmt == "pdf":
        return pdf_bytes(report)
    raise ValueError(fmt)


def _text(report: Report, fig: Figure) -> str:
    return figure_text(fig, threshold=report.threshold, locale=report.locale)


def _heading_lines(report: Report) -> list[list[str]]:
    lines = [
        [report.title, report.scope_name],
        [
            gettext("Period"),
            report.period.label(report.locale),
            report.period.start.isoformat(),
            report.period.end.isoformat(),
        ],
    ]
    if report.filters_label:
        lines.append([gettext("Filters"), report.filters_label])
    lines.append(
        [
            gettext("Smallest number shown"),
            str(report.threshold)
            if report.threshold is not None
            else gettext("none (the group's own figures)"),
        ]
    )
    return lines


def _table_lines(report: Report, table: Table) -> list[list[str]]:
    lines = [[table.title], [table.row_header, *(c.label for c in table.columns)]]
    for row in table.rows:
        lines.append([row.label, *(_text(report, f) for f in row.figures)])
    if not table.rows:
        lines.append([gettext("Nothing in this period.")])
    if table.note:
        lines.append([table.note])
    return lines


# ---------------------------------------------------------------------------------------------------


def csv_bytes(report: Report) -> bytes:
    lines = _heading_lines(report) + [[]]
    for table in report.tables:
        lines += _table_lines(report, table) + [[]]
    lines.append([gettext("Method")])
    lines += [[note] for note in report.method()]
    return exports.csv_text(lines).encode("utf-8")


# ---------------------------------------------------------------------------------------------------


def _xlsx_value(report: Report, fig: Figure):
    """A shown figure as a number (with its number format), anything else as text."""
    if fig.kind == "text" or not fig.shown:
        return _text(report, fig), None
    if fig.kind == "percent":
        return float(fig.value), "0.0%"
    if fig.kind == "average":
        return round(float(fig.value), 1), "0.0"
    if fig.kind == "money":
        return float(to_major(fig.value, fig.currency)), "#,##0.00"
    return int(fig.value), "#,##0"


def _put(sheet, row: int, col: int, value, number_format=None, bold=False):
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: a name starting with "=" is never a formula
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Report")[:31]
    r = 1
    for line in _heading_lines(report):
        for c, value in enumerate(line, 1):
            _put(sheet, r, c, value, bold=(r == 1))
        r += 1
    for table in report.tables:
        r += 1
        _put(sheet, r, 1, table.title, bold=True)
        r += 1
        for c, value in enumerate([table.row_header, *(col.label for col in table.columns)], 1):
            _put(sheet, r, c, value, bold=True)
        for row in table.rows:
            r += 1
            _put(sheet, r, 1, row.label, bold=row.total)
            for c, fig in enumerate(row.figures, 2):
                value, number_format = _xlsx_value(report, fig)
                _put(sheet, r, c, value, number_format, bold=row.total)
        if table.note:
            r += 1
            _put(sheet, r, 1, table.note)
        r += 1
    sheet.column_dimensions["A"].width = 40
    method = book.create_sheet(gettext("Method")[:31])
    _put(method, 1, 1, gettext("Method"), bold=True)
    for i, note in enumerate(report.method(), 2):
        _put(method, i, 1, note)
    method.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------

_PUNCTUATION = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " ", "\u202f": " "}
)


def latin1(text) -> str:
    """Text fpdf2's core fonts can draw: Latin-1 kept, accents of other Latin letters dropped, anything
    else (another script, an emoji) as "?"."""
    text = str(text).translate(_PUNCTUATION)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


class _PDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.cell(0, 8, latin1(f"{self.footer_text} · {self.page_no()}"), align="C")


def pdf_bytes(report: Report) -> bytes:
    pdf = _PDF(orientation="landscape", format="A4")
    pdf.footer_text = f"{report.scope_name} · {report.title} · {report.period.label(report.locale)}"
    pdf.set_title(latin1(f"{report.title}: {report.scope_name}"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(f"{report.title}: {report.scope_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in _heading_lines(report)[1:]:
        pdf.multi_cell(0, 5, latin1(": ".join([line[0], " ".join(line[1:2])])), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if report.template != "coverage":
        y = pdf.get_y()
        for i, chart in enumerate(report_charts(report)):
            pdf.set_xy(pdf.l_margin + i * 135, y)
            pdf.set_font("Helvetica", "B", 9)
            pdf.cell(130, 5, latin1(chart.title))
            pdf.image(io.BytesIO(chart_svg(chart).encode("utf-8")), x=pdf.l_margin + i * 135, y=y + 6, w=125)
        pdf.set_xy(pdf.l_margin, y + 6 + 125 * 190 / 360 + 4)
    for table in report.tables:
        _pdf_table(pdf, report, table)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, latin1(gettext("Method")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for note in report.method():
        pdf.multi_cell(0, 5, latin1(note), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    coverage = report.table("coverage")
    if coverage is not None and report.template != "coverage":
        _pdf_table(pdf, report, coverage)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, report: Report, table: Table) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=7.5)
    n = len(table.columns)
    first = 60 if n > 1 else 110
    widths = (first, *([min(28.0, int((pdf.epw - first - 1) / n * 10) / 10)] * n))
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align=("LEFT", *(["RIGHT"] * n)),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 235, 242)),
        line_height=4,
    ) as pdf_table:
        head = pdf_table.row()
        for label in [table.row_header, *(c.label for c in table.columns)]:
            head.cell(latin1(label))
        for row in table.rows:
            line = pdf_table.row()
            line.cell(latin1(row.label), style=FontFace(emphasis="BOLD") if row.total else None)
            for fig in row.figures:
                line.cell(latin1(_text(report, fig)), style=FontFace(emphasis="BOLD") if row.total else None)
    if not table.rows:
        pdf.multi_cell(0, 5, latin1(gettext("Nothing in this period.")), new_x="LMARGIN", new_y="NEXT")
    if table.note:
        pdf.set_font("Helvetica", "I", 7.5)
        pdf.multi_cell(0, 4, latin1(table.note), new_x="LMARGIN", new_y="NEXT")
