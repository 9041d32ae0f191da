"""Atomic publication of a new warehouse: copy, change the copy, check it, swap it in.

Readers keep the file they opened; a crash at any point leaves the published file as it was,
and the half-built copy is removed by the next load.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.db import CUBE_TABLES, FACT_TABLES, WarehouseError, build_schema, check_schema_version, first_row

BUILDING_SUFFIX = ".building"


class LoadInProgress(Exception):
    """Another load holds the lock."""


@contextmanager
def load_lock(lock_path: Path, wait: bool = True) -> Iterator[None]:
    """One load at a time per warehouse; the OS releases the lock if the process dies."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError as error:
            raise LoadInProgress(f"another load is running (lock {lock_path})") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = (*FACT_TABLES, *CUBE_TABLES, "etl_load", "etl_rejection")
    return {t: first_row(con, f"SELECT count(*) FROM {t}")[0] for t in tables}


def fsync_path(path: Path) -> None:
    """Flush a file or a folder (a folder: so a rename in it survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_builds(target: Path) -> None:
    for stale in target.parent.glob(f".{target.name}{BUILDING_SUFFIX}*"):
        stale.unlink()


def publish(target: Path, change: Callable[[duckdb.DuckDBPyConnection], None]) -> dict[str, int]:
    """Apply `change` to a copy of the warehouse in one transaction, then swap the copy in.

    Must be called under `load_lock`. Returns the row counts of the published warehouse.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(target)
    building = target.with_name(f".{target.name}{BUILDING_SUFFIX}-{os.getpid()}")
    try:
        if target.exists():
            shutil.copyfile(target, building)
        con = duckdb.connect(str(building))
        try:
            if target.exists():
                check_schema_version(con, target)
            else:
                build_schema(con)
            con.execute("BEGIN TRANSACTION")
            change(con)
            expected = table_counts(con)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _check_built(building, expected)
        fsync_path(building)
        os.replace(building, target)
        fsync_path(target.parent)
        return expected
    finally:
        for leftover in (building, building.with_name(building.name + ".wal")):
            if leftover.exists():
                leftover.unlink()


def _check_built(building: Path, expected: dict[str, int]) -> None:
    """The copy must open read-only, with the row counts the transaction ended with."""
    if building.with_name(building.name + ".wal").exists():
        raise WarehouseError(f"{building} still has a write-ahead log after its checkpoint")
    con = duckdb.connect(str(building), read_only=True)
    try:
        check_schema_version(con, building)
        found = table_counts(con)
    finally:
        con.close()
    if found != expected:
        raise WarehouseError(f"the new warehouse does not hold what was loaded: {found} != {expected}")
