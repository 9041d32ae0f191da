"""app/components/charts.py: names from loaded files reach Plotly as text, never as markup; one theme, hover
text and legends; a chart with nothing to compare is a sentence."""

from __future__ import annotations

from datetime import date

from app.components.charts import CHART_CONFIG, parts_chart, trend_chart
from warehouse.kpis.assessment import Assessment, TargetInForce
from warehouse.kpis.engine import Figure, KpiResult, Part
from warehouse.kpis.periods import Period, PeriodKind, month
from warehouse.kpis.registry import get_kpi

NAME = '<a href="https://evil.example/">Click here</a><img src=x onerror=alert(1)>'


def _figure(figure_element) -> dict:
    graph = next(child for child in figure_element.children if hasattr(child, "figure"))
    return graph.figure


def test_an_area_name_with_markup_is_drawn_as_its_text():
    chart = parts_chart(
        f"Referrals by area ({NAME})",
        (Part("NCL-X", 3, 60.0), Part("NCL-Y", 2, 40.0)),
        "areas",
        {"NCL-X": NAME, "NCL-Y": "West & North"},
        drill_param="area",
    )
    figure = _figure(chart)
    assert figure["data"][0]["y"] == [
        '&lt;a href="https://evil.example/"&gt;Click here&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;',
        "West &amp; North",
    ]
    assert figure["data"][0]["customdata"] == ["NCL-X", "NCL-Y"]  # the drill-down still filters by the code
    # the title is the page's own text (Dash escapes it), not Plotly's
    assert "title" not in figure["layout"] and chart.children[0].children == f"Referrals by area ({NAME})"


def _assessment(values: list[float | None], suppressed_at: int | None = None, target: float | None = 24.0):
    """Re-referrals (a %) over months from April 2025, with a 24% target in force."""
    kpi = get_kpi("re_referral_12m")
    series = tuple(
        Figure(FIRST.shifted(i), value, None, None, suppressed=(i == suppressed_at))
        for i, value in enumerate(values)
    )
    result = KpiResult(kpi=kpi, current=series[-1], previous=series[-2], last_year=series[0], series=series)
    in_force = TargetInForce(target, 5.0, date(2024, 4, 1), is_demo=False) if target is not None else None
    return Assessment(result=result, target=in_force)


FIRST = month(2025, 4)


def test_the_toolbar_offers_only_the_download_of_a_picture():
    assert CHART_CONFIG["modeBarButtons"] == [["toImage"]] and CHART_CONFIG["displaylogo"] is False


def test_a_trend_names_its_months_and_values_in_the_hover_and_its_lines_in_the_legend():
    chart = trend_chart(_assessment([20.0, 22.5, 19.25]), "t")
    figure = _figure(chart)
    line, target = figure["data"]
    assert line["text"] == ["April 2025: 20.0%", "May 2025: 22.5%", "June 2025: 19.2%"]
    assert line["hovertemplate"] == "%{text}<extra></extra>"
    assert (target["name"], target["y"], target["x"]) == (
        "Target 24.0%",
        [24.0, 24.0],
        [date(2025, 4, 1), date(2025, 6, 1)],
    )
    assert figure["layout"]["showlegend"] is True
    assert figure["layout"]["font"]["family"] == '"Segoe UI", Arial, sans-serif'


def test_a_trend_with_only_its_own_line_has_no_legend():
    figure = _figure(trend_chart(_assessment([20.0, 22.5, 19.25], target=None), "t"))
    assert len(figure["data"]) == 1 and figure["layout"]["showlegend"] is False


def test_a_reported_period_is_shaded_from_half_a_month_before_to_half_after():
    chart = trend_chart(
        _assessment([20.0, 22.5, 19.25, 21.0]), "t", reported=Period(PeriodKind.QUARTER, date(2025, 5, 1))
    )
    [shade] = _figure(chart)["layout"]["shapes"]
    # the quarter's months are May, June, July 2025
    assert (shade["x0"], shade["x1"]) == (date(2025, 4, 16), date(2025, 7, 16))


def test_a_trend_with_nothing_to_draw_is_a_sentence_not_an_empty_chart():
    chart = trend_chart(_assessment([None, 3.0], suppressed_at=1), "t")
    assert "chart-in-words" in chart.className
    text = " ".join(str(c.children) for c in chart.children if c is not None)
    assert "Nothing to draw" in text and "a count under 5 (or none), suppressed there" in text


def test_one_part_of_the_whole_is_said_in_words_not_drawn_as_one_bar_of_100_percent():
    chart = parts_chart("Referrals by source", (Part("Police", 978, 100.0),), "s", {}, drill_param="agency")
    assert "chart-in-words" in chart.className
    assert chart.children[-1].children == "Only Police in this view (978, 100%): there is nothing to compare."


def test_parts_that_are_all_suppressed_are_said_so():
    chart = parts_chart("By area", (Part("A", None, None, suppressed=True),), "s", {}, drill_param="area")
    assert (
        chart.children[-1].children
        == "Nothing to draw: every part is a count under 5 (or none), suppressed (c)."
    )


def test_rounded_parts_say_that_they_need_not_add_up():
    # true counts 12, 12 and 13 (37): rounded on their own to 10, 15 and 15, the total to 35, so the
    # shares are 10/35, 15/35 and 15/35: 28.6% + 42.9% + 42.9% = 114%
    parts = (
        Part("Police", 10, 28.6),
        Part("Health", 15, 42.9),
        Part("Schools", 15, 42.9),
        Part("LA", None, None, suppressed=True),
    )
    chart = parts_chart("Referrals by source", parts, "s", {}, drill_param="agency", rounded=True)
    assert chart.children[1].children == (
        "Not drawn: LA, each a count under 5 (or none), suppressed (c). Each part is rounded on its own, "
        "and its share is of the rounded total: the parts can add up to more or less than the total and "
        "100% (here 114%)."
    )
    exact = parts_chart("Referrals by source", parts[:3], "s", {}, drill_param="agency")
    assert not any("rounded" in str(getattr(child, "children", "")) for child in exact.children)
    whole = parts_chart(
        "By area", (Part("A", 10, 40.0), Part("B", 15, 60.0)), "s", {}, drill_param="area", rounded=True
    )
    assert whole.children[1].children.endswith("can add up to more or less than the total and 100%.")
