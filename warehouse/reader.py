"""The app's read-only view of the published warehouse.

One connection per process, opened on first use (never before a server forks) and reopened
when a load swaps in a new file; each query gets its own cursor.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.db import open_readonly
from warehouse.queries import run


class WarehouseReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int] | None = None

    def _file_identity(self) -> tuple[int, int]:
        stat = os.stat(self.path)
        return stat.st_ino, stat.st_mtime_ns

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open connection, reopened if the published file is a new one."""
        identity = self._file_identity()
        with self._lock:
            if self._con is None or identity != self._identity:
                # DuckDB shares one database instance per path within a process, so the old
                # connection must close before a new one can see the new file.
                if self._con is not None:
                    self._con.close()
                self._con, self._identity = open_readonly(self.path), identity
            return self._con

    @property
    def version(self) -> tuple[int, int]:
        """Which published file the reader is on: a cache key that changes with every load."""
        self.connection()
        return self._identity

    def query(self, name: str, **params: object) -> pd.DataFrame:
        return run(self.connection(), name, **params)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
