"""The KPI engine: any KPI, for any scope, filters and period, with its comparisons.

It reads monthly totals of cube measures in one query for a whole set of KPIs, then works out
every period (current, previous, same period last year, and a 13-month series) from them, so
the executive set costs one cube query. The same arithmetic runs on totals counted straight
from the facts (source="raw"), which is how tests prove the cubes right.
Suppression is applied here, so no page or export can show a suppressed figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from warehouse.kpis.model import Dimension, Kpi, Timing, Unit
from warehouse.kpis.periods import Period, PeriodKind, add_months
from warehouse.kpis.registry import CHILD_MEASURES, get_kpi
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy, hidden_parts
from warehouse.queries import run

# Two years and a month: enough monthly points for an SPC reading, a year's seasonality to see on a
# trend, and the 13 months a sparkline shows.
SERIES_MONTHS = 25

# The query parameter for each filter dimension.
_FILTER_PARAMS = {
    Dimension.AREA: "areas",
    Dimension.AGENCY: "agencies",
    Dimension.AGE_BAND: "age_bands",
    Dimension.GENDER: "genders",
    Dimension.ETHNICITY: "ethnicities",
    Dimension.CATEGORY: "categories",
    Dimension.IN_CARE: "in_care",
}


@dataclass(frozen=True)
class Filters:
    """The scope (LAs) and the filters; an empty tuple means no filter on that dimension."""

    la_codes: tuple[str, ...]
    areas: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    ethnicities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    in_care: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.la_codes:
            raise ValueError("a KPI needs at least one local authority in scope")

    def active(self) -> dict[Dimension, tuple[str, ...]]:
        return {dim: getattr(self, param) for dim, param in _FILTER_PARAMS.items() if getattr(self, param)}

    def query_params(self) -> dict[str, object]:
        params: dict[str, object] = {"la_codes": list(self.la_codes)}
        for param in _FILTER_PARAMS.values():
            values = getattr(self, param)
            params[param] = list(values) if values else None
        return params


@dataclass(frozen=True)
class Figure:
    """A KPI's value for one period. Suppressed figures carry no numbers at all."""

    period: Period
    value: float | None
    numerator: int | None
    denominator: int | None
    rate_per_10k: float | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class Change:
    """Change from a base figure: absolute (points for a %) and relative. None when it cannot
    be worked out; `percent` is also None when the base is 0 (shown as "n/a", never infinity)."""

    absolute: float | None
    percent: float | None

    @staticmethod
    def between(current: Figure, base: Figure) -> Change:
        if current.value is None or base.value is None:
            return Change(None, None)
        absolute = current.value - base.value
        percent = None if base.value == 0 else absolute / base.value * 100
        return Change(absolute, percent)


@dataclass(frozen=True)
class Part:
    """One part of a share KPI (an agency group, a category of abuse)."""

    label: str
    count: int | None
    percent: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    current: Figure
    previous: Figure
    last_year: Figure
    series: tuple[Figure, ...]
    parts: tuple[Part, ...] = ()
    ignored_filters: tuple[Dimension, ...] = ()

    @property
    def change_on_previous(self) -> Change:
        return Change.between(self.current, self.previous)

    @property
    def change_on_last_year(self) -> Change:
        return Change.between(self.current, self.last_year)


@dataclass
class _Totals:
    """Monthly totals of measures, and per-window totals of the per-child measures."""

    monthly: dict[tuple[str, date], int] = field(default_factory=dict)
    windows: dict[tuple[str, date, date], int] = field(default_factory=dict)

    def total(self, measure: str, period: Period, timing: Timing) -> int:
        if measure in CHILD_MEASURES:
            return self.windows.get((measure, period.first_month, period.last_month), 0)
        if timing is Timing.STOCK:
            return self.monthly.get((measure, period.last_month), 0)
        return sum(self.monthly.get((measure, month), 0) for month in period.month_starts())


def _periods_needed(period: Period, series_months: int) -> list[Period]:
    last = period.last_month
    series = [Period(PeriodKind.MONTH, add_months(last, -i)) for i in range(series_months - 1, -1, -1)]
    return [period, period.previous(), period.same_period_last_year(), *series]


def _read_totals(
    con: duckdb.DuckDBPyConnection, kpis: list[Kpi], periods: list[Period], filters: Filters, source: str
) -> _Totals:
    totals = _Totals()
    measures = {m for k in kpis for m in (k.numerator, k.denominator) if m}
    params = filters.query_params()
    cube_measures = sorted(measures - CHILD_MEASURES)
    if source == "raw":
        monthly_query, children_query = "raw_measures_monthly", "raw_missing_children"
    elif not filters.active():
        # No filter but the scope: the LA roll-ups hold the same totals in far fewer rows.
        monthly_query, children_query = "kpi_la_monthly", "missing_children_la"
        params = {"la_codes": params["la_codes"]}
    else:
        monthly_query, children_query = "kpi_cube_monthly", "missing_children"
    if cube_measures:
        frame = run(
            con,
            monthly_query,
            measures=cube_measures,
            first_month=min(p.first_month for p in periods),
            last_month=max(p.last_month for p in periods),
            **params,
        )
        totals.monthly = {
            (m, month): int(n) for m, month, n in zip(frame["measure"], frame["month"].dt.date, frame["n"])
        }
    if measures & CHILD_MEASURES:
        windows = sorted({(p.first_month, p.last_month) for p in periods})
        frame = run(
            con,
            children_query,
            firsts=[w[0] for w in windows],
            lasts=[w[1] for w in windows],
            **{k: v for k, v in params.items() if k != "categories"},
        )
        for row in frame.itertuples(index=False):
            for measure in CHILD_MEASURES:
                totals.windows[(measure, row.first_month.date(), row.last_month.date())] = int(getattr(row, measure))
    return totals


def _population(con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...], fy_start: int) -> int | None:
    frame = run(con, "population", la_codes=list(la_codes), mid_year=fy_start)
    row = frame.iloc[0]
    if pd.isna(row["population"]) or int(row["las_found"]) != len(la_codes):
        return None
    return int(row["population"])


def _figure(
    kpi: Kpi,
    period: Period,
    totals: _Totals,
    policy: SuppressionPolicy,
    population: int | None,
    rates_apply: bool,
) -> Figure:
    numerator = totals.total(kpi.numerator, period, kpi.timing)
    denominator = totals.total(kpi.denominator, period, kpi.timing) if kpi.denominator else None
    if policy.hides(numerator) or policy.hides(denominator):
        return Figure(period, None, None, None, None, suppressed=True)
    if denominator is None:
        value: float | None = float(numerator)
    elif denominator == 0:
        value = None
    else:
        value = numerator / denominator * (100 if kpi.unit is Unit.PERCENT else 1)
    rate = None
    if kpi.per_10k and rates_apply and population:
        rate = numerator / population * 10_000
    return Figure(period, value, numerator, denominator, rate)


def _parts(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, period: Period, filters: Filters, policy: SuppressionPolicy
) -> tuple[Part, ...]:
    frame = run(
        con,
        "kpi_cube_parts",
        measures=[kpi.numerator],
        first_month=period.first_month,
        last_month=period.last_month,
        **filters.query_params(),
    )
    column = "agency" if kpi.breakdown is Dimension.AGENCY else "category"
    counts = frame.groupby(column)["n"].sum().sort_values(ascending=False)
    labels = [str(label) for label in counts.index]
    values = [int(v) for v in counts.to_numpy()]
    total = sum(values)
    hidden = hidden_parts(values, total, policy)
    return tuple(
        Part(label, None, None, True) if hide else Part(label, count, count / total * 100 if total else None)
        for label, count, hide in zip(labels, values, hidden)
    )


@dataclass(frozen=True)
class RecordList:
    """The events behind a KPI's numerator, or nothing when their number is suppressed."""

    kpi: Kpi
    period: Period
    rows: pd.DataFrame | None  # child_id (pseudonymised), event_date
    count: int | None
    truncated: bool = False


def records(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, period: Period, filters: Filters, policy: SuppressionPolicy,
    limit: int = 5000,
) -> RecordList:
    """The numerator's events for the scope and filters: pseudonymised IDs and dates only.
    A stock lists what is open at the end of the period; a count of children lists their episodes."""
    measure = "missing_episodes" if kpi.numerator in CHILD_MEASURES else kpi.numerator
    first = period.last_month if kpi.timing is Timing.STOCK else period.first_month
    frame = run(con, "records", measure=measure, first_month=first, last_month=period.last_month,
                limit=limit + 1, **filters.query_params())
    if policy.hides(len(frame)):
        return RecordList(kpi, period, None, None)
    truncated = len(frame) > limit
    return RecordList(kpi, period, frame.head(limit)[["child_id", "event_date"]], None if truncated else len(frame),
                      truncated)


def counts_by_area(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, period: Period, filters: Filters, policy: SuppressionPolicy
) -> tuple[Part, ...]:
    """A count KPI split by area, as parts of its total, suppressed like any breakdown.
    A stock counts what is open at the end of the period."""
    if kpi.denominator or kpi.numerator in CHILD_MEASURES:
        raise ValueError(f"{kpi.id} is not a count of events, so it does not split by area")
    first = period.last_month if kpi.timing is Timing.STOCK else period.first_month
    frame = run(con, "kpi_cube_by_area", measure=kpi.numerator, first_month=first, last_month=period.last_month,
                **filters.query_params())
    frame = frame.sort_values("area_code")
    labels, values = list(frame["area_code"]), [int(v) for v in frame["n"]]
    total = sum(values)
    hidden = hidden_parts(values, total, policy)
    return tuple(
        Part(label, None, None, True) if hide else Part(label, count, count / total * 100 if total else None)
        for label, count, hide in zip(labels, values, hidden)
    )


def evaluate(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: Iterable[str],
    period: Period,
    filters: Filters,
    policy: SuppressionPolicy = NO_SUPPRESSION,
    source: str = "cube",
    series_months: int = SERIES_MONTHS,
) -> list[KpiResult]:
    """Results for the KPIs, in the order asked. `policy` is the viewer's suppression; the
    monthly series runs `series_months` to the end of the period (25 by default)."""
    kpis = [get_kpi(kpi_id) for kpi_id in kpi_ids]
    periods = _periods_needed(period, series_months)
    totals = _read_totals(con, kpis, periods, filters, source)
    active = filters.active()
    # A rate per 10,000 needs the population of the same children: only LA-wide figures have one.
    rates_apply = not active
    populations: dict[int, int | None] = {}
    results = []
    for kpi in kpis:
        ignored = tuple(dim for dim in active if dim not in kpi.dimensions)

        def figure(p: Period) -> Figure:
            population = None
            if kpi.per_10k and rates_apply:
                if p.financial_year_start not in populations:
                    populations[p.financial_year_start] = _population(con, filters.la_codes, p.financial_year_start)
                population = populations[p.financial_year_start]
            return _figure(kpi, p, totals, policy, population, rates_apply)

        results.append(
            KpiResult(
                kpi=kpi,
                current=figure(periods[0]),
                previous=figure(periods[1]),
                last_year=figure(periods[2]),
                series=tuple(figure(p) for p in periods[3:]),
                parts=_parts(con, kpi, period, filters, policy) if kpi.is_share else (),
                ignored_filters=ignored,
            )
        )
    return results
