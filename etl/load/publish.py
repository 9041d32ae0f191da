"""Atomic publication of a new warehouse: copy, change the copy, check it, swap it in.

Readers keep the file they opened; a crash at any point leaves the published file as it was,
and the half-built copy is removed by the next load.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.db import (
    CUBE_TABLES,
    FACT_TABLES,
    FIGURE_TABLES,
    SCHEMA_VERSION,
    WarehouseError,
    check_schema_version,
    migrate,
    needs_migration,
    new_warehouse,
    schema_version,
    single_value,
)
from warehouse.settings import OWNER_ONLY_FILE, environment, owner_only_dir

BUILDING_SUFFIX = ".building"


class LoadInProgress(Exception):
    """Another load holds the lock."""


class DiskFull(WarehouseError):
    """The new warehouse could not be written for lack of room; the published one is kept."""


# What the OS and DuckDB say when a filesystem has no room (ENOSPC) or a quota is used up (EDQUOT).
_NO_ROOM = {errno.ENOSPC: "No space left on device", errno.EDQUOT: "Disk quota exceeded"}


def _no_room(error: BaseException | None) -> str | None:
    """The OS's words for a full disk, if `error` (or an error it was raised from or during) is one."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _NO_ROOM:
            return _NO_ROOM[error.errno]
        for words in _NO_ROOM.values():
            if words.lower() in str(error).lower():
                return words
        error = error.__cause__ or error.__context__
    return None


def _remove(path: Path) -> None:
    """A file, or a folder and all in it (DuckDB's spill folder, '<database>.tmp/')."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


@contextmanager
def load_lock(lock_path: Path, wait: bool = True) -> Iterator[None]:
    """One load at a time per warehouse; the OS releases the lock if the process dies."""
    owner_only_dir(lock_path.parent)
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
    tables = (*FACT_TABLES, *FIGURE_TABLES, *CUBE_TABLES, "etl_load", "etl_rejection")
    return {t: single_value(con, f"SELECT count(*) FROM {t}") for t in tables}


def fsync_path(path: Path) -> None:
    """Flush a file or a folder (a folder: so a rename in it survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_builds(target: Path) -> None:
    for stale in target.parent.glob(f".{target.name}{BUILDING_SUFFIX}*"):
        _remove(stale)


# DuckDB's checkpoint vacuums: it rewrites and merges row groups that deleted rows or small appends
# left. In a national warehouse that costs every load's commit about 3 seconds whatever the load
# changed (a routine load of one LA: 5.5 s, of which the load's own work is 2.5). Most of what a load
# deletes sits in row groups its LA's previous load appended, which go whole without a vacuum; what
# is left deleted in shared row groups still takes room. A load vacuums only once that is a tenth of
# the rows the file stores, so the room lost stays under a tenth and the cost comes once in many loads.
VACUUM_AT_DEAD_SHARE = 0.1


def dead_row_share(con: duckdb.DuckDBPyConnection) -> float:
    """The share of the rows the file's tables store that are deleted, and so only take room."""
    tables = con.execute(
        "SELECT table_name, estimated_size FROM duckdb_tables() "
        "WHERE NOT temporary AND database_name = current_database()"
    ).fetchall()
    stored = sum(size for _, size in tables)
    live = sum(single_value(con, f'SELECT count(*) FROM "{name}"') for name, _ in tables)
    return (stored - live) / stored if stored else 0.0


def publish(target: Path, change: Callable[[duckdb.DuckDBPyConnection], None]) -> dict[str, int]:
    """Apply `change` to a copy of the warehouse in a transaction, then swap the copy in. `change`
    may commit part way and go on in a new transaction (a load of many files does, to free the
    memory DuckDB keeps for the files it has read): the copy is private until the swap.

    A warehouse of an earlier schema version is migrated first, in the same transaction, so an
    upgrade is as atomic as a load. Must be called under `load_lock`. Returns the row counts of
    the published warehouse.
    """
    owner_only_dir(target.parent)
    _remove_stale_builds(target)
    building = target.with_name(f".{target.name}{BUILDING_SUFFIX}-{os.getpid()}")
    writing = f"a copy of the warehouse to {building}"
    try:
        if target.exists():
            shutil.copyfile(target, building)
        writing = f"the new warehouse {building}"
        if not target.exists():
            new_warehouse(building)
        # Memory is the product's choice, not DuckDB's 80% of the machine (SAFEGUARD_DUCKDB_LOAD_MEMORY_LIMIT).
        limit = environment().duckdb_load_memory_limit
        con = duckdb.connect(str(building), config={"preserve_insertion_order": False, "memory_limit": limit})
        try:
            check_schema_version(con, target, allow_older=True)
            if dead_row_share(con) < VACUUM_AT_DEAD_SHARE:
                con.execute("SET max_vacuum_tasks = 0")
            con.execute("BEGIN TRANSACTION")
            migrate(con)
            change(con)
            expected = table_counts(con)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        except BaseException:
            _close_quietly(con)  # what failed first is what is reported
            raise
        con.close()
        _check_built(building, expected)
        os.chmod(building, OWNER_ONLY_FILE)  # children's records: the service account's alone
        fsync_path(building)
        os.replace(building, target)
        fsync_path(target.parent)
        return expected
    except (OSError, duckdb.Error) as error:
        words = _no_room(error)
        if words is None:
            raise
        raise DiskFull(
            f"not loaded: the disk is full ({words}) while writing {writing}; "
            f"the published warehouse {target} is kept as it was"
        ) from error
    finally:
        for leftover in (building, *(building.with_name(building.name + end) for end in (".wal", ".tmp"))):
            if leftover.exists():
                _remove(leftover)


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection after something failed: DuckDB can refuse once a write has failed, and
    that refusal must not take the place of what went wrong first."""
    try:
        con.close()
    except duckdb.Error:
        pass


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


def upgrade(target: Path, lock_path: Path) -> tuple[int, int] | None:
    """Migrate the published warehouse to this program's schema version and reference data,
    atomically, keeping every row; (from, to), or None when there is no warehouse or it is up to
    date already."""
    with load_lock(lock_path):
        if not target.exists():
            return None
        con = duckdb.connect(str(target), read_only=True)
        try:
            check_schema_version(con, target, allow_older=True)
            before = schema_version(con)
            if not needs_migration(con):
                return None
        finally:
            con.close()
        publish(target, lambda _con: None)
        return before, SCHEMA_VERSION
