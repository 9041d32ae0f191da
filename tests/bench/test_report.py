"""`make bench` judges the browser's filter change against its target, from the figures it was given."""

from __future__ import annotations

from bench.report import _interaction


def _results(p95s: dict[str, float], overall_p95: float) -> dict:
    return {
        "interaction": {
            "rounds": 40,
            "target_p95_ms": 500,
            "data": "the demo",
            "overall": {"n": 40, "p50": 310.0, "p95": overall_p95, "p99": 700.0, "mean": 330.0},
            "by_page": {
                page: {"n": 8, "p50": 300.0, "p95": p95, "p99": p95, "mean": 300.0}
                for page, p95 in p95s.items()
            },
        }
    }


def test_a_filter_change_is_judged_by_its_p95_and_the_slowest_page_is_named():
    missed = _interaction(_results({"/": 420.0, "/missing": 880.0}, overall_p95=640.0))
    assert not missed.met and missed.target == "p95 < 500 ms"
    assert missed.measured == "p95 640 ms, p50 310 ms over 40 filter changes (the demo)"
    assert missed.why_missed.startswith("the slowest page, /missing, takes 880 ms at p95")
    assert _interaction(_results({"/": 420.0}, overall_p95=499.0)).met
