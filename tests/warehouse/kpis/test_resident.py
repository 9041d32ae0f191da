"""The LA roll-ups held in memory for a read-only warehouse give the figures the queries give."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.resident import resident
from warehouse.kpis.suppression import SuppressionPolicy

pytestmark = pytest.mark.integration

SCOPES = {"city": ("E08000021",), "both LAs": ("E08000021", "E06000057")}


@pytest.fixture(scope="module")
def writable_copy(demo_home, tmp_path_factory):
    """The demo warehouse copied, opened for writing: the engine queries it on every call."""
    copy = tmp_path_factory.mktemp("writable") / "warehouse.duckdb"
    shutil.copy(demo_home / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        yield con


@pytest.fixture(scope="module")
def read_only(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        yield con


def test_only_a_read_only_warehouse_is_held(read_only, writable_copy):
    assert resident(writable_copy) is None
    held = resident(read_only)
    assert held is not None and resident(read_only) is held
    assert set(SCOPES["both LAs"]) <= set(held.la_index)


@pytest.mark.parametrize("period_code", ["2024-25", "2025-26-Q2", "2026-10", "R12-2026-10", "R6-2026-09"])
@pytest.mark.parametrize("scope", list(SCOPES))
def test_every_kpi_held_in_memory_equals_the_queries(read_only, writable_copy, period_code, scope):
    period, filters = parse_period(period_code), Filters(la_codes=SCOPES[scope])
    protected = SuppressionPolicy()  # the rounding reads the cell keys: they must agree too
    for policy in (protected, SuppressionPolicy(enabled=False)):
        held = evaluate(read_only, list(REGISTRY), period, filters, policy)
        queried = evaluate(writable_copy, list(REGISTRY), period, filters, policy)
        for from_memory, from_queries in zip(held, queried, strict=True):
            assert from_memory == from_queries, from_memory.kpi.id
    exact = {r.kpi.id: r.current.numerator for r in held}
    assert exact["children_missing"] and exact["referrals"]


def test_a_window_the_roll_up_does_not_hold_is_left_to_the_engine(read_only):
    held = resident(read_only)
    assert held is not None
    two_months = [(date(2025, 4, 1), date(2025, 5, 1))]
    assert held.child_windows(read_only, SCOPES["city"], two_months) is None
    one_month = held.child_windows(read_only, SCOPES["city"], [(date(2025, 4, 1), date(2025, 4, 1))])
    assert one_month is not None and one_month[("missing_children", date(2025, 4, 1), date(2025, 4, 1))].n > 0
