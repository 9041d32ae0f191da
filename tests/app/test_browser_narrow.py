"""Tables, grids and charts on a phone (390 px wide): a table scrolls inside its own box with its
first column in view and says there is more; a grid's month stays whole and in view; a trend's
month labels and its legend do not run into each other."""

from __future__ import annotations

import itertools

import pytest

from tests.app.axe import settled_scroll_width
from tests.app.serving import TEST_ADMIN
from tests.helpers import engine_results
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import format_figure

pytestmark = pytest.mark.browser

PHONE = 390
CITY = "E08000021"


def _wait_until(page, expression: str, patience_ms: int = 5000) -> None:
    """Until `expression` is true in the page: polled from outside, as the page's CSP rules out
    wait_for_function's evaluated strings."""
    for _ in range(patience_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def test_brw_narrow_scorecard_scrolls_in_its_box_with_the_kpi_in_view(server, page_as):
    page = page_as(TEST_ADMIN, PHONE, 844)
    page.goto(server + f"/scorecard?la={CITY}")
    page.wait_for_selector(".scorecard-ready")
    box = page.locator(".table-scroll").first
    box.wait_for()
    assert settled_scroll_width(page, PHONE) <= PHONE  # the page itself never scrolls sideways
    assert box.get_attribute("data-more") == "right"
    hint = "getComputedStyle(document.querySelector('.table-scroll'), '::before').content"
    assert "Scroll sideways for more columns" in page.evaluate(hint)
    # The KPI's column is 10rem (160 px at 16 px type): a KPI's name on two lines, not four or five.
    kpi_header = page.locator(".table-scroll thead th").first
    assert kpi_header.inner_text() == "KPI"
    assert kpi_header.bounding_box()["width"] >= 160
    first_kpi = page.locator('.table-scroll tr[data-kpi="re_referral_12m"] th').first
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.scorecard')).lineHeight)"
    )
    name = first_kpi.evaluate("th => th.firstChild.nodeType === 3 ? th.firstChild.textContent : ''")
    assert name == "Re-referrals within 12 months"
    name_height = first_kpi.evaluate(
        "th => { const r = document.createRange(); r.selectNodeContents(th.firstChild); return r.getBoundingClientRect().height; }"
    )
    assert name_height < 2.5 * line_height
    # Scrolled to the far right, the KPI's name is still at the box's left edge, and the hint turns round.
    box_of_kpi = first_kpi.locator("xpath=ancestor::div[contains(@class, 'table-scroll-box')]")
    left = box_of_kpi.evaluate("b => b.getBoundingClientRect().left")
    box_of_kpi.evaluate("b => { b.scrollLeft = 100000; }")
    _wait_until(
        page,
        "document.querySelector('tr[data-kpi=re_referral_12m]').closest('.table-scroll').dataset.more === 'left'",
    )
    turned = "getComputedStyle(document.querySelector('tr[data-kpi=re_referral_12m]').closest('.table-scroll'), '::before').content"
    assert "Scroll back for the first columns" in page.evaluate(turned)
    assert first_kpi.bounding_box()["x"] == pytest.approx(left, abs=1)
    assert first_kpi.is_visible()
    assert page.console_errors == []


def _box(locator) -> dict[str, float]:
    box = locator.bounding_box()
    return {
        "left": box["x"],
        "right": box["x"] + box["width"],
        "top": box["y"],
        "bottom": box["y"] + box["height"],
    }


def test_brw_narrow_scorecard_shows_the_latest_quarter_target_and_rag_without_scrolling(
    server, page_as, demo_home
):
    """A phone reads each KPI's latest quarter, its target and its RAG first, under its name, with
    no sideways scroll; the older quarters are where the box scrolls to."""
    page = page_as(TEST_ADMIN, PHONE, 844)
    page.goto(server + f"/scorecard?la={CITY}")
    page.wait_for_selector(".scorecard-ready")
    assert settled_scroll_width(page, PHONE) <= PHONE
    table = page.locator(".scorecard").first
    first_row = table.locator("tbody tr").first
    first_row.scroll_into_view_if_needed()
    scroller = first_row.locator("xpath=ancestor::div[contains(@class, 'table-scroll-box')]")
    assert scroller.evaluate("b => b.scrollLeft") == 0 and page.evaluate("window.scrollX") == 0
    seen = _box(scroller)
    assert 0 <= seen["left"] and seen["right"] <= PHONE
    headers = table.locator("thead th")
    assert headers.locator("xpath=self::*[contains(@class, 'col-latest')]").inner_text() == "Q2 2026/27"
    for row in (first_row, table.locator('tr[data-kpi="re_referral_12m"]')):
        name = _box(row.locator("th"))
        cells = [
            _box(row.locator(f"td.{kind}"))
            for kind in ("scorecard-latest", "scorecard-target", "scorecard-rag")
        ]
        for cell in cells:  # each whole in the box as it opens, so on the screen
            assert seen["left"] - 1 <= cell["left"] and cell["right"] <= seen["right"] + 1, cell
            assert cell["top"] >= name["bottom"] - 1  # under the KPI's name
        # side by side, in that order, each at least a fifth of the screen wide
        assert [round(c["top"]) for c in cells] == [round(cells[0]["top"])] * 3
        assert cells[0]["right"] <= cells[1]["left"] + 1 and cells[1]["right"] <= cells[2]["left"] + 1
        assert all(c["right"] - c["left"] >= PHONE / 5 for c in cells)
        oldest = _box(row.locator("td").first)  # Q2 2025/26: past the RAG, where the box scrolls
        assert oldest["left"] >= cells[2]["right"] - 1
    # What the three cells say (tests/app/test_browser_scorecard.py checks the same on a wide screen):
    # the engine's Q2 2026/27 figure, the demo target in force since April 2025 (24.0) and its RAG.
    engine = engine_results(demo_home, ["re_referral_12m"], "2026-27-Q2", Filters(la_codes=(CITY,)))
    result = engine["re_referral_12m"]
    row = table.locator('tr[data-kpi="re_referral_12m"]')
    assert row.locator("td.scorecard-latest").inner_text() == format_figure(result.kpi, result.current)
    assert row.locator("td.scorecard-target").inner_text() == "24.0% (demo)"
    # lower is better: above 24.0 by no more than 5% of it (25.2) is near, further is off
    value = result.current.value
    expected = "On target" if value <= 24.0 else "Near target" if value <= 25.2 else "Off target"
    assert row.locator("td.scorecard-rag").inner_text().split(" ", 1)[1] == expected
    assert page.console_errors == []


def test_brw_narrow_front_door_grid_keeps_its_months_whole_and_in_view(server, page_as):
    page = page_as(TEST_ADMIN, PHONE, 844)
    page.goto(server + f"/front-door?la={CITY}")
    grid = page.locator("#front-door-grid")
    months_column = grid.locator("tbody th")
    months_column.first.wait_for()
    assert settled_scroll_width(page, PHONE) <= PHONE
    months = months_column.all_inner_texts()
    assert len(months) >= 12 and "September 2026" in months  # the demo runs to November 2026
    # each month on one line, whole
    lines = grid.evaluate(
        "g => [...g.querySelectorAll('tbody th')].filter(c => c.getClientRects().length !== 1"
        " || c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(c).lineHeight))"
        ".map(c => c.innerText)"
    )
    assert lines == []
    scroller = "document.querySelector('#front-door-grid .table-scroll')"
    _wait_until(page, f"{scroller}.dataset.more === 'right'")
    before = months_column.first.bounding_box()["x"]
    grid.evaluate("g => { g.querySelector('.table-scroll-box').scrollLeft = 100000; }")
    _wait_until(page, f"{scroller}.dataset.more === 'left'")
    assert months_column.first.bounding_box()["x"] == pytest.approx(before, abs=1)


def test_brw_narrow_trend_labels_and_legend_do_not_overlap(server, page_as):
    page = page_as(TEST_ADMIN, PHONE, 844)
    page.goto(server + f"/exceptions?la={CITY}")
    graph = page.locator(".chart .js-plotly-plot").first
    graph.locator(".xtick text").first.wait_for()
    ticks = [t.bounding_box() for t in graph.locator(".xtick text").all()]
    # Each label is its month over its year ("Jan" / "2025"), and no two touch.
    assert graph.locator(".xtick text").first.locator("tspan").count() == 2
    ticks.sort(key=lambda box: box["x"])
    for left, right in itertools.pairwise(ticks):
        assert left["x"] + left["width"] < right["x"]
    labels_bottom = max(t["y"] + t["height"] for t in ticks)
    legend = graph.locator(".legend").bounding_box()
    assert legend["y"] >= labels_bottom
    # The shaded period's words end at its right edge, inside the chart.
    words = graph.locator(".annotation-text").filter(has_text="the period reported").bounding_box()
    chart = graph.bounding_box()
    assert chart["x"] <= words["x"] and words["x"] + words["width"] <= chart["x"] + chart["width"]
