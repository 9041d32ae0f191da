"""Page latency at national scale: from a filter change to the finished page response.

For each page, 50 random filter combinations (period kind and period, one LA or all of England,
and some of area, agency, age band, gender, ethnicity, category and care status) are rendered
the way the Dash pages callback renders them: the page's layout function on the server, then
its JSON serialisation, with the KPI cache emptied first (a new filter combination misses it). The KPI engine's share of that time is timed alongside. Prints p50/p95
per page and the ratio to the engine's own time. Target: p95 under 300 ms per callback.

    python bench/page_latency.py [--combinations 50]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.national import national_warehouse  # noqa: E402

TARGET_P95_MS = 300


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--combinations", type=int, default=50)
    args = parser.parse_args()
    warehouse = national_warehouse()
    os.environ["SAFEGUARD_HOME"] = str(warehouse.parent)

    import dash
    import plotly.io.json as plotly_json

    import app.operational as operational
    import app.view as view
    from app.filters import PERIOD_KINDS, filter_options
    from app.main import create_app
    from app.scope import current_scope

    create_app()  # registers the pages and callbacks, as a server would
    engine_ms: list[float] = []
    real_evaluate = view.evaluate

    def timed_evaluate(*a, **k):
        started = time.perf_counter()
        try:
            return real_evaluate(*a, **k)
        finally:
            engine_ms.append((time.perf_counter() - started) * 1000)

    real_by_area = operational.counts_by_area

    def timed_by_area(*a, **k):
        started = time.perf_counter()
        try:
            return real_by_area(*a, **k)
        finally:
            engine_ms.append((time.perf_counter() - started) * 1000)

    view.evaluate = timed_evaluate
    operational.counts_by_area = timed_by_area

    scope = current_scope()
    options = filter_options(scope.la_codes)
    rng = random.Random(2026)
    areas_by_la: dict[str, list[str]] = {}
    for area, la in options.area_las.items():
        areas_by_la.setdefault(la, []).append(area)

    def random_query() -> dict[str, str | list[str]]:
        kind = rng.choice(list(PERIOD_KINDS))
        query: dict[str, str | list[str]] = {"period": rng.choice(options.periods(kind)[:8]).code}
        if rng.random() < 0.8:
            la = rng.choice(scope.la_codes)
            query["la"] = la
            if rng.random() < 0.3 and areas_by_la.get(la):
                query["area"] = rng.choice(areas_by_la[la])
        for param, values in (("agency", list(options.agency)), ("age", ["Under 1", "1-4", "5-9", "10-15", "16-17"]),
                              ("gender", ["F", "M"]), ("ethnicity", list(options.ethnicity)),
                              ("category", list(options.category)), ("care", ["In care", "Not in care"])):
            if rng.random() < 0.2:
                query[param] = rng.choice(values)
        return query

    pages = [(page["path"], page["layout"]) for page in dash.page_registry.values()
             if page.get("filters") and page["path"] != "/pack"]
    print(f"warehouse: {warehouse} ({len(scope.la_codes)} LAs); {args.combinations} random filter combinations per page")
    verdicts = []
    for name, layout in pages:
        layout(**random_query())  # warm
        totals, engine = [], []
        for _ in range(args.combinations):
            query = random_query()
            engine_ms.clear()
            view._evaluate.cache_clear()  # a new filter combination misses the cache: time it cold
            started = time.perf_counter()
            plotly_json.to_json_plotly(layout(**query))
            totals.append((time.perf_counter() - started) * 1000)
            engine.append(sum(engine_ms))
        p50, p95 = statistics.median(totals), percentile(totals, 0.95)
        engine_p50 = statistics.median(engine) if any(engine) else 0.0
        ratio = f"{p50 / engine_p50:4.1f}x the engine's {engine_p50:6.1f} ms" if engine_p50 else "no engine call"
        print(f"{name:12s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({ratio})")
        verdicts.append(p95 < TARGET_P95_MS)
    print(f"target (p95 < {TARGET_P95_MS} ms per page):", "met" if all(verdicts) else "MISSED")


if __name__ == "__main__":
    main()
