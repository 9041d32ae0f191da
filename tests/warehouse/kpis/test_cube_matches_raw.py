"""The cubes built at load time give exactly what the raw facts give, for every KPI, on the demo
data, over period kinds and filters."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY

pytestmark = pytest.mark.integration

FILTERS = {
    "city": Filters(la_codes=("E08000021",)),
    "both LAs": Filters(la_codes=("E08000021", "E06000057")),
    "police, 10-15, female": Filters(
        la_codes=("E08000021",), agency=("Police",), age_band=("10-15",), gender=("F",)
    ),
    "one area, neglect, in care": Filters(
        la_codes=("E06000057",), area=("NLD-SE",), category=("NEG",), in_care=("In care",)
    ),
    "ethnicity": Filters(la_codes=("E08000021",), ethnicity=("Mixed", "Asian")),
}


@pytest.mark.parametrize("period_code", ["2024-25", "2025-26-Q2", "2026-10", "R12-2026-10"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_cube_equals_raw_for_every_kpi(demo_home, period_code, name):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        period = parse_period(period_code)
        cube = evaluate(con, list(REGISTRY), period, FILTERS[name])
        raw = evaluate(con, list(REGISTRY), period, FILTERS[name], source="raw")
    assert [r.kpi.id for r in cube] == list(REGISTRY)
    for from_cube, from_raw in zip(cube, raw):
        assert from_cube == from_raw, from_cube.kpi.id
    assert sum(r.current.numerator or 0 for r in cube) > 0
