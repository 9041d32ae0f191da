"""KPI engine latency at national scale: the executive KPI set from the cubes against the same
KPIs counted straight from the raw facts with SQL.

Builds (once) a warehouse of all 153 English LAs over 5 years with the demo generator
(bench/national.py), then times `evaluate` for the executive set (current period, previous
period, same period last year and the 13-month series for each KPI) for one LA and for all of
England. Prints p50/p95 and the ratio. Target: cube p95 < 100 ms, at least 10x faster than raw.

    python bench/kpi_latency.py [--runs 30] [--raw-runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.national import national_warehouse  # noqa: E402
from warehouse.kpis.engine import Filters, evaluate  # noqa: E402
from warehouse.kpis.periods import parse_period  # noqa: E402
from warehouse.kpis.registry import EXECUTIVE_KPIS  # noqa: E402

PERIOD = parse_period("2025-26")
TARGET_P95_MS = 100
TARGET_RATIO = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timings(con: duckdb.DuckDBPyConnection, filters: Filters, source: str, runs: int) -> list[float]:
    evaluate(con, EXECUTIVE_KPIS, PERIOD, filters, source=source)  # warm the caches once
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        evaluate(con, EXECUTIVE_KPIS, PERIOD, filters, source=source)
        found.append((time.perf_counter() - started) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--raw-runs", type=int, default=5)
    args = parser.parse_args()
    path = national_warehouse()
    with duckdb.connect(str(path), read_only=True) as con:
        la_codes = tuple(code for (code,) in con.execute("SELECT DISTINCT la_code FROM kpi_cube ORDER BY 1").fetchall())
        facts = con.execute(
            "SELECT (SELECT count(*) FROM contact), (SELECT count(*) FROM referral), (SELECT count(*) FROM s47_enquiry), "
            "(SELECT count(*) FROM cp_plan), (SELECT count(*) FROM missing_episode), (SELECT count(*) FROM kpi_cube)"
        ).fetchone()
        print(f"warehouse: {len(la_codes)} LAs; contacts {facts[0]:,}, referrals {facts[1]:,}, S47s {facts[2]:,}, "
              f"CP plans {facts[3]:,}, missing episodes {facts[4]:,}; cube rows {facts[5]:,}")
        print(f"executive set ({len(EXECUTIVE_KPIS)} KPIs, {PERIOD.label}, with previous, last year and 13-month series)")
        verdicts = []
        scenarios = (
            ("one LA (E08000021)", Filters(la_codes=("E08000021",)), True),
            ("all of England", Filters(la_codes=la_codes), True),
            # Filtered views read the detailed cube: shown for reference, not judged.
            ("one LA, police, 10-15", Filters(la_codes=("E08000021",), agencies=("Police",), age_bands=("10-15",)), False),
            ("England, female", Filters(la_codes=la_codes, genders=("F",)), False),
        )
        for name, filters, judged in scenarios:
            cube = timings(con, filters, "cube", args.runs)
            raw = timings(con, filters, "raw", args.raw_runs)
            cube_p50, cube_p95 = statistics.median(cube), percentile(cube, 0.95)
            raw_p50, raw_p95 = statistics.median(raw), percentile(raw, 0.95)
            ratio = raw_p50 / cube_p50
            print(f"{name:22s} cube p50 {cube_p50:7.1f} ms  p95 {cube_p95:7.1f} ms | raw p50 {raw_p50:8.1f} ms  "
                  f"p95 {raw_p95:8.1f} ms | raw/cube {ratio:5.1f}x")
            if judged:
                verdicts.append(cube_p95 < TARGET_P95_MS and ratio >= TARGET_RATIO)
        print("targets (p95 < 100 ms, >= 10x raw):", "met" if all(verdicts) else "MISSED")


if __name__ == "__main__":
    main()
