"""KPI engine latency at national scale: the executive KPI set from the cubes against the same
KPIs counted straight from the raw facts with SQL.

Builds (once) a warehouse of all 153 English LAs over 5 years with the demo generator
(bench/national.py), then times `evaluate` for the executive set (current period, previous
period, same period last year and the engine's 25-month series for each KPI) for one LA and for all of
England. Prints p50/p95 and the ratio. Targets: cube p95 < 5 ms for one LA and < 10 ms for all of
England; filtered views read the detailed cube and are shown for reference. The raw path is the
engine's own arithmetic on totals counted from the facts: the check that the cubes are right, not a
fair speed baseline (bench/sql_baseline.py, a query written for the cards, is that: bench/baseline.py).

    python bench/kpi_latency.py [--runs 30] [--raw-runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import latency_summary, timed_ms
from bench.national import national_warehouse
from warehouse.kpis.engine import SERIES_MONTHS, Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import EXECUTIVE_KPIS

PERIOD = parse_period("2025-26")
ONE_LA = "E08000021"
TARGET_P95_MS = {"one LA": 5, "all of England": 10}


def _timings(con: duckdb.DuckDBPyConnection, filters: Filters, source: str, runs: int) -> list[float]:
    if not runs:
        return []
    evaluate(con, EXECUTIVE_KPIS, PERIOD, filters, source=source)  # warm the caches once
    return [timed_ms(evaluate, con, EXECUTIVE_KPIS, PERIOD, filters, source=source)[0] for _ in range(runs)]


def _scenarios(la_codes: tuple[str, ...]) -> list[tuple[str, Filters, float | None]]:
    """(name, filters, target p95 in ms, or None for a view shown for reference)."""
    return [
        (f"one LA ({ONE_LA})", Filters(la_codes=(ONE_LA,)), TARGET_P95_MS["one LA"]),
        (
            f"all of England ({len(la_codes)} LAs)",
            Filters(la_codes=la_codes),
            TARGET_P95_MS["all of England"],
        ),
        # Filtered views read the detailed cube: shown for reference, not judged.
        (
            "one LA, police, 10-15",
            Filters(la_codes=(ONE_LA,), agency=("Police",), age_band=("10-15",)),
            None,
        ),
        ("England, female", Filters(la_codes=la_codes, gender=("F",)), None),
    ]


def measure(warehouse_path: Path, runs: int, raw_runs: int) -> dict:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        la_codes = tuple(
            code for (code,) in con.execute("SELECT DISTINCT la_code FROM kpi_cube ORDER BY 1").fetchall()
        )
        scenarios = []
        for name, filters, target in _scenarios(la_codes):
            cube = latency_summary(_timings(con, filters, "cube", runs))
            raw = latency_summary(_timings(con, filters, "raw", raw_runs))
            scenarios.append(
                {
                    "name": name,
                    "judged": target is not None,
                    "target_p95_ms": target,
                    "cube_ms": cube,
                    "raw_ms": raw,
                    "raw_over_cube": raw["p50"] / cube["p50"] if raw["n"] else None,
                }
            )
    judged = [s for s in scenarios if s["judged"]]
    return {
        "kpis": list(EXECUTIVE_KPIS),
        "period": PERIOD.label,
        "runs": runs,
        "raw_runs": raw_runs,
        "scenarios": scenarios,
        "targets_met": all(s["cube_ms"]["p95"] < s["target_p95_ms"] for s in judged),
    }


def print_result(result: dict) -> None:
    print(
        f"executive set ({len(result['kpis'])} KPIs, {result['period']}, with previous, last year and "
        f"{SERIES_MONTHS}-month series)"
    )
    for s in result["scenarios"]:
        cube, raw = s["cube_ms"], s["raw_ms"]
        reference = "" if s["judged"] else "  (reference)"
        print(
            f"{s['name']:28s} cube p50 {cube['p50']:7.1f} ms  p95 {cube['p95']:7.1f} ms | "
            f"raw p50 {raw['p50']:8.1f} ms  p95 {raw['p95']:8.1f} ms | raw/cube "
            f"{s['raw_over_cube']:5.1f}x{reference}"
        )
    verdict = "met" if result["targets_met"] else "MISSED"
    targets = ", ".join(f"{name} < {ms} ms" for name, ms in TARGET_P95_MS.items())
    print(f"target (p95: {targets}): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--raw-runs", type=int, default=5)
    parser.add_argument(
        "--quick", action="store_true", help="the few-LA warehouse of bench/national.py --quick"
    )
    args = parser.parse_args()
    print_result(measure(national_warehouse(args.quick).path, args.runs, args.raw_runs))


if __name__ == "__main__":
    main()
