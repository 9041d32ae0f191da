"""`make bench`: every performance claim measured in one run, judged against the issue's targets,
and written to bench/results/latest.md and latest.json with the machine's details.

1. the national warehouse (153 LAs, 5 years; built and cached in bench/results/tmp, its load timed
   with its peak RSS, beside raw DuckDB ingesting the same files);
2. ETL throughput: our load against raw DuckDB on the same files, a first load and a routine one-LA
   load into the national warehouse (etl_throughput.py);
3. the KPI engine's executive set, cube against raw SQL (kpi_latency.py);
4. the same KPIs from the baselines (naive and aggregated pandas, hand-written SQL), checked equal,
   against the engine (baseline.py);
5. page render in-process, with the engine's share (page_latency.py);
6. page callbacks over HTTP: 1, 10 and 50 users with 2-8 s think time, then 10 users back to back
   (saturation), with the server's CPU, RSS and PSS (page_callbacks.py);
7. a filter change in Chromium at demo and national scale, from the click to the last chart drawn
   (interaction.py).

    python bench/run.py            # national scale (the first run builds the warehouse: allow an hour)
    python bench/run.py --quick    # a few LAs and fewer repeats: a smoke run of a few minutes
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import baseline, etl_throughput, interaction, kpi_latency, page_callbacks, page_latency, report
from bench.common import machine_details
from bench.national import national_warehouse, warehouse_sizes


@dataclass(frozen=True)
class Effort:
    """How much each benchmark repeats: the full run's figures, or a smoke run's."""

    etl_scale: float
    etl_repeats: int
    kpi_runs: int
    kpi_raw_runs: int
    baseline_combinations: int
    render_combinations: int
    callbacks_per_user: tuple[int, ...]  # with think time, at 1, 10 and 50 users
    saturation_callbacks: int  # back to back, at page_callbacks.SATURATION_USERS users
    interaction_rounds: int  # filter changes clicked in Chromium


FULL = Effort(
    etl_scale=17,
    etl_repeats=3,
    kpi_runs=30,
    kpi_raw_runs=5,
    baseline_combinations=50,
    render_combinations=30,
    callbacks_per_user=page_callbacks.FULL_PER_USER,
    saturation_callbacks=page_callbacks.FULL_SATURATION_REQUESTS,
    interaction_rounds=40,
)
QUICK = Effort(
    etl_scale=1,
    etl_repeats=1,
    kpi_runs=10,
    kpi_raw_runs=2,
    baseline_combinations=10,
    render_combinations=5,
    callbacks_per_user=page_callbacks.QUICK_PER_USER,
    saturation_callbacks=page_callbacks.QUICK_SATURATION_REQUESTS,
    interaction_rounds=8,
)


def _step(title: str) -> None:
    print(f"\n== {title} ({time.strftime('%H:%M:%S')})", flush=True)


def run(quick: bool) -> dict:
    effort = QUICK if quick else FULL
    started = time.perf_counter()
    results: dict = {
        "mode": "quick" if quick else "full",
        "machine": machine_details(),
        "effort": effort.__dict__,
    }

    _step("warehouse")
    warehouse = national_warehouse(quick)
    # Everything from here reads the benchmark warehouse, never the caller's (make exports var/).
    os.environ["SAFEGUARD_HOME"] = str(warehouse.home)
    results |= {
        "warehouse": warehouse_sizes(warehouse),
        "warehouse_build": warehouse.build,
        "warehouse_built_now": warehouse.built_now,
    }
    print(
        f"{results['warehouse']['las']} LAs, {results['warehouse']['fact_rows_total']:,} fact rows",
        flush=True,
    )

    _step("ETL throughput")
    results["etl_throughput"] = etl_throughput.measure(effort.etl_scale, effort.etl_repeats)
    etl_throughput.print_result(results["etl_throughput"])
    results["etl_routine"] = etl_throughput.measure_routine(warehouse.home, effort.etl_repeats)
    etl_throughput.print_routine(results["etl_routine"])

    _step("KPI engine")
    results["kpi_latency"] = kpi_latency.measure(warehouse.path, effort.kpi_runs, effort.kpi_raw_runs)
    kpi_latency.print_result(results["kpi_latency"])

    _step("pandas baseline (aborts if its figures differ from the engine's)")
    results["pandas_baseline"] = baseline.measure(warehouse.path, effort.baseline_combinations)
    baseline.print_result(results["pandas_baseline"])

    _step("page render in-process")
    results["page_render"] = page_latency.measure(warehouse.home, effort.render_combinations)
    page_latency.print_result(results["page_render"])

    _step("page callbacks over HTTP")
    log = warehouse.home.parent / "server.log"
    results["page_callbacks"] = page_callbacks.measure(
        warehouse.home, effort.callbacks_per_user, effort.saturation_callbacks, log
    )
    page_callbacks.print_result(results["page_callbacks"])

    _step("a filter change in a browser, at demo scale")
    results["interaction"] = interaction.measure(
        effort.interaction_rounds, warehouse.home.parent / "demo.log"
    )
    interaction.print_result(results["interaction"])
    _step("a filter change in a browser, at national scale")
    results["interaction_national"] = interaction.measure(
        effort.interaction_rounds,
        warehouse.home.parent / "browser.log",
        warehouse.home,
        f"the benchmark warehouse: {results['warehouse']['las']} LAs, one ({interaction.ONE_LA[4:]}) or all "
        "of them at random",
    )
    interaction.print_result(results["interaction_national"])

    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["run_seconds"] = time.perf_counter() - started
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few LAs and fewer repeats, for a smoke run")
    results = run(parser.parse_args().quick)
    json_path, md_path = report.write(results)
    _step("targets")
    for verdict in report.verdicts(results):
        met = "met" if verdict.met else "MISSED"
        print(f"{verdict.measure:36s} {verdict.target:36s} {met:7s} {verdict.measured}")
    print(f"\nwrote {md_path} and {json_path} ({results['run_seconds'] / 60:.1f} minutes)")


if __name__ == "__main__":
    main()
