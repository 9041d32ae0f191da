"""An in-memory DuckDB for a load's own queries over Arrow tables: parsing dates, finding copied
rows and repeated IDs.

One database per process, a cursor per use: making a database costs about 13 ms, and a load made
two or three per file. A cursor is a connection of its own (its registered tables are its own), so
the load's threads each use theirs at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

_lock = threading.Lock()
_database: list[duckdb.DuckDBPyConnection] = []  # made when first asked for


@contextmanager
def scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh connection to the process's scratch database, closed when the block ends."""
    with _lock:
        if not _database:
            _database.append(duckdb.connect())
        cursor = _database[0].cursor()
    try:
        yield cursor
    finally:
        cursor.close()
