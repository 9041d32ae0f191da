"""A warehouse made before the record-level partner packs were shipped (no pack tables, no cube
columns for their dimensions, the definitions of the model it was made with) gets the packs' tables on
`safeguard upgrade`, with every row it held kept and the same figures; then the packs' extracts load
into it. The packs' tables are made from the model as a partnership's own datasets' are, by the
migration step that follows every change of the model's digest, so no numbered migration is needed."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from tests.warehouse.test_migrations import TABLES, columns, figures
from warehouse.db import CUBE_TABLES, SCHEMA_VERSION, get_meta, open_readonly, set_meta
from warehouse.kpis.suppression import NO_SUPPRESSION
from warehouse.model.files import read_model

MODEL = read_model()
PACK_TABLES = {name: MODEL.datasets[name].table for name in MODEL.generated_datasets}
PACK_DIMENSIONS = [d.cube_column for d in MODEL.dimensions if d.id in {
    "exploitation_type", "exploitation_risk", "lado_sector", "lado_category", "lado_outcome", "dash_risk",
}]  # fmt: skip
CORE_TABLES = [t for t in TABLES if t not in CUBE_TABLES]


def table_names(con) -> set[str]:
    return {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


@pytest.fixture
def before_the_packs(demo_home, tmp_path, monkeypatch):
    """The demo warehouse as the release before the packs left it: version 13, no pack tables, no cube
    columns of their dimensions, no pack rows in the cubes, and its model's definitions."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("warehouse.duckdb", "pseudonymisation.key"):
        shutil.copy2(demo_home / name, home / name)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for table in PACK_TABLES.values():
            con.execute(f"DROP TABLE {table}")
        measures = [m.id for m in MODEL.measures.values() if m.dataset in PACK_TABLES]
        for cube in ("kpi_cube", "kpi_cube_la", "measure_child_month", "kpi_cube_all"):
            con.execute(f"DELETE FROM {cube} WHERE list_contains(?, measure)", [measures])
        for cube in CUBE_TABLES:
            for column in PACK_DIMENSIONS:
                con.execute(f"ALTER TABLE {cube} DROP COLUMN IF EXISTS {column}")
        con.execute("DELETE FROM etl_load WHERE list_contains(?, dataset)", [list(PACK_TABLES)])
        set_meta(con, definitions="made by the release before the packs")
        assert get_meta(con)["schema_version"] == str(SCHEMA_VERSION)
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    return home


def core_rows(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in CORE_TABLES}


def test_upgrade_makes_the_pack_tables_keeping_every_row_and_figure_and_their_extracts_then_load(
    demo_home, before_the_packs
):
    warehouse = before_the_packs / "warehouse.duckdb"
    rows_before = core_rows(warehouse)
    result = CliRunner().invoke(app, ["upgrade"])
    assert result.exit_code == 0, result.output
    assert "Renewed the reference data and definitions" in " ".join(result.output.split())
    with open_readonly(warehouse) as con:
        assert set(PACK_TABLES.values()) <= table_names(con)
        assert all(con.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,) for t in PACK_TABLES.values())
        for column in PACK_DIMENSIONS:
            assert (column, "VARCHAR") in columns(con, ["kpi_cube"])["kpi_cube"]
    assert core_rows(warehouse) == rows_before
    # The core KPIs' figures are the demo's (the packs' have nothing loaded yet).
    core = {k for k in MODEL.kpis if MODEL.kpis[k].dataset not in PACK_TABLES}
    assert [f for f in figures(warehouse, NO_SUPPRESSION) if f[0] in core] == [
        f for f in figures(demo_home / "warehouse.duckdb", NO_SUPPRESSION) if f[0] in core
    ]
    again = CliRunner().invoke(app, ["upgrade"])
    assert again.exit_code == 0 and "up to date" in again.output
    # Then the packs' extracts load into it as into a new warehouse.
    extracts = sorted((demo_home / "demo").glob("E08000021_*.csv"))
    packs = [p for p in extracts if any(p.name.endswith(f"_{name}.csv") for name in PACK_TABLES)]
    assert len(packs) == 4
    result = CliRunner().invoke(app, ["load", *map(str, packs)])
    assert result.exit_code == 0, result.output
    with (
        duckdb.connect(str(before_the_packs / "warehouse.duckdb"), read_only=True) as upgraded,
        duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as demo,
    ):
        for table in PACK_TABLES.values():
            query = f"SELECT count(*) FROM {table} WHERE la_code = 'E08000021'"
            assert upgraded.execute(query).fetchone() == demo.execute(query).fetchone() != (0,)
