"""Periods at their edges: financial year ends, quarters, leap years, rolling years and half-years."""

from __future__ import annotations

from datetime import date

import pytest

from warehouse.kpis.periods import (
    PeriodKind,
    financial_year,
    month,
    parse_period,
    period_ending,
    quarter,
    rolling_6,
    rolling_12,
)


def test_financial_year_runs_april_to_march():
    fy = parse_period("2024-25")
    assert (fy.start, fy.end, fy.label, fy.code) == (
        date(2024, 4, 1),
        date(2025, 3, 31),
        "2024/25",
        "2024-25",
    )
    assert parse_period("2024/25") == fy
    assert fy.previous() == financial_year(2023) == fy.same_period_last_year()


def test_quarters_are_financial_quarters():
    q4 = parse_period("2023-24-Q4")
    assert (q4.start, q4.end, q4.label) == (date(2024, 1, 1), date(2024, 3, 31), "Q4 2023/24")
    assert q4.previous() == quarter(2023, 3)
    assert q4.same_period_last_year() == quarter(2022, 4)
    assert quarter(2024, 1).previous() == quarter(2023, 4)


def test_month_ends_know_leap_years():
    assert month(2024, 2).end == date(2024, 2, 29)
    assert month(2025, 2).end == date(2025, 2, 28)
    assert month(2024, 1).previous() == month(2023, 12)


def test_rolling_year_ends_at_a_month_and_steps_back_one_month():
    rolling = parse_period("R12-2025-03")
    assert (rolling.start, rolling.end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert rolling.previous() == rolling_12(date(2025, 2, 1))
    assert rolling.same_period_last_year() == rolling_12(date(2024, 3, 1))
    assert rolling.financial_year_start == 2024


def test_six_months_to_a_month_step_back_a_whole_half_year():
    half = parse_period("R6-2025-03")
    assert (half.kind, half.months) == (PeriodKind.ROLLING_6, 6)
    assert (half.start, half.end) == (date(2024, 10, 1), date(2025, 3, 31))
    assert half.code == "R6-2025-03" and parse_period(half.code) == half == rolling_6(date(2025, 3, 1))
    assert half.label == "6 months to March 2025 (Oct 2024 to Mar 2025)"
    assert half.short_label == "6 months to Mar 2025"
    # The half-year before, not the rolling half-year a month earlier.
    assert half.previous() == rolling_6(date(2024, 9, 1))
    assert (half.previous().start, half.previous().end) == (date(2024, 4, 1), date(2024, 9, 30))
    assert half.same_period_last_year() == rolling_6(date(2024, 3, 1))
    assert half.financial_year_start == 2024  # it ends in 2024/25


def test_six_months_across_a_year_end_and_a_leap_february():
    half = parse_period("r6 2024-02")
    assert (half.start, half.end) == (date(2023, 9, 1), date(2024, 2, 29))
    assert half.label == "6 months to February 2024 (Sep 2023 to Feb 2024)"
    assert half.previous().code == "R6-2023-08"
    assert period_ending(PeriodKind.ROLLING_6, date(2024, 2, 10)) == half


def test_period_containing_a_day():
    day = date(2025, 1, 15)
    assert period_ending(PeriodKind.QUARTER, day) == quarter(2024, 4)  # January is Q4
    assert period_ending(PeriodKind.FINANCIAL_YEAR, day) == financial_year(2024)
    assert period_ending(PeriodKind.ROLLING_12, day).start == date(2024, 2, 1)


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-26", "2024-25-Q5", "R12-2025-00", "R6-2025-13", "R3-2025-03", "last year"]
)
def test_unreadable_periods_say_what_to_write(text):
    with pytest.raises(ValueError, match="use 2024-06 \\(a month\\)"):
        parse_period(text)


def test_the_error_names_the_six_month_form():
    with pytest.raises(ValueError, match="R6-2025-03 \\(the 6 months to a month\\)"):
        parse_period("half a year")
