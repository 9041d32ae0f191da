"""The years an annual report can be made for: every complete financial year the data covers, and
the current one to date, whose KPIs are read for the latest 12 months the data covers."""

from __future__ import annotations

from datetime import date

from warehouse.annual_report import default_year, report_years
from warehouse.kpis.periods import PeriodKind


def test_a_year_not_over_is_offered_to_date_and_the_latest_complete_one_is_the_default():
    # Data from May 2023 to October 2026: 2023/24 lacks April, so it is not offered whole.
    years = report_years(date(2023, 5, 1), date(2026, 10, 1), today=date(2026, 12, 3))
    assert [y.label for y in years] == [
        "2026/27 to date (1 April 2026 to 3 December 2026)",
        "2025/26",
        "2024/25",
    ]
    assert [y.code for y in years] == ["2027", "2026", "2025"]
    to_date, latest = years[0], years[1]
    assert not to_date.complete and to_date.kpi_period.kind is PeriodKind.ROLLING_12
    assert to_date.kpi_period.code == "R12-2026-10"  # November 2025 to October 2026
    assert to_date.kpi_words.startswith("the 12 months to October 2026 (Nov 2025 to Oct 2026), the latest")
    assert (to_date.start, to_date.to) == (date(2026, 4, 1), date(2026, 12, 3))
    assert latest.complete and latest.kpi_period.code == "2025-26"
    assert latest.kpi_words == "the financial year 2025/26, against 2024/25"
    assert (latest.start, latest.to) == (date(2025, 4, 1), date(2026, 3, 31))
    assert default_year(years) is latest


def test_data_to_a_march_offers_that_year_whole_and_data_of_a_few_months_only_to_date():
    whole = report_years(date(2024, 4, 1), date(2026, 3, 1), today=date(2026, 4, 2))
    assert [y.label for y in whole] == ["2025/26", "2024/25"]
    few = report_years(date(2026, 4, 1), date(2026, 6, 1), today=date(2026, 7, 10))
    assert [y.label for y in few] == ["2026/27 to date (1 April 2026 to 10 July 2026)"]
    assert default_year(few) is few[0]
