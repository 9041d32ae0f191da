"""KPIs whose figure is the LA's own published one (`source = "published"` in the model).

For some partner measures there is no record-level source in the product (children in care and in
need rates, persistent absence, hospital admissions for injuries, social worker caseload, health
assessments of children in care). The honest figure for the LA is then its own, as published in the
same table that gives England, its region and its neighbours: a year's figure, for the latest year
published up to the period asked, labelled with the year and the publisher. Its series is the
published years, not months; the previous period is the year before. Published figures are public
and for a whole LA: no disclosure control applies and no filter splits them. A value the publisher
did not give (c, x, ...) is no figure, with the reason.

The engine (warehouse/kpis/engine.py) turns what this module finds into its Figure and KpiResult.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from warehouse.benchmark_sources import BenchmarkSource, benchmark_sources
from warehouse.benchmarks import benchmark_comparisons, comparisons_by_measure, every_la_comparisons, runs
from warehouse.kpis.model import Kpi
from warehouse.kpis.periods import Period, PeriodKind
from warehouse.kpis.resident import resident

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


# A measure no year of which is in the published tables: no row for any year.
_NO_COMPARISON = pd.DataFrame({"time_period": [], "la_status": [], "la_value": [], "financial_year": []})


@dataclass(frozen=True)
class PublishedFigure:
    period: Period  # the financial year the published year ends in (see year_period)
    value: float | None
    no_data: str | None = None  # why there is no value


@dataclass(frozen=True)
class PublishedFigures:
    current: PublishedFigure
    previous: PublishedFigure  # the year before
    series: tuple[PublishedFigure, ...]  # every published year up to the current one, oldest first
    words: str | None = None  # "Published by DfE for 2024/25"


def year_period(time_period: int) -> Period:
    """The financial year a published year ends in (time_period 2025: April 2024 to March 2025), as the
    benchmarks are matched to periods (warehouse/kpis/assessment.py)."""
    return Period(PeriodKind.FINANCIAL_YEAR, date(time_period - 1, 4, 1))


def published_year_label(kpi: Kpi, period: Period) -> str:
    """The year of a published KPI's figure for `period` (one of its series), as its publisher writes it."""
    return benchmark_sources()[kpi.benchmark or ""].year_label(period.financial_year_start + 1)


def published_figures(
    con: duckdb.DuckDBPyConnection, kpis: Sequence[Kpi], periods: Sequence[Period], la_codes: tuple[str, ...]
) -> dict[str, list[PublishedFigures]]:
    """Each KPI's LA's published figures for each period, by KPI id: the latest year published up to
    the period. One query for all of them (none where the warehouse is held: resident.py)."""
    return {kpi.id: _kpi_figures(con, kpi, periods, la_codes) for kpi in kpis}


def _kpi_figures(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, periods: Sequence[Period], la_codes: tuple[str, ...]
) -> list[PublishedFigures]:
    source = benchmark_sources()[kpi.benchmark or ""]
    if len(la_codes) != 1:
        reason = f"{source.publisher} publishes it for each local authority: choose one to see it"
        return [
            PublishedFigures(
                PublishedFigure(p, None, reason), PublishedFigure(p.previous(), None, reason), ()
            )
            for p in periods
        ]
    figures = _years(con, source, la_codes[0])
    return [_figures_for(source, figures, period) for period in periods]


def _years(
    con: duckdb.DuckDBPyConnection, source: BenchmarkSource, la_code: str
) -> dict[int, PublishedFigure]:
    """The LA's published figure of each year, by year: read once for a read-only warehouse
    (warehouse/kpis/resident.py), as they change only with a load."""

    def read(comparisons: dict[str, pd.DataFrame]) -> dict[int, PublishedFigure]:
        frame = comparisons.get(source.id, _NO_COMPARISON)
        # By column, not by filtering the frame and iterating its rows: a few rows, read for every LA.
        columns = ("time_period", "la_status", "la_value", "financial_year")
        return {
            int(year): _figure(source.publisher, int(year), status, value, str(financial_year))
            for year, status, value, financial_year in zip(*(frame[c].tolist() for c in columns))
            if status != "missing"
        }

    held = resident(con)
    if held is None:
        return read(benchmark_comparisons(con, la_code))
    return held.keep(("published", source.id, la_code), lambda: read(held_comparisons(con, la_code)))


def held_comparisons(con: duckdb.DuckDBPyConnection, la_code: str) -> dict[str, pd.DataFrame]:
    """`benchmark_comparisons` of the LA, read once for a read-only warehouse (warehouse/kpis/resident.py),
    as they change only with a load: the published KPIs and the pages' benchmarks share the one read,
    of every LA's at once (the table the warehouse keeps of them: 0.06 s, where each LA's own query
    cost a server 40 ms the first time it showed that LA)."""
    held = resident(con)
    if held is None:
        return benchmark_comparisons(con, la_code)

    def every_la() -> dict[str, pd.DataFrame]:
        rows = every_la_comparisons(con)
        return {la: rows.iloc[start:stop] for la, start, stop in runs(rows["la_code"].tolist())}

    def of_la() -> dict[str, pd.DataFrame]:
        rows = held.keep("every_la_comparisons", every_la).get(la_code)
        # An LA the reference table does not list: its own read, as for any warehouse.
        return benchmark_comparisons(con, la_code) if rows is None else comparisons_by_measure(rows)

    return held.keep(("benchmark_comparisons", la_code), of_la)


def _figures_for(
    source: BenchmarkSource, published: dict[int, PublishedFigure], period: Period
) -> PublishedFigures:
    wanted = period.financial_year_start + 1  # the published year the period ends in
    figures = {year: found for year, found in published.items() if year <= wanted}

    def figure(time_period: int) -> PublishedFigure:
        found = figures.get(time_period)
        if found is not None:
            return found
        return PublishedFigure(
            year_period(time_period), None, f"Not published for {source.year_label(time_period)}"
        )

    if not figures:
        reason = f"{source.publisher} has published no figure for this LA up to {source.year_label(wanted)}"
        return PublishedFigures(PublishedFigure(period, None, reason), figure(wanted - 1), ())
    latest = max(figures)
    words = f"Published by {source.publisher} for {source.year_label(latest)}"
    if latest != wanted:
        words += ", the latest published"
    series = tuple(figures[year] for year in sorted(figures))
    return PublishedFigures(figures[latest], figure(latest - 1), series, words)


def _figure(
    publisher: str, time_period: int, la_status: str, la_value: float | None, financial_year: str
) -> PublishedFigure:
    period = year_period(time_period)
    if pd.isna(la_value):  # None or NaN: not published
        marker = str(la_status)
        words = f"Not published by {publisher} for {financial_year} ({marker}: {MARKER_WORDS.get(marker, marker)})"
        return PublishedFigure(period, None, words)
    return PublishedFigure(period, float(la_value))
