"""What a warehouse holds, as a value to compare: every table's row count and a checksum of its rows.

Two loads of the same files give the same fingerprint, so the state after a load can be worked out
from a clean load elsewhere: only the clock columns (when a load started and finished, when the
warehouse was made) are left out of the checksums, and they still count as rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.db import open_readonly

# Columns that differ between two identical loads because they hold the time.
CLOCK_COLUMNS = {"etl_load": ("started_at", "finished_at")}
CLOCK_META_KEYS = ("created_at", "last_load_at")
AUDIT_TABLES = ("etl_load", "etl_rejection")

Fingerprint = dict[str, tuple[int, int | None]]


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    ]


def _checksum_sql(con: duckdb.DuckDBPyConnection, table: str) -> str:
    if table == "meta":
        keys = ", ".join(f"'{k}'" for k in CLOCK_META_KEYS)
        return (
            f"SELECT count(*), sum(hash(key, CASE WHEN key IN ({keys}) THEN NULL ELSE value END)) FROM meta"
        )
    clock = CLOCK_COLUMNS.get(table, ())
    if not clock:
        return f'SELECT count(*), sum(hash(t)) FROM "{table}" AS t'
    columns = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        if c not in clock
    ]
    return f'SELECT count(*), sum(hash({", ".join(columns)})) FROM "{table}"'


def fingerprint(warehouse: Path) -> Fingerprint:
    """Every table of the published warehouse: (rows, checksum). Opened as the app opens it, so a
    warehouse that would not open (or is of another schema version) fails here."""
    con = open_readonly(warehouse)
    try:
        return {table: tuple(con.execute(_checksum_sql(con, table)).fetchone()) for table in _tables(con)}
    finally:
        con.close()


def without_audit(state: Fingerprint) -> Fingerprint:
    """The data a load changes, without its own record of itself (which every load adds to, even a
    load that changed nothing, and which is compared separately)."""
    return {table: value for table, value in state.items() if table not in AUDIT_TABLES}


def loads_after(warehouse: Path, load_id: int) -> list[tuple]:
    """(file name, status, rows loaded, message) of each etl_load row newer than `load_id`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT file_name, status, rows_loaded, message FROM etl_load WHERE load_id > ? ORDER BY load_id",
            [load_id],
        ).fetchall()


def latest_load_id(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT coalesce(max(load_id), 0) FROM etl_load").fetchone()[0]


def loads_checksum(warehouse: Path, up_to_load_id: int) -> tuple[int, int | None]:
    """(rows, checksum) of the etl_load rows up to a load: what later loads must leave alone."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT count(*), sum(hash(t)) FROM etl_load AS t WHERE load_id <= ?", [up_to_load_id]
        ).fetchone()
