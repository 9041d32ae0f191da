"""The LA roll-ups held in memory for a read-only warehouse, and the all-LA cube read for a filtered
view of every LA, give the figures the queries of the detailed cube give."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest

from warehouse.benchmarks import benchmark_comparisons
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.figures import read_figures
from warehouse.kpis.periods import parse_period
from warehouse.kpis.published import held_comparisons
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


# Both demo LAs are every LA of the warehouse: filtered, their views read the all-LA cube (kpi_cube_all);
# filtered by area, the detailed cube, as the all-LA cube has no areas.
FILTERED = {
    "female": {"gender": ("F",)},
    "police, 10-15, in care": {"agency": ("Police",), "age_band": ("10-15",), "in_care": ("In care",)},
    "neglect, two ethnicities": {"category": ("NEG",), "ethnicity": ("Mixed", "Asian")},
    "one area": {"area": ("NLD-SE",)},
}


@pytest.mark.parametrize("period_code", ["2024-25", "2026-10", "R12-2026-10"])
@pytest.mark.parametrize("name", list(FILTERED))
def test_filtered_views_of_every_la_equal_the_detailed_cube(read_only, writable_copy, period_code, name):
    period = parse_period(period_code)
    filters = Filters(la_codes=SCOPES["both LAs"], **FILTERED[name])
    for policy in (SuppressionPolicy(), SuppressionPolicy(enabled=False)):
        held = evaluate(read_only, list(REGISTRY), period, filters, policy)
        queried = evaluate(writable_copy, list(REGISTRY), period, filters, policy)
        for from_memory, from_queries in zip(held, queried, strict=True):
            assert from_memory == from_queries, from_memory.kpi.id
    assert sum(r.current.numerator or 0 for r in queried) > 0


def test_the_all_la_cube_is_the_detailed_cube_summed(read_only):
    columns = "month, measure, agency, age_band, gender, ethnicity, category, in_care, missing_type"
    summed = f"SELECT {columns}, sum(n), sum(key_sum) FROM {{}} GROUP BY ALL HAVING sum(n) <> 0 ORDER BY ALL"
    cube = read_only.execute(summed.format("kpi_cube")).fetchall()
    assert read_only.execute(summed.format("kpi_cube_all")).fetchall() == cube
    assert len(cube) > 10_000
    assert read_only.execute("SELECT count(*) FROM kpi_cube_all WHERE area_code IS NOT NULL").fetchone() == (
        0,
    )


def test_every_las_comparisons_held_are_its_own(demo_home, writable_copy):
    """held_comparisons splits one read of every LA's comparisons (the table the warehouse keeps); an
    LA's part is what its own query gives, and an LA the reference table does not hold is read on its own."""
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as read_only:
        la_codes = [row[0] for row in read_only.execute("SELECT la_code FROM local_authority").fetchall()]
        assert len(la_codes) > 150
        # every LA's own query takes a quarter of a second: a spread of them, from the first to the last
        for la_code in [*la_codes[::15], la_codes[-1], "E99999999"]:
            held, own = held_comparisons(read_only, la_code), benchmark_comparisons(writable_copy, la_code)
            assert held.keys() == own.keys(), la_code
            for measure, frame in own.items():
                pd.testing.assert_frame_equal(
                    held[measure], frame, check_dtype=False, obj=f"{la_code} {measure}"
                )
        newcastle = (
            held_comparisons(read_only, "E08000021")["re_referral_12m"].set_index("time_period").loc[2025]
        )
        assert (newcastle["la_value"], newcastle["la_rank"], newcastle["group_size"]) == (17.2, 10, 11)
        assert "every_la_comparisons" in resident(read_only).kept


def test_submitted_figures_held_are_those_the_query_reads(read_only, writable_copy):
    every_measure = [
        row[0] for row in read_only.execute("SELECT DISTINCT measure FROM current_figure").fetchall()
    ]
    assert every_measure, "the demo warehouse has figures submitted by agencies"
    sizes = []
    for la_codes, first_day, last_day in [
        (SCOPES["city"], date(2024, 4, 1), date(2025, 3, 31)),
        (SCOPES["both LAs"], date(2022, 1, 1), date(2026, 12, 31)),
        (SCOPES["both LAs"], date(2025, 5, 1), date(2025, 6, 30)),  # within one quarter: none whole
    ]:
        held = read_figures(read_only, la_codes, every_measure, first_day, last_day)
        queried = read_figures(writable_copy, la_codes, every_measure, first_day, last_day)
        assert held.cells == queried.cells, (la_codes, first_day)
        sizes.append(len(held.cells))
    assert 0 < sizes[0] < sizes[1] and sizes[2] == 0
    assert "current_figures" in resident(read_only).kept
