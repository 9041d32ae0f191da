"""ETL throughput: `safeguard load` against plain DuckDB read_csv + INSERT of the same files.

Generates one LA's native extracts with the demo generator at scale (17 gives about 1,000,000
contacts and 2.1M rows in all: the areas, social care's five datasets, assessments and the partner
packs' four), then times, alternately and several times, each in a
fresh process: (a) our whole load (read, stage, pseudonymise, validate every row, insert,
derive, build the cubes, checkpoint, verify, swap) into an empty warehouse, (b) DuckDB reading
the same CSVs into one table per dataset in a fresh database file, sniffing the types, and (c) the
same told each column's type. Reports rows/s, the ratios and each side's peak RSS. Target: ours at
>= 40% of raw DuckDB speed; beside it, the ratio to the typed ingest (the fairer baseline, which
the next target, 50%, is judged against).

    python bench/etl_throughput.py [--repeats 3] [--scale 17]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import MB
from bench.ingest import AS_OF, data_rows, measured_ingest
from etl.demo import generate_demo

TARGET_RATIO = 0.40
TYPED_TARGET_RATIO = 0.50  # of the typed ingest: the next target, reported beside
LA = "E08000021"


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
    result["target_ratio"] = TARGET_RATIO
    result["typed_ratio"] = result["raw_typed"]["median_seconds"] / result["ours"]["median_seconds"]
    result["typed_target_ratio"] = TYPED_TARGET_RATIO
    return result


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
    verdict = "meets" if result["ratio"] >= TARGET_RATIO else "MISSES"
    print(
        f"ratio: ours at {result['ratio']:.0%} of raw DuckDB speed ({verdict} the {TARGET_RATIO:.0%} target)"
    )
    typed_verdict = "meets" if result["typed_ratio"] >= TYPED_TARGET_RATIO else "misses"
    print(
        f"typed: ours at {result['typed_ratio']:.0%} of the typed ingest's speed ({typed_verdict} the next "
        f"target, {TYPED_TARGET_RATIO:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=17.0, help="demo scale; 17 gives about 1M contacts")
    args = parser.parse_args()
    print_result(measure(args.scale, args.repeats))


if __name__ == "__main__":
    main()
