"""The one function that executes read queries against the warehouse.

Every value reaches DuckDB as a bound parameter; query files name them as $name.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

QUERIES_DIR = Path(__file__).resolve().parent


@cache
def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    cursor = con.cursor()
    try:
        return cursor.execute(query_text(name), params).df()
    finally:
        cursor.close()
