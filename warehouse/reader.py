"""The app's read-only view of the published warehouse, one snapshot per request.

A load publishes a new file with `os.replace`; readers must notice it without a restart, and a
request that started on the old data must finish on it, so no answer mixes two versions. So:
- each published file is opened as a *snapshot*: a private hard link to that file's inode (in
  `.snapshots/<host>-<pid>/` beside it), opened read-only. DuckDB shares one database instance
  per path within a process, so a new path per version is what lets the old and the new file be
  open at once;
- a request pins the current snapshot when it starts (`pin`) and releases it when it ends
  (`release`); every query of the request runs on the pinned snapshot;
- a snapshot no longer current is closed, and its link removed, when its last request ends.

Outside a pinned request (the command line, tests) queries run on the latest snapshot.
Opened on first use, never before a server forks.

Instances on several hosts may share the warehouse folder (SAFEGUARD_WAREHOUSE_DIR), so a
process's links folder is named by its host as well as its process ID, and it holds a lock
(`.in-use`) for as long as the process lives: another process, on any host, removes a links folder
only once it can take that lock, that is once its process has gone. Removing a link still in use
would pull the file from under its reader on a network filesystem.
"""

from __future__ import annotations

import contextvars
import fcntl
import os
import shutil
import socket
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb
import pandas as pd

from warehouse.db import WarehouseError, open_readonly
from warehouse.queries import run


@dataclass(eq=False)
class Snapshot:
    con: duckdb.DuckDBPyConnection
    identity: tuple[int, int]  # the file's inode and mtime: a cache key that changes with every load
    link: Path
    users: int = 0
    retired: bool = field(default=False)

    def close(self) -> None:
        self.con.close()
        self.link.unlink(missing_ok=True)


class WarehouseReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._pinned: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar(
            f"pinned-{id(self)}", default=None
        )
        self._links = links_folder(path, os.getpid())
        self._leave_links: weakref.finalize | None = None  # gives back this reader's claim on them

    def _file_identity(self) -> tuple[int, int]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError as error:
            # Said without the path: this message reaches the pages.
            raise WarehouseError(
                "There is no warehouse yet: load some extracts first (safeguard load)."
            ) from error
        return stat.st_ino, stat.st_mtime_ns

    def _open_snapshot(self) -> Snapshot:
        joining = self._leave_links is None or not self._leave_links.alive
        _claim_links_folder(self._links, joining)
        if joining:
            self._leave_links = weakref.finalize(self, _leave_links_folder, self._links)
        identity = self._file_identity()
        link = self._links / f"{identity[0]}-{identity[1]}.duckdb"
        if not link.exists():
            os.link(self.path, link)
        # The link names whatever file it caught: if a load swapped in another between the stat
        # and the link, the link's own identity is the truth.
        stat = os.stat(link)
        try:
            con = open_readonly(link)
        except WarehouseError:
            link.unlink(missing_ok=True)
            raise
        return Snapshot(con, (stat.st_ino, stat.st_mtime_ns), link)

    def _latest(self) -> Snapshot:
        """The current snapshot, replaced by a new one when a load has published a new file. Caller holds the lock."""
        if self._current is None or self._file_identity() != self._current.identity:
            old, self._current = self._current, self._open_snapshot()
            if old is not None:
                old.retired = True
                if old.users == 0:
                    old.close()
        return self._current

    def pin(self) -> contextvars.Token:
        """Start a request: its queries all run on the snapshot current now."""
        with self._lock:
            snapshot = self._latest()
            snapshot.users += 1
        return self._pinned.set(snapshot)

    def release(self, token: contextvars.Token) -> None:
        """End a request: an old snapshot closes once no request uses it."""
        snapshot = self._pinned.get()
        self._pinned.reset(token)
        if snapshot is None:
            return
        with self._lock:
            snapshot.users -= 1
            if snapshot.retired and snapshot.users == 0:
                snapshot.close()

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The pinned snapshot's connection, else the latest one."""
        pinned = self._pinned.get()
        if pinned is not None:
            return pinned.con
        with self._lock:
            return self._latest().con

    @property
    def version(self) -> tuple[int, int]:
        """Which published file the queries run on: a cache key that changes with every load."""
        pinned = self._pinned.get()
        if pinned is not None:
            return pinned.identity
        with self._lock:
            return self._latest().identity

    def query(self, name: str, **params: object) -> pd.DataFrame:
        return run(self.connection(), name, **params)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.close()
                self._current = None
            if self._leave_links is not None:
                self._leave_links()


IN_USE = ".in-use"


@dataclass
class _Claim:
    in_use: IO[str]  # the open `.in-use` file, locked
    readers: int = 0


# This process's links folders, each with its lock, held while a reader of this process uses it.
_claimed: dict[Path, _Claim] = {}
_claiming = threading.RLock()  # a reader collected mid-claim gives its claim back on this thread


def links_folder(warehouse: Path, pid: int) -> Path:
    """Where a server process keeps its snapshot links: beside the warehouse, as a hard link must
    be on the file's own filesystem; named by host too, as process IDs on two hosts (or in two
    containers) often coincide."""
    return warehouse.parent / ".snapshots" / f"{socket.gethostname()}-{pid}"


def _claim_links_folder(links: Path, joining: bool) -> None:
    """The process's links folder, there and locked; `joining`: one more reader uses it."""
    with _claiming:
        claim = _claimed.get(links)
        made = claim is None or not links.exists()
        if made:
            if claim is not None:
                claim.in_use.close()
            claim = _claimed[links] = _Claim(_make_links_folder(links), claim.readers if claim else 0)
        assert claim is not None  # made above when it was missing
        claim.readers += joining
    if made:
        _remove_links_no_longer_in_use(links.parent)


def _make_links_folder(links: Path) -> IO[str]:
    """Made with its in-use lock held from the start (under a dot name, then renamed), so nobody
    clearing links ever finds it unlocked."""
    links.parent.mkdir(parents=True, exist_ok=True)
    if links.exists():
        shutil.rmtree(links)  # a process of this host that had this ID, and has gone: this one lives
    making = Path(tempfile.mkdtemp(prefix=".making-", dir=links.parent))
    in_use = open(making / IN_USE, "w")  # noqa: SIM115 - held open for the reader's life: it is the lock
    fcntl.flock(in_use, fcntl.LOCK_EX)
    os.rename(making, links)
    return in_use


def _leave_links_folder(links: Path) -> None:
    """A reader closed (or gone): with no reader of this process left, its links may be cleared."""
    with _claiming:
        claim = _claimed.get(links)
        if claim is not None:
            claim.readers -= 1
            if claim.readers <= 0:
                claim.in_use.close()
                del _claimed[links]


def _remove_links_no_longer_in_use(folder: Path) -> None:
    """Snapshot links left by processes that have ended (a crash, a restarted worker or instance)."""
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.name.startswith(".") and entry not in _claimed and _unused(entry):
            shutil.rmtree(entry, ignore_errors=True)


def _unused(links: Path) -> bool:
    try:
        in_use = open(links / IN_USE, "r+")  # noqa: SIM115 - closed by the `with` below; for writing: NFS grants an exclusive lock on no other
    except FileNotFoundError:
        # Made before the in-use lock, by a process of this host named by its ID alone.
        return links.name.isdigit() and not _alive(int(links.name))
    except PermissionError:
        return False  # not this service's to clear
    with in_use:
        try:
            fcntl.flock(in_use, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
