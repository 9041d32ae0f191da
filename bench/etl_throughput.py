"""ETL throughput: `safeguard load` against plain DuckDB read_csv + INSERT of the same files.

Generates one LA's native extracts with the demo generator at scale (17 gives about 1,000,000
contacts and 2.1M rows in all: the areas, social care's five datasets, assessments and the partner
packs' four), then times, alternately and several times, each in a
fresh process: (a) our whole load (read, stage, pseudonymise, validate every row, insert,
derive, build the cubes, checkpoint, verify, swap) into an empty warehouse, (b) DuckDB reading
the same CSVs into one table per dataset in a fresh database file, sniffing the types, and (c) the
same told each column's type. Reports rows/s, the ratios and each side's peak RSS. Target: ours at
>= 50% of the typed ingest's speed (the fair baseline: a competent raw ingest names its types);
the ratio to the sniffing ingest is shown beside it.

A routine load is measured too: one LA's extracts of the national warehouse (bench/national.py), as
they would be a month later, loaded into a copy of it (copied untimed), against the typed raw ingest of the same files: what a
hub's monthly load costs, where the published warehouse is copied, the LA's cubes rebuilt and the
new file checked and swapped. Same target.

    python bench/etl_throughput.py [--repeats 3] [--scale 17] [--routine]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import MB
from bench.ingest import AS_OF, data_rows, measured_ingest
from etl.demo import generate_demo

TYPED_TARGET_RATIO = 0.50  # of the typed ingest's speed
LA = "E08000021"
# A routine load's extracts are those of the months after the national warehouse's, loaded in turn, as
# a hub's months follow one another.
ROUTINE_LOADS = 3


def _side(runs: list[dict], rows: int) -> dict:
    seconds = statistics.median(run["seconds"] for run in runs)
    return {
        "median_seconds": seconds,
        "rows_per_second": rows / seconds,
        "runs_seconds": [r["seconds"] for r in runs],
        "peak_rss_bytes": max(run["peak_rss_bytes"] for run in runs),
    }


def measure(scale: float, repeats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="etl-bench-") as tmp:
        work = Path(tmp)
        files = generate_demo(
            work / "files", as_of=AS_OF, la_codes=[LA], scale=scale
        )  # the bad rows file aside
        rows = data_rows(files)
        ours, raw, typed = [], [], []
        for _ in range(repeats):  # alternately, so a busy spell on a shared machine hits every side
            raw.append(measured_ingest("raw", work / "raw.duckdb", files))
            typed.append(measured_ingest("raw-typed", work / "raw.duckdb", files))
            ours.append(measured_ingest("ours", work / "ours", files))
        result = {
            "la": LA,
            "scale": scale,
            "files": len(files),
            "rows": rows,
            "repeats": repeats,
            "csv_bytes": sum(f.stat().st_size for f in files),
            "ours": _side(ours, rows),
            "raw": _side(raw, rows),
            "raw_typed": _side(typed, rows),
        }
    result["ratio"] = result["raw"]["median_seconds"] / result["ours"]["median_seconds"]
    result["typed_ratio"] = result["raw_typed"]["median_seconds"] / result["ours"]["median_seconds"]
    result["typed_target_ratio"] = TYPED_TARGET_RATIO
    return result


def measure_routine(national_home: Path, repeats: int) -> dict:
    """The LA's extracts of the months after the national warehouse's, each loaded in turn into a copy of
    it (ROUTINE_LOADS loads a repeat, as a hub's months follow one another), against the typed raw
    ingest of the same files."""
    from bench.national import national_files

    ours: list[dict] = []
    typed: list[dict] = []
    months = [AS_OF + timedelta(days=30 * (i + 1)) for i in range(ROUTINE_LOADS)]
    with tempfile.TemporaryDirectory(prefix="etl-routine-", dir=national_home.parent) as tmp:
        work = Path(tmp)
        # The LA's extracts of each month (the areas, unchanged, are not sent again).
        files = {
            day: [
                f for f in national_files(work / day.isoformat(), [LA], day) if not f.stem.endswith("_areas")
            ]
            for day in months
        }
        rows = data_rows(files[months[0]])
        copy = work / "home"
        for _ in range(repeats):
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(national_home, copy, ignore=shutil.ignore_patterns(".snapshots", "*.lock"))
            for day in months:
                typed.append(measured_ingest("raw-typed", work / "raw.duckdb", files[day]))
                ours.append(measured_ingest("ours-routine", copy, files[day], synthetic=True, today=day))
        shutil.rmtree(copy, ignore_errors=True)
    result = {
        "la": LA,
        "files": len(files[months[0]]),
        "rows": rows,
        "repeats": repeats,
        "loads_per_repeat": ROUTINE_LOADS,
        "warehouse_bytes": (national_home / "warehouse.duckdb").stat().st_size,
        "ours": _side(ours, rows),
        "raw_typed": _side(typed, rows),
    }
    result["typed_ratio"] = result["raw_typed"]["median_seconds"] / result["ours"]["median_seconds"]
    result["typed_target_ratio"] = TYPED_TARGET_RATIO
    return result


def print_routine(result: dict) -> None:
    print(
        f"routine load: {result['files']} files of {result['la']} ({result['rows']:,} rows) into a copy of "
        f"the national warehouse ({result['warehouse_bytes'] / MB:,.0f} MB)"
    )
    for name, side in (("the same, types given", result["raw_typed"]), ("safeguard load", result["ours"])):
        runs = ", ".join(f"{s:.1f}" for s in side["runs_seconds"])
        print(f"{name:29s} median {side['median_seconds']:6.2f} s, runs {runs}")
    verdict = "meets" if result["typed_ratio"] >= TYPED_TARGET_RATIO else "MISSES"
    print(
        f"ours at {result['typed_ratio']:.0%} of the typed ingest's speed ({verdict} the {TYPED_TARGET_RATIO:.0%} target)"
    )


def print_result(result: dict) -> None:
    print(
        f"files: {result['files']} ({result['la']} at scale {result['scale']:g}), {result['rows']:,} rows, "
        f"{result['csv_bytes'] / MB:.0f} MB"
    )
    for name, side in (
        ("raw DuckDB read_csv + INSERT", result["raw"]),
        ("the same, types given", result["raw_typed"]),
        ("safeguard load (validated)", result["ours"]),
    ):
        runs = ", ".join(f"{s:.1f}" for s in side["runs_seconds"])
        print(
            f"{name:29s} median {side['median_seconds']:6.2f} s ({side['rows_per_second']:>9,.0f} rows/s), "
            f"runs {runs}; peak RSS {side['peak_rss_bytes'] / MB:,.0f} MB"
        )
    print(f"ours at {result['ratio']:.0%} of the sniffing raw ingest's speed")
    verdict = "meets" if result["typed_ratio"] >= TYPED_TARGET_RATIO else "MISSES"
    print(
        f"ours at {result['typed_ratio']:.0%} of the typed ingest's speed ({verdict} the "
        f"{TYPED_TARGET_RATIO:.0%} target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=17.0, help="demo scale; 17 gives about 1M contacts")
    parser.add_argument(
        "--routine", action="store_true", help="a routine load into the national warehouse, instead"
    )
    args = parser.parse_args()
    if args.routine:
        from bench.national import national_warehouse

        print_routine(measure_routine(national_warehouse(quick=False).home, args.repeats))
    else:
        print_result(measure(args.scale, args.repeats))


if __name__ == "__main__":
    main()
