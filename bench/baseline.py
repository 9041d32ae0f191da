"""The baselines: the executive KPI cards worked out without our engine, three ways, each timed on
the same random (scope, period) combinations as the engine and checked equal to it figure by figure.

Each gives every figure a KPI card shows (bench/cards.py): the period's value, the previous period,
the same period last year and the monthly series, as the engine defines them:

- a flow (referrals, ICPCs, plans started, episodes ended) counts the events dated in the period,
  the sum of its months;
- a stock (CP plans open, and open 2 years or more) counts what is open at the end of the
  period's last month;
- a count of children (children missing, and missing twice or more) counts each child once per
  period, from the episodes starting in it.

The three:

- **naive pandas**, the typical Dash tutorial: the four fact tables read whole into DataFrames at
  start-up; every callback masks them for its scope and counts by month with `groupby`;
- **aggregated pandas**, what a competent developer would write: monthly totals per LA and for
  England worked out once at start-up, so a callback selects its scope's months and sums them (the
  children missing still group episodes by child for each window, which no monthly total gives);
- **hand-written SQL** (bench/sql_baseline.py): one query over the fact tables, written for the
  cards, with no cube.

The facts are read from the warehouse with the load's derived flags (re-referral within 12
months, working days to the ICPC, repeat plan), so no baseline computes those. Every numerator and
denominator of every card must equal the engine's, or the run stops: a speed-up over a baseline
that computes something else would prove nothing. Target: the engine >= 10x faster than the
aggregated pandas baseline at p95 (the fair one); the others are shown beside it.

    python bench/baseline.py [--combinations 50] [--quick]
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import sql_baseline
from bench.cards import (
    Combination,
    Figures,
    Totals,
    card_periods,
    check_equal,
    engine_figures,
    numbers_in,
)
from bench.common import MB, combinations_arguments, latency_summary, timed_ms
from bench.national import national_warehouse
from warehouse.kpis.engine import SERIES_MONTHS, Filters, evaluate
from warehouse.kpis.periods import Period, PeriodKind, add_months, period_ending
from warehouse.kpis.registry import EXECUTIVE_KPIS
from warehouse.queries import run

TARGET_SPEEDUP = 10  # over the aggregated pandas baseline, at p95
ENGLAND_SHARE = 0.2  # of the combinations, the rest being one LA
RECENT_MONTHS = 24
KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.FINANCIAL_YEAR, PeriodKind.ROLLING_12)
NAIVE, AGGREGATED, SQL = "naive pandas", "aggregated pandas", "hand-written SQL"


def _month(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.to_timestamp()


def _flagged_flows(
    referrals: pd.DataFrame, s47s: pd.DataFrame, plans: pd.DataFrame, missing: pd.DataFrame
) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Each flow's event dates, and which of the events are flagged (re-referrals, ICPCs within 15
    working days, repeat plans, return interviews offered within 72 hours)."""
    offered_in_72h = missing["rhi_offered_datetime"] <= missing["end_datetime"] + pd.Timedelta(hours=72)
    return {
        "referrals": (referrals["referral_date"], referrals["is_rereferral_12m"]),
        "icpcs": (s47s["icpc_date"], s47s["icpc_working_days"] <= 15),
        "starts": (plans["start_date"], plans["is_repeat_plan"]),
        "returns": (missing["end_datetime"], offered_in_72h),
    }


def _by_month(months: pd.Series, flagged: pd.Series, keys: list[pd.Series] | None = None) -> pd.DataFrame:
    """Events counted by month (and any other keys): columns "n" and "flagged"."""
    frame = pd.DataFrame({"n": 1, "flagged": flagged.fillna(False).astype(int), "month": months})
    by = [*(keys or []), frame["month"]]
    return frame.groupby(by)[["n", "flagged"]].sum()


def _as_months(monthly: pd.DataFrame) -> dict:
    """A month-indexed frame of "n" and "flagged" as {month: (n, flagged)}."""
    return {
        month.date(): (int(n), int(flagged))
        for month, n, flagged in zip(monthly.index, monthly["n"], monthly["flagged"])
    }


def _open_at(plans: pd.DataFrame, last_month) -> tuple[pd.Series, pd.Series]:
    """Which plans are open at the end of the month, and which of those opened 2 years or more before."""
    month_end = pd.Timestamp(add_months(last_month, 1)) - pd.Timedelta(days=1)
    not_ended = plans["end_date"].isna() | (plans["end_date"] > month_end)
    is_open = (plans["start_date"] <= month_end) & not_ended
    return is_open, is_open & (plans["start_date"] <= month_end - pd.DateOffset(years=2))


def _children(per_child_month: pd.DataFrame, windows) -> dict:
    """Children missing in each window, and those missing twice or more, from episodes per child and month."""
    found = {}
    for first, last in windows:
        months = per_child_month["month"].between(pd.Timestamp(first), pd.Timestamp(last))
        per_child = per_child_month[months].groupby("child_id")["episodes"].sum()
        found[(first, last)] = (len(per_child), int((per_child >= 2).sum()))
    return found


def _read_facts(warehouse_path: Path, columns: bool) -> tuple[pd.DataFrame, ...]:
    """The four fact tables the cards need: whole (the tutorial), or only the columns they use."""
    wanted = {
        "referral": "la_code, referral_date, is_rereferral_12m",
        "s47_enquiry": "la_code, icpc_date, icpc_working_days",
        "cp_plan": "la_code, start_date, end_date, is_repeat_plan",
        "missing_episode": "la_code, child_id, start_datetime, end_datetime, rhi_offered_datetime",
    }
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return tuple(
            con.execute(f"SELECT {chosen if columns else '*'} FROM {table}").df()
            for table, chosen in wanted.items()
        )


class PandasDashboard:
    """The tutorial app's state: whole fact tables in memory, read once; every callback masks them
    for its scope and counts what it needs."""

    def __init__(self, warehouse_path: Path) -> None:
        self.referrals, self.s47s, self.plans, self.missing = _read_facts(warehouse_path, columns=False)

    @property
    def rows(self) -> int:
        return sum(len(f) for f in (self.referrals, self.s47s, self.plans, self.missing))

    def executive_kpis(self, la: str | None, period: Period) -> Figures:
        """Every figure of every executive KPI card for one LA (or England, la=None) and period."""
        periods = card_periods(period)
        span_first = pd.Timestamp(min(p.first_month for p in periods))
        span_after = pd.Timestamp(add_months(max(p.last_month for p in periods), 1))

        def in_span(dates: pd.Series, la_codes: pd.Series) -> pd.Series:
            """The scope's rows dated from the first month any figure needs to the last."""
            mask = (dates >= span_first) & (dates < span_after)
            return mask & (la_codes == la) if la is not None else mask

        flows = {}
        facts = {
            "referrals": self.referrals,
            "icpcs": self.s47s,
            "starts": self.plans,
            "returns": self.missing,
        }
        for name, (dates, flagged) in _flagged_flows(
            self.referrals, self.s47s, self.plans, self.missing
        ).items():
            rows = in_span(dates, facts[name]["la_code"])
            flows[name] = _as_months(_by_month(_month(dates[rows]), flagged[rows]))

        # Stocks: plans open at the end of each month that ends a period.
        plans = self.plans if la is None else self.plans[self.plans["la_code"] == la]
        open_plans = {}
        for last in sorted({p.last_month for p in periods}):
            is_open, two_years = _open_at(plans, last)
            open_plans[last] = (int(is_open.sum()), int(two_years.sum()))

        # Counts of children: episodes per child and month, then per child over each period's months.
        rows = self.missing[in_span(self.missing["start_datetime"], self.missing["la_code"])]
        per_child_month = (
            rows.assign(month=_month(rows["start_datetime"]))
            .groupby(["month", "child_id"])
            .size()
            .rename("episodes")
            .reset_index()
        )
        children = _children(per_child_month, sorted({(p.first_month, p.last_month) for p in periods}))
        return Totals(flows, open_plans, children).figures(periods)


ENGLAND = "England"  # the key of the all-LA totals in the aggregated baseline


class AggregatedPandasDashboard:
    """A competent developer's version: the monthly totals worked out once at start-up with groupby,
    per LA and for England (each flow's events and flagged events by month; the plans open at each
    month's end), and episodes per LA, child and month for the counts of children, which no monthly
    total gives. A callback only selects its scope's rows and sums each period's months; it groups
    episodes by child for each window the cards show."""

    def __init__(self, warehouse_path: Path) -> None:
        referrals, s47s, plans, missing = _read_facts(warehouse_path, columns=True)
        self.rows = sum(len(f) for f in (referrals, s47s, plans, missing))
        facts = {"referrals": referrals, "icpcs": s47s, "starts": plans, "returns": missing}
        self.flows: dict[str, pd.DataFrame] = {}
        flagged_flows = _flagged_flows(referrals, s47s, plans, missing)
        for name, (dates, flagged) in flagged_flows.items():
            per_la = _by_month(_month(dates), flagged, [facts[name]["la_code"]])
            england = per_la.groupby(level="month").sum()
            self.flows[name] = pd.concat(
                [per_la, pd.concat({ENGLAND: england}, names=["la_code"])]
            ).sort_index()
        first = plans["start_date"].min().to_period("M").to_timestamp().date()
        last = max(dates.max() for dates, _ in flagged_flows.values())
        open_counts = []
        month = first
        while month <= last.date():
            is_open, two_years = _open_at(plans, month)
            counts = pd.DataFrame({"n": is_open, "flagged": two_years}).groupby(plans["la_code"]).sum()
            counts.loc[ENGLAND] = counts.sum()
            open_counts.append(counts.assign(month=pd.Timestamp(month)))
            month = add_months(month, 1)
        self.open_plans = pd.concat(open_counts).set_index("month", append=True).sort_index()
        self.child_months = (
            missing.assign(month=_month(missing["start_datetime"]))
            .groupby(["la_code", "month", "child_id"])
            .size()
            .rename("episodes")
            .reset_index()
            .sort_values(["la_code", "month"], ignore_index=True)
        )

    def executive_kpis(self, la: str | None, period: Period) -> Figures:
        periods = card_periods(period)
        scope = la or ENGLAND
        flows = {
            name: _as_months(monthly.xs(scope, level="la_code")) if scope in monthly.index else {}
            for name, monthly in self.flows.items()
        }
        open_plans = (
            _as_months(self.open_plans.xs(scope, level="la_code")) if scope in self.open_plans.index else {}
        )
        span_first = pd.Timestamp(min(p.first_month for p in periods))
        span_last = pd.Timestamp(max(p.last_month for p in periods))
        rows = self.child_months
        if la is not None:
            rows = rows[rows["la_code"] == la]
        rows = rows[rows["month"].between(span_first, span_last)]
        children = _children(rows, sorted({(p.first_month, p.last_month) for p in periods}))
        return Totals(flows, open_plans, children).figures(periods)


def _combinations(
    con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...], n: int, seed: int
) -> list[Combination]:
    months = run(con, "data_months", la_codes=list(la_codes)).iloc[0]
    first, last = months["first_month"].date(), months["last_month"].date()
    rng = random.Random(seed)
    found: list[Combination] = []
    while len(found) < n:
        period = period_ending(rng.choice(KINDS), add_months(last, -rng.randrange(RECENT_MONTHS)))
        if (
            period.first_month >= first and period.last_month <= last
        ):  # complete periods only, as the filter bar
            found.append(Combination(None if rng.random() < ENGLAND_SHARE else rng.choice(la_codes), period))
    return found


def _started(make: Callable[[], object]) -> tuple[object, float, int]:
    """A baseline made, with its start-up time (s) and the memory it holds (RSS growth, bytes)."""
    rss_before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    made = make()
    return made, time.perf_counter() - started, psutil.Process().memory_info().rss - rss_before


def measure(warehouse_path: Path, combinations: int, seed: int = 2026) -> dict:
    """The baselines against the engine on the same combinations; raises AssertionError if a figure differs."""
    naive, naive_s, naive_rss = _started(lambda: PandasDashboard(warehouse_path))
    aggregated, aggregated_s, aggregated_rss = _started(lambda: AggregatedPandasDashboard(warehouse_path))
    ours_ms: list[float] = []
    theirs_ms: dict[str, list[float]] = {NAIVE: [], AGGREGATED: [], SQL: []}
    numbers_checked = 0
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        la_codes = tuple(
            r[0] for r in con.execute("SELECT DISTINCT la_code FROM kpi_cube_la ORDER BY 1").fetchall()
        )
        chosen = _combinations(con, la_codes, combinations, seed)
        sides: dict[str, Callable[[str | None, Period], Figures]] = {
            NAIVE: naive.executive_kpis,  # type: ignore[attr-defined]
            AGGREGATED: aggregated.executive_kpis,  # type: ignore[attr-defined]
            SQL: lambda la, period: sql_baseline.executive_kpis(con, la, period),
        }
        # Warm DuckDB once for each side that reads it.
        evaluate(con, EXECUTIVE_KPIS, chosen[0].period, Filters(la_codes=la_codes))
        sides[SQL](None, chosen[0].period)
        for combination in chosen:
            filters = Filters(la_codes=(combination.la,) if combination.la else la_codes)
            ms, results = timed_ms(evaluate, con, EXECUTIVE_KPIS, combination.period, filters)
            ours_ms.append(ms)
            ours = engine_figures(results)
            for name, side in sides.items():
                ms, theirs = timed_ms(side, combination.la, combination.period)
                theirs_ms[name].append(ms)
                check_equal(name, combination, ours, theirs)
            numbers_checked += numbers_in(ours)
    engine = latency_summary(ours_ms)
    baselines = {
        name: {
            "ms": (summary := latency_summary(timings)),
            "speedup_p50": summary["p50"] / engine["p50"],
            "speedup_p95": summary["p95"] / engine["p95"],
        }
        for name, timings in theirs_ms.items()
    }
    baselines[NAIVE] |= {"startup_seconds": naive_s, "rss_bytes": naive_rss, "rows": naive.rows}  # type: ignore[attr-defined]
    baselines[AGGREGATED] |= {
        "startup_seconds": aggregated_s,
        "rss_bytes": aggregated_rss,
        "rows": aggregated.rows,  # type: ignore[attr-defined]
    }
    return {
        "combinations": combinations,
        "england_combinations": sum(c.la is None for c in chosen),
        "kpis": len(EXECUTIVE_KPIS),
        "periods_per_kpi": len(card_periods(chosen[0].period)),
        "series_months": SERIES_MONTHS,
        # One figure: a KPI for one period of one combination (numerator and denominator).
        "figures_checked": combinations * len(EXECUTIVE_KPIS) * len(card_periods(chosen[0].period)),
        "numbers_checked": numbers_checked,
        "figures_equal": True,
        "engine_ms": engine,
        "baselines": baselines,
        "judged_against": AGGREGATED,
        "speedup_p95": baselines[AGGREGATED]["speedup_p95"],
        "target_speedup": TARGET_SPEEDUP,
    }


def print_result(result: dict) -> None:
    for name in (NAIVE, AGGREGATED):
        side = result["baselines"][name]
        print(
            f"{name}: {side['rows']:,} fact rows read and prepared in {side['startup_seconds']:.1f} s, "
            f"{side['rss_bytes'] / MB:,.0f} MB in memory"
        )
    print(
        f"{result['combinations']} combinations ({result['england_combinations']} all-England), "
        f"{result['figures_checked']:,} figures checked on each baseline ({result['kpis']} KPIs x "
        f"{result['periods_per_kpi']} periods: current, previous, last year and {result['series_months']} "
        f"months; {result['numbers_checked']:,} numerators and denominators): all equal"
    )
    engine = result["engine_ms"]
    print(f"{'engine (cube)':18s} p50 {engine['p50']:8.1f} ms  p95 {engine['p95']:8.1f} ms")
    for name, side in result["baselines"].items():
        ms = side["ms"]
        print(
            f"{name:18s} p50 {ms['p50']:8.1f} ms  p95 {ms['p95']:8.1f} ms  engine "
            f"{side['speedup_p50']:.1f}x faster at p50, {side['speedup_p95']:.1f}x at p95"
        )
    verdict = "met" if result["speedup_p95"] >= TARGET_SPEEDUP else "MISSED"
    print(f"target (>= {TARGET_SPEEDUP}x the {result['judged_against']} baseline at p95): {verdict}")


def main() -> None:
    args = combinations_arguments(__doc__)
    print_result(measure(national_warehouse(args.quick).path, args.combinations))


if __name__ == "__main__":
    main()
