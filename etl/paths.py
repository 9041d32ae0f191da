"""Which files a load may read: with SAFEGUARD_LOAD_DIRS set, only files inside those folders.

A load runs with the rights of the account that runs it, often one that can read far more than
extracts (the pseudonymisation key, other services' files). Confining loads to the inbox
folders means a mistyped or crafted path, a `..` or a symlink cannot make the loader read, and
report rows of, anything else. Paths are compared after os.path.realpath, so a link or a `..`
is judged by where it really leads.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from etl import limits
from etl.errors import ExtractError
from warehouse.settings import environment

LOAD_DIRS_SETTING = "SAFEGUARD_LOAD_DIRS"


def allowed_load_dirs() -> tuple[str, ...] | None:
    """The folders loads may read (resolved), or None when the setting is unset or blank."""
    value = environment().load_dirs or ""
    folders = tuple(os.path.realpath(folder) for folder in value.split(os.pathsep) if folder.strip())
    return folders or None


def is_within(path: Path | str, folders: Iterable[str]) -> bool:
    real = os.path.realpath(path)
    # commonpath, not startswith: /data/inbox-old is not inside /data/inbox.
    return any(os.path.commonpath([real, folder]) == folder for folder in folders)


def outside_load_dirs(paths: Iterable[Path]) -> dict[Path, str]:
    """Each given path that is outside the allowed folders, with why; empty when all may load."""
    folders = allowed_load_dirs()
    if folders is None:
        return {}
    allowed = ", ".join(folders)
    refused = {}
    for path in paths:
        if not is_within(path, folders):
            real = os.path.realpath(path)
            # A relative path, a `..` or a link is shown with where it really leads.
            where = "" if real == str(path) else f" (it leads to {real})"
            refused[path] = (
                f"{path}{where} is outside the folders loads may read: {allowed} ({LOAD_DIRS_SETTING})"
            )
    return refused


class OutsideLoadDirs(Exception):
    """The file opened for a load turned out to be outside SAFEGUARD_LOAD_DIRS."""


def _opened_path(fd: int, path: Path) -> str:
    """Where the open descriptor really leads: Linux tells it (/proc/self/fd); elsewhere the
    resolved path, accepted only if it is the very file that was opened."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        real = os.path.realpath(path)
        opened, now = os.fstat(fd), os.stat(real)
        if (opened.st_dev, opened.st_ino) != (now.st_dev, now.st_ino):
            raise OutsideLoadDirs(f"{path} changed while it was being opened; load it again") from None
        return real


def read_for_load(path: Path) -> bytes:
    """The file's bytes, read from one descriptor whose real location is checked after opening.

    Checking the name and then opening it would let the file be swapped for a link to somewhere
    else in between (while the load waits for the lock, say); the descriptor cannot be swapped.
    Raises OutsideLoadDirs, OSError, or ExtractError for a file that is not one or is too big."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang the load
    with os.fdopen(fd, "rb") as handle:
        folders = allowed_load_dirs()
        if folders is not None:
            real = _opened_path(fd, path)
            if not any(os.path.commonpath([real, folder]) == folder for folder in folders):
                raise OutsideLoadDirs(
                    f"{path} (it leads to {real}) is outside the folders loads may read: "
                    f"{', '.join(folders)} ({LOAD_DIRS_SETTING})"
                )
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ExtractError(path, "it is not a regular file")
        limits.check_file_size(path, info.st_size)
        data = handle.read(limits.MAX_FILE_BYTES + 1)
        limits.check_file_size(path, len(data))  # it grew after the check
        return data
