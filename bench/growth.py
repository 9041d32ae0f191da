"""How cost grows with work: the national warehouse at 1x, 2x and 4x its volumes, for a hub to plan.

For each multiple, the benchmark warehouse (bench/national.py) is built with every LA's volumes
multiplied (contacts, referrals, S47s and missing episodes; the same 153 LAs, the same five years),
in a process of its own, timed, with its peak RSS; then, on it:

- the executive KPI set for one LA and for all of England (bench/kpi_latency.py, from the cubes);
- page callbacks over HTTP under the Dockerfile's gunicorn (bench/page_callbacks.py): a few users
  with think time, and a short saturation run.

Each multiple's warehouse is removed once measured but the 1x (make bench's own), as the files are
large. A multiple whose build fails (memory, disk) is reported as such, and the larger ones are not
tried. Writes bench/results/growth.json and growth.md.

    python bench/growth.py [--factors 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import kpi_latency, page_callbacks
from bench.common import MB, RESULTS, machine_details
from bench.national import national_warehouse, warehouse_sizes

FACTORS = (1, 2, 4)
KPI_RUNS = 20
PER_USER = (3, 4, 3)  # callbacks per user with think time, at 1, 10 and 50 users
SATURATION_REQUESTS = 150


def measure_one(factor: float) -> dict:
    started = time.perf_counter()
    warehouse = national_warehouse(growth=factor)
    os.environ["SAFEGUARD_HOME"] = str(warehouse.home)
    sizes = warehouse_sizes(warehouse)
    kpi = kpi_latency.measure(warehouse.path, KPI_RUNS, raw_runs=0)
    callbacks = page_callbacks.measure(
        warehouse.home, PER_USER, SATURATION_REQUESTS, warehouse.home.parent / "server.log"
    )
    at_50 = next(level for level in callbacks["levels"] if level["users"] == 50)
    found = {
        "factor": factor,
        "fact_rows": sizes["fact_rows_total"],
        "cube_rows": sizes["cube_rows"],
        "file_bytes": sizes["file_bytes"],
        "load_seconds": warehouse.build["load"]["seconds"],
        "load_peak_rss_bytes": warehouse.build["load"]["peak_rss_bytes"],
        "raw_ingest_seconds": warehouse.build["raw_ingest"]["seconds"],
        "kpi_p95_ms": {s["name"]: s["cube_ms"]["p95"] for s in kpi["scenarios"] if s["judged"]},
        "callbacks_p95_ms_at_50_users": at_50["ms"]["p95"],
        "server_cpu_ms_per_callback": at_50["server_cpu_ms_per_callback"],
        "saturation_per_s": callbacks["saturation"]["throughput_per_s"],
        "app_peak_pss_bytes": callbacks["server_peak_pss_bytes"],
        "seconds": time.perf_counter() - started,
    }
    if factor != 1:
        shutil.rmtree(warehouse.home.parent)
    return found


def measure(factors: tuple[float, ...]) -> dict:
    runs: list[dict] = []
    for factor in factors:
        print(f"== {factor:g}x ({time.strftime('%H:%M:%S')})", flush=True)
        try:
            runs.append(measure_one(factor))
        except Exception as error:  # noqa: BLE001 - a failed build is a finding, reported as such
            runs.append({"factor": factor, "failed": f"{type(error).__name__}: {error}"})
            break
        print_run(runs[-1])
    return {"machine": machine_details(), "runs": runs}


def print_run(run: dict) -> None:
    if "failed" in run:
        print(f"{run['factor']:g}x failed: {run['failed']}")
        return
    kpi = ", ".join(f"{name} {ms:.1f} ms" for name, ms in run["kpi_p95_ms"].items())
    print(
        f"{run['factor']:g}x: {run['fact_rows']:,} fact rows, file {run['file_bytes'] / MB:,.0f} MB, load "
        f"{run['load_seconds']:.0f} s (peak RSS {run['load_peak_rss_bytes'] / MB:,.0f} MB), KPI p95 {kpi}, "
        f"callbacks p95 at 50 users {run['callbacks_p95_ms_at_50_users']:.0f} ms, server CPU "
        f"{run['server_cpu_ms_per_callback']:.0f} ms per callback, saturation {run['saturation_per_s']:.1f}/s",
        flush=True,
    )


def markdown(result: dict) -> str:
    rows = []
    for run in result["runs"]:
        if "failed" in run:
            reason = run["failed"].strip().splitlines()[-1].removeprefix("AssertionError: ")
            rows.append(f"| {run['factor']:g}x | failed: {reason} |  |  |  |  |  |  |  |  |")
            continue
        one_la, england = run["kpi_p95_ms"].values()
        rows.append(
            f"| {run['factor']:g}x | {run['fact_rows']:,} | {run['file_bytes'] / MB:,.0f} | "
            f"{run['load_seconds']:.0f} | {run['load_peak_rss_bytes'] / MB:,.0f} | {one_la:.1f} | {england:.1f} | "
            f"{run['callbacks_p95_ms_at_50_users']:.0f} | {run['server_cpu_ms_per_callback']:.0f} | "
            f"{run['saturation_per_s']:.1f} |"
        )
    machine = result["machine"]
    intro = (
        f"`bench/growth.py` on {machine['date']} ({str(machine['git_commit'])[:7]}, load average "
        f"{machine['load_average_at_start']} at the start). The national warehouse with every LA's volumes "
        "multiplied; the same 153 LAs and five years. Loads in one process, from empty; KPI p95 of the "
        f"executive set from the cubes ({KPI_RUNS} runs); callbacks over HTTP under the Dockerfile's "
        f"gunicorn, 50 users with 2-8 s think time ({PER_USER[2]} callbacks each) and a saturation run "
        f"({SATURATION_REQUESTS} callbacks back to back)."
    )
    header = (
        "| volumes | fact rows | file MB | load s | load peak RSS MB | KPI p95 ms, one LA | KPI p95 ms, "
        "England | callback p95 ms, 50 users | server CPU ms per callback | saturation callbacks/s |"
    )
    return "\n".join(
        [
            "# Growth: cost against work",
            "",
            intro,
            "",
            header,
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", default=",".join(map(str, FACTORS)))
    args = parser.parse_args()
    result = measure(tuple(float(f) for f in args.factors.split(",")))
    (RESULTS / "growth.json").write_text(json.dumps(result, indent=2, default=str))
    (RESULTS / "growth.md").write_text(markdown(result))
    print(f"wrote {RESULTS / 'growth.md'}")


if __name__ == "__main__":
    main()
