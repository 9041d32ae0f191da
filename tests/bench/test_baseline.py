"""The baselines of `make bench` give the engine's figures, every one, on the demo warehouse: a
speed-up over a baseline that computed something else would prove nothing."""

from __future__ import annotations

import duckdb
import pytest

from bench import sql_baseline
from bench.baseline import AggregatedPandasDashboard, PandasDashboard
from bench.cards import Combination, check_equal, engine_figures, numbers_in
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import EXECUTIVE_KPIS

pytestmark = pytest.mark.integration

COMBINATIONS = [
    Combination(la, parse_period(code))
    for la in (None, "E08000021")
    for code in ("2025-26", "2026-27-Q1", "2026-09", "R12-2026-08")
]


def test_every_baseline_gives_every_figure_of_the_engine(demo_home):
    path = demo_home / "warehouse.duckdb"
    naive, aggregated = PandasDashboard(path), AggregatedPandasDashboard(path)
    with duckdb.connect(str(path), read_only=True) as con:
        la_codes = tuple(
            r[0] for r in con.execute("SELECT DISTINCT la_code FROM kpi_cube_la ORDER BY 1").fetchall()
        )
        assert len(la_codes) == 2
        for combination in COMBINATIONS:
            filters = Filters(la_codes=(combination.la,) if combination.la else la_codes)
            ours = engine_figures(evaluate(con, EXECUTIVE_KPIS, combination.period, filters))
            assert numbers_in(ours) == 8 * 28 + 6 * 28  # 8 KPIs, 6 of them ratios, 28 periods each
            assert ours["referrals"][0][1] > 0 and ours["missing_repeat"][0][2] > 0
            for name, theirs in (
                ("naive", naive.executive_kpis(combination.la, combination.period)),
                ("aggregated", aggregated.executive_kpis(combination.la, combination.period)),
                ("sql", sql_baseline.executive_kpis(con, combination.la, combination.period)),
            ):
                check_equal(name, combination, ours, theirs)


def test_a_baseline_that_differs_is_caught(demo_home):
    path = demo_home / "warehouse.duckdb"
    combination = COMBINATIONS[0]
    with duckdb.connect(str(path), read_only=True) as con:
        theirs = sql_baseline.executive_kpis(con, combination.la, combination.period)
    period, numerator, denominator = theirs["cp_open"][0]
    wrong = theirs | {"cp_open": [(period, numerator + 1, denominator), *theirs["cp_open"][1:]]}
    with pytest.raises(AssertionError, match="cp_open"):
        check_equal("sql", combination, theirs, wrong)
