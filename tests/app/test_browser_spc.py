"""Browser tests of SPC: trends switch to XmR charts and back, the icons on the executive page and in
the meeting pack PDF, and the generated draft in the commentary editor, saved only when a person saves it."""

from __future__ import annotations

import sqlite3
from datetime import date
from io import BytesIO

import pytest

from app.components.spc import VARIATION_ICONS
from tests.helpers import engine_results
from warehouse.kpis.assessment import Assessment
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import format_figure
from warehouse.kpis.registry import EXECUTIVE_KPIS
from warehouse.kpis.spc import spc_for

pytestmark = pytest.mark.browser

NEWCASTLE = Filters(la_codes=("E08000021",))


def _variation_words(home, kpi_ids, period: str) -> dict[str, str]:
    """What each KPI's variation icon must say: the engine's 25 months to the period's end, read by XmR."""
    results = engine_results(home, kpi_ids, period, NEWCASTLE)
    return {
        kpi_id: VARIATION_ICONS[spc_for(Assessment(result=r)).variation][2] for kpi_id, r in results.items()
    }


def test_brw024_a_trend_switches_to_an_spc_chart_and_back(server, page, demo_home):
    page.goto(server + "/front-door?period=2025-26&la=E08000021")
    page.wait_for_selector(".kpi-card")
    page.get_by_role("link", name="SPC (XmR) charts").click()
    page.wait_for_url("**chart=spc**")
    chart = page.locator('.chart:has(.chart-title:text-is("Referrals, monthly (SPC)"))')
    chart.wait_for()
    expected = _variation_words(demo_home, ("referrals",), "2025-26")["referrals"]
    assert chart.locator(".spc-words").all_inner_texts() == [expected]  # a count: no monthly target to assure
    assert chart.locator(".spc-icon").first.get_attribute("aria-label") == f"Variation: {expected}"
    assert chart.locator(".legendtext", has_text="Process limits").count() == 1
    assert "Referrals, monthly (SPC)." in chart.locator("figcaption").inner_text()

    page.select_option("#spc-limits-from", label="October 2025")
    page.wait_for_url("**limits=2025-10**")
    page.locator("figcaption", has_text="Mean from October 2025").first.wait_for(state="attached")
    results = engine_results(demo_home, ("referrals",), "2025-26", NEWCASTLE)
    since = spc_for(Assessment(result=results["referrals"]), change_points=(date(2025, 10, 1),))
    assert (
        f"Mean from October 2025 {since.latest_limits.mean:,.0f}," in chart.locator("figcaption").inner_text()
    )

    page.get_by_role("link", name="Run charts").click()
    page.wait_for_url(lambda url: "chart=" not in url)
    page.locator('.chart-title:text-is("Referrals, monthly")').wait_for()
    assert page.get_by_role("link", name="Run charts (shown)").count() == 1
    assert page.console_errors == []


def test_brw025_the_executive_cards_and_the_pack_pdf_carry_the_spc_icons(server, page, demo_home):
    from pypdf import PdfReader

    expected = _variation_words(demo_home, EXECUTIVE_KPIS, "2025-26")
    page.goto(server + "/?period=2025-26&la=E08000021")
    page.wait_for_selector(".kpi-card")
    for kpi_id, words in expected.items():
        icon = page.locator(f"#card-{kpi_id} .spc-variation")
        assert icon.get_attribute("aria-label") == f"Variation: {words}", kpi_id
        assert page.locator(f"#card-{kpi_id} .spc-item").first.inner_text().endswith(words)
    page.get_by_text("What the SPC icons mean").click()
    page.locator(".spc-legend li", has_text="Consistently fails the target").wait_for()

    response = page.context.request.get(server + "/pack.pdf?period=2025-26&la=E08000021", timeout=60_000)
    assert response.status == 200
    cover, *pages = (" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(response.body())).pages)
    text = " ".join(pages)  # the cards: the cover names some KPIs in its headline
    results = engine_results(demo_home, EXECUTIVE_KPIS, "2025-26", NEWCASTLE)
    for kpi_id, words in expected.items():
        card = text[text.index(results[kpi_id].kpi.title) :]
        assert format_figure(results[kpi_id].kpi, results[kpi_id].current) in card[:200], kpi_id
        assert words in card[:600], kpi_id
    assert "What the SPC icons mean" in cover and "Hit and miss against the target" in cover
    assert "not yet accepted" not in text  # drafts are offered on screen, never printed as commentary
    assert page.console_errors == []


def test_brw026_the_editor_starts_from_the_draft_and_saves_only_when_asked(own_demo_server, page):
    url, home = own_demo_server
    [result] = engine_results(home, ("re_referral_12m",), "2025-26", NEWCASTLE).values()
    page.goto(url + "/commentary?kpi=re_referral_12m&la=E08000021&period=2025-26")
    page.wait_for_selector("#commentary-draft-note")
    draft = page.input_value("#commentary-text")
    assert draft.startswith(f"Re-referrals were {format_figure(result.kpi, result.current)} in 2025/26, ")
    assert "the North East (" in draft and "with statistical neighbours" in draft
    with sqlite3.connect(home / "appstate.sqlite") as db:
        assert db.execute("SELECT count(*) FROM commentary WHERE kpi_id = 're_referral_12m'").fetchone() == (
            0,
        )

    page.click("#commentary-save")
    page.locator("#commentary-status", has_text="Saved as version 1").wait_for()
    with sqlite3.connect(home / "appstate.sqlite") as db:
        [(text, author)] = db.execute(
            "SELECT text, author FROM commentary WHERE kpi_id = 're_referral_12m'"
        ).fetchall()
    assert text == draft and author == "test-admin"
    assert page.console_errors == []
