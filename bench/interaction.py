"""Interaction speed in a real browser: from the click on a filter choice to the last chart drawn,
at demo scale (the two demo LAs that `make run` loads) and at national scale (the benchmark's 153-LA
warehouse, bench/national.py), in headless Chromium driven by Playwright.

The app is served by gunicorn as the Dockerfile runs it (bench/page_callbacks.py), over a demo home
built once in bench/results/tmp/demo. A benchmark account signs in through the sign-in form; each
round opens a dashboard and ticks a value of a filter in its list of checkboxes, as a person does.
The clock starts in the page on the checkbox's click (a capturing listener, so before Dash sees it) and stops at
the first animation frame at which Dash has nothing left to do: no callback pending (its "Updating..."
title is gone), no component loading, and the URL holding the new filter. Target: p95 < 500 ms at
demo scale; the national figure, one LA or all of England at random, is reported beside it.

    python bench/interaction.py [--rounds 30] [--national]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, latency_summary
from bench.page_callbacks import bench_account, gunicorn, loaded_las

TARGET_P95_MS = 500
DEMO_HOME = REPO / "bench" / "results" / "tmp" / "demo" / "home"
DEMO_AS_OF = date(2026, 10, 31)  # a fixed data date, so every run times the same figures
PAGES = ("/", "/front-door", "/s47-icpc", "/cp-plans", "/missing")
# The filter bar's lists of checkboxes, the one a person ticks, and what the URL then holds (gender
# and age are on every page).
CHOICES = (
    ("filter-gender", "Female", "gender=F"),
    ("filter-gender", "Male", "gender=M"),
    ("filter-age", "10-15", "age=10-15"),
    ("filter-age", "Under 1", "age=Under+1"),
)
SETTLED = """
  (wanted) => document.title !== "Updating..." && location.search.includes(wanted)
      && !document.querySelector('[data-dash-is-loading="true"]')
"""
START_CLOCK = """
  () => { window.__clickedAt = null;
          document.addEventListener("click", () => { window.__clickedAt = performance.now(); },
                                    { capture: true, once: true }); }
"""


def demo_home() -> Path:
    """The demo home, built (as `make run` builds it) and kept while its warehouse is of this program's
    version; one an earlier version built is built again (the app would not serve it unmigrated, and
    its demo data may be an earlier generator's)."""
    if _current(DEMO_HOME / "warehouse.duckdb"):
        return DEMO_HOME
    shutil.rmtree(DEMO_HOME.parent, ignore_errors=True)
    from etl.demo import generate_demo
    from etl.pipeline import run_load
    from warehouse.settings import Settings

    DEMO_HOME.mkdir(parents=True, exist_ok=True)
    (DEMO_HOME / "pseudonymisation.key").write_text("bench-demo-key")
    paths = generate_demo(DEMO_HOME.parent / "extracts", as_of=DEMO_AS_OF)
    run_load(paths, Settings(home=DEMO_HOME), synthetic=True, today=DEMO_AS_OF)
    return DEMO_HOME


def _current(warehouse: Path) -> bool:
    import duckdb

    from warehouse.db import WarehouseError, check_schema_version, needs_migration

    if not warehouse.exists():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            check_schema_version(con, warehouse)
        except WarehouseError:
            return False
        return not needs_migration(con)


DEMO = "the demo: 2 LAs, as `make run` loads them"
ONE_LA = "?la=E08000021"
NATIONAL = "national scale: 153 LAs, one (E08000021) or all of them at random"


def measure(rounds: int, log_path: Path, home: Path | None = None, data: str = DEMO) -> dict:
    """Filter changes on the demo, or on the warehouse at `home` (described as `data`): there, each
    round's page shows one LA or, as often, every LA the account covers."""
    from playwright.sync_api import sync_playwright

    scopes = (ONE_LA,) if home is None else (ONE_LA, "")
    home = home or demo_home()
    username, password = bench_account(home, loaded_las(home / "warehouse.duckdb"))
    rng = random.Random(2026)
    times: list[float] = []
    by_page: dict[str, list[float]] = {}
    with gunicorn(home, log_path) as (url, _server), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.goto(url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for _ in range(rounds):
            path = rng.choice(PAGES)
            checklist, option, in_url = rng.choice(CHOICES)
            page.goto(f"{url}{path}{rng.choice(scopes)}", wait_until="networkidle")
            page.click("#filter-details > summary")
            choice = page.locator(f"#{checklist}").get_by_role("checkbox", name=option, exact=True)
            choice.wait_for()
            page.evaluate(START_CLOCK)
            choice.click()
            page.wait_for_function(SETTLED, arg=in_url, polling="raf", timeout=30_000)
            elapsed = page.evaluate("() => performance.now() - window.__clickedAt")
            times.append(elapsed)
            by_page.setdefault(path, []).append(elapsed)
        browser.close()
    return {
        "rounds": rounds,
        "target_p95_ms": TARGET_P95_MS,
        "overall": latency_summary(times),
        "by_page": {path: latency_summary(found) for path, found in by_page.items()},
        "data": data,
    }


def print_result(result: dict) -> None:
    overall = result["overall"]
    print(
        f"filter change, click to last chart drawn ({result['rounds']} rounds, {result['data']}): "
        f"p50 {overall['p50']:.0f} ms, p95 {overall['p95']:.0f} ms "
        f"(target p95 < {result['target_p95_ms']} ms: {'met' if overall['p95'] < TARGET_P95_MS else 'MISSED'})"
    )
    for path, found in result["by_page"].items():
        print(f"  {path:12s} p50 {found['p50']:6.0f} ms  p95 {found['p95']:6.0f} ms  (n={found['n']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--national", action="store_true", help="the national warehouse, not the demo")
    arguments = parser.parse_args()
    started = time.perf_counter()
    if arguments.national:
        from bench.national import national_warehouse

        home = national_warehouse().home
        result = measure(arguments.rounds, home.parent / "browser.log", home, NATIONAL)
    else:
        result = measure(arguments.rounds, DEMO_HOME.parent / "server.log")
    print_result(result)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
