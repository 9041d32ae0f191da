"""A KPI result judged: against its target (RAG) and beside its published benchmarks.

The engine gives the figures; this adds what an executive group reads them against. Targets
come from app state through a lookup function, so the warehouse does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from warehouse.benchmarks import benchmark_comparison
from warehouse.kpis.engine import SERIES_MONTHS, Figure, Filters, KpiResult, evaluate
from warehouse.kpis.formatting import shown_value
from warehouse.kpis.model import Direction, Kpi, Timing, Unit
from warehouse.kpis.periods import Period, PeriodKind, financial_year_label
from warehouse.kpis.rag import Rag, rag
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy


@dataclass(frozen=True)
class TargetInForce:
    value: float
    tolerance_percent: float
    effective_from: date
    is_demo: bool


MONTHS_PUBLISHED = 12  # every published benchmark is a year's figure
TargetLookup = Callable[[str, str, date], TargetInForce | None]
BenchmarkFinder = Callable[[duckdb.DuckDBPyConnection, Kpi, str, Period], "Benchmark | None"]
Evaluator = Callable[..., list[KpiResult]]  # `evaluate`'s signature


@dataclass(frozen=True)
class Benchmark:
    """Published figures for one year, for the KPI (or its rate per 10,000)."""

    financial_year: str
    is_rate: bool
    matches_period: bool  # False: the latest published year, shown for reference
    la_value: float | None
    la_status: str
    england: float | None
    region: float | None
    neighbour_mean: float | None
    neighbours_published: int
    rank: int | None  # 1 = best by the KPI's direction (highest first for neutral KPIs)
    group_size: int
    neighbour_min: float | None = None  # the lowest and highest published neighbour values
    neighbour_max: float | None = None


@dataclass(frozen=True)
class Assessment:
    result: KpiResult
    target: TargetInForce | None = None
    rag: Rag | None = None
    benchmark: Benchmark | None = None

    @property
    def kpi(self) -> Kpi:
        return self.result.kpi

    @property
    def compared_value(self) -> float | None:
        """The figure that sits beside the benchmark: the rate per 10,000 where there is one."""
        figure: Figure = self.result.current
        return figure.rate_per_10k if self.benchmark and self.benchmark.is_rate else figure.value

    @property
    def yearly_value(self) -> float | None:
        """The figure to set beside a year's published figures, or None if it cannot be: a count or
        rate of events over a shorter or longer period is annualised (x 12 / months); a stock, a
        percentage or a ratio is compared as it is. Distinct children over less than a year cannot
        be scaled to a year (a child counted in two quarters is one child in the year)."""
        value = self.compared_value
        kpi, months = self.kpi, self.result.current.period.months
        if value is None or self.result.current.suppressed:
            return None
        if kpi.timing is Timing.STOCK or months == MONTHS_PUBLISHED:
            return value
        if kpi.distinct_children:
            return None
        if kpi.unit is Unit.COUNT:
            return value * MONTHS_PUBLISHED / months
        return value

    @property
    def national_is_total(self) -> bool:
        return national_is_total(self.kpi, self.benchmark)


def counts_a_year(kpi: Kpi, benchmark: Benchmark) -> bool:
    """The published figure counts events over a year (a count, or a rate of events): shown as 'a
    year', beside a figure of any period."""
    return kpi.timing is Timing.FLOW and (benchmark.is_rate or kpi.unit is Unit.COUNT)


def national_is_total(kpi: Kpi, benchmark: Benchmark | None) -> bool:
    """England's and a region's published figures for a count are totals of many LAs: they are
    never set beside one LA's count (only the neighbours' average is one LA's size)."""
    return benchmark is not None and kpi.unit is Unit.COUNT and not benchmark.is_rate


def benchmark_applies(kpi: Kpi, filters: Filters) -> bool:
    """Published figures are for a whole LA, or for the population the KPI declares (DfE's missing
    figures are for children in care only)."""
    if kpi.benchmark is None or kpi.is_share or len(filters.la_codes) != 1:
        return False
    return filters.active() == kpi.benchmark_population


def _published_year(period: Period) -> int:
    # A rolling year, a quarter or a month is compared with the published year it ends in.
    return period.financial_year_start + 1


def benchmark_id(kpi: Kpi) -> str | None:
    """The published measure a KPI is compared with: the rate per 10,000 where there is one."""
    return kpi.rate_benchmark if kpi.per_10k and kpi.rate_benchmark else kpi.benchmark


def find_benchmark(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, la_code: str, period: Period
) -> Benchmark | None:
    measure = benchmark_id(kpi)
    if measure is None:  # no published measure to compare with
        return None
    return benchmark_in(benchmark_comparison(con, measure, la_code), kpi, period)


def benchmark_in(frame: pd.DataFrame, kpi: Kpi, period: Period) -> Benchmark | None:
    """The benchmark for `period` from the LA's comparison of the KPI's published measure
    (`benchmark_comparison`): the year the period ends in, or the latest before it."""
    is_rate = benchmark_id(kpi) != kpi.benchmark
    wanted = _published_year(period)
    published = frame[(frame["time_period"] <= wanted) & frame["england_value"].notna()]
    if published.empty:
        return None
    row = published.sort_values("time_period").iloc[-1]
    rank = None if pd.isna(row["la_rank"]) else int(row["la_rank"])
    group = int(row["group_size"])
    if rank is not None and kpi.direction is Direction.LOWER_IS_BETTER:
        rank = group - rank + 1
    matches = int(row["time_period"]) == wanted and period.kind is PeriodKind.FINANCIAL_YEAR

    def number(name: str) -> float | None:
        return None if pd.isna(row[name]) else float(row[name])

    return Benchmark(
        financial_year=financial_year_label(int(row["time_period"]) - 1),
        is_rate=is_rate,
        matches_period=matches,
        la_value=number("la_value"),
        la_status=str(row["la_status"]),
        england=number("england_value"),
        region=number("region_value"),
        neighbour_mean=number("neighbour_mean"),
        neighbours_published=int(row["neighbours_published"]),
        rank=rank,
        group_size=group,
        neighbour_min=number("neighbour_min"),
        neighbour_max=number("neighbour_max"),
    )


@dataclass(frozen=True)
class FigureSources:
    """Where an assessment's figures come from: the engine's results and the published benchmarks.
    Together, so that a caller with caches of both (the app's, per warehouse file) passes both."""

    evaluate: Evaluator = evaluate
    benchmark: BenchmarkFinder = find_benchmark


UNCACHED = FigureSources()


def assess(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: Iterable[str],
    period: Period,
    filters: Filters,
    policy: SuppressionPolicy = NO_SUPPRESSION,
    targets: TargetLookup | None = None,
    series_months: int = SERIES_MONTHS,
    sources: FigureSources = UNCACHED,
    also: tuple[Period, ...] = (),
) -> list[Assessment]:
    """Results with target, RAG and benchmark. Targets are set for a whole LA, so only an
    unfiltered view of one LA is rated; benchmarks follow `benchmark_applies`. `also` asks the
    engine for other periods' figures too (KpiResult.also)."""
    single_la = filters.la_codes[0] if len(filters.la_codes) == 1 else None
    rated_la = single_la if targets is not None and not filters.active() else None
    assessments = []
    for result in sources.evaluate(
        con, kpi_ids, period, filters, policy, series_months=series_months, also=also
    ):
        kpi = result.kpi
        target = targets(kpi.id, rated_la, period.end) if targets and rated_la else None
        # benchmark_applies holds for one LA only
        benchmark = (
            sources.benchmark(con, kpi, single_la, period)
            if single_la and benchmark_applies(kpi, filters)
            else None
        )
        rating = (
            # judged on the figure and target as written, so "3.1% against a target of 3.1%" is on target
            rag(
                shown_value(kpi, result.current.value),
                shown_value(kpi, target.value),
                kpi.direction,
                target.tolerance_percent,
            )
            if target
            else None
        )
        assessments.append(Assessment(result=result, target=target, rag=rating, benchmark=benchmark))
    return assessments
