"""A coordinator picks last quarter, filters to one fellowship, downloads the XLSX and the PDF, and opens
the method note; then the same page on a phone."""

import io

import openpyxl
import pypdf
import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_coordinator_downloads_last_quarter_for_one_fellowship(page, phone, artifacts):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Refused" in m.text else None)
    log_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Figures and reports").first.click()
    page.wait_for_url("**/orgs/lakeside/reports")
    assert page.locator("h1").inner_text() == "Figures of Lakeside Intergroup"

    page.get_by_label("Period", exact=True).select_option(label="Last quarter")
    page.get_by_label("Fellowship", exact=True).select_option(label="Narcotics Anonymous (NA)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**fellowship=na**")
    heading = page.locator("h2.report-heading").inner_text()
    assert heading.startswith("Monthly summary: Q") and "Fellowship: Narcotics Anonymous (NA)" in heading
    groups = page.get_by_role("region", name="By group", exact=True)
    assert "Harbour Light Group" in groups.inner_text() and "Tuesday Night" not in groups.inner_text()
    assert page.locator("svg.chart-svg").count() == 2
    page.screenshot(path=str(artifacts / "reports-desktop.png"), full_page=True)

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Spreadsheet (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
    assert book.sheetnames == ["Report", "Method"]
    assert any(row[0] == "Harbour Light Group" for row in book["Report"].iter_rows(values_only=True))

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf_download.value.path()).pages)
    assert "Harbour Light Group" in text and "Method" in text

    page.get_by_role("link", name="Method note").click()
    page.wait_for_url("**/reports/method**")
    assert page.locator("h1").inner_text() == "Method note"
    assert "fewer than 11" in page.locator("main").inner_text()
    assert "Harbour Light Group" in page.get_by_role("region", name="Data coverage by group").inner_text()
    page.screenshot(path=str(artifacts / "reports-method.png"), full_page=True)

    log_in(phone, "coordinator@example.org")
    phone.goto("/orgs/lakeside/reports?period=last-quarter")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "reports-phone.png"), full_page=True)
    assert problems == []
