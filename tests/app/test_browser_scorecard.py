"""The quarterly scorecard in a browser: priorities as sections, the engine's figures, the PDF."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.helpers import declared_priorities, engine_results
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import format_figure

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


def test_brw_scorecard_pdf_prints_the_page(server, page):
    from pypdf import PdfReader

    response = page.request.get(server + f"/scorecard.pdf?la={CITY}", timeout=90_000)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.body())).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())  # table cells wrap their words
    assert "Quarterly scorecard" in text and "Re-referrals within 12 months" in text
    assert declared_priorities()[-1]["title"] in text
