"""The annual report's KPIs: for a financial year (April to March), the partnership's executive set
and scorecard KPIs, each with this year's figure, last year's, the change, RAG against the target in
force and the published benchmarks (England, region, statistical neighbours).

Every figure and judgement comes from the engine through `assess`, so the annual report says what
the executive summary and the scorecard say for the same year; nothing is worked out here but which
KPIs, in which groups, for which period. A year not yet over is reported to date: its KPIs are read
for the 12 months to the latest month the data covers (the engine reads whole periods, and a year
of a few months would not compare with last year's twelve), and it is labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from warehouse.kpis.assessment import UNCACHED, Assessment, FigureSources, TargetLookup, assess
from warehouse.kpis.engine import Change, Figure, Filters, KpiResult
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.periods import (
    Period,
    PeriodKind,
    financial_year,
    financial_year_label,
    financial_year_start,
    month_end,
    rolling_12,
)
from warehouse.kpis.scorecard import Travel, travel
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import Model

# The year's figure is all the report needs: no monthly series.
NO_SERIES = 0
EXECUTIVE_GROUP = "The executive set"


@dataclass(frozen=True)
class ReportYear:
    """A financial year, complete or to date. `to` is the last day the report covers."""

    start_year: int  # the calendar year its April falls in
    to: date
    kpi_period: Period  # the year, or for a year to date the 12 months to the data's last month

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def complete(self) -> bool:
        return self.to >= self.end

    @property
    def code(self) -> str:
        """As a URL's `year` names it: the calendar year the financial year ends in ("2026": 2025/26)."""
        return str(self.start_year + 1)

    @property
    def label(self) -> str:
        name = financial_year_label(self.start_year)
        return name if self.complete else f"{name} to date (1 April {self.start_year} to {self.to:%-d %B %Y})"

    @property
    def kpi_words(self) -> str:
        """What the KPI figures are for, in words."""
        if self.kpi_period.kind is PeriodKind.FINANCIAL_YEAR:
            last_year = self.kpi_period.same_period_last_year()
            return f"the financial year {self.kpi_period.label}, against {last_year.label}"
        return (
            f"the {self.kpi_period.label}, the latest 12 months the data covers, against the same "
            "12 months a year before: the year is not over"
        )


def report_years(first_month: date, last_month: date, today: date) -> list[ReportYear]:
    """The years a report can be made for, newest first: the current year to date if the data does
    not cover it whole yet, then every complete financial year the data covers."""
    years = []
    current = financial_year_start(last_month)
    if month_end(last_month) < financial_year(current).end:
        years.append(ReportYear(current, max(today, month_end(last_month)), rolling_12(last_month)))
    else:
        current += 1  # the data covers the whole of its last year
    for start in range(current - 1, financial_year_start(first_month) - 1, -1):
        year = financial_year(start)
        if year.first_month >= first_month:
            years.append(ReportYear(start, year.end, year))
    return years


def default_year(years: list[ReportYear]) -> ReportYear:
    """The latest complete year, else the current one to date."""
    return next((year for year in years if year.complete), years[0])


def kpi_groups(model: Model) -> list[tuple[str, tuple[str, ...]]]:
    """The executive set, then each scorecard priority: the partnership's board, else the model's
    own. A share of a whole has no single figure to compare, so it is left out."""
    groups = [(EXECUTIVE_GROUP, model.executive_kpis), *model.scorecard_priorities]
    return [(title, tuple(k for k in kpis if not model.kpis[k].is_share)) for title, kpis in groups]


@dataclass(frozen=True)
class YearRow:
    assessment: Assessment

    @property
    def result(self) -> KpiResult:
        return self.assessment.result

    @property
    def this_year(self) -> Figure:
        return self.result.current

    @property
    def last_year(self) -> Figure:
        return self.result.last_year

    @property
    def change(self) -> Change:
        """This year on last, as it is written (a change too small to show is none)."""
        return shown_change(self.result.kpi, self.this_year, self.last_year)

    @property
    def travel(self) -> Travel:
        return travel(self.result.kpi, self.change)


@dataclass(frozen=True)
class KpiGroup:
    title: str
    rows: tuple[YearRow, ...]
    earlier: tuple[str, ...] = ()  # titles of its KPIs already shown in an earlier group


def year_kpis(
    con: duckdb.DuckDBPyConnection,
    year: ReportYear,
    filters: Filters,
    policy: SuppressionPolicy,
    targets: TargetLookup | None,
    model: Model,
    sources: FigureSources = UNCACHED,
) -> tuple[KpiGroup, ...]:
    """The year's KPIs in their groups, each KPI once (in the first group that has it), judged by
    `assess` in one call."""
    groups = kpi_groups(model)
    kpi_ids = tuple(dict.fromkeys(k for _title, kpis in groups for k in kpis))
    judged = assess(
        con,
        kpi_ids,
        year.kpi_period,
        filters,
        policy,
        targets,
        series_months=NO_SERIES,
        sources=sources,
    )
    by_id = {a.kpi.id: a for a in judged}
    shown: set[str] = set()
    found = []
    for title, kpis in groups:
        rows = tuple(YearRow(by_id[k]) for k in kpis if k not in shown)
        earlier = tuple(by_id[k].kpi.title for k in kpis if k in shown)
        shown |= set(kpis)
        if rows or earlier:
            found.append(KpiGroup(title, rows, earlier))
    return tuple(found)
