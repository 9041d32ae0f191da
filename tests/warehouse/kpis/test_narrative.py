"""Drafts of "What is the data telling us?", checked word for word on figures built by hand.

SPC results are built directly, so these tests read only what a draft makes of a reading.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from warehouse.kpis.assessment import Assessment, Benchmark, TargetInForce
from warehouse.kpis.engine import Figure, KpiResult
from warehouse.kpis.model import Direction, Unit
from warehouse.kpis.narrative import draft_commentary, sentence_name
from warehouse.kpis.periods import Period, financial_year, month, quarter, rolling_12
from warehouse.kpis.registry import KPIS, get_kpi
from warehouse.kpis.spc import Assurance, SpcConfig, SpcResult, Variation

FY = financial_year(2024)


def shown(period: Period, value: float | None, rate: float | None = None) -> Figure:
    # The draft reads only value and rate; the counts are there to make a real-looking Figure.
    numerator = None if value is None else round(value)
    return Figure(period, value, numerator, None, rate)


def suppressed(period: Period) -> Figure:
    return Figure(period, None, None, None, None, suppressed=True)


def leaky_suppressed(period: Period, count: int) -> Figure:
    """A suppressed figure that still carries its numbers, which the engine never makes: a draft that
    read them would show them."""
    return Figure(period, float(count), count, 15, count / 61_206 * 10_000, suppressed=True)


def assessment(
    kpi_id: str,
    current: Figure,
    previous: Figure,
    last_year: Figure | None = None,
    benchmark: Benchmark | None = None,
    target: float | None = None,
) -> Assessment:
    result = KpiResult(get_kpi(kpi_id), current, previous, last_year or previous, series=())
    in_force = None if target is None else TargetInForce(target, 0.0, date(2024, 4, 1), is_demo=False)
    return Assessment(result=result, target=in_force, benchmark=benchmark)


def benchmark(
    england: float | None,
    region: float | None = None,
    neighbours: float | None = None,
    rank: int | None = None,
    year: str = "2024/25",
    matches: bool = True,
    is_rate: bool = False,
) -> Benchmark:
    return Benchmark(
        financial_year=year,
        is_rate=is_rate,
        matches_period=matches,
        la_value=None,
        la_status="",
        england=england,
        region=region,
        neighbour_mean=neighbours,
        neighbours_published=10,
        rank=rank,
        group_size=11,
    )


def spc(
    variation: Variation,
    assurance: Assurance | None = None,
    since: date | None = None,
    enough_points: bool = True,
    target: float | None = None,
) -> SpcResult:
    return SpcResult(
        points=(),
        enough_points=enough_points,
        variation=variation,
        assurance=assurance,
        target=target,
        config=SpcConfig(),
        signal_since=since,
    )


def spec_example(region: float | None = None, neighbours: float | None = None) -> Assessment:
    return assessment(
        "re_referral_12m",
        shown(FY, 17.2),
        shown(financial_year(2023), 23.4),
        benchmark=benchmark(22.6, region, neighbours, rank=2),
        target=20.0,
    )


SPEC_SPC = spc(Variation.IMPROVING_LOW, Assurance.CONSISTENTLY_MEETS, since=date(2024, 10, 1), target=20.0)


# --- The fixtures the product's spec names, word for word ---------------------------------------


def test_the_spec_example():
    assert draft_commentary(spec_example(), SPEC_SPC) == (
        "Re-referrals were 17.2% in 2024/25, down 6.2 points on 2023/24, below England (22.6%) and 2nd "
        "lowest "
        "of 11 with statistical neighbours. Special-cause improvement since October 2024; the 20% target is "
        "consistently met."
    )


def test_the_spec_example_with_the_region_and_the_neighbours_published():
    draft = draft_commentary(spec_example(region=19.0, neighbours=20.1), SPEC_SPC, region_name="North East")
    assert draft == (
        "Re-referrals were 17.2% in 2024/25, down 6.2 points on 2023/24, below England (22.6%), the North "
        "East (19.0%) and the statistical neighbours' average (20.1%), and 2nd lowest of 11 with "
        "statistical neighbours. Special-cause improvement since October 2024; the 20% target is "
        "consistently met."
    )


def test_an_unnamed_region_is_the_region_and_mixed_positions_are_grouped():
    draft = draft_commentary(spec_example(region=16.0, neighbours=20.1), None)
    assert draft == (
        "Re-referrals were 17.2% in 2024/25, down 6.2 points on 2023/24, below England (22.6%) and the "
        "statistical neighbours' average (20.1%) but above the region (16.0%), and 2nd lowest of 11 with "
        "statistical neighbours."
    )


def test_a_count_with_a_rate_over_a_quarter_gives_both_changes_and_the_published_rates_for_reference():
    # A quarter's rate per 10,000 is a quarter of a year's: it is not called above or below the year's.
    current = quarter(2024, 2)
    draft = draft_commentary(
        assessment(
            "referrals",
            shown(current, 1620, rate=134.7),
            shown(quarter(2024, 1), 1500, rate=124.7),
            shown(quarter(2023, 2), 1650, rate=137.2),
            benchmark=benchmark(541.9, neighbours=602.3, rank=4, matches=False, is_rate=True),
        ),
        None,
    )
    assert draft == (
        "Referrals were 1,620 in Q2 2024/25 (134.7 per 10,000 children), up 120 (8.0%) on Q1 2024/25 and "
        "down 30 (1.8%) on Q2 2023/24. Published rates per 10,000 children for 2024/25, the latest: "
        "England 541.9 and the statistical neighbours' average 602.3."
    )


def test_a_neutral_kpi_ranks_from_the_highest_and_its_special_cause_has_a_side_not_a_direction():
    draft = draft_commentary(
        assessment(
            "referrals",
            shown(FY, 6119, rate=508.8),
            shown(financial_year(2023), 5999, rate=498.9),
            benchmark=benchmark(541.9, 580.0, 602.3, rank=9, is_rate=True),
        ),
        spc(Variation.NEITHER_HIGH, since=date(2025, 1, 1)),
        region_name="North East",
    )
    assert draft == (
        "Referrals were 6,119 in 2024/25 (508.8 per 10,000 children), up 120 (2.0%) on 2023/24, a rate "
        "below England (541.9), the North East (580.0) and the statistical neighbours' average (602.3), "
        "and 9th highest of 11 with statistical neighbours. Special-cause variation, high, since January "
        "2025."
    )


def test_a_stock_is_what_is_open_at_the_end_and_is_compared_with_the_latest_published_year():
    draft = draft_commentary(
        assessment(
            "cp_open",
            shown(month(2025, 3), 412, rate=45.3),
            shown(month(2025, 2), 400, rate=44.0),
            shown(month(2024, 3), 432, rate=47.5),
            benchmark=benchmark(41.6, neighbours=52.0, rank=7, matches=False, is_rate=True),
        ),
        None,
    )
    assert draft == (
        "Children on a CP plan were 412 at the end of March 2025 (45.3 per 10,000 children), up 12 (3.0%) "
        "on February 2025 and down 20 (4.6%) on March 2024, a rate above England (41.6) but below the "
        "statistical neighbours' average (52.0), and 7th highest of 11 with statistical neighbours in "
        "2024/25, the latest published."
    )


def test_a_benchmark_for_another_year_says_which_year_it_is():
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            shown(month(2025, 2), 18.4),
            shown(month(2025, 1), 19.0),
            shown(month(2024, 2), 21.5),
            benchmark=benchmark(22.1, 21.0, 20.4, rank=3, year="2023/24", matches=False),
        ),
        None,
        region_name="North West",
    )
    assert draft == (
        "Re-referrals were 18.4% in February 2025, down 0.6 points on January 2025 and down 3.1 points on "
        "February 2024, below England (22.1%), the North West (21.0%) and the statistical neighbours' "
        "average (20.4%), and 3rd lowest of 11 with statistical neighbours in 2023/24, the latest "
        "published."
    )


def test_too_few_points_for_an_spc_reading():
    last = date(2025, 3, 1)
    draft = draft_commentary(
        assessment(
            "missing_repeat",
            shown(rolling_12(last), 31.24),
            shown(rolling_12(date(2025, 2, 1)), 31.21),
            shown(rolling_12(date(2024, 3, 1)), 28.0),
        ),
        spc(Variation.TOO_FEW_POINTS, enough_points=False),
    )
    assert draft == (
        "Children missing more than once were 31.2% in the 12 months to March 2025 (Apr 2024 to Mar 2025), "
        "unchanged on the 12 months to Feb 2025 and up 3.2 points on the 12 months to Mar 2024. Too few "
        "monthly points for an SPC reading."
    )


def test_common_cause_variation():
    draft = draft_commentary(
        assessment("cp_repeat", shown(FY, 21.3), shown(financial_year(2023), 23.0)),
        spc(Variation.COMMON_CAUSE),
    )
    assert draft == (
        "Repeat CP plans were 21.3% in 2024/25, down 1.7 points on 2023/24. Monthly figures show only "
        "common-cause variation."
    )


def test_a_target_that_is_hit_and_miss():
    draft = draft_commentary(
        assessment(
            "icpc_15wd",
            shown(FY, 82.4),
            shown(financial_year(2023), 79.3),
            benchmark=benchmark(78.2, neighbours=80.0, rank=4),
            target=85.0,
        ),
        spc(Variation.COMMON_CAUSE, Assurance.HIT_AND_MISS, target=85.0),
    )
    assert draft == (
        "ICPCs within 15 working days were 82.4% in 2024/25, up 3.1 points on 2023/24, above England "
        "(78.2%) and the statistical neighbours' average (80.0%), and 4th highest of 11 with statistical "
        "neighbours. Monthly figures show only common-cause variation; the 85% target is hit and miss."
    )


def test_a_suppressed_current_figure_gives_no_numbers_but_the_published_ones():
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            suppressed(FY),
            shown(financial_year(2023), 25.0),
            benchmark=benchmark(22.6, neighbours=20.1, rank=2),
            target=20.0,
        ),
        spc(Variation.CONCERNING_HIGH, Assurance.CONSISTENTLY_FAILS, since=date(2024, 11, 1), target=20.0),
    )
    assert draft == (
        "Re-referrals in 2024/25 are suppressed because the numbers are small, so no figures or changes "
        "are given. Published figures for 2024/25: England 22.6% and the statistical neighbours' average "
        "20.1%. Special-cause concern since November 2024; the 20% target is consistently missed."
    )


def test_a_suppressed_previous_figure_drops_only_that_change():
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            shown(quarter(2024, 3), 18.0),
            suppressed(quarter(2024, 2)),
            shown(quarter(2023, 3), 20.5),
        ),
        None,
    )
    assert draft == "Re-referrals were 18.0% in Q3 2024/25, down 2.5 points on Q3 2023/24."


# --- Suppressed numbers never appear -------------------------------------------------------------


def test_a_suppressed_count_of_3_and_the_changes_from_it_never_appear():
    # Were the count of 3 shown, so would be "down 4 (57.1%) on Q1 2024/25" and "down 6 (66.7%)".
    period = quarter(2024, 2)
    bases = (shown(quarter(2024, 1), 7), shown(quarter(2023, 2), 9))
    honest = assessment("icpc", suppressed(period), *bases)
    leaky = assessment("icpc", leaky_suppressed(period, 3), *bases)
    expected = (
        "Initial child protection conferences in Q2 2024/25 are suppressed because the numbers are "
        "small, so no figures or changes are given."
    )
    assert draft_commentary(honest, None) == expected
    assert draft_commentary(leaky, None) == expected
    assert not re.search(r"\d", expected.replace("Q2 2024/25", ""))


def test_a_suppressed_count_with_a_rate_shows_no_rate_and_no_comparison_with_the_benchmarks():
    period = financial_year(2024)
    leaky = assessment(
        "cp_open",
        leaky_suppressed(period, 3),
        shown(financial_year(2023), 40, rate=6.5),
        benchmark=benchmark(41.6, 45.0, 52.0, rank=7, is_rate=True),
    )
    draft = draft_commentary(leaky, spc(Variation.COMMON_CAUSE), region_name="North East")
    assert draft == (
        "Children on a CP plan at the end of 2024/25 are suppressed because the numbers are small, so no "
        "figures or changes are given. Published rates per 10,000 children for 2024/25: England 41.6, the "
        "North East 45.0 and the statistical neighbours' average 52.0. Monthly figures show only "
        "common-cause variation."
    )
    # Neither the hidden rate (0.5 per 10,000) nor a place among the neighbours is given.
    assert "0.5" not in draft and "highest" not in draft and "above" not in draft and "below" not in draft


def test_a_suppressed_base_that_still_carries_numbers_gives_no_change():
    current = shown(FY, 10)
    draft = draft_commentary(assessment("icpc", current, leaky_suppressed(financial_year(2023), 3)), None)
    assert draft == "Initial child protection conferences were 10 in 2024/25."


# --- Values, changes and benchmarks, case by case ------------------------------------------------


def test_a_value_with_no_denominator_is_n_a_with_no_change_and_the_published_figures_for_reference():
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            shown(FY, None),
            shown(financial_year(2023), 20.0),
            benchmark=benchmark(22.6, rank=2),
        ),
        None,
    )
    assert draft == "Re-referrals were n/a in 2024/25. Published figures for 2024/25: England 22.6%."


def test_a_count_without_a_rate_is_set_beside_the_neighbours_only():
    # England's 70,000 conferences are many LAs' worth: "below England" would say nothing.
    draft = draft_commentary(
        assessment(
            "icpc",
            shown(FY, 520),
            shown(financial_year(2023), 500),
            benchmark=benchmark(70_000, 6_000, 480, rank=3),
        ),
        None,
    )
    assert draft == (
        "Initial child protection conferences were 520 in 2024/25, up 20 (4.0%) on 2023/24, above the "
        "statistical neighbours' average (480) and 3rd highest of 11 with statistical neighbours."
    )


def test_a_change_from_zero_has_no_relative_change_and_a_change_too_small_to_show_is_unchanged():
    quarter_two = quarter(2024, 2)
    draft = draft_commentary(
        assessment(
            "icpc_15wd",
            shown(quarter_two, 80.02),
            shown(quarter(2024, 1), 79.98),
            shown(quarter(2023, 2), 75.0),
        ),
        None,
    )
    assert draft == (
        "ICPCs within 15 working days were 80.0% in Q2 2024/25, unchanged on Q1 2024/25 and up "
        "5.0 points on Q2 2023/24."
    )
    from_zero = draft_commentary(
        assessment(
            "cp_starts", shown(quarter_two, 6), shown(quarter(2024, 1), 0), shown(quarter(2023, 2), 6)
        ),
        None,
    )
    assert from_zero == (
        "CP plans started were 6 in Q2 2024/25, up 6 on Q1 2024/25 and unchanged on Q2 2023/24."
    )


def test_a_ratio_changes_to_two_decimals():
    draft = draft_commentary(
        assessment("missing_per_child", shown(FY, 2.67), shown(financial_year(2023), 2.92)), None
    )
    assert draft == "Episodes per missing child were 2.67 in 2024/25, down 0.25 (8.6%) on 2023/24."


@pytest.mark.parametrize(
    ("rank", "words"),
    [
        (1, "the lowest of 11"),
        (2, "2nd lowest of 11"),
        (3, "3rd lowest of 11"),
        (11, "the highest of 11"),
    ],
)
def test_a_rank_reads_from_the_best_end(rank, words):
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            shown(FY, 17.2),
            shown(financial_year(2023), 17.2),
            benchmark=benchmark(None, rank=rank),
        ),
        None,
    )
    assert draft == (
        f"Re-referrals were 17.2% in 2024/25, unchanged on 2023/24, {words} with statistical neighbours."
    )


def test_a_figure_that_rounds_to_the_published_one_is_the_same_as_it():
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            shown(FY, 22.64),
            shown(financial_year(2023), 23.0),
            benchmark=benchmark(22.58, neighbours=21.0),
        ),
        None,
    )
    assert draft == (
        "Re-referrals were 22.6% in 2024/25, down 0.4 points on 2023/24, the same as England "
        "(22.6%) but above the statistical neighbours' average (21.0%)."
    )


@pytest.mark.parametrize(
    ("region", "written"),
    [
        ("North East", "the North East"),
        ("East of England", "the East of England"),
        ("London", "London"),
        ("Yorkshire and The Humber", "Yorkshire and The Humber"),
        (None, "the region"),
    ],
)
def test_region_names_read_with_the_article_they_take(region, written):
    draft = draft_commentary(spec_example(region=19.0), None, region_name=region)
    assert f"below England (22.6%) and {written} (19.0%), and 2nd lowest" in draft


def test_a_share_kpi_drafts_its_total_only():
    draft = draft_commentary(
        assessment(
            "referrals_by_source",
            shown(FY, 6119),
            shown(financial_year(2023), 5999),
            benchmark=benchmark(30.0, rank=2),
        ),
        None,
    )
    assert draft == "Referrals were 6,119 in 2024/25, up 120 (2.0%) on 2023/24."


# --- SPC readings and assurance ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variation", "words"),
    [
        (Variation.IMPROVING_HIGH, "Special-cause improvement since March 2025."),
        (Variation.CONCERNING_LOW, "Special-cause concern since March 2025."),
        (Variation.NEITHER_LOW, "Special-cause variation, low, since March 2025."),
    ],
)
def test_each_special_cause_reads_with_the_month_it_began(variation, words):
    draft = draft_commentary(spec_example(), spc(variation, since=date(2025, 3, 1)))
    assert draft.endswith("statistical neighbours. " + words)


def test_assurance_needs_both_a_reading_and_a_target():
    reading = spc(Variation.COMMON_CAUSE, Assurance.CONSISTENTLY_MEETS, target=20.0)
    untargeted = assessment("re_referral_12m", shown(FY, 17.2), shown(financial_year(2023), 23.4))
    assert draft_commentary(untargeted, reading).endswith(
        " Monthly figures show only common-cause variation."
    )
    assert draft_commentary(spec_example(), spc(Variation.COMMON_CAUSE)).endswith(" common-cause variation.")


def test_a_target_that_is_not_a_whole_number_keeps_its_decimal():
    targeted = assessment("re_referral_12m", shown(FY, 17.2), shown(financial_year(2023), 23.4), target=17.5)
    draft = draft_commentary(targeted, spc(Variation.COMMON_CAUSE, Assurance.HIT_AND_MISS, target=17.5))
    assert draft.endswith("; the 17.5% target is hit and miss.")


# --- Every KPI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kpi", KPIS, ids=[kpi.id for kpi in KPIS])
def test_every_kpi_drafts_a_paragraph_with_its_name_as_the_subject(kpi):
    counted = kpi.unit is Unit.COUNT or kpi.is_share
    current, previous = (1250.0, 1100.0) if counted else (12.5, 11.0)
    rate = 50.1 if kpi.per_10k else None
    neutral = kpi.direction is Direction.NEUTRAL
    result = assessment(
        kpi.id,
        shown(FY, current, rate),
        shown(financial_year(2023), previous, rate),
        benchmark=benchmark(10.0, 11.0, 12.0, rank=5, is_rate=kpi.per_10k),
        target=None if neutral else 10.0,
    )
    reading = spc(
        Variation.NEITHER_HIGH if neutral else Variation.CONCERNING_HIGH,
        None if neutral else Assurance.HIT_AND_MISS,
        since=date(2024, 12, 1),
    )
    draft = draft_commentary(result, reading, region_name="North West")
    name = sentence_name(kpi)
    assert draft.startswith(f"{name} were ")
    assert name[0].isupper() and " by " not in name  # a share KPI is named for its total
    assert "up " in draft and " on 2023/24" in draft
    assert draft.endswith("since December 2024." if neutral else "target is hit and miss.")
    assert "None" not in draft and "  " not in draft and " ," not in draft and ".." not in draft


def test_drafts_are_deterministic():
    assert draft_commentary(spec_example(19.0, 20.1), SPEC_SPC) == draft_commentary(
        spec_example(19.0, 20.1), SPEC_SPC
    )


def test_a_period_no_load_covers_has_no_figures_and_says_why():
    why = "Referrals not loaded for Apr 2024 to Mar 2025"
    draft = draft_commentary(
        assessment(
            "re_referral_12m",
            Figure(FY, None, None, None, no_data=why),
            shown(financial_year(2023), 25.0),
            benchmark=benchmark(22.6),
        ),
        spc(Variation.TOO_FEW_POINTS, enough_points=False),
    )
    assert draft == (
        "There are no figures for Re-referrals in 2024/25: Referrals not loaded for Apr 2024 to Mar 2025. "
        "Published figures for 2024/25: England 22.6%. Too few monthly points for an SPC reading."
    )
