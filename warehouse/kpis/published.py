"""KPIs whose figure is the LA's own published one (`source = "published"` in the model).

For some partner measures there is no record-level source in the product (children in care and in
need rates, persistent absence, hospital admissions for injuries, social worker caseload, health
assessments of children in care). The honest figure for the LA is then its own, as published in the
same table that gives England, its region and its neighbours: a year's figure, for the latest year
published up to the period asked, labelled with the year and the publisher. Its series is the
published years, not months; the previous period is the year before. Published figures are public
and for a whole LA: no disclosure control applies and no filter splits them (a filter is reported as
not applied). A value the publisher did not give (c, x, ...) is no figure, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import pandas as pd

from warehouse.benchmark_sources import benchmark_sources
from warehouse.benchmarks import benchmark_comparison
from warehouse.kpis.engine import Figure, Filters, KpiResult
from warehouse.kpis.model import Kpi
from warehouse.kpis.periods import Period, PeriodKind

# What each marker of the published tables means (MANIFEST.md), for a figure that has none.
MARKER_WORDS = {
    "c": "suppressed by the publisher",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "k": "below 0.5",
    "-": "not published",
    "missing": "left blank",
}


def year_period(time_period: int) -> Period:
    """The financial year a published year ends in (time_period 2025: April 2024 to March 2025), as the
    benchmarks are matched to periods (warehouse/kpis/assessment.py)."""
    return Period(PeriodKind.FINANCIAL_YEAR, date(time_period - 1, 4, 1))


def published_results(
    con: duckdb.DuckDBPyConnection, kpis: Iterable[Kpi], period: Period, filters: Filters
) -> dict[str, KpiResult]:
    """Results of published KPIs by id, for the period and scope asked."""
    return {kpi.id: _result(con, kpi, period, filters) for kpi in kpis}


def _result(con: duckdb.DuckDBPyConnection, kpi: Kpi, period: Period, filters: Filters) -> KpiResult:
    source = benchmark_sources()[kpi.benchmark]
    not_split = tuple(filters.active())
    if len(filters.la_codes) != 1:
        reason = f"{source.publisher} publishes it for each local authority: choose one to see it"
        return KpiResult(
            kpi=kpi,
            current=Figure(period, None, None, None, no_data=reason),
            previous=Figure(period.previous(), None, None, None, no_data=reason),
            last_year=Figure(period.same_period_last_year(), None, None, None, no_data=reason),
            series=(),
            ignored_filters=not_split,
        )
    frame = benchmark_comparison(con, kpi.benchmark, filters.la_codes[0])
    wanted = period.financial_year_start + 1  # the published year the period ends in
    years = frame[(frame["time_period"] <= wanted) & (frame["la_status"] != "missing")]
    figures = {int(row.time_period): _figure(source.publisher, row) for row in years.itertuples()}

    def figure(time_period: int) -> Figure:
        found = figures.get(time_period)
        if found is not None:
            return found
        label = source.year_label(time_period)
        return Figure(year_period(time_period), None, None, None, no_data=f"Not published for {label}")

    if not figures:
        reason = f"{source.publisher} has published no figure for this LA up to {source.year_label(wanted)}"
        current = Figure(period, None, None, None, no_data=reason)
        return KpiResult(kpi, current, figure(wanted - 1), figure(wanted - 1), (), ignored_filters=not_split)
    latest = max(figures)
    words = f"Published by {source.publisher} for {source.year_label(latest)}"
    if latest != wanted:
        words += ", the latest published"
    previous = figure(latest - 1)
    return KpiResult(
        kpi=kpi,
        current=figures[latest],
        previous=previous,
        last_year=previous,  # a year's figure: the previous period is the year before
        series=tuple(figures[year] for year in sorted(figures)),
        ignored_filters=not_split,
        published=words,
    )


def _figure(publisher: str, row) -> Figure:
    period = year_period(int(row.time_period))
    if pd.isna(row.la_value):
        marker = str(row.la_status)
        words = MARKER_WORDS.get(marker, marker)
        label = row.financial_year
        return Figure(
            period, None, None, None, no_data=f"Not published by {publisher} for {label} ({marker}: {words})"
        )
    return Figure(period, float(row.la_value), None, None)


def published_year_label(kpi: Kpi, period: Period) -> str:
    """The year of a published KPI's figure for `period` (one of its series), as its publisher writes it."""
    return benchmark_sources()[kpi.benchmark].year_label(period.financial_year_start + 1)
