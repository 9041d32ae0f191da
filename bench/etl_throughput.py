"""ETL throughput: `safeguard load` against plain DuckDB read_csv + INSERT of the same file.

Generates about 1,000,000 contact rows as a native CSV (the demo generator at scale), then
times, alternately and several times, (a) our whole load (read, stage, pseudonymise, validate
with pandera, insert, derive, checkpoint, verify, swap) into an empty warehouse and (b) DuckDB
reading the same CSV into a table in a fresh database file. Prints rows/s and the ratio.
Target: ours at >= 40% of raw DuckDB speed.

    python bench/etl_throughput.py [--repeats 3] [--scale 17]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.demo import generate_demo  # noqa: E402
from etl.pipeline import run_load  # noqa: E402
from warehouse.settings import Settings  # noqa: E402

AS_OF = date(2026, 11, 25)
TARGET_RATIO = 0.40


def make_contacts(folder: Path, scale: float) -> tuple[Path, int]:
    paths = generate_demo(folder, as_of=AS_OF, la_codes=["E08000021"], scale=scale)
    contacts = next(p for p in paths if p.name.endswith("_contacts.csv"))
    with open(contacts, "rb") as handle:
        rows = sum(1 for _ in handle) - 1
    return contacts, rows


def time_ours(csv_path: Path, work: Path) -> float:
    home = work / "ours"
    shutil.rmtree(home, ignore_errors=True)
    settings = Settings(home=home)
    run_load([], settings, today=AS_OF)  # an empty warehouse, as a first load would find
    start = time.perf_counter()
    [outcome] = run_load([csv_path], settings, today=AS_OF)
    elapsed = time.perf_counter() - start
    assert outcome.status == "loaded", outcome.message
    return elapsed


def time_raw(csv_path: Path, work: Path) -> float:
    db = work / "raw.duckdb"
    db.unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE contact AS SELECT * FROM read_csv(?) LIMIT 0", [str(csv_path)])
    con.execute("INSERT INTO contact SELECT * FROM read_csv(?)", [str(csv_path)])
    con.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=17.0, help="demo scale; 17 gives about 1M contacts")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="etl-bench-") as tmp:
        work = Path(tmp)
        csv_path, rows = make_contacts(work / "files", args.scale)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"file: {csv_path.name}, {rows:,} rows, {size_mb:.0f} MB")
        ours, raw = [], []
        for _ in range(args.repeats):
            raw.append(time_raw(csv_path, work))
            ours.append(time_ours(csv_path, work))
        ours_s, raw_s = statistics.median(ours), statistics.median(raw)
        ratio = raw_s / ours_s
        print(f"raw DuckDB read_csv + INSERT: median {raw_s:.2f} s  ({rows / raw_s:,.0f} rows/s)  runs {raw}")
        print(f"safeguard load (validated):   median {ours_s:.2f} s  ({rows / ours_s:,.0f} rows/s)  runs {ours}")
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(f"ratio: ours at {ratio:.0%} of raw DuckDB speed ({verdict} the {TARGET_RATIO:.0%} target)")


if __name__ == "__main__":
    main()
