"""Warehouse migrations: a warehouse built by the previous release (schema version 9) is brought up to
date in place, by `safeguard upgrade` or by the next load, with every row kept and identical figures."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from warehouse.db import (
    BASELINE_VERSION,
    CUBE_TABLES,
    FACT_TABLES,
    SCHEMA_DIR,
    SCHEMA_VERSION,
    WarehouseError,
    get_meta,
    open_readonly,
    run_sql_file,
    set_meta,
)
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy
from warehouse.model.files import active_model, read_model

# What version 10 added (warehouse/migrations/0010_cell_keys.sql), taken away again to make a
# warehouse as the release before it left one.
ADDED_IN_10 = {
    "kpi_cube": ["key_sum"],
    "kpi_cube_la": ["key_sum"],
    "missing_child_month": ["child_key", "episode_keys"],
    "missing_child_month_la": ["child_key", "episode_keys"],
}
# Reference data shipped after release 9: the sources that name only a group of codes, which an
# upgrade brings in with the rest of the definitions (warehouse/definitions/090_reference_data.sql).
LABEL_ONLY_SOURCES = ("1", "3", "5")
TABLES = (*FACT_TABLES, *CUBE_TABLES, "etl_load", "etl_rejection")
# What versions 13, 16 and 17 made (0013_measure_child_month.sql, 0016_missing_children_windows.sql,
# 0017_kpi_cube_all.sql): not in a version 9 warehouse at all.
MADE_SINCE = ("measure_child_month", "missing_children_window_la", "kpi_cube_all")
# What version 15 added (0015_assessment_factors.sql): an upgraded warehouse's assessments have none
# recorded (NULL), so the KPIs that count them are compared apart.
ADDED_IN_16 = {"assessment": ["factors"]}
# The cell keys of the children missing by window (0016): made from the warehouse's secret, which an
# upgrade from before version 10 makes anew, so they differ from a fresh build's.
KEYS_OF_16 = {
    "missing_children_window_la": [
        "missing_children_key",
        "missing_children_repeat_key",
        "missing_child_episodes_key",
    ],
    "kpi_cube_all": ["key_sum"],
}
FACTOR_KPIS = tuple(k for k in REGISTRY if k.startswith("factor_"))
FACTOR_MEASURES = tuple(m.id for m in read_model().measures.values() if m.dataset == "assessments")
MEASURED = (
    "kpi_cube",
    "kpi_cube_la",
    "measure_child_month",
    "kpi_cube_all",
)  # the cubes with a measure column
BASELINE_TABLES = tuple(t for t in TABLES if t not in MADE_SINCE)


def columns(con, tables) -> dict[str, list[tuple[str, str]]]:
    return {
        t: con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [t],
        ).fetchall()
        for t in tables
    }


def baseline_columns() -> dict[str, list[tuple[str, str]]]:
    """The tables as schema/ (version 9) makes them."""
    with duckdb.connect() as baseline:
        for path in sorted(SCHEMA_DIR.glob("*.sql")):
            run_sql_file(baseline, path)
        return columns(baseline, BASELINE_TABLES)


def before_14(con) -> None:
    """Take away what version 14 made (0014_submitted_figures.sql and the views and macro over it)."""
    con.execute("DROP VIEW current_figure")
    con.execute("DROP VIEW figure_history")
    con.execute("DROP MACRO figure_key")
    con.execute("DROP TABLE submitted_figure")
    con.execute("DROP TABLE submission")


def as_previous_release(path) -> None:
    with duckdb.connect(str(path)) as con:
        before_14(con)
        for table, dropped in ADDED_IN_10.items():
            for column in dropped:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        # The cube columns of dimensions declared since (the model's, warehouse/model/sql.py).
        baseline = baseline_columns()
        for table in (t for t in CUBE_TABLES if t not in MADE_SINCE):
            had = {column for column, _ in baseline[table]}
            for column, _ in columns(con, [table])[table]:
                if column not in had:
                    con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        con.execute("DROP MACRO record_key")
        con.execute("DROP TABLE model_file")  # 12 keeps the partnership's own model
        for table in MADE_SINCE:  # 13: the children of a partnership's measures; 16: the missing, by window
            con.execute(f"DROP TABLE {table}")
        for table, dropped in ADDED_IN_16.items():
            for column in dropped:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        con.execute(
            "ALTER TABLE missing_episode ALTER COLUMN is_in_care SET NOT NULL"
        )  # 11 let it be unknown
        con.execute("DELETE FROM meta WHERE key IN ('cell_key_salt', 'definitions')")
        con.execute(
            "DELETE FROM ref_referral_source WHERE list_contains(?, code)", [list(LABEL_ONLY_SOURCES)]
        )
        set_meta(con, schema_version=str(BASELINE_VERSION))


def contents(path) -> dict[str, list[tuple]]:
    """Every row of the facts, audit and cubes, as version 9 had them (without the cell keys, the
    assessments' factors, and the cube rows counted from factors)."""
    added = ADDED_IN_10 | ADDED_IN_16 | KEYS_OF_16
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: sorted(
                con.execute(
                    (
                        f"SELECT * EXCLUDE ({', '.join(added[t])}) FROM {t}"
                        if t in added
                        else f"SELECT * FROM {t}"
                    )
                    + (" WHERE NOT list_contains($1, measure)" if t in MEASURED else ""),
                    [list(FACTOR_MEASURES)] if t in MEASURED else None,
                ).fetchall(),
                key=repr,
            )
            for t in TABLES
        }


# Figures submitted by agencies came with version 14: an older warehouse has none to keep.
COUNTED_KPIS = [
    kpi_id
    for kpi_id, kpi in REGISTRY.items()
    if kpi.dataset not in active_model().figures and kpi_id not in FACTOR_KPIS
]


def figures(path, policy) -> list:
    with duckdb.connect(str(path), read_only=True) as con:
        return [
            (r.kpi.id, r.current, r.previous, r.last_year, r.series, r.parts)
            for code in ("2025-26", "R12-2026-09")
            for r in evaluate(
                con, COUNTED_KPIS, parse_period(code), Filters(("E08000021", "E06000057")), policy
            )
        ]


def _previous_release_home(demo_home, home):
    home.mkdir()
    for name in ("warehouse.duckdb", "pseudonymisation.key"):
        shutil.copy2(demo_home / name, home / name)
    as_previous_release(home / "warehouse.duckdb")
    return home


@pytest.fixture
def previous_release(demo_home, tmp_path, monkeypatch):
    home = _previous_release_home(demo_home, tmp_path / "home")
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def upgraded(demo_home, tmp_path_factory):
    """A previous release's warehouse after `safeguard upgrade`, and what the command said: one
    upgrade of the whole demo, which the checks of what it kept share."""
    home = _previous_release_home(demo_home, tmp_path_factory.mktemp("upgraded") / "home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(home))
        result = CliRunner().invoke(app, ["upgrade"])
        assert result.exit_code == 0, result.output
        again = CliRunner().invoke(app, ["upgrade"])
    return home / "warehouse.duckdb", result.output, again


@pytest.fixture(scope="module")
def fresh_contents(demo_home):
    """Every fact, audit and cube row of this release's own build of the demo."""
    return contents(demo_home / "warehouse.duckdb")


def test_the_previous_release_shape_is_the_baseline(previous_release, tmp_path):
    """The stand-in for a version 9 warehouse has exactly the tables that schema/ (version 9) builds."""
    expected = baseline_columns()
    with duckdb.connect(str(previous_release / "warehouse.duckdb"), read_only=True) as con:
        assert columns(con, BASELINE_TABLES) == expected


def test_upgrade_keeps_every_assessment_with_its_factors_not_recorded(demo_home, upgraded):
    upgraded_path, _, _ = upgraded
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as fresh:
        loaded = fresh.execute("SELECT assessment_id FROM assessment ORDER BY 1").fetchall()
    with duckdb.connect(str(upgraded_path), read_only=True) as con:
        assert con.execute("SELECT assessment_id FROM assessment ORDER BY 1").fetchall() == loaded
        assert con.execute("SELECT count(*) FROM assessment WHERE factors IS NOT NULL").fetchone() == (0,)
    assert len(loaded) > 10_000  # the demo's assessments, both LAs


def test_the_app_refuses_an_older_warehouse_and_says_to_upgrade(previous_release):
    with pytest.raises(WarehouseError, match="run `safeguard upgrade`"):
        open_readonly(previous_release / "warehouse.duckdb")


def test_upgrade_keeps_every_row_and_gives_identical_figures(demo_home, upgraded, fresh_contents):
    upgraded_path, output, again = upgraded
    assert f"from schema version {BASELINE_VERSION} to {SCHEMA_VERSION}" in " ".join(output.split())
    with open_readonly(upgraded_path) as con:
        meta = get_meta(con)
    assert meta["schema_version"] == str(SCHEMA_VERSION) and f"migrated_to_{SCHEMA_VERSION}_at" in meta
    # Every fact, audit and cube row as a fresh build of this release holds them, and the same figures.
    assert contents(upgraded_path) == fresh_contents
    assert figures(upgraded_path, NO_SUPPRESSION) == figures(demo_home / "warehouse.duckdb", NO_SUPPRESSION)
    with duckdb.connect(
        str(upgraded_path), read_only=True
    ) as con:  # the cell keys are made, from a new secret
        assert con.execute("SELECT count(*) FILTER (key_sum = 0), count(*) FROM kpi_cube").fetchone()[0] == 0
        assert len(get_meta(con)["cell_key_salt"]) == 64
    protected = figures(upgraded_path, SuppressionPolicy())
    assert all(f.suppressed or f.numerator % 5 == 0 for *_, series, _ in protected for f in series)
    assert again.exit_code == 0 and "up to date" in again.output


def test_upgrade_from_version_13_adds_the_submitted_figures_and_keeps_every_row(
    demo_home, tmp_path, monkeypatch, fresh_contents
):
    home = tmp_path / "home"
    home.mkdir()
    for name in ("warehouse.duckdb", "pseudonymisation.key"):
        shutil.copy2(demo_home / name, home / name)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        before_14(con)
        con.execute("DROP TABLE missing_children_window_la")  # made by 16
        con.execute("DROP TABLE kpi_cube_all")  # made by 17
        set_meta(con, schema_version="13")
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    result = CliRunner().invoke(app, ["upgrade"])
    assert result.exit_code == 0, result.output
    upgraded = home / "warehouse.duckdb"
    assert contents(upgraded) == fresh_contents
    with open_readonly(upgraded) as con:
        assert get_meta(con)["schema_version"] == str(SCHEMA_VERSION) and "migrated_to_14_at" in get_meta(con)
        # The tables and views are there, empty: no figure had been submitted before version 14.
        assert [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submission", "current_figure")
        ] == [0, 0]


def test_upgrade_renews_reference_data_that_a_new_release_ships(
    demo_home, tmp_path, monkeypatch, fresh_contents
):
    """Same schema version, but the shipped code lists or DfE tables changed: upgrade makes them anew."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(demo_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM ref_referral_source WHERE code = '6'")  # as an older release shipped it
        con.execute("DELETE FROM benchmark_value WHERE area_code = 'E08000021'")
        set_meta(con, definitions="an older release's")
        shipped = con.execute("SELECT count(*) FROM benchmark_value").fetchone()[0]
    assert CliRunner().invoke(app, ["upgrade"]).exit_code == 0
    with open_readonly(home / "warehouse.duckdb") as con:
        assert con.execute("SELECT agency_group FROM ref_referral_source WHERE code = '6'").fetchone() == (
            "Police",
        )
        assert con.execute("SELECT count(*) FROM benchmark_value").fetchone()[0] > shipped
    assert contents(home / "warehouse.duckdb") == fresh_contents


def test_a_load_into_an_older_warehouse_migrates_it_first_and_its_label_only_sources_join(
    previous_release, tmp_path
):
    """The next load upgrades an older warehouse in its own transaction, and a source named only by its
    label (a code list shipped after release 9) loads under its agency group."""
    from tests.helpers import write_extract

    def counts() -> dict[str, int]:
        with duckdb.connect(str(previous_release / "warehouse.duckdb"), read_only=True) as con:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in FACT_TABLES}

    before = counts()

    extract = write_extract(
        tmp_path / "contacts.csv",
        "contacts",
        [
            {"contact_date": "2026-10-05", "source": "a) Individual"},
            {"contact_date": "2026-10-05", "source": "Health services"},
        ],
        la_code="E08000021",
        coverage_start="2026-10-05",
        coverage_end="2026-10-05",
    )
    # two contacts for a day that held more: the shrink guard would refuse them without --allow-shrink
    result = CliRunner().invoke(app, ["load", "--allow-shrink", str(extract)])
    assert result.exit_code == 0, result.output
    after = counts()
    assert {t: n for t, n in after.items() if t not in ("contact", "child")} == {
        t: n for t, n in before.items() if t not in ("contact", "child")
    }
    with open_readonly(previous_release / "warehouse.duckdb") as con:
        assert get_meta(con)["schema_version"] == str(SCHEMA_VERSION)
        assert con.execute("SELECT count(*) FROM kpi_cube WHERE key_sum = 0").fetchone() == (0,)
        assert con.execute(
            "SELECT code, agency_group FROM ref_referral_source WHERE list_contains(?, code) ORDER BY 1",
            [list(LABEL_ONLY_SOURCES)],
        ).fetchall() == [("1", "Individual"), ("3", "Health"), ("5", "Local authority")]
        assert con.execute(
            "SELECT s.agency_group FROM contact JOIN ref_referral_source AS s ON s.code = "
            "contact.source WHERE contact_date = DATE '2026-10-05' AND la_code = 'E08000021' "
            "ORDER BY 1"
        ).fetchall() == [("Health",), ("Individual",)]
        # every contact of October 2026 is in the cube: none is lost to a code the cube cannot join
        facts = con.execute(
            "SELECT count(*) FROM contact WHERE la_code = 'E08000021' AND contact_date "
            "BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"
        ).fetchone()[0]
        cube = con.execute(
            "SELECT sum(n) FROM kpi_cube WHERE measure = 'contacts' AND la_code = 'E08000021' "
            "AND month = DATE '2026-10-01'"
        ).fetchone()[0]
        assert cube == facts
