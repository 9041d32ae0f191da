"""One ingest of some extract files, timed in its own process: ours (`safeguard load`, the real
pipeline) or raw DuckDB (read_csv + INSERT, one table per dataset), either sniffing each file's
types (raw) or told them (raw-typed: each column's type from the model, as a competent hand-written
ingest would). Prints one JSON line with the seconds, the data rows and the process's peak RSS.

    python bench/ingest.py ours HOME FILE...        # into a fresh warehouse at HOME (created untimed)
    python bench/ingest.py ours-routine HOME FILE... # into the warehouse already at HOME (a routine load)
    (--synthetic first: the files are demo data; --today=YYYY-MM-DD first: the load's day, AS_OF if not)
    python bench/ingest.py raw DB FILE...           # into a fresh DuckDB file DB
    python bench/ingest.py raw-typed DB FILE...     # the same, the columns' types given
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, own_peak_rss, run_json_worker

AS_OF = date(2026, 11, 25)


def file_rows(path: Path) -> int:
    """Rows in a CSV file, the header excepted."""
    with open(path, "rb") as handle:
        return sum(1 for _ in handle) - 1


def data_rows(files: list[Path]) -> int:
    """Rows in the files: the one denominator both ingests are divided by."""
    return sum(file_rows(path) for path in files)


def load_ours(
    home: Path, files: list[Path], synthetic: bool, routine: bool = False, today: date = AS_OF
) -> float:
    """Our load of the files into a fresh, empty warehouse, or (`routine`) into the one at `home`."""
    from etl.pipeline import run_load
    from warehouse.settings import Settings

    settings = Settings(home=home)
    if not routine:
        shutil.rmtree(home, ignore_errors=True)
        run_load([], settings, today=AS_OF)  # an empty warehouse, as a first load would find
    started = time.perf_counter()
    # One load of every file: each load copies the published warehouse, so a load per LA
    # would copy a growing file once per LA.
    outcomes = run_load(files, settings, synthetic=synthetic, today=today)
    elapsed = time.perf_counter() - started
    failed = [o for o in outcomes if o.status != "loaded"]
    assert not failed, f"{failed[0].path}: {failed[0].message}"
    return elapsed


def _dataset(path: Path) -> str:
    """E08000021_contacts.csv -> contacts: the table raw DuckDB puts the file in."""
    return path.stem.split("_", 1)[1]


def ingest_raw(db: Path, files: list[Path], typed: bool = False) -> float:
    db.unlink(missing_ok=True)
    by_dataset: dict[str, list[str]] = defaultdict(list)
    for path in files:
        by_dataset[_dataset(path)].append(str(path))
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    for table, paths in by_dataset.items():
        if typed:
            reading = "read_csv(?, header = true, auto_detect = false, columns = ?)"
            params: list[object] = [paths, column_types(table, Path(paths[0]))]
        else:
            reading, params = "read_csv(?)", [paths]
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {reading} LIMIT 0", params)
        con.execute(f"INSERT INTO {table} SELECT * FROM {reading}", params)
    con.close()
    return time.perf_counter() - started


_SQL_TYPES = {"date": "DATE", "datetime": "TIMESTAMP", "integer": "BIGINT"}


def column_types(dataset: str, path: Path) -> dict[str, str]:
    """The file's columns, in its header's order, each with its type in the model (text where the
    model has none for it: the areas file, a code, an ID)."""
    from warehouse.model.files import active_model

    with open(path, encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    spec = active_model().datasets.get(dataset)
    kinds = {c.name: c.kind.value for c in spec.columns} if spec else {}
    return {name: _SQL_TYPES.get(kinds.get(name, ""), "VARCHAR") for name in header}


def measured_ingest(
    mode: str, target: Path, files: list[Path], synthetic: bool = False, today: date = AS_OF
) -> dict:
    """Run one ingest in a fresh process: {"seconds", "peak_rss_bytes"}."""
    options = (["--synthetic"] if synthetic else []) + [f"--today={today.isoformat()}"]
    return run_json_worker(REPO / "bench" / "ingest.py", [*options, mode, str(target), *map(str, files)])


def main(argv: list[str]) -> None:
    synthetic = "--synthetic" in argv
    today = next((date.fromisoformat(a.split("=", 1)[1]) for a in argv if a.startswith("--today=")), AS_OF)
    mode, target, *names = [a for a in argv if a != "--synthetic" and not a.startswith("--today=")]
    files = [Path(name) for name in names]
    if mode in ("ours", "ours-routine"):
        seconds = load_ours(Path(target), files, synthetic, routine=mode == "ours-routine", today=today)
    elif mode in ("raw", "raw-typed"):
        seconds = ingest_raw(Path(target), files, typed=mode == "raw-typed")
    else:
        raise SystemExit(f"unknown mode {mode!r}: ours, ours-routine, raw or raw-typed")
    print(json.dumps({"seconds": seconds, "peak_rss_bytes": own_peak_rss()}))


if __name__ == "__main__":
    main(sys.argv[1:])
