"""The KPI engine: any KPI, for any scope, filters and period, with its comparisons.

It reads monthly totals of cube measures in one query for a whole set of KPIs, then works out
every period (current, previous, same period last year, and a 13-month series) from them, so
the executive set costs one cube query. The same arithmetic runs on totals counted straight
from the facts (source="raw"), which is how tests prove the cubes right.
Disclosure control is applied here (warehouse/kpis/suppression.py): a protected viewer's counts
are suppressed or rounded before any value, rate, change or part is made from them, so no page or
export can show, or be differenced into, an exact small count.
A period that no load of a KPI's datasets covers, for some LA in scope, has no value (no_data, with
the reason: warehouse/kpis/coverage.py), where the cubes would count its missing months as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from warehouse.kpis.coverage import Coverage, coverage_of, read_coverage
from warehouse.kpis.figures import figures_reader, is_figures_kpi
from warehouse.kpis.model import Kpi, Timing, Unit
from warehouse.kpis.periods import Period, PeriodKind, add_months
from warehouse.kpis.published import PublishedFigure, PublishedFigures, published_figures
from warehouse.kpis.registry import CHILD_MEASURES, REGISTRY
from warehouse.kpis.resident import Resident, resident
from warehouse.kpis.suppression import NO_SUPPRESSION, Count, SuppressionPolicy
from warehouse.model.files import Model, active_model, model_for
from warehouse.model.specs import Measure, MeasureTiming
from warehouse.model.sql import row_filter_sql
from warehouse.queries import Condition, run, run_records, run_rows

# Two years and a month: enough monthly points for an SPC reading, a year's seasonality to see on a
# trend, and the 13 months a sparkline shows.
SERIES_MONTHS = 25

# The dimension that operational pages split their main count by, and that an account may be
# limited to (with AGENCY): the model must declare both.
AREA, AGENCY = "area", "agency"


@dataclass(frozen=True, init=False)
class Filters:
    """The scope (LAs) and the filters: for each filtered dimension (by model id), the values wanted.
    A dimension not named, or named with no values, is not filtered."""

    la_codes: tuple[str, ...]
    wanted: tuple[tuple[str, tuple[str, ...]], ...]  # in the model's order of dimensions

    def __init__(self, la_codes: Iterable[str], **wanted: Iterable[str]) -> None:
        codes = tuple(la_codes)
        if not codes:
            raise ValueError("a KPI needs at least one local authority in scope")
        dimensions = [d.id for d in active_model().dimensions]
        unknown = sorted(set(wanted) - set(dimensions))
        if unknown:
            raise ValueError(f"no dimension {', '.join(unknown)}; known: {', '.join(dimensions)}")
        given = {d: tuple(values) for d, values in wanted.items()}  # once: a generator reads only once
        kept = tuple((d, given[d]) for d in dimensions if given.get(d))
        object.__setattr__(self, "la_codes", codes)
        object.__setattr__(self, "wanted", kept)

    def active(self) -> dict[str, tuple[str, ...]]:
        return dict(self.wanted)

    def values(self, dimension: str) -> tuple[str, ...]:
        return self.active().get(dimension, ())

    def replaced(self, la_codes: Iterable[str] | None = None, **wanted: Iterable[str]) -> Filters:
        """These filters with the LAs, or some dimensions' values, replaced."""
        return Filters(self.la_codes if la_codes is None else la_codes, **(self.active() | wanted))

    def query_params(self) -> dict[str, object]:
        """The scope, and the filtered dimensions with the values wanted of each (a map in SQL, for
        the raw facts' queries: row_passes)."""
        return {
            "la_codes": list(self.la_codes),
            "filter_dimensions": [dimension for dimension, _ in self.wanted],
            "filter_values": [list(values) for _, values in self.wanted],
        }

    def cube_params(self) -> dict[str, object]:
        """The scope, and the filters as a condition on the filtered dimensions' columns only (for the
        cubes' queries, which name it {{row_filter}}). Not row_passes of a map: looking each of the
        model's dimensions up in a map, on every row, was 40% of a filtered view's query."""
        model = active_model()
        condition = row_filter_sql([model.dimension(dimension) for dimension, _ in self.wanted])
        values = {f"filter_{number}": list(values) for number, (_, values) in enumerate(self.wanted)}
        return {"la_codes": list(self.la_codes), "row_filter": Condition(condition, values)}


@dataclass(frozen=True)
class Figure:
    """A KPI's value for one period. Suppressed figures carry no numbers at all, nor do those of a
    period that no load of the KPI's datasets covers for some LA in scope: `no_data` says why."""

    period: Period
    value: float | None
    numerator: (
        float | None
    )  # a count; or a total of scores, submitted as a figure (warehouse/kpis/figures.py)
    denominator: float | None
    rate_per_10k: float | None = None
    suppressed: bool = False
    no_data: str | None = None  # e.g. "Early help assessments not loaded for Apr 2023 to Mar 2024"


@dataclass(frozen=True)
class Change:
    """Change from a base figure: absolute (points for a %) and relative. None when it cannot
    be worked out; `percent` is also None when the base is 0 (shown as "n/a", never infinity).
    Worked out only by formatting.shown_change, from the two figures as they are written."""

    absolute: float | None
    percent: float | None


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
    ignored_filters: tuple[str, ...] = ()
    also: tuple[Figure, ...] = ()  # the figures of the other periods asked (`also` of evaluate), in order
    # Which period the figure is for when it is not the one asked: a published KPI's publisher and
    # year (warehouse/kpis/published.py), or the latest period submitted figures make up
    # (warehouse/kpis/figures.py).
    period_note: str | None = None


_NONE = Count(0)


@dataclass
class _Totals:
    """Monthly totals of measures, and per-window totals of the per-child measures, each with
    its cell key."""

    monthly: dict[tuple[str, date], Count] = field(default_factory=dict)
    windows: dict[tuple[str, date, date], Count] = field(default_factory=dict)
    per_child: frozenset[str] = frozenset()  # the measures counted per window, not per month
    # Each total worked out once: KPIs share measures (a denominator, a rate and its count).
    _added: dict[tuple[str, Period, Timing], Count] = field(default_factory=dict)

    def total(self, measure: str, period: Period, timing: Timing) -> Count:
        key = (measure, period, timing)
        found = self._added.get(key)
        if found is None:
            found = self._added[key] = self._total(measure, period, timing)
        return found

    def _total(self, measure: str, period: Period, timing: Timing) -> Count:
        if measure in self.per_child:
            return self.windows.get((measure, period.first_month, period.last_month), _NONE)
        # Added up by hand, not with Count's +: a page's figures add up a hundred thousand months.
        n = key = 0
        for month in months_read(period, timing):
            found = self.monthly.get((measure, month))
            if found is not None:
                n += found.n
                key += found.key
        return Count(n, key)


def months_read(period: Period, timing: Timing, per_child: bool = False) -> tuple[date, ...]:
    """The months whose events a measure's total for the period counts: a stock's last month (what is
    open at its end), else every month; a count of children counts them over the whole window."""
    if timing is Timing.STOCK and not per_child:
        return (period.last_month,)
    return period.month_starts()


def _key(value: float | None) -> int:
    """A cell key from a query (NULL where no row, or the raw path, which has none)."""
    return 0 if value is None or math.isnan(value) else int(value)


def _periods_needed(period: Period, series_months: int) -> list[Period]:
    last = period.last_month
    series = [Period(PeriodKind.MONTH, add_months(last, -i)) for i in range(series_months - 1, -1, -1)]
    return [period, period.previous(), period.same_period_last_year(), *series]


def _measure(con: duckdb.DuckDBPyConnection, measure_id: str) -> Measure:
    """A measure of this process's model, or else of the warehouse's (as model_kpi)."""
    return active_model().measures.get(measure_id) or model_for(con).measures[measure_id]


def _read_totals(
    con: duckdb.DuckDBPyConnection,
    kpis: list[Kpi],
    periods: list[Period],
    filters: Filters,
    source: str,
    held: Resident | None,
) -> _Totals:
    measures = {m for k in kpis for m in (k.numerator, k.denominator) if m}
    # A partnership's own counts of distinct children (measure_child_month); the built-in ones are
    # the missing children's (missing_child_month), read by their own queries.
    own_children = {m for m in measures - CHILD_MEASURES if _measure(con, m).timing == MeasureTiming.CHILDREN}
    totals = _Totals(per_child=frozenset((measures & CHILD_MEASURES) | own_children))
    windows = sorted({(p.first_month, p.last_month) for p in periods})
    # The raw facts' queries filter by row_passes of a map; the cubes' by a condition on the filtered
    # columns (Filters.cube_params).
    params = filters.query_params() if source == "raw" else filters.cube_params()
    if own_children:
        rows = run_records(
            con,
            "raw_measure_children" if source == "raw" else "measure_children",
            measures=sorted(own_children),
            firsts=[w[0] for w in windows],
            lasts=[w[1] for w in windows],
            **params,
        )
        totals.windows = {
            (row["measure"], _day(row["first_month"]), _day(row["last_month"])): _count(row) for row in rows
        }
    cube_measures = sorted(measures - totals.per_child)
    first_month, last_month = min(p.first_month for p in periods), max(p.last_month for p in periods)
    if held is not None and source == "cube" and not filters.active():
        # No filter but the scope, on a read-only warehouse: the LA roll-ups are held in memory.
        totals.monthly = held.monthly(con, cube_measures, filters.la_codes, first_month, last_month)
        in_windows = held.child_windows(con, filters.la_codes, windows) if measures & CHILD_MEASURES else {}
        if in_windows is not None:
            totals.windows.update(in_windows)
            return totals
        cube_measures = []  # read above: only the children are left to count
    if source == "raw":
        monthly_query, children_query = "raw_measures_monthly", "raw_missing_children"
    elif not filters.active():
        # No filter but the scope: the LA roll-ups hold the same totals in far fewer rows.
        monthly_query, children_query = "kpi_la_monthly", "missing_children_la"
        params = {"la_codes": params["la_codes"]}
    else:
        monthly_query, children_query = "kpi_cube_monthly", "missing_children"
    monthly_params = params
    active = filters.active()
    if (
        held is not None
        and source == "cube"
        and active
        and AREA not in active
        and held.covers(filters.la_codes)
    ):
        # Every LA of the warehouse, no area filtered: the all-LA cube holds the same totals.
        monthly_query = "kpi_cube_all_monthly"
        monthly_params = {k: v for k, v in params.items() if k != "la_codes"}
    if cube_measures:
        rows = run_records(
            con,
            monthly_query,
            measures=cube_measures,
            first_month=first_month,
            last_month=last_month,
            **monthly_params,
        )
        totals.monthly = {(row["measure"], _day(row["month"])): _count(row) for row in rows}
    if measures & CHILD_MEASURES:
        rows = run_records(
            con,
            children_query,
            firsts=[w[0] for w in windows],
            lasts=[w[1] for w in windows],
            **params,
        )
        for row in rows:
            for measure in CHILD_MEASURES:
                totals.windows[(measure, _day(row["first_month"]), _day(row["last_month"]))] = Count(
                    int(row[measure]), _key(row.get(f"{measure}_key"))
                )
    return totals


def _day(value: date | datetime) -> date:
    """A month from a query: a DATE, or a TIMESTAMP where the query truncated one (the raw path)."""
    return value.date() if isinstance(value, datetime) else value


def _count(row: dict[str, Any]) -> Count:
    """A row's count and the sum of its cell keys (none on the raw path)."""
    return Count(int(row["n"]), _key(row.get("key_sum")))


def _estimates(
    con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...] | None
) -> list[tuple[str, int, int]]:
    """The LAs' (every LA's, for None) ONS estimates of their children aged 0 to 17: LA, mid-year, count."""
    frame = run(con, "population", la_codes=None if la_codes is None else list(la_codes))
    frame = frame.dropna(subset=["population"])
    return list(zip(frame["la_code"].tolist(), frame["mid_year"].tolist(), frame["population"].tolist()))


def _populations(
    con: duckdb.DuckDBPyConnection,
    la_codes: tuple[str, ...],
    fy_starts: Iterable[int],
    held: Resident | None,
) -> dict[int, int | None]:
    """The children of the LAs in each financial year (by the year it starts), each LA's estimate of
    that year or its latest before, from one read of their estimates (or those held in memory): None
    for a year some LA has no estimate for (by then)."""
    if held is None:
        estimates = _estimates(con, la_codes)
    else:
        in_scope = set(la_codes)
        every = held.keep("populations", lambda: _estimates(con, None))
        estimates = [row for row in every if row[0] in in_scope]
    found: dict[int, int | None] = {}
    for year in set(fy_starts):
        latest = {la: int(n) for la, mid_year, n in estimates if mid_year <= year}  # by year: the latest last
        found[year] = sum(latest.values()) if len(latest) == len(la_codes) else None
    return found


def _figure(
    kpi: Kpi,
    period: Period,
    totals: _Totals,
    policy: SuppressionPolicy,
    population: int | None,
    rates_apply: bool,
) -> Figure:
    numerator = policy.protect(totals.total(kpi.numerator_id, period, kpi.timing))
    denominator = (
        policy.protect(totals.total(kpi.denominator, period, kpi.timing)) if kpi.denominator else None
    )
    return figure_of(kpi, period, numerator, denominator, population, rates_apply)


def figure_of(
    kpi: Kpi,
    period: Period,
    numerator: float | None,
    denominator: float | None,
    population: int | None,
    rates_apply: bool,
) -> Figure:
    """The figure made from a numerator and denominator as the viewer may see them (already
    protected: None where suppressed): its value, and its rate per 10,000 where one applies."""
    if numerator is None or (kpi.denominator and denominator is None):
        return Figure(period, None, None, None, None, suppressed=True)
    if kpi.unit is Unit.PERCENT and denominator is not None:
        # Rounded apart, a part can come out above its whole; it is never more than all of it.
        numerator = min(numerator, denominator)
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
    """A share KPI's parts: of the events of the period, or for a stock of what is open at its end."""
    rows = run_records(
        con,
        "kpi_cube_parts",
        measures=[kpi.numerator],
        part=active_model().dimension(kpi.breakdown).cube_column if kpi.breakdown else None,
        first_month=period.last_month if kpi.timing is Timing.STOCK else period.first_month,
        last_month=period.last_month,
        **filters.cube_params(),
    )
    # One row per part (one measure): the largest first, ties by label; a part not recorded (NULL)
    # is no part.
    named = sorted((row for row in rows if row["part"] is not None), key=lambda row: (-row["n"], row["part"]))
    return _protected_parts(
        [row["part"] for row in named], [row["n"] for row in named], [row["key_sum"] for row in named], policy
    )


def _protected_parts(
    labels: Iterable[object], counts: Iterable[float], keys: Iterable[float | None], policy: SuppressionPolicy
) -> tuple[Part, ...]:
    """Parts of a total, each protected on its own and shown as a % of the protected total. A
    protected viewer gets no entry for a suppressed part: parts with no rows at all are never listed,
    so listing a "c" would say that it is not zero."""
    parts = [(str(label), Count(int(n), _key(k))) for label, n, k in zip(labels, counts, keys)]
    total = policy.protect(sum((count for _, count in parts), _NONE))
    shown = []
    for label, count in parts:
        value = None if total is None else policy.protect(count)
        if value is not None:
            shown.append(Part(label, value, min(value / total * 100, 100.0) if total else None))
    return tuple(shown)


@dataclass(frozen=True)
class RecordList:
    """The events behind a KPI's numerator, or nothing for a protected viewer (`withheld`)."""

    kpi: Kpi
    period: Period
    rows: pd.DataFrame | None  # subject_id (pseudonymised: see `subject`), event_date
    count: int | None
    truncated: bool = False
    withheld: bool = False  # not listed for a viewer whose figures are protected
    subject: str = "Child"  # whom subject_id names: a child, or a household or person (Dataset.subject_words)


def records(
    con: duckdb.DuckDBPyConnection,
    kpi: Kpi,
    period: Period,
    filters: Filters,
    policy: SuppressionPolicy,
    limit: int = 5000,
    own: bool = False,
) -> RecordList:
    """The numerator's events for the scope and filters: pseudonymised IDs and dates only.
    A stock lists what is open at the end of the period; a count of children lists their episodes.

    A viewer whose figures are protected gets no list: counting its rows by month, or against
    another filter's list, would give back the exact counts that rounding and suppression hide.
    `own`: the filters hold the list to records the viewer's own agency holds already (a partner's,
    app/scope.py `Scope.record_filters`), whose counts hide nothing from it."""
    if policy.enabled and not own:
        return RecordList(kpi, period, None, None, withheld=True)
    measure = "missing_episodes" if kpi.numerator in CHILD_MEASURES else kpi.numerator
    first = period.last_month if kpi.timing is Timing.STOCK else period.first_month
    frame = run(
        con,
        "records",
        measure=measure,
        first_month=first,
        last_month=period.last_month,
        limit=limit + 1,
        **filters.query_params(),
    )
    truncated = len(frame) > limit
    # The served model's dataset, or (a model not yet served) the warehouse's own, as _measure does.
    dataset = active_model().datasets.get(kpi.dataset_id) or model_for(con).datasets[kpi.dataset_id]
    return RecordList(
        kpi,
        period,
        frame.head(limit)[["subject_id", "event_date"]],
        None if truncated else len(frame),
        truncated,
        subject=dataset.subject_words,
    )


def counts_by_area(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, period: Period, filters: Filters, policy: SuppressionPolicy
) -> tuple[Part, ...]:
    """A count KPI split by area, as parts of its total, suppressed like any breakdown.
    A stock counts what is open at the end of the period."""
    if kpi.denominator or kpi.distinct_children:
        raise ValueError(f"{kpi.id} is not a count of events, so it does not split by area")
    first = period.last_month if kpi.timing is Timing.STOCK else period.first_month
    rows = run_records(
        con,
        "kpi_cube_by_area",
        measure=kpi.numerator,
        first_month=first,
        last_month=period.last_month,
        **filters.cube_params(),
    )
    rows.sort(key=lambda row: (row["area_code"] is None, row["area_code"] or ""))
    return _protected_parts(
        [row["area_code"] for row in rows],
        [row["n"] for row in rows],
        [row["key_sum"] for row in rows],
        policy,
    )


def model_kpi(con: duckdb.DuckDBPyConnection, kpi_id: str) -> Kpi:
    """A KPI of this process's model, or else of the warehouse's (one applied since this process
    started, which the app serves after a restart)."""
    kpi = REGISTRY.get(kpi_id) or model_for(con).kpis.get(kpi_id)
    if kpi is None:
        raise KeyError(f"no KPI {kpi_id!r}; known: {', '.join(REGISTRY)}")
    return kpi


def _declaring(con: duckdb.DuckDBPyConnection, kpis: list[Kpi]) -> Model:
    """The model that declares the KPIs and their measures: this process's, or else the warehouse's
    (as `model_kpi` finds them)."""
    model = active_model()
    return model if all(kpi.id in model.kpis for kpi in kpis) else model_for(con)


def _coverage(
    con: duckdb.DuckDBPyConnection,
    kpis: list[Kpi],
    periods: list[Period],
    filters: Filters,
    model: Model,
    held: Resident | None,
) -> Coverage:
    """What the loads cover of the KPIs' datasets and the periods' months, for the LAs in scope: one
    query per engine call, or none where the loads' windows are held in memory."""
    datasets = {model.measures[m].dataset for kpi in kpis for m in kpi.measure_ids}
    titles = {d: model.datasets[d].title for d in datasets}
    first, last = min(p.first_month for p in periods), max(p.last_month for p in periods)
    if held is not None:
        # Every successful load's window, for every LA and dataset, read once.
        windows = held.keep("coverage", lambda: run_rows(con, "coverage", la_codes=None, datasets=None))
        return coverage_of(windows, filters.la_codes, titles, first, last)
    return read_coverage(con, filters.la_codes, titles, first, last)


def _reads(kpi: Kpi, period: Period, model: Model) -> list[tuple[str, tuple[date, ...]]]:
    """The datasets of the KPI's numerator and denominator, each with the months its figure reads."""
    return [
        (
            model.measures[m].dataset,
            months_read(period, kpi.timing, per_child=model.measures[m].timing == MeasureTiming.CHILDREN),
        )
        for m in kpi.measure_ids
    ]


def _published_results(kpi: Kpi, published: list[PublishedFigures], filters: Filters) -> list[KpiResult]:
    """A published KPI's result for each period (warehouse/kpis/published.py): the LA's own published
    figures, public and for the whole LA, so neither suppressed nor split by a filter (each filter is
    said not to apply)."""

    def figure(published: PublishedFigure) -> Figure:
        return Figure(published.period, published.value, None, None, no_data=published.no_data)

    results = []
    for found in published:
        previous = figure(found.previous)  # a year's figure: the previous period is the year before
        results.append(
            KpiResult(
                kpi=kpi,
                current=figure(found.current),
                previous=previous,
                last_year=previous,
                series=tuple(figure(f) for f in found.series),
                ignored_filters=tuple(filters.active()),
                period_note=found.words,
            )
        )
    return results


def evaluate(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: Iterable[str],
    period: Period,
    filters: Filters,
    policy: SuppressionPolicy = NO_SUPPRESSION,
    source: str = "cube",
    series_months: int = SERIES_MONTHS,
    also: tuple[Period, ...] = (),
) -> list[KpiResult]:
    """Results for the KPIs, in the order asked. `also` asks for other periods' figures in the same
    reads (the scorecard's earlier quarters: one engine call, not five): KpiResult.also. `policy` is the viewer's suppression; the
    monthly series runs `series_months` to the end of the period (25 by default). A figure that
    reads a month no load covers has no value and says why (Figure.no_data). A KPI over figures
    submitted by agencies is worked out from them (warehouse/kpis/figures.py): its series runs over
    its dataset's periods, and a period not submitted has no value and says so."""
    if source == "raw" and policy.enabled:
        raise ValueError(
            "protected figures need the cubes' cell keys: the raw path is for exact figures only"
        )
    asked = [model_kpi(con, kpi_id) for kpi_id in kpi_ids]
    kpis = [k for k in asked if not k.is_published]
    periods = _periods_needed(period, series_months)
    read = [*periods, *also]
    model = _declaring(con, kpis)
    # Figures submitted by agencies are read from their own table, not counted from records.
    submitted = [kpi for kpi in kpis if is_figures_kpi(model, kpi)]
    submitted_ids = {kpi.id for kpi in submitted}
    counted = [kpi for kpi in kpis if kpi.id not in submitted_ids]
    held = resident(con)
    totals = _read_totals(con, counted, read, filters, source, held) if counted else _Totals()
    coverage = _coverage(con, counted, read, filters, model, held) if counted else None
    figures = (
        figures_reader(con, submitted, period, series_months, filters.la_codes, policy, model, also)
        if submitted
        else None
    )
    active = filters.active()
    # A rate per 10,000 needs the population of the same children: only LA-wide figures have one.
    rates_apply = not active
    # Every year the read periods fall in, in one query; a figures dataset's own periods, if another
    # year, as they are asked for.
    populations = (
        _populations(con, filters.la_codes, (p.financial_year_start for p in read), held)
        if rates_apply and any(kpi.per_10k for kpi in kpis)
        else {}
    )

    def population(kpi: Kpi, p: Period) -> int | None:
        if not (kpi.per_10k and rates_apply):
            return None
        if p.financial_year_start not in populations:
            populations.update(_populations(con, filters.la_codes, (p.financial_year_start,), held))
        return populations[p.financial_year_start]

    def figure(kpi: Kpi, p: Period) -> Figure:
        if figures is not None and kpi.id in submitted_ids:
            gap = figures.gap(kpi, p)
            if gap:
                return Figure(p, None, None, None, no_data=gap)
            numerator = figures.total(kpi, kpi.numerator_id, p)
            denominator = figures.total(kpi, kpi.denominator, p) if kpi.denominator else None
            return figure_of(kpi, p, numerator, denominator, population(kpi, p), rates_apply)
        gap = coverage.gap(_reads(kpi, p, model)) if coverage else None
        if gap:
            return Figure(p, None, None, None, no_data=gap)
        return _figure(kpi, p, totals, policy, population(kpi, p), rates_apply)

    def series(kpi: Kpi) -> list[Period]:
        """Months, or a figures dataset's own periods (quarters for a quarterly dataset)."""
        if figures is not None and kpi.id in submitted_ids:
            return figures.series(kpi, period, series_months)
        return periods[3:]

    def compared(kpi: Kpi) -> tuple[Period, Period, Period]:
        """The period, the previous one and the same period last year; for submitted figures, the
        latest their cadence makes up (warehouse/kpis/figures.py)."""
        if figures is not None and kpi.id in submitted_ids:
            return figures.compared(kpi, period)
        return periods[0], periods[1], periods[2]

    published = published_figures(
        con, [k for k in asked if k.is_published], (period, *also), filters.la_codes
    )
    results = []
    for kpi in asked:
        if kpi.is_published:
            result, *others = _published_results(kpi, published[kpi.id], filters)
            results.append(replace(result, also=tuple(other.current for other in others)))
            continue
        ignored = tuple(dim for dim in active if dim not in kpi.dimensions)
        shown, previous, last_year = compared(kpi)
        current = figure(kpi, shown)
        results.append(
            KpiResult(
                kpi=kpi,
                current=current,
                previous=figure(kpi, previous),
                last_year=figure(kpi, last_year),
                series=tuple(figure(kpi, p) for p in series(kpi)),
                parts=_parts(con, kpi, period, filters, policy)
                if kpi.is_share and not current.no_data
                else (),
                ignored_filters=ignored,
                also=tuple(figure(kpi, p) for p in also),
                period_note=figures.shown_note(kpi, period) if figures and kpi.id in submitted_ids else None,
            )
        )
    return results
