"""Targets in force by date, RAG on the engine's value, and benchmarks beside the right year."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from typer.testing import CliRunner

from appstate.db import session
from appstate.targets import lookup, set_target, target_history, target_in_force
from etl.cli import app
from warehouse.kpis.assessment import FigureSources, TargetInForce, assess
from warehouse.kpis.engine import Figure, Filters, KpiResult
from warehouse.kpis.periods import financial_year, month
from warehouse.kpis.rag import Rag
from warehouse.kpis.registry import get_kpi

CITY = Filters(la_codes=("E08000021",))


@pytest.fixture
def demo_con(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        yield con


def test_the_target_in_force_is_the_latest_effective_on_the_date(settings):
    with session() as db:
        set_target(db, "re_referral_12m", "E08000021", date(2023, 4, 1), 24.0, "alice")
        set_target(db, "re_referral_12m", "E08000021", date(2024, 4, 1), 22.0, "alice", tolerance_percent=10)
        set_target(db, "re_referral_12m", "E08000021", date(2024, 4, 1), 21.0, "bob")  # a correction
        assert target_in_force(db, "re_referral_12m", "E08000021", date(2024, 3, 31)).value == 24.0
        assert target_in_force(db, "re_referral_12m", "E08000021", date(2025, 3, 31)).value == 21.0
        assert target_in_force(db, "re_referral_12m", "E06000057", date(2025, 3, 31)) is None
        assert [(t.value, t.set_by) for t in target_history(db, "re_referral_12m", "E08000021")] == [
            (24.0, "alice"),
            (22.0, "alice"),
            (21.0, "bob"),
        ]


def test_a_neutral_kpi_takes_no_target(settings):
    with session() as db, pytest.raises(ValueError, match="context measure"):
        set_target(db, "contacts", "E08000021", date(2024, 4, 1), 10_000, "alice")


def test_rag_uses_the_target_in_force_at_the_period_end(settings, demo_con):
    fy = financial_year(2024)
    [result] = assess(demo_con, ["re_referral_12m"], fy, CITY)
    value = result.result.current.value
    with session() as db:
        set_target(db, "re_referral_12m", "E08000021", date(2022, 4, 1), value + 1, "alice")
        set_target(db, "re_referral_12m", "E08000021", date(2025, 4, 1), value - 5, "alice")
        [judged] = assess(demo_con, ["re_referral_12m"], fy, CITY, targets=lookup(db))
        [later] = assess(demo_con, ["re_referral_12m"], financial_year(2025), CITY, targets=lookup(db))
    assert (judged.target.value, judged.rag) == (value + 1, Rag.GREEN)
    assert later.target.value == value - 5
    assert later.rag == Rag.RED or later.result.current.value <= value - 5


def test_benchmarks_sit_beside_the_matching_year_or_the_latest_published(demo_con):
    [fy] = assess(demo_con, ["re_referral_12m"], financial_year(2024), CITY)
    # c1, Newcastle upon Tyne and England, time_period 2025: 17.2 and 22.6
    assert (fy.benchmark.financial_year, fy.benchmark.matches_period) == ("2024/25", True)
    assert (fy.benchmark.la_value, fy.benchmark.england) == (17.2, 22.6)
    [monthly] = assess(demo_con, ["re_referral_12m"], month(2026, 10), CITY)
    assert (monthly.benchmark.financial_year, monthly.benchmark.matches_period) == ("2024/25", False)


def test_counts_with_a_rate_are_benchmarked_by_rate(demo_con):
    [referrals] = assess(demo_con, ["referrals"], financial_year(2024), CITY)
    assert referrals.benchmark.is_rate
    assert referrals.compared_value == pytest.approx(referrals.result.current.numerator / 61206 * 10_000)


def test_filtered_and_multi_la_views_are_not_benchmarked(demo_con):
    [filtered] = assess(
        demo_con, ["re_referral_12m"], financial_year(2024), Filters(("E08000021",), gender=("F",))
    )
    [both] = assess(demo_con, ["re_referral_12m"], financial_year(2024), Filters(("E08000021", "E06000057")))
    assert filtered.benchmark is None and both.benchmark is None
    [in_care] = assess(
        demo_con, ["children_missing"], financial_year(2023), Filters(("E08000021",), in_care=("In care",))
    )
    # la_missing_or_away_2020_to_2024.csv, Newcastle, 2024: 95 children had a missing incident
    assert (in_care.benchmark.financial_year, in_care.benchmark.la_value) == ("2023/24", 95.0)


def test_cli_prints_every_kpi_with_its_comparisons(demo_home, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_HOME", str(demo_home))
    monkeypatch.setenv("COLUMNS", "250")
    exact = CliRunner().invoke(app, ["kpis", "--la", "E08000021", "--period", "2024-25", "--unsuppressed"])
    protected = CliRunner().invoke(app, ["kpis", "--la", "E08000021", "--period", "2024-25"])
    assert exact.exit_code == 0 and protected.exit_code == 0, exact.output + protected.output
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        [(referrals,)] = con.execute(
            "SELECT count(*) FROM referral WHERE la_code = 'E08000021' AND referral_date BETWEEN '2024-04-01' AND '2025-03-31'"
        ).fetchall()

    def referrals_shown(output: str) -> int:
        line = next(line for line in output.splitlines() if line.startswith("│ Referrals "))
        assert "519.4" in line  # England's rate per 10,000 in 2024/25
        return int(line.split("│")[2].strip().replace(",", ""))

    assert referrals_shown(exact.output) == referrals
    rounded = referrals_shown(protected.output)  # by default the CLI shows what a protected role sees
    assert rounded % 5 == 0 and abs(rounded - referrals) < 5
    for title in ("Re-referrals within 12 months", "Children on a CP plan", "Return interviews accepted"):
        assert title in exact.output


def test_cli_refuses_an_unreadable_period(demo_home, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_HOME", str(demo_home))
    result = CliRunner().invoke(app, ["kpis", "--la", "E08000021", "--period", "2024-13"])
    assert result.exit_code == 2


def test_only_an_unfiltered_view_of_one_la_is_rated_against_its_targets(settings, demo_con):
    with session() as db:
        set_target(db, "re_referral_12m", "E08000021", date(2022, 4, 1), 20.0, "alice")
        [whole] = assess(demo_con, ["re_referral_12m"], financial_year(2024), CITY, targets=lookup(db))
        [girls] = assess(
            demo_con,
            ["re_referral_12m"],
            financial_year(2024),
            Filters(("E08000021",), gender=("F",)),
            targets=lookup(db),
        )
    assert whole.target.value == 20.0 and whole.rag is not None
    assert (girls.target, girls.rag) == (None, None)


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (3.14, 3.1, Rag.GREEN),  # written 3.1% against 3.1%: on target, not 0.04 over
        (3.16, 3.1, Rag.RED),  # written 3.2%: 0.1 over, beyond 0 tolerance
        (3.1, 3.14, Rag.GREEN),  # the target is written 3.1% too
    ],
)
def test_rag_judges_the_figure_and_target_as_they_are_written(value, target, expected):
    kpi = get_kpi("cp_repeat")  # a percentage to one decimal, lower is better
    year = financial_year(2024)

    def one_result(*_args, **_kwargs) -> list[KpiResult]:
        figure = Figure(year, value, None, None)
        return [KpiResult(kpi=kpi, current=figure, previous=figure, last_year=figure, series=())]

    def in_force(*_args) -> TargetInForce:
        return TargetInForce(target, 0.0, date(2024, 4, 1), is_demo=False)

    sources = FigureSources(one_result, lambda *_: None)
    [found] = assess(None, [kpi.id], year, CITY, targets=in_force, sources=sources)
    assert found.rag is expected
