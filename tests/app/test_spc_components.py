"""The SPC icons, legend and chart as data, for a hand-made series whose reading is worked out here."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from dash import html

from app.components.kpi_card import commentary_block, kpi_card
from app.components.spc import spc_chart, spc_icons, spc_legend
from app.components.static_html import StaticHtml, flatten
from tests.app.test_kpi_card import text_of
from warehouse.kpis.assessment import Assessment, TargetInForce
from warehouse.kpis.engine import Figure, KpiResult
from warehouse.kpis.periods import financial_year, month
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.spc import Assurance, Variation, spc_for

# Re-referrals (lower is better), 25 months from April 2024: 18 months alternating 20% and 22%, then
# 7 months at 12%. Mean (18 x 21 + 7 x 12) / 25 = 18.48. Moving ranges: 17 of 2, one of 10 (22 to
# 12) and 6 of 0, so 44 / 24 = 1.8333; limits 18.48 -/+ 2.66 x 1.8333 = 13.60 to 23.36. The last 7
# months are below the lower limit (and a run of 7 below the mean): improvement, low, since
# October 2025. The first 18 are all above the mean, a run too: concern, high. The 24% target lies
# above the upper limit: lower is better, so it is consistently met.
VALUES = [20.0 if i % 2 == 0 else 22.0 for i in range(18)] + [12.0] * 7
FIRST = month(2024, 4)


def _assessment(target: float | None = 24.0) -> Assessment:
    kpi = get_kpi("re_referral_12m")
    series = tuple(Figure(FIRST.shifted(i), value, None, None) for i, value in enumerate(VALUES))
    result = KpiResult(
        kpi=kpi,
        current=Figure(financial_year(2025), 15.0, 150, 1000),
        previous=Figure(financial_year(2024), 21.0, 210, 1000),
        last_year=Figure(financial_year(2024), 21.0, 210, 1000),
        series=series,
    )
    in_force = TargetInForce(target, 5.0, date(2024, 4, 1), is_demo=False) if target is not None else None
    return Assessment(result=result, target=in_force)


def _labels(node) -> list[str]:
    """Every aria-label of a static part, in order, as the page sends it (written as HTML)."""
    sent = flatten(html.Div(node))
    assert isinstance(sent, StaticHtml)
    return [unescape(label) for label in re.findall(r'aria-label="([^"]*)"', sent.children)]


def test_the_hand_worked_series_reads_as_improvement_low_and_consistently_met():
    spc = spc_for(_assessment())
    limits = spc.latest_limits
    assert (round(limits.mean, 2), round(limits.lower, 2), round(limits.upper, 2)) == (18.48, 13.6, 23.36)
    assert spc.variation is Variation.IMPROVING_LOW
    assert spc.assurance is Assurance.CONSISTENTLY_MEETS
    assert spc.signal_since == date(2025, 10, 1)


def test_the_icons_carry_a_letter_words_and_a_text_alternative():
    icons = spc_icons(spc_for(_assessment()))
    assert _labels(icons) == [
        "Variation: Special cause improvement (low)",
        "Assurance: Consistently meets the target",
    ]
    assert text_of(icons) == "L Special cause improvement (low) P Consistently meets the target"


def test_no_target_means_no_assurance_icon():
    icons = spc_icons(spc_for(_assessment(target=None)))
    assert _labels(icons) == ["Variation: Special cause improvement (low)"]


def test_the_card_shows_the_icons_under_the_figure():
    text = text_of(kpi_card(_assessment()))
    assert "Special cause improvement (low)" in text and "Consistently meets the target" in text


def test_the_legend_explains_every_icon_once():
    text = text_of(spc_legend())
    for words in (
        "Common cause: no significant change",
        "Special cause improvement (high)",
        "Special cause concern (low)",
        "Special cause, high (no direction of good)",
        "Too few points for SPC",
        "Consistently meets the target",
        "Consistently fails the target",
        "Hit and miss against the target",
    ):
        assert text.count(words) == 1, words


def test_the_spc_chart_marks_special_causes_by_shape_and_says_them_in_words():
    chart = spc_chart(_assessment(), "test")
    graph = next(child for child in chart.children if getattr(child, "figure", None) is not None)
    traces = {trace["name"]: trace for trace in graph.figure["data"] if trace.get("name")}
    improvement = traces["Special cause: improvement"]
    assert (
        improvement["marker"]["symbol"] == "square" and traces["Common cause"]["marker"]["symbol"] == "circle"
    )
    assert [d.strftime("%Y-%m") for d in improvement["x"]] == [f"2025-{m:02d}" for m in range(10, 13)] + [
        f"2026-{m:02d}" for m in range(1, 5)
    ]
    # a click on a point shows its month
    assert improvement["customdata"] == [d.strftime("%Y-%m") for d in improvement["x"]]
    concern = traces["Special cause: concern"]
    assert concern["marker"]["symbol"] == "diamond" and len(concern["x"]) == 18 and "Common cause" in traces
    # the target is a line across every month, named in the legend and the hover text
    target = traces["Target 24.0%"]
    assert (target["y"], target["line"]["dash"]) == ([24.0, 24.0], "dot")
    assert (target["x"][0].strftime("%Y-%m"), target["x"][-1].strftime("%Y-%m")) == ("2024-04", "2026-04")
    # each point's hover text is its month and formatted value, with what it signals
    assert (
        improvement["text"][0] == "October 2025: 12.0% (special cause: improvement)"
    )  # the first of the 7 at 12%
    assert graph.figure["layout"]["showlegend"] is True
    caption = chart.children[-1].children
    assert caption.startswith(
        "Re-referrals within 12 months, monthly (SPC). Special cause improvement (low); "
        "Consistently meets the target. Mean 18.5%, process limits 13.6% to 23.4%; "
        "target 24.0%. Special causes: Apr 2024 concern; May 2024 concern;"
    )
    assert caption.endswith(
        "Sep 2025 concern; Oct 2025 improvement; Nov 2025 improvement; Dec 2025 improvement; "
        "Jan 2026 improvement; Feb 2026 improvement; Mar 2026 improvement; Apr 2026 improvement."
    )


def test_a_draft_is_offered_on_screen_only_with_a_link_to_accept_it():
    block = commentary_block(None, "/commentary?kpi=x", draft="Re-referrals were 15.0% in 2025/26.")
    assert "no-print" in block.className and "commentary-draft" in block.className
    text = text_of(block)
    assert "Re-referrals were 15.0% in 2025/26." in text and "not yet accepted" in text
    assert "Review and accept the draft" in text
    written = commentary_block(None, None, draft=None)
    assert written is None


def test_a_change_point_gives_the_months_since_limits_of_their_own():
    # From October 2025 (the 19th month) the 7 months at 12% are a segment of their own: mean 12,
    # no moving range, so limits 12 to 12 and nothing outside them. Before it, 20/22 alternating:
    # mean 21, moving range 2, limits 15.68 to 26.32, no run (they alternate about the mean).
    chart = spc_chart(_assessment(), "test", change_points=(date(2025, 10, 1),))
    graph = next(child for child in chart.children if getattr(child, "figure", None) is not None)
    upper = next(trace for trace in graph.figure["data"] if trace.get("name") == "Process limits")["y"]
    assert [round(y, 2) for y in upper] == [26.32] * 18 + [12.0] * 7
    assert chart.children[-1].children == (
        "Re-referrals within 12 months, monthly (SPC). Common cause: no significant change; Consistently meets "
        "the target. Mean from October 2025 12.0%, process limits 12.0% to 12.0%; target 24.0%. "
        "No special causes."
    )
