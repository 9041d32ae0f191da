"""A national-scale warehouse for the benchmarks: all 153 English LAs, 5 years, from the demo
generator, loaded through `safeguard load` (the real pipeline) in a process of its own, so the
load's time and peak RSS are measured as it is built, beside raw DuckDB ingesting the same files.

Built once and kept in bench/results/tmp/national with a record of its build (build.json); it is
rebuilt when the schema version or the generator's settings change (or delete the folder).
`--quick` builds a few LAs instead, in bench/results/tmp/quick.

    python bench/national.py [--quick]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import TMP
from bench.ingest import AS_OF, file_rows, measured_ingest
from etl.demo import Profile, demo_window, english_la_codes, generate_national
from etl.demo_figures import load_demo_figures
from warehouse.db import SCHEMA_VERSION, WarehouseError, definitions_fingerprint, open_readonly
from warehouse.model.files import active_model
from warehouse.settings import Settings

SEED = 2026
YEARS = 5
QUICK_LAS = (
    "E08000021",
    "E06000057",
    "E09000033",
    "E10000016",
)  # Newcastle, Northumberland, Westminster, Kent
FACT_TABLES = ("contact", "referral", "s47_enquiry", "cp_plan", "missing_episode")


@dataclass(frozen=True)
class Volumes:
    """Multipliers on every LA's demo profile, aiming the national totals at the issue's sizes
    (12M contacts, 3M referrals, 1.1M S47s, 250k CP plans, 500k missing episodes over 5 years).

    The demo LAs are calibrated on Newcastle, a high-need city, so scaled to all of England they
    give about twice England's CP plans and four times the missing episodes; these bring them to
    England-like volumes. CP plans are cut through the share of S47s that lead to an ICPC, since
    every ICPC held starts a plan in the generator; missing episodes and the children going
    missing are cut alike, so episodes per child stay as calibrated."""

    contacts: float = 1.027
    referrals: float = 1.08
    s47s: float = 0.853
    icpc_share: float = 0.52
    missing: float = 0.265

    def __call__(self, profile: Profile) -> Profile:
        def missing(group):
            return replace(
                group,
                episodes_per_year=group.episodes_per_year * self.missing,
                children_per_year=group.children_per_year * self.missing,
            )

        return replace(
            profile,
            contacts_per_year=profile.contacts_per_year * self.contacts,
            referrals_per_year=profile.referrals_per_year * self.referrals,
            s47_per_year=profile.s47_per_year * self.s47s,
            icpc_share=profile.icpc_share * self.icpc_share,
            missing_in_care=missing(profile.missing_in_care),
            missing_not_in_care=missing(profile.missing_not_in_care),
        )


NATIONAL_VOLUMES = Volumes()


@dataclass(frozen=True)
class NationalWarehouse:
    home: Path  # a SAFEGUARD_HOME: the warehouse, its key and (once the page bench ran) app state
    build: dict  # how it was built: when, the generator's settings, load and raw-ingest figures
    built_now: bool  # False: taken from the cache, so its build figures come from an earlier run

    @property
    def path(self) -> Path:
        return self.home / "warehouse.duckdb"


def _work(quick: bool, growth: float = 1) -> Path:
    return TMP / ("quick" if quick else "national" if growth == 1 else f"national-{growth:g}x")


def _build_key(la_codes: list[str], growth: float = 1) -> dict:
    """What the cached warehouse depends on: a change to any of it rebuilds."""
    return ({"growth": growth} if growth != 1 else {}) | {
        "schema_version": SCHEMA_VERSION,
        # A warehouse of other definitions is rebuilt by the first load that opens it (every LA's cubes):
        # that load would time the rebuild, not the load.
        "definitions": definitions_fingerprint(active_model()),
        "la_codes": la_codes,
        "years": YEARS,
        "seed": SEED,
        "empty_files": "given one record",  # since the figures of an LA with no load say "no data"
        "as_of": AS_OF.isoformat(),
        "volumes": asdict(NATIONAL_VOLUMES),
        # the partner packs' extracts and the agencies' submitted figures, for every LA
        "partners": "packs and submitted figures",
    }


def _cached(work: Path, key: dict) -> dict | None:
    record_path, warehouse = work / "build.json", work / "home" / "warehouse.duckdb"
    if not (record_path.exists() and warehouse.exists()):
        return None
    record = json.loads(record_path.read_text())
    if record.get("key") != key:
        print(
            "rebuilding the benchmark warehouse: the generator's settings or the schema changed", flush=True
        )
        return None
    try:
        open_readonly(warehouse).close()
    except WarehouseError as error:
        print(f"rebuilding the benchmark warehouse: {error}", flush=True)
        return None
    return record


def _one_record_from(donor: Path, empty: Path) -> int:
    """`empty` (an LA's extract with no rows) given the first record of `donor` as its own: its LA,
    and a record and child ID of its own."""
    with donor.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        record = next(reader)
        header = reader.fieldnames or []
    la_code, dataset = empty.stem.split("_", 1)
    id_column = active_model().datasets[dataset].id_column
    record |= {"la_code": la_code, "child_id": f"{la_code}-ONE", id_column: f"{la_code}-ONE"}
    with empty.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(record)
    return 1


def national_files(folder: Path, la_codes: list[str], as_of: date = AS_OF, growth: float = 1) -> list[Path]:
    """The LAs' files of the national warehouse, written to `folder`: each LA's are the same whichever
    others are asked for (the generator seeds each LA's own), so one LA's can be made again alone, or
    as its extracts of a later day. `growth` multiplies every volume (bench/growth.py)."""

    def volumes(profile: Profile) -> Profile:
        adjusted = NATIONAL_VOLUMES(profile)
        return adjusted.scaled(growth) if growth != 1 else adjusted

    return generate_national(
        folder, as_of=as_of, seed=SEED, la_codes=la_codes, years=YEARS, adjust_profile=volumes
    )


def _build(work: Path, key: dict) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    files = national_files(work / "files", key["la_codes"], growth=key.get("growth", 1))
    generate_s = time.perf_counter() - started
    rows = {path: file_rows(path) for path in files}
    # A small LA can have no events of a dataset in the window (the Isles of Scilly's missing
    # episodes). Without a load of it, its window is not covered and all-England figures of the
    # dataset say "no data", so such a file is given one record, another LA's first, as its own.
    empty = [path.name for path, n in rows.items() if n == 0]
    for path in [p for p, n in rows.items() if n == 0]:
        donor = next(
            p for p, n in rows.items() if n and p.name.split("_", 1)[1] == path.name.split("_", 1)[1]
        )
        rows[path] = _one_record_from(donor, path)
    total = sum(rows.values())
    print(
        f"generated {len(files)} files, {total:,} rows, in {generate_s:.0f} s (no rows, given one: "
        f"{', '.join(empty) or 'none'}); loading...",
        flush=True,
    )
    ours = measured_ingest("ours", work / "home", files, synthetic=True)
    print(f"loaded in {ours['seconds']:.0f} s; the agencies' submitted figures...", flush=True)
    started = time.perf_counter()
    submissions = load_demo_figures(
        Settings(home=work / "home"), AS_OF, demo_window(AS_OF, YEARS)[0], SEED, key["la_codes"]
    )
    figures_s = time.perf_counter() - started
    print(
        f"{submissions:,} submissions loaded in {figures_s:.0f} s; raw DuckDB ingest of the files...",
        flush=True,
    )
    raw = measured_ingest("raw", work / "raw.duckdb", files)
    (work / "raw.duckdb").unlink(missing_ok=True)
    record = {
        "key": key,
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": len(files),
        "files_without_rows": empty,
        "rows": total,
        "csv_bytes": sum(f.stat().st_size for f in files),
        "generate_seconds": generate_s,
        "load": ours,
        "submissions": submissions,
        "submissions_seconds": figures_s,
        "raw_ingest": raw,
    }
    shutil.rmtree(work / "files")  # gigabytes of CSV, not needed once loaded
    (work / "build.json").write_text(json.dumps(record, indent=2))
    return record


def national_warehouse(quick: bool = False, growth: float = 1) -> NationalWarehouse:
    """The benchmark warehouse, built first if there is none for the current settings; `growth` times
    its volumes (bench/growth.py), in a folder of its own."""
    work = _work(quick, growth)
    key = _build_key(list(QUICK_LAS) if quick else english_la_codes(), growth)
    record = _cached(work, key)
    if record is not None:
        return NationalWarehouse(home=work / "home", build=record, built_now=False)
    return NationalWarehouse(home=work / "home", build=_build(work, key), built_now=True)


def warehouse_sizes(warehouse: NationalWarehouse) -> dict:
    """Fact rows per table, LAs, cube rows, and the file's size per million fact rows."""
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        facts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in FACT_TABLES}
        las = con.execute("SELECT count(DISTINCT la_code) FROM referral").fetchone()[0]
        cube_rows = con.execute("SELECT count(*) FROM kpi_cube").fetchone()[0]
        # cp_plan also holds the plans already open on the window's first day (the first contact's date).
        plan_starts = con.execute(
            "SELECT count(*) FROM cp_plan WHERE start_date >= (SELECT min(contact_date) FROM contact)"
        ).fetchone()[0]
    size = warehouse.path.stat().st_size
    total = sum(facts.values())
    return {
        "las": las,
        "fact_rows": facts,
        "fact_rows_total": total,
        "cp_plans_started_in_window": plan_starts,
        "cube_rows": cube_rows,
        "file_bytes": size,
        "bytes_per_million_fact_rows": size / (total / 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few LAs, for a smoke run")
    warehouse = national_warehouse(parser.parse_args().quick)
    print(json.dumps(warehouse_sizes(warehouse), indent=2))


if __name__ == "__main__":
    main()
