"""Reporting periods: month, quarter, financial year (April to March), rolling 12 months and the
rolling 6 months of the six-monthly exception report.

The only place that turns a period into dates. Every period is a whole number of calendar
months, so flows sum monthly figures and stocks read the last month's snapshot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    FINANCIAL_YEAR = "financial_year"
    ROLLING_12 = "rolling_12"
    ROLLING_6 = "rolling_6"  # "6 months to": the exception report's half-year


_LENGTH = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.FINANCIAL_YEAR: 12,
    PeriodKind.ROLLING_12: 12,
    PeriodKind.ROLLING_6: 6,
}
_ROLLING_PREFIX = {PeriodKind.ROLLING_12: "R12-", PeriodKind.ROLLING_6: "R6-"}
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@lru_cache(maxsize=4096)
def _month_starts(first_month: date, months: int) -> tuple[date, ...]:
    # Cached: the engine asks for the months of the same few dozen periods for every figure it works out.
    return tuple(add_months(first_month, i) for i in range(months))


def month_end(first_of_month: date) -> date:
    return date.fromordinal(add_months(first_of_month, 1).toordinal() - 1)


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year containing `day` starts."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """A run of whole months: `first_month` is the 1st of its first month."""

    kind: PeriodKind
    first_month: date

    @property
    def months(self) -> int:
        return _LENGTH[self.kind]

    @property
    def last_month(self) -> date:
        return add_months(self.first_month, self.months - 1)

    @property
    def start(self) -> date:
        return self.first_month

    @property
    def end(self) -> date:
        """The last day: stock measures count what is open at its end."""
        return month_end(self.last_month)

    def month_starts(self) -> tuple[date, ...]:
        return _month_starts(self.first_month, self.months)

    def shifted(self, months: int) -> Period:
        return Period(self.kind, add_months(self.first_month, months))

    def previous(self) -> Period:
        """The previous period of the same kind. A rolling year steps back one month, as a
        monthly-refreshed rolling figure does; the other kinds (the rolling 6 months too: a
        half-year is compared with the half-year before it) step back their own length."""
        step = 1 if self.kind is PeriodKind.ROLLING_12 else self.months
        return self.shifted(-step)

    def same_period_last_year(self) -> Period:
        return self.shifted(-12)

    @property
    def financial_year_start(self) -> int:
        """The financial year the period ends in: it picks the population and the benchmark year."""
        return financial_year_start(self.last_month)

    @property
    def code(self) -> str:
        """A stable text form, used in URLs and the CLI; `parse_period` reads it back."""
        if self.kind is PeriodKind.MONTH:
            return self.first_month.strftime("%Y-%m")
        if self.kind is PeriodKind.QUARTER:
            fy = financial_year_start(self.first_month)
            return f"{fy}-{(fy + 1) % 100:02d}-Q{(self.first_month.month - 4) % 12 // 3 + 1}"
        if self.kind is PeriodKind.FINANCIAL_YEAR:
            return f"{self.first_month.year}-{(self.first_month.year + 1) % 100:02d}"
        return _ROLLING_PREFIX[self.kind] + self.last_month.strftime("%Y-%m")

    @property
    def is_rolling(self) -> bool:
        """The months to a month (12 or 6), rather than a calendar month, quarter or year."""
        return self.kind in _ROLLING_PREFIX

    @property
    def short_label(self) -> str:
        """The label without the months of a rolling period spelled out, for tight spaces."""
        if self.is_rolling:
            last = self.last_month
            return f"{self.months} months to {_MONTH_NAMES[last.month - 1][:3]} {last.year}"
        return self.label

    @property
    def label(self) -> str:
        """How the period is written for people."""
        last = self.last_month
        if self.kind is PeriodKind.MONTH:
            return f"{_MONTH_NAMES[last.month - 1]} {last.year}"
        if self.kind is PeriodKind.QUARTER:
            quarter = (self.first_month.month - 4) % 12 // 3 + 1
            return f"Q{quarter} {financial_year_label(financial_year_start(self.first_month))}"
        if self.kind is PeriodKind.FINANCIAL_YEAR:
            return financial_year_label(self.first_month.year)
        first, last_name = self.first_month, _MONTH_NAMES[last.month - 1]
        return (
            f"{self.months} months to {last_name} {last.year} "
            f"({_MONTH_NAMES[first.month - 1][:3]} {first.year} to {last_name[:3]} {last.year})"
        )


def month(year: int, month_number: int) -> Period:
    return Period(PeriodKind.MONTH, date(year, month_number, 1))


def quarter(fy_start_year: int, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise ValueError(f"a quarter is 1 to 4, not {number}")
    return Period(PeriodKind.QUARTER, add_months(date(fy_start_year, 4, 1), 3 * (number - 1)))


def financial_year(start_year: int) -> Period:
    return Period(PeriodKind.FINANCIAL_YEAR, date(start_year, 4, 1))


def rolling_12(last_month: date) -> Period:
    return Period(PeriodKind.ROLLING_12, add_months(month_start(last_month), -11))


def rolling_6(last_month: date) -> Period:
    return Period(PeriodKind.ROLLING_6, add_months(month_start(last_month), -5))


def period_ending(kind: PeriodKind, day: date) -> Period:
    """The period of `kind` that contains `day` (for rolling periods, the one ending in its month)."""
    first = month_start(day)
    if kind is PeriodKind.MONTH:
        return Period(kind, first)
    if kind is PeriodKind.ROLLING_12:
        return rolling_12(first)
    if kind is PeriodKind.ROLLING_6:
        return rolling_6(first)
    fy = financial_year_start(first)
    if kind is PeriodKind.FINANCIAL_YEAR:
        return financial_year(fy)
    return quarter(fy, (first.month - 4) % 12 // 3 + 1)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[-/](\d{2})[- ]?Q([1-4])$", re.IGNORECASE)
_ROLLING = re.compile(r"^R12[- ](\d{4})-(\d{2})$", re.IGNORECASE)
_ROLLING_6 = re.compile(r"^R6[- ](\d{4})-(\d{2})$", re.IGNORECASE)
_FINANCIAL_YEAR = re.compile(r"^(\d{4})[-/](\d{2})$")


def _financial_year_start_of(found: re.Match) -> int | None:
    start = int(found[1])
    return start if (start + 1) % 100 == int(found[2]) else None


def parse_period(text: str) -> Period:
    """'2024-06' (month), '2024-25-Q1' (quarter), '2024-25' or '2024/25' (financial year),
    'R12-2025-03' (the 12 months to March 2025), 'R6-2025-03' (the 6 months to March 2025)."""
    cleaned = text.strip()
    if (found := _QUARTER.match(cleaned)) and (fy := _financial_year_start_of(found)) is not None:
        return quarter(fy, int(found[3]))
    if (found := _ROLLING.match(cleaned)) and 1 <= int(found[2]) <= 12:
        return rolling_12(date(int(found[1]), int(found[2]), 1))
    if (found := _ROLLING_6.match(cleaned)) and 1 <= int(found[2]) <= 12:
        return rolling_6(date(int(found[1]), int(found[2]), 1))
    if (found := _FINANCIAL_YEAR.match(cleaned)) and (fy := _financial_year_start_of(found)) is not None:
        return financial_year(fy)
    if (found := _MONTH.match(cleaned)) and 1 <= int(found[2]) <= 12:
        return month(int(found[1]), int(found[2]))
    raise ValueError(
        f"'{text}' is not a period: use 2024-06 (a month), 2024-25-Q1 (a quarter), "
        "2024-25 (a financial year), R12-2025-03 (the 12 months to a month) "
        "or R6-2025-03 (the 6 months to a month)"
    )
