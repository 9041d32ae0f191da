"""etl/load/publish.py: a load's checkpoint leaves deleted rows where they take little room, and
vacuums them once they are a tenth of what the file stores."""

from __future__ import annotations

import duckdb
import pytest

from etl.load.publish import VACUUM_AT_DEAD_SHARE, dead_row_share, publish

FILLER_ROWS = 1_000_000


def _share(path) -> float:
    with duckdb.connect(str(path), read_only=True) as con:
        return dead_row_share(con)


def test_the_dead_share_is_the_deleted_rows_over_the_rows_stored(tmp_path):
    path = tmp_path / "t.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE TABLE t AS SELECT range AS i FROM range({FILLER_ROWS})")
        con.execute("CREATE TABLE u AS SELECT range AS i FROM range(250000)")
        con.execute("CHECKPOINT")
        con.execute("SET max_vacuum_tasks = 0")
        con.execute("DELETE FROM t WHERE i % 10 < 3")  # spread over every row group: none goes whole
        con.execute("CHECKPOINT")
    assert _share(path) == pytest.approx(300_000 / 1_250_000)


@pytest.mark.parametrize(
    ("deleted", "vacuumed"),
    [("i % 20 = 0", False), ("i % 10 < 6", True)],  # 5% and 60% of the filler's rows
)
def test_a_load_vacuums_only_once_the_deleted_rows_are_a_tenth(tmp_path, deleted, vacuumed):
    target = tmp_path / "warehouse.duckdb"
    publish(
        target, lambda con: con.execute(f"CREATE TABLE filler AS SELECT range AS i FROM range({FILLER_ROWS})")
    )
    publish(target, lambda con: con.execute(f"DELETE FROM filler WHERE {deleted}"))
    before = _share(target)
    assert (before >= VACUUM_AT_DEAD_SHARE) is vacuumed
    publish(target, lambda con: con.execute(f"DELETE FROM filler WHERE i = {FILLER_ROWS - 1}"))
    if vacuumed:
        assert _share(target) < 0.01
    else:
        assert _share(target) == pytest.approx(before, abs=1e-5)
