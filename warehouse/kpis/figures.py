"""KPIs over figures submitted by agencies (a dataset of `kind = "figures"`): the engine's results for
them, made from the current submitted figures rather than from counts of records.

A figures dataset has one figure per LA, measure, period of its cadence (a month, a quarter or a
financial year) and part, as the agency submitted it (the latest submission of a cell supersedes
the earlier ones, which are kept: the view `current_figure`). A KPI over it gets what every other KPI
gets, worked out from those figures:

- **A period's figure.** A flow is the sum of the figures of the cadence periods that exactly tile the
  period (a quarter of a quarterly dataset is its one figure, a financial year its four quarters); a
  stock is the figure of the cadence period that ends where the period ends. A period the cadence
  periods do not make up (a month of a quarterly dataset) is shown as the latest one they do (below).
  A measure given in parts is the sum of its parts.
- **Not submitted.** A figure that reads a period an LA in scope has not submitted (or marked not
  available) has no value, and says which agency has not submitted which period; a partnership total
  is the sum over its LAs only when every LA has its figure.
- **A period the cadence does not make up** (the default 12 months to October, of a quarterly
  dataset) is shown as the latest period before it that it does (the 12 months to September), with a
  note that says so; its previous period steps back a cadence period, not a month.
- **The series** runs over the dataset's cadence periods (quarters for a quarterly dataset), as many as
  cover the engine's months, so trends, SPC and the scorecard read quarters.
- **Disclosure control** is the cubes': each submitted count has a cell key (made from the warehouse's
  cell key salt, the same for a corrected cell), a sum of figures has the sum of their keys, and a
  protected viewer's counts are suppressed (1 to 4, and 0) or rounded by SuppressionPolicy before
  any value is made. A measure of value kind "number" (a total of scores) is not a count and is
  shown as it is, but the count it is divided by is protected, so a mean of few responses is hidden.
- **Filters.** Figures are submitted for whole LAs, so a dimension filter leaves them whole: the
  engine reports it as ignored ("Not split by ..."). There is no raw path: the figures are the
  source, so `source="raw"` gives the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import ceil

import duckdb
import pandas as pd

from warehouse.kpis.model import Kpi, Timing
from warehouse.kpis.periods import Period, PeriodKind, period_ending
from warehouse.kpis.resident import resident
from warehouse.kpis.suppression import Count, SuppressionPolicy
from warehouse.model.files import Model
from warehouse.queries import run, run_rows

# The period kind of each cadence a figures dataset may declare.
CADENCE_KINDS = {
    "monthly": PeriodKind.MONTH,
    "quarterly": PeriodKind.QUARTER,
    "yearly": PeriodKind.FINANCIAL_YEAR,
}
NUMBER = "number"  # a measure's value kind that is not a count: never suppressed nor rounded


def is_figures_kpi(model: Model, kpi: Kpi) -> bool:
    """Whether the KPI's measures are figures submitted by an agency."""
    return kpi.dataset in model.figures


def cadence_kind(model: Model, dataset: str) -> PeriodKind:
    return CADENCE_KINDS[model.figures[dataset].cadence]


def periods_read(period: Period, cadence: PeriodKind, timing: Timing) -> list[Period] | None:
    """The cadence periods whose figures make the period's: those that tile it (a flow), or the one
    that ends at its end (a stock); None if the cadence periods do not make it up."""
    if timing is Timing.STOCK:
        last = period_ending(cadence, period.last_month)
        return [last] if last.end == period.end else None
    first = period_ending(cadence, period.first_month)
    step = first.months
    if first.first_month != period.first_month or period.months % step:
        return None
    return [first.shifted(step * i) for i in range(period.months // step)]


def latest_with_figures(period: Period, cadence: PeriodKind, timing: Timing) -> Period:
    """The latest period ending by the period's end that the cadence's periods make up: the same kind
    of period moved back to a cadence period's end (the 12 months to September for the 12 months to
    October of a quarterly dataset), or, for a period shorter than the cadence, the cadence's own."""
    last = period_ending(cadence, period.last_month)
    if last.end > period.end:
        last = last.shifted(-last.months)
    if period.months < last.months:
        return last
    back = (
        (period.last_month.year - last.last_month.year) * 12 + period.last_month.month - last.last_month.month
    )
    moved = period.shifted(-back)
    return moved if periods_read(moved, cadence, timing) is not None else last


def compared_periods(period: Period, cadence: PeriodKind, timing: Timing) -> tuple[Period, Period, Period]:
    """The periods a KPI over figures of this cadence is shown and compared for when `period` is asked:
    the period itself, or else the latest before it that the cadence's periods make up; the one
    before that; and the same period a year before. A rolling year steps back one month, which
    quarters do not make up, so it steps back a cadence period instead."""
    shown = (
        period
        if periods_read(period, cadence, timing) is not None
        else latest_with_figures(period, cadence, timing)
    )
    previous = shown.previous()
    if periods_read(previous, cadence, timing) is None:
        previous = shown.shifted(-period_ending(cadence, shown.last_month).months)
    return shown, previous, shown.same_period_last_year()


def series_periods(period: Period, cadence: PeriodKind, series_months: int) -> list[Period]:
    """The cadence periods that end by the period's end, oldest first, as many as cover
    `series_months` months (9 quarters for the engine's 25 months)."""
    if series_months <= 0:
        return []
    last = period_ending(cadence, period.last_month)
    if last.end > period.end:
        last = last.shifted(-last.months)
    count = ceil(series_months / last.months)
    return [last.shifted(-last.months * back) for back in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Cell:
    """One LA's current figure of a measure for one cadence period: its parts summed."""

    value: float | None  # None: marked not available
    key: int


@dataclass
class SubmittedFigures:
    """The current figures of some measures for the LAs in scope, by (LA, measure, first month)."""

    cells: dict[tuple[str, str, date], Cell] = field(default_factory=dict)

    def get(self, la_code: str, measure: str, period: Period) -> Cell | None:
        return self.cells.get((la_code, measure, period.first_month))


def read_figures(
    con: duckdb.DuckDBPyConnection,
    la_codes: Iterable[str],
    measures: Iterable[str],
    first_day: date,
    last_day: date,
) -> SubmittedFigures:
    """The current figures of the measures for the LAs, of the periods within the days: one query, or
    for a read-only warehouse none, every LA's figures held after the first (they change only with a
    submission, which publishes a new file). A measure given in parts is the sum of its parts; a cell
    with a part not available is not available."""
    held = resident(con)
    if held is None:
        rows = run_rows(
            con,
            "current_figures",
            la_codes=list(la_codes),
            measures=sorted(set(measures)),
            first_day=first_day,
            last_day=last_day,
        )
    else:
        every = held.keep("current_figures", lambda: _every_cell(con))
        rows = [
            row
            for la_code in set(la_codes)
            for measure in set(measures)
            for row in every.get((la_code, measure), ())
            if row[2] >= first_day and row[5] <= last_day
        ]
    figures = SubmittedFigures()
    for la_code, measure, period_start, value, key, _period_end in rows:
        figures.cells[(la_code, measure, period_start)] = Cell(
            None if value is None else float(value), int(key or 0)
        )
    return figures


def _every_cell(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple]]:
    """Every LA's current figures of every measure, by LA and measure."""
    cells: dict[tuple[str, str], list[tuple]] = {}
    for row in run_rows(
        con, "current_figures", la_codes=None, measures=None, first_day=date.min, last_day=date.max
    ):
        cells.setdefault((row[0], row[1]), []).append(row)
    return cells


@dataclass(frozen=True)
class FiguresReader:
    """A figures KPI's numbers for any period, for the LAs in scope, as the viewer may see them."""

    model: Model
    figures: SubmittedFigures
    la_codes: tuple[str, ...]
    policy: SuppressionPolicy

    def compared(self, kpi: Kpi, period: Period) -> tuple[Period, Period, Period]:
        return compared_periods(period, cadence_kind(self.model, kpi.dataset_id), kpi.timing)

    def shown_note(self, kpi: Kpi, period: Period) -> str | None:
        """What the card says of a period other than the one asked: "12 months to September 2026,
        the latest period the quarterly figures make up"."""
        shown = shown_period(self.model, kpi, period)
        if shown == period:
            return None
        return f"{shown.short_label}, the latest period the {self.model.figures[kpi.dataset_id].cadence} figures make up"

    def series(self, kpi: Kpi, period: Period, series_months: int) -> list[Period]:
        return series_periods(period, cadence_kind(self.model, kpi.dataset_id), series_months)

    def gap(self, kpi: Kpi, period: Period) -> str | None:
        """Why the KPI has no figure for the period, or None if every LA in scope has submitted what
        it reads: 'Health has not submitted Q2 2026/27 (due 20 October 2026)'."""
        dataset = self.model.figures[kpi.dataset_id]
        read = periods_read(period, cadence_kind(self.model, kpi.dataset_id), kpi.timing)
        if read is None:  # another period asked (`also`): a quarter of a yearly dataset, say
            nearest = latest_with_figures(period, cadence_kind(self.model, kpi.dataset_id), kpi.timing)
            return (
                f"{dataset.title} are submitted {dataset.cadence}: there is no figure for {period.short_label}; "
                f"the latest before it is for {nearest.short_label}"
            )
        reasons = []
        for la_code in self.la_codes:
            missing, unavailable = [], []
            for cadence_period in read:
                cells = [self.figures.get(la_code, m, cadence_period) for m in kpi.measure_ids]
                if any(cell is None for cell in cells):
                    missing.append(cadence_period)
                elif any(cell.value is None for cell in cells if cell is not None):
                    unavailable.append(cadence_period)
            where = f" for {la_code}" if len(self.la_codes) > 1 else ""
            if missing:
                due = ", ".join(
                    f"{p.label} (due {p.end + timedelta(days=dataset.deadline_days):%-d %B %Y})"
                    for p in missing
                )
                reasons.append(f"{dataset.agency} has not submitted {due}{where}")
            if unavailable:
                labels = ", ".join(p.label for p in unavailable)
                reasons.append(f"{dataset.agency} gave {labels} as not available{where}")
        return "; ".join(reasons) or None

    def total(self, kpi: Kpi, measure: str, period: Period) -> float | None:
        """The measure's figure for the period over the LAs in scope, as the viewer may see it (None:
        suppressed). Called once `gap` has found every figure it reads."""
        read = periods_read(period, cadence_kind(self.model, kpi.dataset_id), kpi.timing) or []
        cells = [c for la in self.la_codes for p in read if (c := self.figures.get(la, measure, p))]
        value = float(sum(cell.value or 0.0 for cell in cells))
        if self.model.measures[measure].value == NUMBER:  # a total of scores, not a count
            return int(value) if value.is_integer() else value
        return self.policy.protect(Count(round(value), sum(cell.key for cell in cells)))


def figures_reader(
    con: duckdb.DuckDBPyConnection,
    kpis: list[Kpi],
    period: Period,
    series_months: int,
    la_codes: tuple[str, ...],
    policy: SuppressionPolicy,
    model: Model,
    also: Iterable[Period] = (),
) -> FiguresReader:
    """The reader of the figures the KPIs read for the period, the periods it is compared with, their
    series, and the other periods asked (`also`): one query."""
    read: list[Period] = []
    for kpi in kpis:
        cadence = cadence_kind(model, kpi.dataset_id)
        for shown in (*compared_periods(period, cadence, kpi.timing), *also):
            read += periods_read(shown, cadence, kpi.timing) or []
        read += series_periods(period, cadence, series_months)
    figures = (
        read_figures(con, la_codes, measures_of(kpis), min(p.start for p in read), max(p.end for p in read))
        if read
        else SubmittedFigures()
    )
    return FiguresReader(model, figures, la_codes, policy)


def measures_of(kpis: Iterable[Kpi]) -> set[str]:
    return {m for kpi in kpis for m in kpi.measure_ids}


def shown_period(model: Model, kpi: Kpi, period: Period) -> Period:
    """The period a figures KPI's figure is for when `period` is asked (see compared_periods)."""
    return compared_periods(period, cadence_kind(model, kpi.dataset_id), kpi.timing)[0]


def submitted_rows(
    con: duckdb.DuckDBPyConnection, model: Model, kpi: Kpi, period: Period, la_codes: Iterable[str]
) -> pd.DataFrame:
    """The submitted figures behind a figures KPI's value for the period (as shown_period), part by
    part: each current figure of its measures for the cadence periods it reads, with who submitted it,
    when, and how many times it has been corrected."""
    read = (
        periods_read(shown_period(model, kpi, period), cadence_kind(model, kpi.dataset_id), kpi.timing) or []
    )
    return run(
        con,
        "submitted_figures",
        la_codes=list(la_codes),
        measures=list(kpi.measure_ids),
        first_day=min(p.start for p in read),
        last_day=max(p.end for p in read),
    )
