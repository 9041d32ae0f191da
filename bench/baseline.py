"""The pandas baseline: the executive KPI cards computed the way a typical Dash tutorial would.

At start-up the fact tables the executive KPIs need are read whole into pandas DataFrames and
kept in memory; each "callback" then filters them with boolean masks for the chosen LA (or all of
England) and works out every figure a KPI card shows: the period's value, the previous period
(for the change on it), the same period last year and the monthly series of the sparkline
(warehouse.kpis.engine.SERIES_MONTHS months to the period's end), as the engine defines them:

- a flow (referrals, ICPCs, plans started, episodes ended) counts the events dated in the
  period: each callback counts them by month with one `groupby` and sums a period's months;
- a stock (CP plans open, and open 2 years or more) counts what is open at the end of the
  period's last month: one mask per month end needed;
- a count of children (children missing, and missing twice or more) counts each child once per
  period, from the episodes starting in it: episodes per child and month with one `groupby`,
  then per child over each period's months.

The facts are read from the warehouse with the load's derived flags (re-referral within 12
months, working days to the ICPC, repeat plan), so the baseline is spared computing those.

The same random (scope, period) combinations go through our engine (`evaluate`), and every
figure of every card (the numerator and denominator of each KPI for each of those periods) is
checked equal; the run stops if any differ: a speed-up over a baseline that computes something
else would prove nothing. Target: ours >= 10x faster.

    python bench/baseline.py [--combinations 50] [--quick]
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import MB, combinations_arguments, latency_summary, timed_ms
from bench.national import national_warehouse
from warehouse.kpis.engine import SERIES_MONTHS, Filters, KpiResult, evaluate
from warehouse.kpis.periods import Period, PeriodKind, add_months, period_ending
from warehouse.kpis.registry import EXECUTIVE_KPIS
from warehouse.queries import run

TARGET_SPEEDUP = 10
ENGLAND_SHARE = 0.2  # of the combinations, the rest being one LA
RECENT_MONTHS = 24
KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.FINANCIAL_YEAR, PeriodKind.ROLLING_12)

# KPI id -> (period, numerator, denominator or None for a count) for each figure of its card:
# current, previous, same period last year, then the monthly series, oldest first.
Figures = dict[str, list[tuple[Period, int, int | None]]]


@dataclass(frozen=True)
class Combination:
    la: str | None  # None: all of England
    period: Period

    @property
    def label(self) -> str:
        return f"{self.la or 'England'} {self.period.code}"


def card_periods(period: Period) -> list[Period]:
    """What a KPI card shows for `period`: the period, the previous one, the same period last
    year, and the SERIES_MONTHS months to its end (oldest first), as the engine defines them."""
    last = period.last_month
    series = [Period(PeriodKind.MONTH, add_months(last, -i)) for i in range(SERIES_MONTHS - 1, -1, -1)]
    return [period, period.previous(), period.same_period_last_year(), *series]


class PandasDashboard:
    """The tutorial app's state: whole fact tables in memory, read once."""

    def __init__(self, warehouse_path: Path) -> None:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            self.referrals = con.execute("SELECT * FROM referral").df()
            self.s47s = con.execute("SELECT * FROM s47_enquiry").df()
            self.plans = con.execute("SELECT * FROM cp_plan").df()
            self.missing = con.execute("SELECT * FROM missing_episode").df()

    def executive_kpis(self, la: str | None, period: Period) -> Figures:
        """Every figure of every executive KPI card for one LA (or England, la=None) and period."""
        periods = card_periods(period)
        span_first = pd.Timestamp(min(p.first_month for p in periods))
        span_after = pd.Timestamp(add_months(max(p.last_month for p in periods), 1))

        def in_span(frame: pd.DataFrame, column: str) -> pd.DataFrame:
            """The scope's rows dated from the first month any figure needs to the last, with their month."""
            mask = (frame[column] >= span_first) & (frame[column] < span_after)
            if la is not None:
                mask &= frame["la_code"] == la
            rows = frame[mask]
            return rows.assign(month=rows[column].dt.to_period("M").dt.to_timestamp())

        def by_month(rows: pd.DataFrame, **flags: pd.Series) -> pd.DataFrame:
            """Events counted by month (column "n"), with the number flagged by each flag."""
            return pd.DataFrame({"n": 1, **flags, "month": rows["month"]}).groupby("month").sum()

        def flow(monthly: pd.DataFrame, column: str, p: Period) -> int:
            """A flow: the sum of the period's months."""
            return int(monthly.loc[pd.Timestamp(p.first_month) : pd.Timestamp(p.last_month), column].sum())

        rows = in_span(self.referrals, "referral_date")
        referrals = by_month(rows, rereferrals=rows["is_rereferral_12m"])
        rows = in_span(self.s47s, "icpc_date")
        icpcs = by_month(rows, within_15wd=rows["icpc_working_days"] <= 15)
        rows = in_span(self.plans, "start_date")
        starts = by_month(rows, repeat=rows["is_repeat_plan"])
        rows = in_span(self.missing, "end_datetime")
        offered_in_72h = rows["rhi_offered_datetime"] <= rows["end_datetime"] + pd.Timedelta(hours=72)
        returns = by_month(rows, rhi_72h=offered_in_72h)

        # Stocks: plans open at the end of each month that ends a period (opened on or before it,
        # not ended by it), and of those the ones opened 2 years or more before it.
        plans = self.plans if la is None else self.plans[self.plans["la_code"] == la]
        open_at: dict = {}
        for last in sorted({p.last_month for p in periods}):
            month_end = pd.Timestamp(add_months(last, 1)) - pd.Timedelta(days=1)
            not_ended = plans["end_date"].isna() | (plans["end_date"] > month_end)
            is_open = (plans["start_date"] <= month_end) & not_ended
            two_years = is_open & (plans["start_date"] <= month_end - pd.DateOffset(years=2))
            open_at[last] = (int(is_open.sum()), int(two_years.sum()))

        # Counts of children: episodes per child and month, then per child over each period's months.
        rows = in_span(self.missing, "start_datetime")
        per_child_month = rows.groupby(["month", "child_id"]).size().rename("episodes").reset_index()
        children: dict = {}
        for window in sorted({(p.first_month, p.last_month) for p in periods}):
            months = per_child_month["month"].between(pd.Timestamp(window[0]), pd.Timestamp(window[1]))
            per_child = per_child_month[months].groupby("child_id")["episodes"].sum()
            children[window] = (int((per_child >= 2).sum()), len(per_child))

        def stock(p: Period) -> tuple[int, int]:
            return open_at[p.last_month]

        def missing(p: Period) -> tuple[int, int]:
            return children[(p.first_month, p.last_month)]

        return {
            "referrals": [(p, flow(referrals, "n", p), None) for p in periods],
            "re_referral_12m": [
                (p, flow(referrals, "rereferrals", p), flow(referrals, "n", p)) for p in periods
            ],
            "icpc_15wd": [(p, flow(icpcs, "within_15wd", p), flow(icpcs, "n", p)) for p in periods],
            "cp_open": [(p, stock(p)[0], None) for p in periods],
            "cp_repeat": [(p, flow(starts, "repeat", p), flow(starts, "n", p)) for p in periods],
            "cp_2yrs": [(p, stock(p)[1], stock(p)[0]) for p in periods],
            "missing_repeat": [(p, *missing(p)) for p in periods],
            "rhi_72h": [(p, flow(returns, "rhi_72h", p), flow(returns, "n", p)) for p in periods],
        }


def engine_figures(results: list[KpiResult]) -> Figures:
    """The engine's figures in the baseline's shape: current, previous, last year, then the series."""
    return {
        r.kpi.id: [
            (f.period, f.numerator, f.denominator) for f in (r.current, r.previous, r.last_year, *r.series)
        ]
        for r in results
    }


def numbers_in(figures: Figures) -> int:
    """How many numbers the figures hold: a numerator each, and a denominator for the ratios."""
    return sum(1 + (den is not None) for card in figures.values() for _, _, den in card)


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


def _check_equal(combination: Combination, ours: Figures, theirs: Figures) -> None:
    """Every figure of every card, period by period; stops the run at the first combination that differs."""
    differ = {
        kpi: [
            (engine, baseline)
            for engine, baseline in zip(ours[kpi], theirs[kpi], strict=True)
            if engine != baseline
        ]
        for kpi in EXECUTIVE_KPIS
        if len(ours[kpi]) != len(theirs[kpi]) or ours[kpi] != theirs[kpi]
    }
    if differ:
        raise AssertionError(
            f"the pandas baseline and the engine differ for {combination.label} "
            f"(KPI: [(engine, baseline) as (period, numerator, denominator)]): {differ}"
        )


def measure(warehouse_path: Path, combinations: int, seed: int = 2026) -> dict:
    """Baseline against engine for the same combinations; raises AssertionError if a figure differs."""
    rss_before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    baseline = PandasDashboard(warehouse_path)
    startup_s = time.perf_counter() - started
    baseline_rss = psutil.Process().memory_info().rss - rss_before
    ours_ms, theirs_ms = [], []
    numbers_checked = 0
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        la_codes = tuple(
            r[0] for r in con.execute("SELECT DISTINCT la_code FROM kpi_cube_la ORDER BY 1").fetchall()
        )
        chosen = _combinations(con, la_codes, combinations, seed)
        evaluate(con, EXECUTIVE_KPIS, chosen[0].period, Filters(la_codes=la_codes))  # warm DuckDB once
        for combination in chosen:
            filters = Filters(la_codes=(combination.la,) if combination.la else la_codes)
            ms, results = timed_ms(evaluate, con, EXECUTIVE_KPIS, combination.period, filters)
            ours_ms.append(ms)
            ms, theirs = timed_ms(baseline.executive_kpis, combination.la, combination.period)
            theirs_ms.append(ms)
            ours_figures = engine_figures(results)
            _check_equal(combination, ours_figures, theirs)
            numbers_checked += numbers_in(ours_figures)
    ours, theirs = latency_summary(ours_ms), latency_summary(theirs_ms)
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
        "baseline_startup_seconds": startup_s,
        "baseline_rss_bytes": baseline_rss,
        "baseline_rows": sum(
            len(f) for f in (baseline.referrals, baseline.s47s, baseline.plans, baseline.missing)
        ),
        "engine_ms": ours,
        "baseline_ms": theirs,
        "speedup_p50": theirs["p50"] / ours["p50"],
        "speedup_p95": theirs["p95"] / ours["p95"],
        "target_speedup": TARGET_SPEEDUP,
    }


def print_result(result: dict) -> None:
    print(
        f"pandas baseline: {result['baseline_rows']:,} fact rows read in "
        f"{result['baseline_startup_seconds']:.1f} s, {result['baseline_rss_bytes'] / MB:,.0f} MB in memory"
    )
    print(
        f"{result['combinations']} combinations ({result['england_combinations']} all-England), "
        f"{result['figures_checked']:,} figures checked ({result['kpis']} KPIs x {result['periods_per_kpi']} "
        f"periods: current, previous, last year and {result['series_months']} months; "
        f"{result['numbers_checked']:,} numerators and denominators): all equal"
    )
    for name, ms in (("engine (cube)", result["engine_ms"]), ("pandas baseline", result["baseline_ms"])):
        print(f"{name:16s} p50 {ms['p50']:8.1f} ms  p95 {ms['p95']:8.1f} ms")
    verdict = "met" if result["speedup_p50"] >= TARGET_SPEEDUP else "MISSED"
    print(
        f"engine {result['speedup_p50']:.1f}x faster at p50, {result['speedup_p95']:.1f}x at p95 "
        f"(target >= {TARGET_SPEEDUP}x: {verdict})"
    )


def main() -> None:
    args = combinations_arguments(__doc__)
    print_result(measure(national_warehouse(args.quick).path, args.combinations))


if __name__ == "__main__":
    main()
