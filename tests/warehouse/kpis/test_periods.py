"""Periods at their edges: financial year ends, quarters, leap years, rolling years."""

from __future__ import annotations

from datetime import date

import pytest

from warehouse.kpis.periods import PeriodKind, financial_year, month, parse_period, period_ending, quarter, rolling_12


def test_financial_year_runs_april_to_march():
    fy = parse_period("2024-25")
    assert (fy.start, fy.end, fy.label, fy.code) == (date(2024, 4, 1), date(2025, 3, 31), "2024/25", "2024-25")
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


def test_period_containing_a_day():
    day = date(2025, 1, 15)
    assert period_ending(PeriodKind.QUARTER, day) == quarter(2024, 4)  # January is Q4
    assert period_ending(PeriodKind.FINANCIAL_YEAR, day) == financial_year(2024)
    assert period_ending(PeriodKind.ROLLING_12, day).start == date(2024, 2, 1)


@pytest.mark.parametrize("text", ["2024-13", "2024-26", "2024-25-Q5", "R12-2025-00", "last year"])
def test_unreadable_periods_say_what_to_write(text):
    with pytest.raises(ValueError, match="use 2024-06 \\(a month\\)"):
        parse_period(text)
