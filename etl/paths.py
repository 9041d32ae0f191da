"""Which files a load may read: with SAFEGUARD_LOAD_DIRS set, only files inside those folders.

A load runs with the rights of the account that runs it, often one that can read far more than
extracts (the pseudonymisation key, other services' files). Confining loads to the inbox
folders means a mistyped or crafted path, a `..` or a symlink cannot make the loader read, and
report rows of, anything else. Paths are compared after os.path.realpath, so a link or a `..`
is judged by where it really leads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

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
            refused[path] = (f"{path}{where} is outside the folders loads may read: {allowed} "
                             f"({LOAD_DIRS_SETTING})")
    return refused
