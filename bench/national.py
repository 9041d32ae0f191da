"""A national-scale warehouse for the benchmarks: all 153 English LAs, 5 years, from the demo
generator, loaded through `safeguard load` (the real pipeline). Built once and kept in
bench/results/tmp/national (delete it to rebuild)."""

from __future__ import annotations

import shutil
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.demo import english_la_codes, generate_national  # noqa: E402
from etl.pipeline import run_load  # noqa: E402
from warehouse.db import WarehouseError, open_readonly  # noqa: E402
from warehouse.settings import Settings  # noqa: E402

AS_OF = date(2026, 11, 25)
WORK = Path(__file__).resolve().parent / "results" / "tmp" / "national"


def national_warehouse(years: int = 5) -> Path:
    """The path of the national warehouse file, building it first if needed."""
    home = WORK / "home"
    warehouse = home / "warehouse.duckdb"
    if warehouse.exists():
        try:
            open_readonly(warehouse).close()
            return warehouse
        except WarehouseError as error:
            print(f"rebuilding the national warehouse: {error}", flush=True)
            shutil.rmtree(WORK)
    started = time.perf_counter()
    files = generate_national(WORK / "files", as_of=AS_OF, seed=2026, la_codes=english_la_codes(), years=years)
    print(f"generated {len(files)} files in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    # One load of every file: each load copies the published warehouse, so 153 loads would
    # copy a growing file 153 times.
    outcomes = run_load(files, Settings(home=home), synthetic=True, today=AS_OF)
    failed = [o for o in outcomes if o.status == "failed"]
    assert not failed, failed[0].message
    print(f"loaded into {warehouse} in {time.perf_counter() - started:.0f} s", flush=True)
    return warehouse


if __name__ == "__main__":
    national_warehouse()
