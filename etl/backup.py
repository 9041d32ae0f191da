"""`safeguard backup` and `safeguard restore`: the warehouse, app state and the keys, together.

They belong together: the pseudonymisation key makes the warehouse's child IDs, the session key
signs the sessions, and app state (targets, commentary, the challenge log, accounts, the audit
log) refers to the warehouse's KPIs and LAs. A backup is a folder with a manifest of checksums;
both commands hold the load lock, so no load publishes half-way through either.

App state on PostgreSQL (SAFEGUARD_APPSTATE_URL) is backed up with pg_dump, not here: the
backup says so in its manifest rather than pretending to hold it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from appstate.db import forget_engines
from etl.load.publish import load_lock
from etl.pipeline import file_sha256
from warehouse.settings import Settings, environment

MANIFEST = "manifest.json"
KEYS = ("pseudonymisation.key", "session.key")


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says which file and why."""


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    files: dict[str, str]  # name -> sha256
    appstate_external: bool


def _appstate_file(settings: Settings) -> Path | None:
    """The SQLite app-state file, or None when app state is elsewhere (PostgreSQL)."""
    url = environment().appstate_url
    if url and not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///")) if url else settings.home / "appstate.sqlite"


def backup(settings: Settings, out: Path) -> BackupResult:
    """A consistent snapshot of this install in a new folder under `out`."""
    folder = out / f"safeguard-backup-{datetime.now():%Y%m%d-%H%M%S}"
    if folder.exists():
        raise BackupError(f"{folder} already exists")
    if not settings.warehouse_path.exists():
        raise BackupError(f"there is no warehouse at {settings.warehouse_path} to back up")
    building = folder.with_name(folder.name + ".part")
    building.mkdir(parents=True)
    with load_lock(settings.lock_path):
        shutil.copy2(settings.warehouse_path, building / "warehouse.duckdb")
        appstate = _appstate_file(settings)
        if appstate is not None and appstate.exists():
            # SQLite's own backup: a consistent copy even while the app is writing.
            with sqlite3.connect(appstate) as source, sqlite3.connect(building / "appstate.sqlite") as copy:
                source.backup(copy)
        for key in KEYS:
            if (settings.home / key).exists():
                shutil.copy2(settings.home / key, building / key)
    files = {p.name: file_sha256(p) for p in sorted(building.iterdir())}
    manifest = {"made_at": datetime.now().isoformat(timespec="seconds"), "files": files,
                "appstate": "in this backup" if appstate is not None else "external: back it up with pg_dump"}
    (building / MANIFEST).write_text(json.dumps(manifest, indent=2))
    building.rename(folder)  # a folder without .part is a complete backup
    return BackupResult(folder, files, appstate is None)


def restore(settings: Settings, folder: Path) -> list[str]:
    """Put a backup back; every file is checked first, so a damaged backup restores nothing."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}")
    files: dict[str, str] = json.loads(manifest_path.read_text())["files"]
    for name, digest in files.items():
        if not (folder / name).exists():
            raise BackupError(f"{folder / name} is missing")
        if file_sha256(folder / name) != digest:
            raise BackupError(f"{folder / name} does not match its checksum: the backup is damaged")
    if "warehouse.duckdb" not in files:
        raise BackupError(f"{folder} holds no warehouse")
    targets = {"warehouse.duckdb": settings.warehouse_path, **{k: settings.home / k for k in KEYS}}
    appstate = _appstate_file(settings)
    if "appstate.sqlite" in files and appstate is not None:
        targets["appstate.sqlite"] = appstate
    settings.home.mkdir(parents=True, exist_ok=True)
    restored = []
    with load_lock(settings.lock_path):
        for name, target in targets.items():
            if name not in files:
                continue
            staged = target.with_name(f".{target.name}.restoring")
            shutil.copy2(folder / name, staged)
            os.replace(staged, target)  # each file swaps whole: the app sees the old or the new, never half
            restored.append(name)
    forget_engines()  # this process's pooled connections still point at the replaced app-state file
    return restored
