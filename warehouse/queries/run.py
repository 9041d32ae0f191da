"""The one function that executes read queries against the warehouse.

Every value reaches DuckDB as a bound parameter; query files name them as $name. A query may also
leave a condition to be made from the model (the filters of its dimensions' columns): it names the
place as {{name}}, and the caller gives a `Condition` as `name`, whose SQL names only columns the
model declares and whose values are bound parameters too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

QUERIES_DIR = Path(__file__).resolve().parent
T = TypeVar("T")


@cache
def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Condition:
    """A WHERE condition made from the model, not from a request: its SQL names the model's columns
    and its own parameters, bound with the query's."""

    sql: str
    params: Mapping[str, object] = field(default_factory=dict)


def run(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    return _fetch(con, name, params, lambda cursor: cursor.df())


def run_rows(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> list[tuple]:
    """The rows as tuples: for a small result read on every engine call, where making a DataFrame
    (of dates above all) costs more than the query."""
    return _fetch(con, name, params, lambda cursor: cursor.fetchall())


def run_records(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> list[dict[str, Any]]:
    """The rows as dicts by column name: for the engine's small results, read on every page, where
    a DataFrame costs more than the query."""

    def records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    return _fetch(con, name, params, records)


def _fetch(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, object],
    fetch: Callable[[duckdb.DuckDBPyConnection], T],
) -> T:
    text, bound = _with_conditions(name, params)
    cursor = con.cursor()
    try:
        return fetch(cursor.execute(text, bound))
    finally:
        cursor.close()


def _with_conditions(name: str, params: dict[str, object]) -> tuple[str, dict[str, object]]:
    """The query's text with each Condition put where it names it, and every value to bind."""
    text, bound = query_text(name), {}
    for key, value in params.items():
        if not isinstance(value, Condition):
            bound[key] = value
            continue
        marker = "{{" + key + "}}"
        if marker not in text:
            raise KeyError(f"query {name!r} has no place for the condition {key!r} ({marker})")
        text = text.replace(marker, f"({value.sql})")
        bound.update(value.params)
    return text, bound
