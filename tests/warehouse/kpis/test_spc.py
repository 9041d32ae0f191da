"""The XmR engine: limits, the four special-cause rules, direction, assurance, baselines and change
points, each checked against arithmetic worked by hand (in the comments) and against two published
worked examples."""

from __future__ import annotations

import math
from datetime import date

import pytest

from warehouse.kpis.assessment import Assessment, TargetInForce
from warehouse.kpis.engine import Figure, KpiResult
from warehouse.kpis.model import Direction, Kpi, Timing, Unit
from warehouse.kpis.periods import Period, PeriodKind, add_months
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.spc import (
    Assurance,
    Rule,
    Side,
    Signal,
    SpcConfig,
    SpcResult,
    Variation,
    spc_for,
    xmr,
)

HIGHER, LOWER, NEUTRAL = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.NEUTRAL
FIRST_MONTH = date(2023, 4, 1)
COMMON = (frozenset(), None, None)

# 12 points used for the limits, assurance, baseline and change point tests.
# Sum 5+7+6+8+7+9+6+7+8+6+7+8 = 84, mean 84 / 12 = 7.
# Moving ranges 2,1,2,1,2,3,1,1,2,1,1 = 17, mean 17 / 11 = 1.5455.
# Limits 7 -/+ 2.66 x 1.5455 = 7 -/+ 4.1109 = 2.8891 and 11.1109.
# Two sigma = 2 x 1.5455 / 1.128 = 2.7402: 4.26 to 9.74, and every value (5 to 9) is inside it.
# The 7s sit on the mean, so no run on one side is longer than 2; no rise or fall is longer than 3.
STEADY = [5, 7, 6, 8, 7, 9, 6, 7, 8, 6, 7, 8]


def month(index: int) -> date:
    return add_months(FIRST_MONTH, index)


def monthly(values: list[float | None]) -> list[tuple[date, float | None]]:
    return [(month(index), value) for index, value in enumerate(values)]


def chart(
    values: list[float | None], direction: Direction = HIGHER, target: float | None = None, **options
) -> SpcResult:
    return xmr(monthly(values), direction, target, **options)


def readings(result: SpcResult) -> list[tuple[frozenset[Rule], Side | None, Signal | None]]:
    return [(point.rules, point.side, point.signal) for point in result.points]


def marked(rule: Rule, side: Side, signal: Signal) -> tuple[frozenset[Rule], Side, Signal]:
    return frozenset({rule}), side, signal


# Limits and common cause


def test_limits_are_the_mean_plus_and_minus_2_66_mean_moving_ranges():
    result = chart(STEADY)
    limits = result.latest_limits
    assert limits.baseline_points == 12
    assert round(limits.mean, 2) == 7.00
    assert round(limits.mean_moving_range, 2) == 1.55  # 17 / 11 = 1.5455
    assert round(limits.lower, 2) == 2.89
    assert round(limits.upper, 2) == 11.11
    assert round(limits.sigma, 2) == 1.37  # 1.5455 / 1.128 = 1.3701
    assert {point.limits for point in result.points} == {limits}


def test_a_steady_series_is_common_cause_with_no_signal_anywhere():
    result = chart(STEADY)
    assert result.enough_points
    assert readings(result) == [COMMON] * 12
    assert (result.variation, result.signal_since, result.assurance) == (Variation.COMMON_CAUSE, None, None)


def test_a_flat_series_has_limits_on_its_mean_and_no_signal():
    # Every moving range is 0: limits 10 -/+ 0. No value is beyond them or off the mean.
    result = chart([10] * 12)
    limits = result.latest_limits
    assert (limits.mean, limits.mean_moving_range, limits.lower, limits.upper) == (10, 0, 10, 10)
    assert readings(result) == [COMMON] * 12
    assert result.variation is Variation.COMMON_CAUSE


# The rules, one series each


def test_a_point_outside_the_limits_and_nowhere_else():
    # Sum 5 x 10 + 6 x 12 + 30 = 152, mean 12.667.
    # Moving ranges: five 2s, 18, 18, four 2s = 54, mean 54 / 11 = 4.909.
    # Limits 12.667 -/+ 2.66 x 4.909 = 12.667 -/+ 13.058 = -0.39 and 25.72: 30 is above.
    # Two sigma = 2 x 4.909 / 1.128 = 8.704 -> 3.96 to 21.37: only the 30 is beyond, never 2 of 3.
    # Every 10 and 12 is below the mean, but in runs of 6 (before the 30) and 5 (after): no shift.
    values = [10, 12, 10, 12, 10, 12, 30, 12, 10, 12, 10, 12]
    result = chart(values)
    assert round(result.latest_limits.upper, 2) == 25.72
    assert round(result.latest_limits.lower, 2) == -0.39  # below zero: not clipped
    assert (
        readings(result)
        == [COMMON] * 6 + [marked(Rule.OUTSIDE_LIMITS, Side.HIGH, Signal.IMPROVEMENT)] + [COMMON] * 5
    )
    assert result.variation is Variation.COMMON_CAUSE  # the latest point is ordinary


# 7 points below the mean, then 7 above.
# Sum 4 x 9 + 3 x 11 + 4 x 12 + 3 x 14 = 36 + 33 + 48 + 42 = 159, mean 159 / 14 = 11.357.
# Moving ranges: six 2s, 3 (9 to 12), six 2s = 27, mean 27 / 13 = 2.0769.
# Limits 11.357 -/+ 2.66 x 2.0769 = 11.357 -/+ 5.525 = 5.83 and 16.88: all inside.
# Two sigma = 2 x 2.0769 / 1.128 = 3.682 -> 7.67 to 15.04: all inside.
# The longest rise is 9, 12, 14 (3 points). The first 7 are all below 11.357, the last 7 all above.
STEP_UP = [9, 11, 9, 11, 9, 11, 9, 12, 14, 12, 14, 12, 14, 12]


def test_a_shift_marks_every_point_of_each_run_of_seven():
    result = chart(STEP_UP, HIGHER)
    low = marked(Rule.SHIFT, Side.LOW, Signal.CONCERN)
    high = marked(Rule.SHIFT, Side.HIGH, Signal.IMPROVEMENT)
    assert readings(result) == [low] * 7 + [high] * 7
    assert result.signal_since == month(7)  # the low run before is a different signal


def test_a_point_exactly_on_the_mean_breaks_a_shift():
    # Limits from a 12-point baseline, STEADY + 5: mean 84 / 12 + 5 = 12, moving ranges 17 / 11 = 1.5455,
    # limits 12 -/+ 4.1109 = 7.89 and 16.11, two sigma 2.7402 -> 9.26 to 14.74. The baseline ends
    # with 13 (above 12); then come 13, 14, 13, X, 13, 14, 13, all inside the two-sigma band, and
    # no rise or fall among them is longer than 3 points.
    baseline = [value + 5 for value in STEADY]
    # X = 12 is on the mean: the runs above it are 13, 13, 14, 13 (4) and 13, 14, 13 (3).
    broken = chart([*baseline, 13, 14, 13, 12, 13, 14, 13], baseline_points=12)
    assert readings(broken) == [COMMON] * 19
    # X = 12.5 is above it: one run of 8, from the baseline's last point to the end.
    unbroken = chart([*baseline, 13, 14, 13, 12.5, 13, 14, 13], baseline_points=12)
    assert readings(unbroken) == [COMMON] * 11 + [marked(Rule.SHIFT, Side.HIGH, Signal.IMPROVEMENT)] * 8


# 5 alternating points, then 7 each higher than the one before.
# Sum 11+9+11+9+11 + 8+9+10+11+12+13+14 = 51 + 77 = 128, mean 10.667.
# Moving ranges 2,2,2,2,3,1,1,1,1,1,1 = 17, mean 1.5455; limits 10.667 -/+ 4.111 = 6.56 and 14.78.
# Two sigma = 2.7402 -> 7.93 to 13.41: only the 14 is beyond (13 is not), so never 2 of 3.
# Runs on one side of 10.667 are at most 4 long (11, 12, 13, 14).
RISE = [11, 9, 11, 9, 11, 8, 9, 10, 11, 12, 13, 14]


@pytest.mark.parametrize(
    ("values", "side", "signal"),
    [
        (RISE, Side.HIGH, Signal.IMPROVEMENT),
        # The mirror image (20 - each value) falls through its last 7 points: same arithmetic, low side.
        ([20 - value for value in RISE], Side.LOW, Signal.CONCERN),
    ],
)
def test_a_trend_marks_every_point_of_a_run_of_seven(values, side, signal):
    result = chart(values, HIGHER)
    assert readings(result) == [COMMON] * 5 + [marked(Rule.TREND, side, signal)] * 7
    assert result.signal_since == month(5)


def test_equal_neighbours_break_a_trend_so_six_rising_points_are_common_cause():
    # The sixth and seventh points are both 9, so the rise 9 .. 14 is 6 points long.
    # Sum 60 + 69 = 129, mean 10.75; moving ranges 2,2,2,2,2,0,1,1,1,1,1 = 15, mean 1.3636.
    # Limits 10.75 -/+ 3.6273 = 7.12 and 14.38; two sigma 2.4178 -> 8.33 to 13.17: only 14 beyond.
    # Below the mean 9, 9, 10 (3 points), above it 11 .. 14 (4 points).
    result = chart([11, 9, 11, 9, 11, 9, 9, 10, 11, 12, 13, 14])
    assert readings(result) == [COMMON] * 12


def test_two_of_three_beyond_two_sigma_marks_those_two_and_not_the_third():
    # Sum 5 x 10 + 5 x 12 + 17 + 17 = 144, mean 12 exactly, so the 12s break every run.
    # Moving ranges: nine 2s, 5, 0 = 23, mean 23 / 11 = 2.0909; limits 12 -/+ 5.5618 = 6.44 and 17.56.
    # Two sigma = 2 x 2.0909 / 1.128 = 3.7073 -> 8.29 to 15.71: both 17s are beyond, inside the limits.
    # The window (12, 17, 17) has two beyond on the high side: the 17s are marked, the 12 is not.
    result = chart([10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 17, 17])
    assert readings(result) == [COMMON] * 10 + [marked(Rule.TWO_OF_THREE, Side.HIGH, Signal.IMPROVEMENT)] * 2
    assert result.variation is Variation.IMPROVING_HIGH
    assert result.signal_since == month(10)


# Direction


@pytest.mark.parametrize(
    ("direction", "high", "low", "variation"),
    [
        (HIGHER, Signal.IMPROVEMENT, Signal.CONCERN, Variation.IMPROVING_HIGH),
        (LOWER, Signal.CONCERN, Signal.IMPROVEMENT, Variation.CONCERNING_HIGH),
        (NEUTRAL, Signal.NEITHER, Signal.NEITHER, Variation.NEITHER_HIGH),
    ],
)
def test_the_same_rise_reads_by_the_direction_of_good(direction, high, low, variation):
    result = chart(STEP_UP, direction)
    assert [point.signal for point in result.points] == [low] * 7 + [high] * 7
    assert [point.side for point in result.points] == [Side.LOW] * 7 + [Side.HIGH] * 7
    assert result.variation is variation


@pytest.mark.parametrize(
    ("direction", "variation"),
    [
        (HIGHER, Variation.CONCERNING_LOW),
        (LOWER, Variation.IMPROVING_LOW),
        (NEUTRAL, Variation.NEITHER_LOW),
    ],
)
def test_a_fall_at_the_latest_point_gives_the_low_icons(direction, variation):
    # STEP_UP mirrored (26 - value) ends with 7 points below its mean.
    assert chart([26 - value for value in STEP_UP], direction).variation is variation


# Assurance, against STEADY's limits 2.89 to 11.11


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        (HIGHER, 2, Assurance.CONSISTENTLY_MEETS),  # the whole process is above the target
        (HIGHER, 12, Assurance.CONSISTENTLY_FAILS),  # the whole process is below it
        (HIGHER, 7, Assurance.HIT_AND_MISS),  # the target lies inside the limits
        (LOWER, 12, Assurance.CONSISTENTLY_MEETS),
        (LOWER, 2, Assurance.CONSISTENTLY_FAILS),
        (LOWER, 7, Assurance.HIT_AND_MISS),
        (HIGHER, None, None),  # no target
        (NEUTRAL, 2, None),  # no direction of good
    ],
)
def test_assurance_compares_the_target_with_the_limits(direction, target, assurance):
    result = chart(STEADY, direction, target)
    assert result.assurance is assurance
    assert result.target == target


def test_assurance_uses_the_latest_segments_limits():
    # STEADY, then STEADY + 10 after a change point: limits 2.89 to 11.11, then 12.89 to 21.11.
    # A target of 12 (higher is better) is above the first segment and below the latest.
    result = chart(STEADY + [value + 10 for value in STEADY], HIGHER, 12, change_points=[month(12)])
    assert result.assurance is Assurance.CONSISTENTLY_MEETS


# Baselines and change points


def test_a_baseline_of_the_first_points_sets_the_limits_for_the_rest():
    # Limits from STEADY's 12 points (7, 2.89 to 11.11), extended over 7, 12, 7: the 12 is above.
    # Two sigma 9.74: the 12 is the only point beyond it. No run or trend among 8, 7, 12, 7.
    values = [*STEADY, 7, 12, 7]
    result = chart(values, baseline_points=12)
    limits = result.latest_limits
    assert {point.limits for point in result.points} == {limits}
    assert (limits.baseline_points, round(limits.mean, 2), round(limits.upper, 2)) == (12, 7.00, 11.11)
    assert readings(result) == [COMMON] * 13 + [
        marked(Rule.OUTSIDE_LIMITS, Side.HIGH, Signal.IMPROVEMENT),
        COMMON,
    ]
    # With every point in the baseline: mean 110 / 15 = 7.333, moving ranges (17 + 1 + 5 + 5) / 14 = 2,
    # upper limit 7.333 + 2.66 x 2 = 12.65, and the 12 is inside.
    everything = chart(values)
    assert round(everything.latest_limits.upper, 2) == 12.65
    assert Rule.OUTSIDE_LIMITS not in everything.points[13].rules


def test_a_change_point_starts_new_limits_from_its_own_points():
    # Segment 1 is STEADY (mean 7, limits 2.89 to 11.11); segment 2 is STEADY + 10 (mean 17, the
    # same moving ranges, limits 12.89 to 21.11). The jump 8 -> 15 is a moving range of neither.
    values = STEADY + [value + 10 for value in STEADY]
    ignored = [date(2030, 1, 1), month(0)]  # not in the series; at the first point
    result = chart(values, change_points=[month(12), *ignored])
    first, second = result.points[0].limits, result.points[12].limits
    assert {point.limits for point in result.points[:12]} == {first}
    assert {point.limits for point in result.points[12:]} == {second}
    assert (first.first_month, round(first.mean, 2), round(first.lower, 2), round(first.upper, 2)) == (
        month(0),
        7.00,
        2.89,
        11.11,
    )
    assert (second.first_month, round(second.mean, 2), round(second.lower, 2), round(second.upper, 2)) == (
        month(12),
        17.00,
        12.89,
        21.11,
    )
    assert round(second.mean_moving_range, 4) == round(17 / 11, 4)
    assert result.points[12].moving_range is None
    assert readings(result) == [COMMON] * 24
    # Without it, the mean is 288 / 24 = 12 and each half is a 12-point shift (the moving ranges,
    # (17 + 7 + 17) / 23 = 1.7826, give limits 7.26 and 16.74, so some points are outside them too).
    whole = chart(values)
    assert all(Rule.SHIFT in point.rules for point in whole.points)
    assert [point.side for point in whole.points] == [Side.LOW] * 12 + [Side.HIGH] * 12


def test_a_baseline_counts_from_the_start_of_each_segment():
    # First 6 points of each segment: 5,7,6,8,7,9 -> mean 42 / 6 = 7, moving ranges 2,1,2,1,2 = 8 / 5 = 1.6,
    # limits 7 -/+ 4.256 = 2.744 and 11.256; and 15,17,16,18,17,19 -> mean 17, limits 12.744 and 21.256.
    result = chart(STEADY + [value + 10 for value in STEADY], change_points=[month(12)], baseline_points=6)
    first, second = result.points[0].limits, result.points[-1].limits
    assert (first.baseline_points, first.mean, round(first.mean_moving_range, 3)) == (6, 7, 1.6)
    assert (round(first.lower, 3), round(first.upper, 3)) == (2.744, 11.256)
    assert (second.baseline_points, second.mean, round(second.lower, 3), round(second.upper, 3)) == (
        6,
        17,
        12.744,
        21.256,
    )


def test_a_change_point_at_a_suppressed_month_starts_at_the_next_known_point():
    result = chart([*STEADY, None, *STEADY], change_points=[month(12)])
    assert result.points[12].month == month(13)
    assert result.points[12].limits.first_month == month(13)
    assert result.points[11].limits is not result.points[12].limits


# Missing months and too few points


def test_missing_months_are_left_out_and_the_moving_range_spans_the_gap():
    # STEADY with a gap after its sixth point (9): the moving range 9 -> 6 is still 3, so the
    # limits are STEADY's (mean 7, moving range 17 / 11).
    result = chart([*STEADY[:6], None, *STEADY[6:]])
    assert [point.month for point in result.points] == [month(i) for i in range(13) if i != 6]
    assert result.points[6].moving_range == 3
    limits = result.latest_limits
    assert (limits.mean, round(limits.mean_moving_range, 4)) == (7, round(17 / 11, 4))


def test_eleven_known_points_are_too_few_to_say_anything():
    # The outside-limits series with one month missing: the 30 would be above its limits
    # (mean 142 / 11 = 12.909, moving ranges 50 / 10 = 5, upper 26.21), but 11 points say nothing.
    result = chart([10, 12, 10, 12, 10, 12, 30, 12, 10, 12, None, 12], HIGHER, target=5)
    assert not result.enough_points
    assert len(result.points) == 11
    assert readings(result) == [COMMON] * 11
    assert round(result.latest_limits.upper, 2) == 26.21
    assert (result.variation, result.assurance, result.signal_since) == (Variation.TOO_FEW_POINTS, None, None)


def test_a_single_point_has_limits_on_itself_and_no_points_have_none():
    single = chart([5])
    assert (single.latest_limits.mean, single.latest_limits.lower, single.latest_limits.upper) == (5, 5, 5)
    empty = chart([None, None])
    assert (empty.points, empty.latest_limits, empty.variation) == ((), None, Variation.TOO_FEW_POINTS)


def test_the_min_points_setting_is_respected():
    assert chart(STEP_UP[:10], config=SpcConfig(min_points=10)).enough_points
    assert not chart(STEP_UP[:10]).enough_points


def test_a_series_out_of_month_order_or_a_one_point_baseline_is_refused():
    with pytest.raises(ValueError, match="month order"):
        xmr([(month(1), 1.0), (month(0), 2.0)], HIGHER)
    with pytest.raises(ValueError, match="month order"):
        xmr([(month(0), 1.0), (month(0), 2.0)], HIGHER)
    with pytest.raises(ValueError, match="at least 2"):
        chart(STEADY, baseline_points=1)


# spc_for: the adapter from an assessment


def _kpi(unit: Unit, timing: Timing, direction: Direction = HIGHER) -> Kpi:
    return Kpi(
        id="test_kpi",
        title="Test KPI",
        dataset="test",
        definition="A KPI for tests.",
        unit=unit,
        direction=direction,
        timing=timing,
        numerator="n",
        denominator="d" if unit is Unit.PERCENT else None,
    )


def _assessment(kpi: Kpi, target: float | None) -> Assessment:
    # STEADY's 12 values, with a suppressed month after the third and a month with nothing to
    # divide by (value None, not suppressed) after the ninth: 14 months, 12 known points.
    values: list[float | str | None] = [*STEADY[:3], "suppressed", *STEADY[3:9], None, *STEADY[9:]]
    figures = tuple(
        Figure(Period(PeriodKind.MONTH, month(i)), None, None, None, None, suppressed=True)
        if value == "suppressed"
        else Figure(Period(PeriodKind.MONTH, month(i)), value, None, None)
        for i, value in enumerate(values)
    )
    result = KpiResult(
        kpi=kpi, current=figures[-1], previous=figures[-2], last_year=figures[0], series=figures
    )
    in_force = TargetInForce(target, 0.0, FIRST_MONTH, False) if target is not None else None
    return Assessment(result=result, target=in_force)


def test_spc_for_leaves_out_suppressed_and_empty_months():
    result = spc_for(_assessment(_kpi(Unit.PERCENT, Timing.FLOW), None))
    assert [point.month for point in result.points] == [month(i) for i in range(14) if i not in (3, 10)]
    assert [point.value for point in result.points] == STEADY
    assert result.enough_points
    assert result.assurance is None


@pytest.mark.parametrize(
    ("unit", "timing", "assurance"),
    [
        (Unit.PERCENT, Timing.FLOW, Assurance.CONSISTENTLY_MEETS),  # a month's % is read against the target
        (Unit.COUNT, Timing.STOCK, Assurance.CONSISTENTLY_MEETS),  # so is a month-end stock
        (Unit.COUNT, Timing.FLOW, None),  # a flow count's target is for the period's total
    ],
)
def test_spc_for_passes_the_target_only_where_a_month_can_meet_it(unit, timing, assurance):
    # STEADY's limits are 2.89 to 11.11; the target 2 is below them.
    result = spc_for(_assessment(_kpi(unit, timing), 2.0))
    assert result.assurance is assurance
    assert result.target == (2.0 if assurance else None)
    assert result.variation is Variation.COMMON_CAUSE


def test_spc_for_reads_no_target_for_a_kpi_of_distinct_children():
    # "Children missing more than once" counts each child once over the period: a month's share
    # is a smaller measure than the year's the target is set for.
    kpi = get_kpi("missing_repeat")
    assert kpi.unit is Unit.PERCENT and kpi.distinct_children
    result = spc_for(_assessment(kpi, 2.0))
    assert result.assurance is None and result.target is None
    assert spc_for(_assessment(get_kpi("re_referral_12m"), 2.0)).assurance is not None


def test_spc_for_uses_the_config_given():
    result = spc_for(_assessment(_kpi(Unit.PERCENT, Timing.FLOW), None), SpcConfig(min_points=13))
    assert result.variation is Variation.TOO_FEW_POINTS


# Published worked examples

# Montgomery and Runger, Table 16-3: chemical process concentration, one observation an hour.
CONCENTRATION = [
    102.0,
    94.8,
    98.3,
    98.4,
    102.0,
    98.5,
    99.0,
    97.7,
    100.0,
    98.1,
    101.3,
    98.7,
    101.1,
    98.4,
    97.0,
    96.7,
    100.3,
    101.4,
    97.2,
    101.0,
]

# SAS/QC, Example 9.4: diameters of the steel belts of 30 tires.
TIRE_DIAMETERS = [
    24.05,
    23.99,
    23.95,
    23.93,
    23.97,
    24.02,
    24.06,
    24.10,
    23.98,
    24.03,
    23.91,
    24.06,
    24.06,
    23.96,
    23.98,
    24.06,
    24.01,
    24.00,
    23.93,
    23.92,
    24.09,
    24.11,
    24.05,
    23.98,
    23.98,
    24.06,
    24.02,
    24.06,
    23.97,
    23.96,
]


def test_published_example_montgomery_and_runger_concentration():
    """D. C. Montgomery and G. C. Runger, "Applied Statistics and Probability for Engineers", chapter 16
    "Statistical Quality Control", section 16-6 "Control Charts for Individual Measurements",
    Example 16-2 and Table 16-3 "Chemical Process Concentration Measurements" (pages 616-617), as
    reproduced at https://issuhub.com/view/index?id=5218&pageIndex=733 (Table 16-3 and results) and
    pageIndex=732 (the example's text).

    The source gives x-bar = 99.1, mr-bar = 2.59, UCL = 105.99, LCL = 92.21, and finds "no
    indication of an out-of-control condition". It uses 3 / 1.128 (2.6596) where Making Data Count
    uses 2.66, and works its limits from the rounded mean and moving range:
    99.1 + 3 x 2.59 / 1.128 = 105.988 -> 105.99 and 99.1 - 6.888 = 92.212 -> 92.21.
    Unrounded (99.095 and 2.5895) with 2.66: 92.207 -> 92.21, which matches, and 105.983 -> 105.98,
    one unit in the last place below the published 105.99 - the source's rounding, not ours.
    """
    result = chart(CONCENTRATION, NEUTRAL)
    limits = result.latest_limits
    assert round(limits.mean, 1) == 99.1
    assert round(limits.mean_moving_range, 2) == 2.59
    assert round(limits.lower, 2) == 92.21
    assert limits.upper == pytest.approx(105.99, abs=0.01)
    # Our mean and moving range, rounded as the source rounds them, give its upper limit exactly.
    assert round(round(limits.mean, 1) + 3 * round(limits.mean_moving_range, 2) / 1.128, 2) == 105.99
    assert not any(Rule.OUTSIDE_LIMITS in point.rules for point in result.points)
    assert result.variation is Variation.COMMON_CAUSE  # no run, trend or 2-of-3 either


def test_published_example_sas_tire_diameters():
    """SAS/QC User's Guide, "Example 9.4 Displaying Individual Measurements on an EWMA Chart",
    Output 9.4.1 "Listing of the Data Set Tlimits" (the IRCHART limits of the data set TIRES),
    https://support.sas.com/documentation/cdl/en/qcug/63964/HTML/default/qcug_macontrol_a0000000363.htm

    The source gives _MEAN_ 24.0083, _R_ (mean moving range) 0.056897, _STDDEV_ 0.050423,
    _LCLI_ 23.8571, _UCLI_ 24.1596. Our mean and mean moving range match to every digit given.
    SAS's limits are 3 sigma with sigma = R / d2 and d2 = 2 / sqrt(pi) = 1.128379 (so 2.6587 x R);
    from our numbers that gives its limits exactly. Ours use 2.66 x R (23.85699 and 24.15968), which
    agree with the published limits to 3 decimals and differ in the 4th by the constant alone:
    (2.66 - 2.6587) x 0.0569 = 0.00008.
    """
    limits = chart(TIRE_DIAMETERS, NEUTRAL).latest_limits
    assert round(limits.mean, 4) == 24.0083
    assert round(limits.mean_moving_range, 6) == 0.056897
    sas_sigma = limits.mean_moving_range / (2 / math.sqrt(math.pi))
    assert round(sas_sigma, 6) == 0.050423
    sas_limits = (round(limits.mean - 3 * sas_sigma, 4), round(limits.mean + 3 * sas_sigma, 4))
    assert sas_limits == (23.8571, 24.1596)
    assert (round(limits.lower, 3), round(limits.upper, 3)) == (23.857, 24.160)
