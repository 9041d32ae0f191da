"""A change is worked out from the two figures as they are written, so its size, its arrow and its
word never disagree with the figures beside it. Every expected value below is worked by hand."""

from __future__ import annotations

import pytest

from warehouse.kpis.engine import Change, Figure
from warehouse.kpis.formatting import change_arrow, format_change, shown_change, shown_value
from warehouse.kpis.periods import quarter
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.scorecard import Travel, direction_of_travel, travel

Q2, Q1 = quarter(2025, 2), quarter(2025, 1)
CP_REPEAT = get_kpi("cp_repeat")  # a percentage, lower is better
ICPC_15WD = get_kpi("icpc_15wd")  # a percentage, higher is better


def _change(kpi_id: str, now: float | None, before: float | None) -> Change:
    return shown_change(get_kpi(kpi_id), Figure(Q2, now, None, None), Figure(Q1, before, None, None))


def test_equal_shown_percentages_are_no_change_however_they_differ_unrounded():
    # 3.14% and 3.11% are both written 3.1%: no change, 0.0%, whatever 0.03 / 3.11 is.
    change = _change("cp_repeat", 3.14, 3.11)
    assert change == Change(0.0, 0.0)
    assert format_change(CP_REPEAT, change) == "0.0 points (0.0%)"
    assert travel(CP_REPEAT, change) is Travel.NO_CHANGE
    assert change_arrow(change) == "▶"


def test_a_fall_too_small_to_show_is_no_change_and_never_minus_zero():
    # 3.11% on 3.14%: 3.1% on 3.1%. The unrounded -0.03 / 3.14 = -1.0% used to be shown.
    change = _change("cp_repeat", 3.11, 3.14)
    assert format_change(CP_REPEAT, change) == "0.0 points (0.0%)"
    assert travel(CP_REPEAT, change) is Travel.NO_CHANGE


def test_a_change_is_the_difference_of_the_shown_figures():
    # 3.16% on 3.11% is written 3.2% on 3.1%: +0.1 points, and 0.1 / 3.1 = +3.2258...%, so +3.2%;
    # the unrounded 0.05 / 3.11 (+1.6%) is not what the reader can check.
    change = _change("cp_repeat", 3.16, 3.11)
    assert change.absolute == 0.1
    assert change.percent == pytest.approx(0.1 / 3.1 * 100)
    assert format_change(CP_REPEAT, change) == "+0.1 points (+3.2%)"
    assert travel(CP_REPEAT, change) is Travel.WORSENING  # lower is better
    assert change_arrow(change) == "▲"


def test_two_figures_a_hair_apart_can_show_a_whole_step():
    # 3.14% on 3.06%: 3.1% on 3.1%, no change (the unrounded +0.08 rounds to +0.1, "worse").
    change = _change("icpc_15wd", 3.14, 3.06)
    assert (format_change(ICPC_15WD, change), travel(ICPC_15WD, change)) == (
        "0.0 points (0.0%)",
        Travel.NO_CHANGE,
    )
    # 3.16% on 3.14% is 3.2% on 3.1%: +0.1 points, 0.1 / 3.1 = +3.2%, better (higher is better).
    assert shown_value(ICPC_15WD, 3.16) == 3.2 and shown_value(ICPC_15WD, 3.14) == 3.1
    rising = _change("icpc_15wd", 3.16, 3.14)
    assert (format_change(ICPC_15WD, rising), travel(ICPC_15WD, rising)) == (
        "+0.1 points (+3.2%)",
        Travel.IMPROVING,
    )


def test_counts_and_ratios_change_by_their_shown_figures():
    # A count is written whole: 1,004.4 on 1,003.6 is 1,004 on 1,004.
    assert format_change(get_kpi("referrals"), _change("referrals", 1004.4, 1003.6)) == "0 (0.0%)"
    # -1 on 5,000 is -0.02%: the relative change keeps the absolute's sign, "-0.0%".
    assert format_change(get_kpi("referrals"), _change("referrals", 4999, 5000)) == "-1 (-0.0%)"
    # Episodes per missing child to two decimals: 2.214 on 2.006 is 2.21 on 2.01, +0.20 (+9.95...%).
    change = _change("missing_per_child", 2.214, 2.006)
    assert format_change(get_kpi("missing_per_child"), change) == "+0.20 (+10.0%)"


def test_a_share_kpis_change_is_of_its_total_count():
    # cp_category's headline is its count of plans, written whole, so its change is in plans.
    assert format_change(get_kpi("cp_category"), _change("cp_category", 120, 100)) == "+20 (+20.0%)"


def test_no_value_or_a_zero_base_has_no_comparison_or_no_relative_change():
    missing = _change("cp_repeat", 3.1, None)
    assert (missing, format_change(CP_REPEAT, missing), change_arrow(missing)) == (
        Change(None, None),
        "n/a",
        "–",
    )
    assert travel(CP_REPEAT, missing) is Travel.NO_COMPARISON
    # 0.04% is written 0.0%: from a base shown as 0 there is no relative change.
    assert format_change(CP_REPEAT, _change("cp_repeat", 2.0, 0.04)) == "+2.0 points (n/a)"


def test_the_scorecard_travel_is_the_same_decision():
    latest, before = Figure(Q2, 3.14, None, None), Figure(Q1, 3.06, None, None)
    assert direction_of_travel(CP_REPEAT, latest, before) == (Travel.NO_CHANGE, Change(0.0, 0.0))


def test_a_stocks_period_is_when_it_was_open_and_a_flows_is_the_period():
    from datetime import date

    from warehouse.kpis.formatting import figure_period_label
    from warehouse.kpis.periods import rolling_12

    to_november = rolling_12(date(2026, 11, 1))
    # children on a plan are counted at the end of the period; referrals over the whole of it
    assert figure_period_label(get_kpi("cp_open"), to_november) == "at the end of November 2026"
    assert figure_period_label(get_kpi("referrals"), to_november) == (
        "12 months to November 2026 (Dec 2025 to Nov 2026)"
    )
    # a quarter or a year is named as it is: its end is its last day
    assert figure_period_label(get_kpi("cp_open"), quarter(2026, 2)) == "at the end of Q2 2026/27"
