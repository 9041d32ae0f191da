"""The exception report in a browser: the exceptions the warehouse finds, each with its reasons,
trend and commentary slot, and the same report printed to PDF."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from appstate.db import session
from appstate.targets import lookup
from warehouse.kpis.engine import Filters
from warehouse.kpis.exceptions import KpiException, exception_report
from warehouse.kpis.periods import rolling_6
from warehouse.kpis.suppression import SuppressionPolicy

pytestmark = pytest.mark.browser

CITY = "E08000021"


def _expected(demo_home: Path) -> list[KpiException]:
    # The page's default view ends in October 2026, the demo's last complete month.
    with (
        duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con,
        session(f"sqlite:///{demo_home / 'appstate.sqlite'}") as db,
    ):
        report = exception_report(
            con,
            Filters(la_codes=(CITY,)),
            SuppressionPolicy(),
            lookup(db),
            period=rolling_6(date(2026, 10, 1)),
        )
    return list(report.exceptions)


def test_brw_exceptions_page_shows_the_warehouse_exceptions_and_prints_them(
    server, page, demo_home, tmp_path
):
    from pypdf import PdfReader

    expected = _expected(demo_home)
    assert expected, "the demo targets make at least one exception"
    page.goto(server + f"/exceptions?la={CITY}")
    page.wait_for_selector(".exceptions-ready #exceptions-summary")
    header = page.inner_text(".exceptions-cover")
    assert "Exception report: Newcastle upon Tyne" in header
    assert "Period: 6 months to October 2026 (May 2026 to Oct 2026)" in header
    assert "Data as at 31 October 2026." in header
    # the core model's 21 single-figure KPIs, 13 over submitted figures, the partner packs' 19, and the
    # 11 factors at assessment and 8 published figures of published.toml
    assert page.inner_text("#exceptions-summary") == f"{len(expected)} of the 72 KPIs are exceptions."

    shown = page.locator("#exceptions-list .exception")
    assert shown.evaluate_all("sections => sections.map(s => s.dataset.kpi)") == [e.kpi.id for e in expected]
    for found in expected:
        section = page.locator(f"#exception-{found.kpi.id}")
        assert section.locator("h2").inner_text().startswith(found.kpi.title)
        assert section.locator(".exception-reasons li").all_inner_texts() == [r.words for r in found.reasons]
        section.locator(".js-plotly-plot").wait_for()
        assert section.locator(".handwriting-box").count() == 1
        assert section.get_by_role("link", name="Write commentary").get_attribute("href") == (
            f"/commentary?kpi={found.kpi.id}&la={CITY}&period=R6-2026-10"
        )

    pdf_href = page.get_attribute("#exceptions-pdf", "href")
    assert pdf_href.startswith("/exceptions.pdf?") and f"la={CITY}" in pdf_href
    assert page.get_attribute("#exceptions-markdown", "href") == pdf_href.replace(".pdf", ".md")
    response = page.request.get(server + pdf_href, timeout=90_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "exception-report.pdf"
    pdf.write_bytes(response.body())
    # Its pages as images, to look at (pytest --basetemp keeps them); the text checked below.
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    text = "\n".join(pages)
    assert "Exception report: Newcastle upon Tyne" in text
    assert expected[0].kpi.title in text
    # The first page carries the report's summary, as the printed pages show: the partnership, the
    # glance at every KPI against its target, and the exceptions listed with why; then each exception
    # whole on a page of its own (two do not fit on one).
    flat = [" ".join(page_text.split()) for page_text in pages]
    assert len(flat) == 1 + len(expected) and len(expected) > 1  # the cover, then a page each
    cover = flat[0]
    assert "Newcastle upon Tyne safeguarding children partnership" in cover and "At a glance" in cover
    assert f"{len(expected)} of the 72 KPIs are exceptions." in cover
    assert "1. Re-referrals within 12 months: off target, outside its statistical neighbours' range" in cover
    assert f"{len(expected)}. {expected[-1].kpi.title}: worse than the previous period" in cover
    for found, page_text in zip(expected, flat[1:], strict=True):
        assert page_text.startswith(found.kpi.title), found.kpi.id
        assert "What is the data telling us?" in page_text
    assert "Download as PDF" not in text  # the controls do not print
    assert page.console_errors == []


def test_brw_exceptions_page_asks_for_one_la(server, page):
    page.goto(server + "/exceptions?la=E08000021&la=E06000057")  # the partnership total: several LAs
    page.wait_for_selector(".exceptions-ready #exceptions-choose-la")
    assert "for one local authority, and this view has 2" in page.inner_text(".exceptions-ready")
    page.get_by_role("link", name="Northumberland").click()
    page.wait_for_url("**/exceptions?**la=E06000057**")
    page.wait_for_selector("#exceptions-summary")
    assert "Exception report: Northumberland" in page.inner_text("h1")
    assert page.console_errors == []
