"""The quarterly scorecard in a browser: priorities as sections, the engine's figures, the PDF."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import declared_priorities, engine_results
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import format_figure
from warehouse.kpis.registry import REGISTRY

pytestmark = pytest.mark.browser

CITY = "E08000021"
# The demo's default period is the 12 months to October 2026, so the scorecard runs to the last
# complete quarter by 31 October 2026: July to September 2026, Q2 2026/27.
END_QUARTER = "2026-27-Q2"


def test_brw_scorecard_shows_each_priority_and_the_engines_last_quarter(server, page, demo_home):
    page.goto(server + f"/scorecard?la={CITY}")
    page.wait_for_selector(".scorecard-ready")
    assert page.locator(".scorecard-priority h2").all_inner_texts() == [
        p["title"] for p in declared_priorities()
    ]
    assert page.locator(".scorecard-priority").first.locator("thead th").all_inner_texts()[1:6] == [
        "Q2 2025/26",
        "Q3 2025/26",
        "Q4 2025/26",
        "Q1 2026/27",
        "Q2 2026/27",
    ]
    cover = page.inner_text(".scorecard-cover")
    assert "the latest complete quarter ending on or before 31 October 2026" in cover
    kpi_ids = [kpi_id for p in declared_priorities() for kpi_id in p["kpis"]]
    engine = engine_results(demo_home, kpi_ids, END_QUARTER, Filters(la_codes=(CITY,)))
    for kpi_id in ("referrals", "re_referral_12m", "cp_open", "missing_repeat"):
        shown = page.inner_text(f'tr[data-kpi="{kpi_id}"] td.scorecard-latest')
        assert shown == format_figure(engine[kpi_id].kpi, engine[kpi_id].current), kpi_id
    rag = page.locator('tr[data-kpi="re_referral_12m"] td.scorecard-rag')
    assert rag.inner_text().split(" ", 1)[1] in ("On target", "Near target", "Off target")  # icon, then words
    query = page.get_attribute("#scorecard-xlsx", "href").removeprefix("/scorecard.xlsx")
    assert f"la={CITY}" in query and page.get_attribute("#scorecard-pdf", "href") == "/scorecard.pdf" + query
    assert page.console_errors == []


def test_brw_scorecard_pdf_prints_the_page(server, page, tmp_path):
    from pypdf import PdfReader

    response = page.request.get(server + f"/scorecard.pdf?la={CITY}", timeout=90_000)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "scorecard.pdf"
    pdf.write_bytes(response.body())
    # Its pages as images, to look at (pytest --basetemp keeps them); the text checked below.
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    pages = PdfReader(pdf).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())  # table cells wrap their words
    assert "Quarterly scorecard" in text and "Re-referrals within 12 months" in text
    assert declared_priorities()[-1]["title"] in text
    # No page wasted, as the printed pages show: the title, the scope and the SPC key on page 1 (and
    # the first table's start, if it fits); then
    # the priorities' tables run on from page to page, each priority's heading on the page of its
    # first row, the column headers repeated at the top of every page.
    raw = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = [" ".join(page_text.split()) for page_text in raw.split("\f")[:-1]]  # rows in reading order
    assert len(printed) == len(pages) == 7
    assert "Quarterly scorecard" in printed[0] and "What the SPC icons mean" in printed[0]
    # no app chrome: the data's date is in every page's footer, not the screen's status strip above
    assert "last loaded" not in text and printed[0].count("To protect children's privacy") <= 1
    titles = {priority["title"] for priority in declared_priorities()}
    for page_text in printed[1:]:
        # the page opens with the column headers, or with a priority's heading and then its headers
        # (pdftotext -raw may give a page's headings before its tables' text: all of them, then)
        opening = page_text.split("KPI Q2 2025/26 Q3 2025/26", 1)[0]
        for title in titles:
            opening = opening.replace(title, "")
        assert opening.strip() == "", page_text[:80]
    for priority in declared_priorities():
        on = next(page_text for page_text in printed if priority["title"] in page_text)
        first_row = REGISTRY[priority["kpis"][0]].title
        assert first_row in on, priority["title"]
