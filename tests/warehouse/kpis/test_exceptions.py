"""The exception report's three rules on hand-made assessments, and its figures on the demo warehouse.

Every expected value below is worked out by hand from the inputs next to it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pytest

from appstate.db import session
from appstate.targets import lookup
from warehouse.kpis.assessment import Assessment, Benchmark, TargetInForce
from warehouse.kpis.engine import Figure, Filters, KpiResult, evaluate
from warehouse.kpis.exceptions import (
    REPORT_KPIS,
    Rule,
    Thresholds,
    exception_report,
    find_exceptions,
    reasons_for,
)
from warehouse.kpis.periods import financial_year, month, rolling_6
from warehouse.kpis.rag import Rag
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import active_model

HALF = rolling_6(date(2026, 9, 1))  # Apr to Sep 2026
BEFORE = HALF.previous()  # Oct 2025 to Mar 2026
SUPPRESSED = Figure(HALF, None, None, None, None, suppressed=True)
CITY = Filters(la_codes=("E08000021",))


def figure(
    value: float, period=HALF, numerator: int = 100, denominator: int | None = 400, rate: float | None = None
) -> Figure:
    return Figure(period, value, numerator, denominator, rate)


def count(value: float, period=HALF, rate: float | None = None) -> Figure:
    return Figure(period, value, int(value), None, rate)


def judged(
    kpi_id: str,
    current: Figure,
    previous: Figure | None = None,
    *,
    rag: Rag | None = None,
    target: float | None = None,
    benchmark: Benchmark | None = None,
) -> Assessment:
    previous = previous or replace(current, period=current.period.previous())
    result = KpiResult(
        kpi=get_kpi(kpi_id),
        current=current,
        previous=previous,
        last_year=replace(current, period=current.period.same_period_last_year()),
        series=(),
    )
    in_force = TargetInForce(target, 5.0, date(2025, 4, 1), is_demo=True) if target is not None else None
    return Assessment(result=result, target=in_force, rag=rag, benchmark=benchmark)


def neighbours(low: float, high: float, is_rate: bool = False, published: int = 10) -> Benchmark:
    return Benchmark(
        "2024/25",
        is_rate,
        False,
        None,
        "published",
        None,
        None,
        (low + high) / 2,
        published,
        None,
        11,
        neighbour_min=low,
        neighbour_max=high,
    )


def rules(assessment: Assessment, thresholds: Thresholds = Thresholds()) -> list[Rule]:
    return [reason.rule for reason in reasons_for(assessment, thresholds)]


# (a) off target


def test_red_is_an_exception_and_says_value_target_and_tolerance():
    # Re-referrals are lower-is-better: 26.0% against 24.0% with a 5% band (1.2 points) is red.
    [reason] = reasons_for(judged("re_referral_12m", figure(26.0), rag=Rag.RED, target=24.0))
    assert reason.rule is Rule.OFF_TARGET
    assert reason.words == (
        "Off target: 26.0% against a target of 24.0% (demo target), worse by more than the 5% tolerance."
    )


def test_amber_and_green_are_not_exceptions():
    assert rules(judged("re_referral_12m", figure(25.0), rag=Rag.AMBER, target=24.0)) == []
    assert rules(judged("re_referral_12m", figure(20.0), rag=Rag.GREEN, target=24.0)) == []


# (b) worse than the previous period


def test_a_lower_is_better_percentage_rising_more_than_3_points_is_an_exception():
    # 22.0% to 25.1% is +3.1 points; 22.0% to 25.0% is exactly 3, which is not more than 3.
    [reason] = reasons_for(judged("re_referral_12m", figure(25.1), figure(22.0, BEFORE)))
    assert reason.rule is Rule.WORSENED
    # +3.1 / 22.0 = +14.09...%
    assert reason.words == (
        "Worse than the previous period (6 months to Mar 2026): 22.0% to 25.1%, "
        "+3.1 points (+14.1%), more than the 3-point threshold."
    )
    assert rules(judged("re_referral_12m", figure(25.0), figure(22.0, BEFORE))) == []


def test_a_higher_is_better_percentage_falling_more_than_3_points_is_an_exception():
    assert rules(judged("icpc_15wd", figure(76.9), figure(80.0, BEFORE))) == [Rule.WORSENED]  # -3.1 points
    assert rules(judged("icpc_15wd", figure(77.0), figure(80.0, BEFORE))) == []  # -3.0 points
    assert rules(judged("icpc_15wd", figure(90.0), figure(80.0, BEFORE))) == []  # better, however far


def test_a_change_that_shows_as_the_threshold_is_within_it():
    # +3.04 points is written "+3.0 points": it does not exceed a 3-point threshold.
    assert rules(judged("re_referral_12m", figure(25.04), figure(22.0, BEFORE))) == []
    # 21.96% to 25.04% is +3.08 unrounded, but written 22.0% to 25.0%: +3.0 points, within it.
    assert rules(judged("re_referral_12m", figure(25.04), figure(21.96, BEFORE))) == []


def test_counts_rates_and_ratios_are_judged_by_relative_change():
    # Episodes per missing child, lower is better: 2.00 to 2.21 is +10.5%; 2.00 to 2.20 is +10.0%.
    [reason] = reasons_for(judged("missing_per_child", figure(2.21), figure(2.0, BEFORE)))
    assert reason.words == (
        "Worse than the previous period (6 months to Mar 2026): 2.00 to 2.21, "
        "+0.21 (+10.5%), more than the 10% threshold."
    )
    assert rules(judged("missing_per_child", figure(2.2), figure(2.0, BEFORE))) == []
    assert rules(judged("missing_per_child", figure(1.5), figure(2.0, BEFORE))) == []  # better


def test_thresholds_are_set_per_call():
    rising = judged("re_referral_12m", figure(25.1), figure(22.0, BEFORE))  # +3.1 points
    assert rules(rising, Thresholds(percentage_points=5)) == []
    assert rules(rising, Thresholds(percentage_points=3.05)) == [Rule.WORSENED]
    ratio = judged("missing_per_child", figure(2.3), figure(2.0, BEFORE))  # +15%
    assert rules(ratio, Thresholds(relative_percent=20)) == []


def test_a_change_from_zero_has_no_size_and_neutral_kpis_never_worsen():
    assert rules(judged("missing_per_child", figure(1.0), figure(0.0, BEFORE))) == []
    # Referrals are a context measure: +50% is no exception by itself.
    assert rules(judged("referrals", count(1500), count(1000, BEFORE))) == []


# (c) outside the statistical neighbours' range


def test_a_percentage_just_outside_the_neighbours_range_is_an_exception():
    # Newcastle's neighbours' 2024/25 re-referrals run from 16.5% (Sheffield) to 27.2% (Nottingham).
    [above] = reasons_for(judged("re_referral_12m", figure(27.3), benchmark=neighbours(16.5, 27.2)))
    assert above.rule is Rule.OUTSIDE_NEIGHBOURS
    assert above.words == (
        "Outside its statistical neighbours' range: 27.3% is above the highest of the 10 "
        "published for 2024/25 (16.5% to 27.2%): worse than every one of them."
    )
    [below] = reasons_for(judged("re_referral_12m", figure(16.4), benchmark=neighbours(16.5, 27.2)))
    assert below.words.endswith(
        "16.4% is below the lowest of the 10 published for 2024/25 (16.5% to 27.2%): "
        "better than every one of them."
    )


def test_a_value_on_or_just_inside_the_range_is_not():
    for value in (27.2, 27.1, 16.5, 16.6):
        assert rules(judged("re_referral_12m", figure(value), benchmark=neighbours(16.5, 27.2))) == [], value


def test_a_stock_is_compared_by_its_rate_as_it_is():
    # Children on a CP plan at the end of the period: 48.8 per 10,000 against neighbours up to 48.7.
    outside = judged("cp_open", count(600, rate=48.8), benchmark=neighbours(26.4, 48.7, True))
    [reason] = reasons_for(outside)
    assert reason.words == (
        "Outside its statistical neighbours' range: 48.8 per 10,000 children is above "
        "the highest of the 10 published for 2024/25 (26.4 to 48.7 per 10,000 children)."
    )
    inside = judged("cp_open", count(600, rate=48.7), benchmark=neighbours(26.4, 48.7, True))
    assert rules(inside) == []


def test_a_flow_over_6_months_is_annualised_before_it_is_compared():
    # Referrals: 300.0 per 10,000 in 6 months is 600.0 a year, above neighbours up to 590.0;
    # 290.0 is 580.0 a year, inside. Compared unscaled, both would wrongly be below the lowest (400).
    range_ = neighbours(400.0, 590.0, True)
    [reason] = reasons_for(judged("referrals", count(1800, rate=300.0), benchmark=range_))
    assert reason.words.startswith(
        "Outside its statistical neighbours' range: 600.0 per 10,000 children "
        "a year (the period's figure annualised) is above the highest"
    )
    assert rules(judged("referrals", count(1740, rate=290.0), benchmark=range_)) == []
    # Over a financial year the rate is compared as it is: 300.0 is below 400.0.
    year = judged("referrals", count(3600, financial_year(2025), rate=300.0), benchmark=range_)
    assert rules(year) == [Rule.OUTSIDE_NEIGHBOURS]


def test_counts_of_children_over_6_months_are_not_compared_with_a_year():
    # 30 children missing in 6 months says nothing about a year's count (one child can go missing in
    # both halves), so it is not set beside neighbours' yearly counts of 60 to 200; over a year it is.
    assert rules(judged("children_missing", count(30), benchmark=neighbours(60, 200))) == []
    year = judged("children_missing", count(30, financial_year(2025)), benchmark=neighbours(60, 200))
    assert rules(year) == [Rule.OUTSIDE_NEIGHBOURS]


def test_a_neutral_kpi_can_only_be_outside_its_neighbours():
    # Even given a red rating, a context measure is judged by its neighbours alone.
    neutral = judged(
        "referrals",
        count(3000, rate=300.0),
        count(1000, BEFORE),
        rag=Rag.RED,
        target=1000,
        benchmark=neighbours(400.0, 590.0, True),
    )
    assert rules(neutral) == [Rule.OUTSIDE_NEIGHBOURS]


# Suppression


def test_a_suppressed_figure_never_triggers_and_shows_no_value():
    everything_wrong = judged(
        "re_referral_12m",
        SUPPRESSED,
        figure(10.0, BEFORE),
        rag=Rag.RED,
        target=5.0,
        benchmark=neighbours(16.5, 27.2),
    )
    assert reasons_for(everything_wrong) == ()
    # A suppressed previous period gives no change to judge.
    assert rules(judged("re_referral_12m", figure(40.0), replace(SUPPRESSED, period=BEFORE))) == []


def test_only_exceptions_are_listed_with_all_their_reasons():
    red_and_worse = judged("re_referral_12m", figure(30.0), figure(20.0, BEFORE), rag=Rag.RED, target=24.0)
    fine = judged("icpc_15wd", figure(85.0), figure(84.0, BEFORE), rag=Rag.GREEN, target=80.0)
    [found] = find_exceptions([red_and_worse, fine])
    assert found.kpi.id == "re_referral_12m"
    assert [r.rule for r in found.reasons] == [Rule.OFF_TARGET, Rule.WORSENED]


# On the demo warehouse


@pytest.fixture(scope="module")
def demo_con(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def city_report(demo_home, demo_con):
    with session(f"sqlite:///{demo_home / 'appstate.sqlite'}") as db:
        return exception_report(demo_con, CITY, SuppressionPolicy(), lookup(db))


def test_the_default_period_is_the_6_months_to_the_latest_complete_month(city_report):
    # The demo data runs to 31 October 2026: the report covers May to October 2026.
    assert city_report.period == rolling_6(date(2026, 10, 1))
    assert (city_report.period.start, city_report.period.end) == (date(2026, 5, 1), date(2026, 10, 31))
    assert city_report.period.code == "R6-2026-10"


def test_the_report_figures_are_the_engines_for_the_6_month_period(city_report, demo_con):
    engine = {
        r.kpi.id: r
        for r in evaluate(demo_con, REPORT_KPIS, rolling_6(date(2026, 10, 1)), CITY, SuppressionPolicy())
    }
    assert [a.kpi.id for a in city_report.assessed] == list(REPORT_KPIS)
    assert "referrals_by_source" not in REPORT_KPIS and "cp_category" not in REPORT_KPIS
    for assessment in city_report.assessed:
        expected = engine[assessment.kpi.id]
        assert assessment.result.current == expected.current, assessment.kpi.id
        assert assessment.result.previous == expected.previous, assessment.kpi.id
        if assessment.kpi.is_published:  # a year's figure, as published: the previous is the year before
            current, previous = assessment.result.current.period, assessment.result.previous.period
            assert previous == current.same_period_last_year(), assessment.kpi.id
        elif assessment.kpi.dataset in active_model().figures:
            # Submitted quarterly: the 6 months to September, the latest the quarters make up, and the
            # 6 months before them.
            assert assessment.result.current.period == rolling_6(date(2026, 9, 1)), assessment.kpi.id
            assert assessment.result.previous.period == rolling_6(date(2026, 3, 1)), assessment.kpi.id
        else:
            assert assessment.result.current.period == rolling_6(date(2026, 10, 1)), assessment.kpi.id
            assert assessment.result.previous.period == rolling_6(date(2026, 4, 1)), assessment.kpi.id


def test_the_demo_report_lists_exactly_the_kpis_its_rules_pick(city_report):
    found = {e.kpi.id for e in city_report.exceptions}
    assert found, "the demo targets make at least one exception"
    assert found == {a.kpi.id for a in city_report.assessed if reasons_for(a)}
    for exception in city_report.exceptions:
        assert not exception.assessment.result.current.suppressed


def test_the_neighbour_range_is_the_published_one(city_report):
    [re_referrals] = [a for a in city_report.assessed if a.kpi.id == "re_referral_12m"]
    # c1 2025, Newcastle's ten neighbours: lowest Sheffield 16.5, highest Nottingham 27.2.
    benchmark = re_referrals.benchmark
    assert benchmark.financial_year == "2024/25"
    assert (benchmark.neighbour_min, benchmark.neighbour_max) == (16.5, 27.2)


def test_a_report_is_for_one_la(demo_con):
    with pytest.raises(ValueError, match="one local authority, not 2"):
        exception_report(demo_con, Filters(la_codes=("E08000021", "E06000057")), period=month(2026, 10))
