"""`safeguard backup` and `safeguard restore`: the warehouse, app state and the keys, together.

They belong together: the pseudonymisation key makes the warehouse's child IDs, the session key
signs the sessions, and app state (targets, commentary, the challenge log, accounts, the audit
log) refers to the warehouse's KPIs and LAs. A backup is a folder with a manifest of checksums;
both commands hold the load lock, so no load publishes half-way through either.

App state on PostgreSQL (SAFEGUARD_APPSTATE_URL) is backed up with pg_dump, not here: the
backup says so in its manifest rather than pretending to hold it.

A backup folder and its files are the service account's only (0700 and 0600). A restore keeps
the audit log whole: the events recorded since the backup are carried over into the restored app
state, and the restore itself is recorded. Running servers need no restart: they notice the new
warehouse file, and drop a pooled connection to the SQLite app-state file a restore replaced as
they take it (appstate/db.py).
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from appstate.audit import AuditEvent, record
from appstate.db import database_url, forget_engines, session
from etl.load.publish import load_lock
from etl.pipeline import file_sha256
from warehouse.settings import OWNER_ONLY_DIR, OWNER_ONLY_FILE, Settings, environment, owner_only_dir

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
    out.mkdir(parents=True, exist_ok=True)
    building.mkdir(mode=OWNER_ONLY_DIR)
    os.chmod(building, OWNER_ONLY_DIR)
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
    manifest = {
        "made_at": datetime.now().isoformat(timespec="seconds"),
        "files": files,
        "appstate": "in this backup" if appstate is not None else "external: back it up with pg_dump",
    }
    (building / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for made in building.iterdir():
        os.chmod(made, OWNER_ONLY_FILE)
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
    owner_only_dir(settings.home)
    restored = []
    with load_lock(settings.lock_path):
        since_backup = _audit_events()
        for name, target in targets.items():
            if name not in files:
                continue
            staged = target.with_name(f".{target.name}.restoring")
            shutil.copy2(folder / name, staged)
            os.chmod(staged, OWNER_ONLY_FILE)
            os.replace(staged, target)  # each file swaps whole: the app sees the old or the new, never half
            restored.append(name)
        forget_engines()  # this process's engines still point at the replaced app-state file
        with session() as db:
            _carry_over(db, since_backup)
            record(
                db,
                environment().local_user or getpass.getuser(),
                "restore",
                subject=str(folder),
                files=restored,
            )
    return restored


def _event_key(event: AuditEvent) -> tuple:
    return (event.at, event.username, event.action, event.subject, event.rows, event.detail, event.address)


def _audit_events() -> list[AuditEvent]:
    """The audit log as it is before a restore (none when there is no app state yet)."""
    url = database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return []
    with session(url) as db:
        return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _carry_over(db: Session, events: list[AuditEvent]) -> None:
    """The events the restored audit log lacks (those since the backup), added back in order."""
    present = {_event_key(e) for e in db.scalars(select(AuditEvent))}
    for event in events:
        if _event_key(event) not in present:
            db.add(
                AuditEvent(
                    at=event.at,
                    username=event.username,
                    action=event.action,
                    subject=event.subject,
                    rows=event.rows,
                    detail=event.detail,
                    address=event.address,
                )
            )
    db.commit()
