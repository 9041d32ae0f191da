"""The KPI card as data: what it says, in words, for a hand-made assessment."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from app.components.kpi_card import kpi_card
from warehouse.kpis.assessment import Assessment, Benchmark, TargetInForce
from warehouse.kpis.engine import Figure, KpiResult
from warehouse.kpis.periods import financial_year, month, quarter
from warehouse.kpis.rag import Rag
from warehouse.kpis.registry import get_kpi


def text_of(node) -> str:
    """The text a person reads in a Dash component tree."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, (list, tuple)):
        return " ".join(text_of(child) for child in node)
    return text_of(getattr(node, "children", None))


def assessment(previous_value: float) -> Assessment:
    kpi = get_kpi("re_referral_12m")
    fy = financial_year(2024)
    series = tuple(Figure(month(2024, 3).shifted(i), 25.0, 25, 100) for i in range(13))
    result = KpiResult(
        kpi=kpi,
        current=Figure(fy, 25.0, 250, 1000),
        previous=Figure(financial_year(2023), previous_value, 200, 1000),
        last_year=Figure(financial_year(2023), previous_value, 200, 1000),
        series=series,
    )
    return Assessment(
        result=result,
        target=TargetInForce(24.0, 5.0, date(2024, 4, 1), is_demo=True),
        rag=Rag.AMBER,
        benchmark=Benchmark("2024/25", False, True, 17.2, "published", 22.6, 20.7, 22.3, 10, 2, 11),
    )


def test_card_says_value_rag_change_and_benchmarks_in_words():
    text = text_of(kpi_card(assessment(previous_value=20.0)))
    assert "Re-referrals within 12 months" in text
    assert "25.0%" in text and "250 of 1,000" in text
    assert "Near target: target 24.0% (demo target)" in text
    assert "+5.0 points (+25.0%) (worse) on 2023/24" in text  # lower is better
    assert "England 22.6%; region 20.7%; statistical neighbours 22.3%; published rank 2 of 11" in text
    assert "monthly from March 2024 (25.0%) to March 2025 (25.0%)" in text


def test_a_fall_in_a_lower_is_better_kpi_is_better():
    assert "(better) on 2023/24" in text_of(kpi_card(assessment(previous_value=30.0)))


def test_a_filter_the_kpis_records_do_not_carry_is_said_not_to_split_it():
    base = assessment(previous_value=20.0)
    filtered = replace(base, result=replace(base.result, ignored_filters=("category", "in_care")))
    text = text_of(kpi_card(filtered))
    assert "Not split by category of abuse or care status: its records do not carry it." in text
    assert "Not split" not in text_of(kpi_card(base))


def test_suppressed_figures_show_c_and_no_numbers():
    base = assessment(previous_value=20.0)
    hidden = Figure(financial_year(2024), None, None, None, suppressed=True)
    result = KpiResult(
        kpi=base.kpi, current=hidden, previous=hidden, last_year=hidden, series=base.result.series
    )
    text = text_of(kpi_card(Assessment(result=result)))
    assert " c " in f" {text} " and "of 1,000" not in text and "no comparison" in text
    assert month(2025, 3).label == "March 2025"


def test_a_breakdown_of_an_empty_total_draws_zeros_and_hides_suppressed_parts():
    from app.components.charts import parts_chart
    from warehouse.kpis.engine import Part

    figure = parts_chart(
        "Referrals by area", (Part("A", 0, None), Part("B", None, None, True)), "t", {}, "area"
    )
    text = text_of(figure)
    assert "A: 0.0% (0); suppressed (c): B." in text


def test_a_change_too_small_to_show_has_no_arrow_and_no_judgement():
    base = assessment(previous_value=25.03)  # 25.0% on 25.0% as written: no change, not -0.1%
    text = text_of(kpi_card(base))
    assert "▶  0.0 points (0.0%) on 2023/24" in text and "(better)" not in text and "(worse)" not in text


def test_a_change_is_between_the_figures_as_written():
    # 25.0% now; 24.96% before is written 25.0%: no change (the unrounded +0.04 is not shown).
    assert "▶  0.0 points (0.0%) on 2023/24" in text_of(kpi_card(assessment(previous_value=24.96)))
    # 24.94% before is written 24.9%: +0.1 points, 0.1 / 24.9 = +0.4016%, worse (lower is better).
    assert "▲  +0.1 points (+0.4%) (worse) on 2023/24" in text_of(kpi_card(assessment(previous_value=24.94)))


def _components(node):
    """Every Dash component in a tree."""
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _components(child)
    elif node is not None and not isinstance(node, str):
        yield node
        yield from _components(getattr(node, "children", None))


def test_commentary_shows_with_its_author_and_date_and_markup_in_it_is_only_text():
    from datetime import datetime

    from appstate.commentary import Commentary

    typed = "<script>alert('x')</script><img src=x onerror=alert(1)>\n\nSecond paragraph."
    note = Commentary(
        kpi_id="re_referral_12m",
        la_code="E08000021",
        period_code="2024-25",
        version=3,
        text=typed,
        author="alice",
        written_at=datetime(2025, 5, 7, 9, 30),
    )
    card = kpi_card(assessment(previous_value=20.0), commentary=note, commentary_href="/commentary?kpi=x")
    text = text_of(card)
    assert (
        "What is the data telling us? <script>alert('x')</script><img src=x onerror=alert(1)> Second paragraph. "
        "alice, 07 May 2025 Edit the commentary" in text
    )
    # Dash sends string children as text nodes: nothing in the card can carry raw HTML.
    kinds = {type(c).__name__ for c in _components(card)}
    assert not kinds & {"Markdown", "Iframe", "Script"}
    assert not any(getattr(c, "dangerously_allow_html", False) for c in _components(card))


def test_a_card_without_commentary_offers_to_write_it_only_when_a_link_is_given():
    assert "What is the data telling us?" not in text_of(kpi_card(assessment(previous_value=20.0)))
    text = text_of(kpi_card(assessment(previous_value=20.0), commentary_href="/commentary?kpi=x"))
    assert "What is the data telling us? Write commentary" in text


def _count_card(kpi_id: str, period, value: float, rate: float | None, benchmark: Benchmark) -> str:
    kpi = get_kpi(kpi_id)
    figure = Figure(period, value, int(value), None, rate_per_10k=rate)
    result = KpiResult(kpi=kpi, current=figure, previous=figure, last_year=figure, series=(figure,))
    return " ".join(text_of(kpi_card(Assessment(result=result, benchmark=benchmark))).split())


def test_a_quarters_rate_stands_beside_a_years_as_a_year():
    # 125.5 per 10,000 in a quarter is 502.0 a year at that rate; England's 519.4 is a year's.
    rate = Benchmark("2024/25", True, False, 513.2, "published", 519.4, 598.7, 639.2, 10, 9, 11)
    text = _count_card("referrals", quarter(2025, 2), 768, 125.5, rate)
    assert "768 (125.5 per 10,000 children; 502.0 a year at this rate)" in text
    assert "England 519.4 per 10,000 a year; region 598.7 per 10,000 a year" in text
    # over a year, the rate is the year's: no second figure
    assert "(513.2 per 10,000 children)" in _count_card("referrals", financial_year(2024), 3141, 513.2, rate)


def test_a_national_count_is_never_set_beside_one_las():
    # ICPCs: DfE publishes counts (England 72,100); only the neighbours' average is one LA's size
    counts = Benchmark("2024/25", False, True, 560, "published", 72100, 4100, 703, 10, 4, 11)
    text = _count_card("icpc", financial_year(2024), 560, None, counts)
    assert "72,100" not in text and "4,100" not in text
    assert "statistical neighbours 703 a year" in text
    assert "England's and the region's published counts are totals of many LAs" in text


# --- A period, or months, that no load of the KPI's dataset covers ---

WHY = "Referrals not loaded for Apr 2024 to Mar 2025"


def not_covered(months: int) -> Assessment:
    """The fixture's assessment with no data for 2024/25 and for the first `months` of its series."""
    base = assessment(previous_value=20.0)
    gaps = tuple(
        Figure(f.period, None, None, None, no_data=f"Referrals not loaded for {f.period.first_month:%b %Y}")
        for f in base.result.series[:months]
    )
    result = KpiResult(
        kpi=base.kpi,
        current=Figure(financial_year(2024), None, None, None, no_data=WHY),
        previous=base.result.previous,
        last_year=base.result.last_year,
        series=gaps + base.result.series[months:],
    )
    return Assessment(result=result)


def test_a_period_no_load_covers_says_no_data_and_why():
    text = text_of(kpi_card(not_covered(months=2), records_href="/records?kpi=referrals"))
    assert "no data" in text and WHY in text and "no comparison on 2023/24" in text
    assert "View the records" not in text  # nothing is loaded to list
    assert "View the records" in text_of(kpi_card(assessment(20.0), records_href="/records?kpi=referrals"))
    assert "of 1,000" not in text and "25.0% " not in text
    assert "monthly from March 2024 (no data) to March 2025 (25.0%)" in text


def test_a_trend_leaves_the_months_no_load_covers_as_gaps_and_says_so():
    from dash import dcc

    from app.components.charts import trend_chart
    from app.components.spc import spc_chart

    trend = trend_chart(not_covered(months=2), "t")
    [graph] = [c for c in trend.children if isinstance(c, dcc.Graph)]
    assert graph.figure["data"][0]["y"][:3] == [None, None, 25.0]
    text = text_of(trend)
    assert "No data for Mar 2024 to Apr 2024: no load covers these months." in text
    assert "March 2024: no data, April 2024: no data, May 2024: 25.0%" in text
    spc = spc_chart(not_covered(months=2), "s")
    [graph] = [c for c in spc.children if isinstance(c, dcc.Graph)]
    assert min(graph.figure["data"][-1]["x"]) == date(2024, 5, 1)  # the limits start at the first known month
    assert "No data for Mar 2024 to Apr 2024" in text_of(spc)


def test_a_breakdown_with_no_data_says_why_instead_of_drawing_nothing():
    from app.components.charts import parts_chart

    text = text_of(parts_chart("Contacts by source", (), "t", {}, "agency", no_data=WHY))
    assert f"No data: {WHY}." in text


def test_the_headline_names_the_kpis_with_no_data_for_the_period():
    from app.components.headline import headline_banner
    from warehouse.kpis.headline import Headline

    found = Headline(kpis=2, on_target=0, near=0, off=0, worsened=(), no_data=("Missing episodes",))
    assert text_of(headline_banner(found)).endswith(
        "None moved the wrong way on the previous period. No data for the period: Missing episodes."
    )


def test_a_trend_says_why_months_of_small_counts_are_not_drawn():
    from dash import dcc

    from app.components.charts import trend_chart

    base = assessment(previous_value=20.0)
    series = list(base.result.series)
    for at in (4, 5, 9):  # July, August and December 2024
        series[at] = Figure(series[at].period, None, None, None, suppressed=True)
    result = KpiResult(
        kpi=base.kpi,
        current=base.result.current,
        previous=base.result.previous,
        last_year=base.result.last_year,
        series=tuple(series),
    )
    trend = trend_chart(Assessment(result=result), "t")
    [graph] = [c for c in trend.children if isinstance(c, dcc.Graph)]
    assert graph.figure["data"][0]["y"][3:6] == [25.0, None, None]
    assert (
        "Not drawn for Jul 2024 to Aug 2024, Dec 2024: a count under 5 (or none), suppressed there (shown as c)."
        in text_of(trend)
    )
    assert "Not drawn" not in text_of(trend_chart(base, "t"))  # nothing suppressed, nothing said


def test_the_sparkline_is_a_line_broken_where_a_month_has_no_figure_with_a_dot_on_each():
    from app.components.kpi_card import sparkline_svg

    # 240 x 70 with 6 of padding: 4 months 76 apart (228 / 3); 10 is the foot (y 64), 30 the top (y 6)
    svg = sparkline_svg([10, None, 20, 30])
    assert re.findall(r'<polyline points="([^"]+)"', svg) == [
        "158.0,35.0 234.0,6.0"
    ]  # the first month stands alone
    assert re.findall(r'd="M([^h]+)h0"', svg) == ["6.0,64.0", "158.0,35.0", "234.0,6.0"]
    assert re.findall(r'd="M([^h]+)h0"', sparkline_svg([5, 5])) == [
        "6.0,35.0",
        "234.0,35.0",
    ]  # flat: the middle
    assert sparkline_svg([None, None]) is None


def test_a_sparklines_gaps_and_a_sparkline_with_no_line_say_why():
    from app.components.kpi_card import sparkline

    base = assessment(20.0)
    series = list(base.result.series)
    # March 2024 + 2 and + 3 (May and June 2024) suppressed
    for i in (2, 3):
        series[i] = Figure(series[i].period, None, None, None, suppressed=True)
    gappy = replace(base, result=replace(base.result, series=tuple(series)))
    assert (
        "Not drawn for May 2024 to Jun 2024: a count under 5 (or none), suppressed there (shown as c)."
        in (text_of(sparkline(gappy)))
    )
    none_drawn = tuple(Figure(f.period, None, None, None, suppressed=True) for f in series)
    empty = sparkline(replace(base, result=replace(base.result, series=none_drawn)))
    assert "Not drawn for Mar 2024 to Mar 2025" in text_of(empty)
    assert "Not drawn" not in text_of(sparkline(base))
