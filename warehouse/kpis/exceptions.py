"""The six-monthly exception report: the KPIs of one LA that a board should look at, and why.

A KPI (every KPI but the share breakdowns; where a partnership's `[board]` chooses its executive set
or scorecard, the KPIs it puts before the board: Model.report_kpis) is an exception for one or more
of three reasons:

(a) Off target: its RAG against the target in force is red.
(b) Worsened: it moved against its direction of good, on the previous period (for the default
    6 months, the 6 months before), by more than a threshold. Percentages are judged in
    percentage points (default 3 points), because a relative change of a percentage says little
    (2% to 3% is +50%); counts, rates and ratios by their relative change (default 10%). The
    change is judged as it is shown, to one decimal place, so a "-3.0 points" never exceeds a
    3-point threshold. A relative change from a base of 0 has no size, so it never triggers.
(c) Outside its statistical neighbours: the LA's comparable value (the rate per 10,000 where the
    benchmark is a rate, `Assessment.yearly_value`) is below the lowest or above the highest
    published neighbour value of the latest published year. Published figures are for a year:
    a count or rate of events over a shorter period is annualised (x 12 / months) before it is
    compared, while percentages and ratios of events, and stocks (open at the period end), are
    compared as they are. Counts of distinct children over less than a year cannot be scaled to a
    year (a child missing in both halves would count twice), so those KPIs are not compared.

Neutral (context) KPIs have no target and no direction of good, so only (c) applies to them.
A suppressed figure carries no numbers: it never triggers anything, and no reason shows a value.
Figures, targets and benchmarks all come from `assess`, so the report agrees with every card.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import duckdb
import pandas as pd

from warehouse.kpis.assessment import UNCACHED, Assessment, FigureSources, TargetLookup, assess
from warehouse.kpis.engine import SERIES_MONTHS, Filters, KpiResult
from warehouse.kpis.formatting import format_change, format_figure, format_number, shown_change, shown_unit
from warehouse.kpis.model import Direction, Kpi, Unit
from warehouse.kpis.periods import Period, rolling_6
from warehouse.kpis.published import published_year_label
from warehouse.kpis.rag import Rag
from warehouse.kpis.scorecard import Travel, travel
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import active_model
from warehouse.queries import run

REPORT_KPIS: tuple[str, ...] = active_model().report_kpis


class Rule(StrEnum):
    OFF_TARGET = "off_target"
    WORSENED = "worsened"
    OUTSIDE_NEIGHBOURS = "outside_neighbours"


# Each rule in a few words: the report's list of its exceptions says why each KPI is one.
RULE_LABELS = {
    Rule.OFF_TARGET: "off target",
    Rule.WORSENED: "worse than the previous period",
    Rule.OUTSIDE_NEIGHBOURS: "outside its statistical neighbours' range",
}


@dataclass(frozen=True)
class Thresholds:
    """How far a KPI may move against its direction of good before it is an exception."""

    relative_percent: float = 10.0  # counts, rates and ratios
    percentage_points: float = 3.0  # percentages


@dataclass(frozen=True)
class Reason:
    rule: Rule
    words: str


@dataclass(frozen=True)
class KpiException:
    assessment: Assessment
    reasons: tuple[Reason, ...]

    @property
    def kpi(self) -> Kpi:
        return self.assessment.kpi


@dataclass(frozen=True)
class ExceptionReport:
    filters: Filters  # exactly one LA
    period: Period
    thresholds: Thresholds
    assessed: tuple[Assessment, ...]  # every KPI looked at, exceptions or not
    exceptions: tuple[KpiException, ...]

    @property
    def la_code(self) -> str:
        return self.filters.la_codes[0]


def _beside_neighbours(kpi: Kpi, higher: bool) -> str:
    """Whether lying outside the range is good news, by the KPI's direction."""
    if kpi.direction is Direction.NEUTRAL:
        return ""
    better = higher == (kpi.direction is Direction.HIGHER_IS_BETTER)
    return f": {'better' if better else 'worse'} than every one of them"


def _off_target(assessment: Assessment) -> Reason | None:
    target, kpi = assessment.target, assessment.kpi
    if assessment.rag is not Rag.RED or target is None or kpi.direction is Direction.NEUTRAL:
        return None
    if assessment.result.current.suppressed:
        return None
    demo = " (demo target)" if target.is_demo else ""
    return Reason(
        Rule.OFF_TARGET,
        f"Off target: {format_figure(kpi, assessment.result.current)} against a target of "
        f"{format_number(target.value, kpi.unit)}{demo}, worse by more than the "
        f"{target.tolerance_percent:g}% tolerance.",
    )


def _worsened(result: KpiResult, thresholds: Thresholds) -> Reason | None:
    kpi = result.kpi
    change = shown_change(kpi, result.current, result.previous)
    # No comparison also when either is suppressed; neutral KPIs only go up or down.
    if change.absolute is None or travel(kpi, change) is not Travel.WORSENING:
        return None
    if shown_unit(kpi) is Unit.PERCENT:
        moved, limit, unit = change.absolute, thresholds.percentage_points, "-point"
    else:
        if change.percent is None:
            return None
        moved, limit, unit = change.percent, thresholds.relative_percent, "%"
    if round(abs(moved), 1) <= limit:
        return None
    previous = result.previous
    # A published figure's previous period is the year before, as its publisher writes it.
    label = published_year_label(kpi, previous.period) if kpi.is_published else previous.period.short_label
    return Reason(
        Rule.WORSENED,
        f"Worse than the previous period ({label}): "
        f"{format_figure(kpi, previous)} to {format_figure(kpi, result.current)}, "
        f"{format_change(kpi, change)}, more than the {limit:g}{unit} threshold.",
    )


def _outside_neighbours(assessment: Assessment) -> Reason | None:
    benchmark, value = assessment.benchmark, assessment.yearly_value
    if benchmark is None or value is None:
        return None
    lowest, highest = benchmark.neighbour_min, benchmark.neighbour_max
    if lowest is None or highest is None or lowest <= value <= highest:
        return None
    kpi = assessment.kpi

    def shown(number: float) -> str:
        return f"{number:.1f}" if benchmark.is_rate else format_number(number, kpi.unit)

    per = " per 10,000 children" if benchmark.is_rate else ""
    annualised = " a year (the period's figure annualised)" if value != assessment.compared_value else ""
    side = "above the highest" if value > highest else "below the lowest"
    return Reason(
        Rule.OUTSIDE_NEIGHBOURS,
        f"Outside its statistical neighbours' range: {shown(value)}{per}{annualised} is {side} "
        f"of the {benchmark.neighbours_published} published for {benchmark.financial_year} "
        f"({shown(lowest)} to {shown(highest)}{per})"
        f"{_beside_neighbours(kpi, value > highest)}.",
    )


def reasons_for(assessment: Assessment, thresholds: Thresholds = Thresholds()) -> tuple[Reason, ...]:
    """Why a KPI is an exception, in words; empty when it is not one."""
    found = (
        _off_target(assessment),
        _worsened(assessment.result, thresholds),
        _outside_neighbours(assessment),
    )
    return tuple(reason for reason in found if reason is not None)


def find_exceptions(
    assessments: list[Assessment], thresholds: Thresholds = Thresholds()
) -> tuple[KpiException, ...]:
    found = ((a, reasons_for(a, thresholds)) for a in assessments if not a.kpi.is_share)
    return tuple(KpiException(a, reasons) for a, reasons in found if reasons)


def report_period(con: duckdb.DuckDBPyConnection, la_code: str) -> Period:
    """The 6 months to the LA's latest complete month of data."""
    last = run(con, "data_months", la_codes=[la_code]).iloc[0]["last_month"]
    if pd.isna(last):
        raise ValueError(f"the warehouse holds no data for {la_code}")
    return rolling_6(last.date())


def exception_report(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    policy: SuppressionPolicy = SuppressionPolicy(),
    targets: TargetLookup | None = None,
    sources: FigureSources = UNCACHED,
    period: Period | None = None,
    thresholds: Thresholds = Thresholds(),
    series_months: int = SERIES_MONTHS,
) -> ExceptionReport:
    """Every exception for the one LA in `filters`, for `period` (default `report_period`).
    `series_months` sets the monthly series the assessments carry (by default the engine's two years and a month)."""
    if len(filters.la_codes) != 1:
        raise ValueError(f"an exception report is for one local authority, not {len(filters.la_codes)}")
    period = period or report_period(con, filters.la_codes[0])
    assessed = assess(
        con, REPORT_KPIS, period, filters, policy, targets, series_months=series_months, sources=sources
    )
    exceptions = find_exceptions(assessed, thresholds)
    return ExceptionReport(filters, period, thresholds, tuple(assessed), exceptions)
