"""The KPI cache is keyed by the published warehouse file: a new load is never served stale."""

from __future__ import annotations

import pytest

from app import state
from app.view import cached_evaluate
from tests.helpers import write_extract
from warehouse.kpis.engine import Filters
from warehouse.kpis.periods import month
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
