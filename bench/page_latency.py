"""Page render time in-process at national scale: where a page callback's time goes on the server.

For each page the filter bar drives, random filter combinations (bench/views.py) are rendered
the way the Dash pages callback renders them: the page's layout function, then its JSON
serialisation, with the KPI cache emptied first (a new filter combination misses it). The KPI
engine's share of that time is timed alongside. No HTTP, no sign-in, no concurrency: that is
page_callbacks.py; this one says how much of its time is the page itself and how much the engine.

    python bench/page_latency.py [--combinations 50] [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import combinations_arguments, latency_summary
from bench.national import national_warehouse


class EngineClock:
    """Wraps the engine entry points the pages call, adding up the time spent in them."""

    def __init__(self) -> None:
        from app import operational, view

        self.spent_ms: list[float] = []
        view.evaluate = self._timed(view.evaluate)
        operational.counts_by_area = self._timed(operational.counts_by_area)

    def _timed(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent_ms.append((time.perf_counter() - started) * 1000)

        return timed


def measure(home: Path, combinations: int) -> dict:
    """Per page: render time (p50/p95/p99) and the engine's median share. Sets SAFEGUARD_HOME."""
    os.environ["SAFEGUARD_HOME"] = str(home)
    import plotly.io.json as plotly_json

    from app import view
    from app.scope import current_scope
    from bench.views import RandomViews, dashboard_pages

    pages = dashboard_pages()
    clock = EngineClock()
    views = RandomViews(current_scope().la_codes)
    results = {}
    for path, layout in pages.items():
        layout(**views.query())  # warm
        totals, engine = [], []
        for _ in range(combinations):
            query = views.query()
            clock.spent_ms.clear()
            view._evaluate.cache_clear()  # a new filter combination misses the cache: time it cold
            started = time.perf_counter()
            plotly_json.to_json_plotly(layout(**query))
            totals.append((time.perf_counter() - started) * 1000)
            engine.append(sum(clock.spent_ms))
        results[path] = {"render_ms": latency_summary(totals), "engine_ms_p50": statistics.median(engine)}
    return {"combinations": combinations, "pages": results}


def print_result(result: dict) -> None:
    print(f"{result['combinations']} random filter combinations per page, rendered in-process, cache cold")
    for path, page in result["pages"].items():
        render, engine = page["render_ms"], page["engine_ms_p50"]
        share = f"engine p50 {engine:6.1f} ms" if engine else "no engine call"
        print(f"{path:12s} p50 {render['p50']:7.1f} ms  p95 {render['p95']:7.1f} ms  ({share})")


def main() -> None:
    args = combinations_arguments(__doc__)
    print_result(measure(national_warehouse(args.quick).home, args.combinations))


if __name__ == "__main__":
    main()
