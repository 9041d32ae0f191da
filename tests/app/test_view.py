"""The KPI cache is keyed by the published warehouse file: a new load is never served stale."""

from __future__ import annotations

import pytest

from app import state
from app.view import cached_benchmark, cached_evaluate
from tests.helpers import write_extract
from warehouse.kpis.assessment import find_benchmark
from warehouse.kpis.engine import Filters
from warehouse.kpis.periods import financial_year, month
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.suppression import NO_SUPPRESSION


@pytest.fixture
def fresh_reader(settings):
    state.reader.cache_clear()
    yield state.reader
    state.reader().close()
    state.reader.cache_clear()


def test_a_new_load_changes_the_cached_figures(tmp_path, load, fresh_reader):
    load(
        write_extract(
            tmp_path / "a.csv", "contacts", [{}, {}], coverage_start="2024-06-01", coverage_end="2024-06-30"
        )
    )
    # June 2024: the month the extracts cover (a period that they do not cover has no data).
    args = (["contacts"], month(2024, 6), Filters(la_codes=("E08000021",)), NO_SUPPRESSION)
    first = cached_evaluate(None, *args)
    assert first[0].current.value == 2.0
    assert cached_evaluate(None, *args) == first  # the same file: from the cache
    load(
        write_extract(
            tmp_path / "b.csv",
            "contacts",
            [{}, {}, {}],
            coverage_start="2024-06-01",
            coverage_end="2024-06-30",
        )
    )
    assert cached_evaluate(None, *args)[0].current.value == 3.0


def test_the_cached_benchmarks_are_the_published_comparison_of_each_kpi(tmp_path, load, fresh_reader):
    load(
        write_extract(
            tmp_path / "a.csv", "contacts", [{}], coverage_start="2024-06-01", coverage_end="2024-06-30"
        )
    )
    con = fresh_reader().connection()
    year = financial_year(2024)  # 2024/25: DfE's figures published in 2025
    for kpi_id in ("re_referral_12m", "referrals", "cp_repeat", "contacts"):
        kpi = get_kpi(kpi_id)
        assert cached_benchmark(con, kpi, "E08000021", year) == find_benchmark(con, kpi, "E08000021", year)
    # Newcastle's re-referrals in 2024/25 (tests/warehouse/test_benchmarks.py works them out): 17.2%
    # against England's 22.6%, 10th of 11 by value, so 2nd where lower is better.
    found = cached_benchmark(con, get_kpi("re_referral_12m"), "E08000021", year)
    assert (found.la_value, found.england, found.rank, found.group_size) == (17.2, 22.6, 2, 11)
    assert cached_benchmark(con, get_kpi("contacts"), "E08000021", year) is None  # DfE publishes none
