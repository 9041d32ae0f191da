"""The inbox: files dropped in a folder are loaded together, then archived or quarantined.

`safeguard run-inbox` (and `safeguard schedule`, which runs it on a timetable) picks up every
file in the inbox that has stopped changing, gives them all to one `run_load` (one atomic
publish), and only then moves each file out: to `archive/YYYY-MM-DD/` when it loaded (or was
unchanged), to `quarantine/YYYY-MM-DD/` when it was structurally wrong, with a JSON report
beside it. Until the warehouse is published nothing is moved, so a crash, a kill or a busy lock
leaves every file in the inbox for the next run.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from etl.load.publish import LoadInProgress, fsync_path, load_lock
from etl.paths import LOAD_DIRS_SETTING, allowed_load_dirs, is_within
from etl.pipeline import FileOutcome, run_load
from etl.validate.figures import Submitter
from warehouse.settings import Settings, environment

DEFAULT_SETTLE_SECONDS = 10.0
REPORT_SUFFIX = ".report.json"
INBOX_LOCK_NAME = "inbox.lock"

# Exit codes: what a scheduler (systemd, cron, `safeguard schedule`) needs to tell apart.
EXIT_OK = 0  # every ready file archived (loaded, loaded with rejections, or unchanged), or nothing to do
EXIT_FAILED = 1  # a file was quarantined, a file could not be moved, or the load raised an error
EXIT_USAGE = 2  # the command was given wrong folders or options; nothing was read
EXIT_TEMPFAIL = 75  # EX_TEMPFAIL: another load or inbox run holds the lock; try again later

# A file in one of these states makes the run exit EXIT_FAILED: someone has to look at it.
FAILED_STATUSES = ("failed", "move_failed")

# Names that writers use while a file is still arriving (rsync, browsers, most copy tools).
IN_PROGRESS_SUFFIXES = (".part", ".tmp")

Log = Callable[..., None]


class InboxError(Exception):
    """The inbox cannot be used as configured (exit code 2); nothing was read or moved."""


def log_event(event: str, **fields: object) -> None:
    """One JSON line on stderr, for schedulers and log shippers (journald, Filebeat and the like)."""
    line = {"event": event, "time": datetime.now().astimezone().isoformat(timespec="seconds"), **fields}
    print(json.dumps(line, default=str), file=sys.stderr, flush=True)


@dataclass(frozen=True)
class InboxFolders:
    inbox: Path
    archive: Path
    quarantine: Path


def inbox_folders(
    settings: Settings, inbox: Path | None = None, archive: Path | None = None, quarantine: Path | None = None
) -> InboxFolders:
    """The folders of a run: `$SAFEGUARD_HOME/inbox` (made if missing) unless one is named, and
    `archive/` and `quarantine/` in SAFEGUARD_HOME unless named.

    The archive keeps the extracts as received, child IDs and all, so by default it lives with
    the warehouse and the keys, readable by the service account only, rather than beside a drop
    folder that agencies can see into. A named inbox must exist: a mistyped path in a timer
    would otherwise make an empty folder and report success for ever."""
    if inbox is None:
        inbox = settings.home / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
    elif not inbox.is_dir():
        raise InboxError(f"the inbox {inbox} is not a folder")
    folders = InboxFolders(
        inbox.absolute(),
        (archive or settings.home / "archive").absolute(),
        (quarantine or settings.home / "quarantine").absolute(),
    )
    allowed = allowed_load_dirs()
    if allowed is not None and not is_within(folders.inbox, allowed):
        raise InboxError(
            f"the inbox {folders.inbox} is outside the folders loads may read: "
            f"{', '.join(allowed)} ({LOAD_DIRS_SETTING})"
        )
    return folders


@dataclass(frozen=True)
class Seen:
    """A file in the inbox as it was when the run looked at it."""

    path: Path
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path, info: os.stat_result) -> Seen:
        return cls(path, info.st_size, info.st_mtime_ns, info.st_ctime_ns)

    @property
    def changed_at(self) -> float:
        """The later of mtime and ctime, in seconds since the epoch."""
        return max(self.mtime_ns, self.ctime_ns) / 1e9

    def still_as_seen(self) -> bool:
        try:
            info = self.path.lstat()
        except FileNotFoundError:
            return False
        return (info.st_size, info.st_mtime_ns, info.st_ctime_ns) == (self.size, self.mtime_ns, self.ctime_ns)


def is_in_progress_name(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def scan(inbox: Path, settle_seconds: float, now: float) -> tuple[list[Seen], list[Seen]]:
    """(ready, settling): the inbox's regular files that have not changed for settle_seconds,
    oldest first, and those still changing.

    ctime counts as well as mtime: a copy tool may set the mtime to the source's, and Windows
    clients may pin it, while every write still moves the ctime. Only regular files are taken;
    a symlink could lead outside SAFEGUARD_LOAD_DIRS and moving it would move only the link.
    Oldest first, because a later extract for the same LA, dataset and window must replace an
    earlier one."""
    ready: list[Seen] = []
    settling: list[Seen] = []
    with os.scandir(inbox) as entries:
        for entry in entries:
            if is_in_progress_name(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                seen = Seen.of(Path(entry.path), entry.stat(follow_symlinks=False))
            except FileNotFoundError:  # removed while we looked
                continue
            (ready if now - seen.changed_at >= settle_seconds else settling).append(seen)
    order = lambda s: (s.changed_at, s.path.name)
    return sorted(ready, key=order), sorted(settling, key=order)


@dataclass
class FileResult:
    """What a run did with one inbox file."""

    path: Path
    status: str  # loaded, loaded_with_rejections, unchanged, failed; or left_in_inbox, gone, move_failed
    outcomes: list[FileOutcome] = field(default_factory=list)
    moved_to: Path | None = None
    report: Path | None = None
    message: str | None = None

    @property
    def rows_read(self) -> int:
        return sum(o.rows_read for o in self.outcomes)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_loaded for o in self.outcomes)

    @property
    def rows_rejected(self) -> int:
        return sum(o.rows_rejected for o in self.outcomes)

    @property
    def load_id(self) -> int | None:
        return self.outcomes[0].load_id if self.outcomes else None


@dataclass
class InboxRun:
    exit_code: int
    files: list[FileResult] = field(default_factory=list)
    outcomes: list[FileOutcome] = field(default_factory=list)
    message: str | None = None


def file_status(outcomes: list[FileOutcome]) -> str:
    """One status for a file that may hold several datasets (an Annex A workbook)."""
    statuses = {o.status for o in outcomes}
    for status in ("failed", "loaded_with_rejections", "loaded"):
        if status in statuses:
            return status
    return "unchanged"


def run_inbox(
    settings: Settings,
    folders: InboxFolders,
    *,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    today: date | None = None,
    clock: Callable[[], float] = time.time,
    log: Log = log_event,
) -> InboxRun:
    """Load the inbox's ready files in one load, then archive or quarantine each with its report.

    Never waits for another run or load: either holds a lock, the run returns EXIT_TEMPFAIL and
    moves nothing."""
    try:
        with load_lock(settings.home / INBOX_LOCK_NAME, wait=False):
            return _run_locked(settings, folders, settle_seconds, today, clock, log)
    except LoadInProgress:
        message = f"another inbox run is in progress (lock {settings.home / INBOX_LOCK_NAME})"
        log("inbox_run", status="busy", inbox=str(folders.inbox), exit_code=EXIT_TEMPFAIL, message=message)
        return InboxRun(EXIT_TEMPFAIL, message=message)


def _run_locked(
    settings: Settings,
    folders: InboxFolders,
    settle_seconds: float,
    today: date | None,
    clock: Callable[[], float],
    log: Log,
) -> InboxRun:
    now = clock()
    ready, settling = scan(folders.inbox, settle_seconds, now)
    for seen in settling:
        log(
            "inbox_file",
            file=seen.path.name,
            status="settling",
            message=f"changed in the last {settle_seconds:g} seconds; left for a later run",
        )
    if not ready:
        return InboxRun(EXIT_OK)
    names = [seen.path.name for seen in ready]
    try:
        # run_load waits for the load lock; a scheduled run must not queue behind a long manual
        # load, so it looks first. A load that starts between this look and run_load's own lock
        # only makes run_load wait for that one load to end.
        with load_lock(settings.lock_path, wait=False):
            pass
    except LoadInProgress:
        message = "another load is running; the files stay in the inbox for the next run"
        log(
            "inbox_run",
            status="busy",
            inbox=str(folders.inbox),
            files=names,
            exit_code=EXIT_TEMPFAIL,
            message=message,
        )
        return InboxRun(EXIT_TEMPFAIL, message=message)
    try:
        # Figures dropped in the inbox are recorded as the inbox's, by the account that runs it.
        dropped = Submitter(environment().local_user or getpass.getuser(), via="inbox")
        outcomes = run_load([seen.path for seen in ready], settings, today=today, submitter=dropped)
    except Exception as error:  # noqa: BLE001 - any failure: the warehouse is unchanged (publish is atomic): leave the files
        message = f"the load failed, so the files stay in the inbox: {error}"
        log(
            "inbox_run",
            status="error",
            inbox=str(folders.inbox),
            files=names,
            exit_code=EXIT_FAILED,
            message=message,
        )
        return InboxRun(EXIT_FAILED, message=message)

    day = datetime.fromtimestamp(now).date().isoformat()
    results = [
        _settle_file(seen, [o for o in outcomes if o.path == seen.path], folders, day) for seen in ready
    ]
    for result in results:
        _log_file(result, log)
    exit_code = EXIT_FAILED if any(r.status in FAILED_STATUSES for r in results) else EXIT_OK
    log("inbox_run", status="done", inbox=str(folders.inbox), files=len(results), exit_code=exit_code)
    return InboxRun(exit_code, results, outcomes)


def _settle_file(seen: Seen, outcomes: list[FileOutcome], folders: InboxFolders, day: str) -> FileResult:
    """Archive or quarantine one loaded file, its report first so the file never lands without one."""
    status = file_status(outcomes)
    result = FileResult(seen.path, status, outcomes, message=_message(outcomes))
    if not seen.path.exists():
        result.status, result.message = "gone", "the file was removed from the inbox during the load"
        return result
    if not seen.still_as_seen():
        # Caught while still being written: what loaded may be partial, so the finished file is
        # loaded (and replaces it) on the next run.
        result.status = "left_in_inbox"
        result.message = "the file changed while it was loading; it will be loaded again on the next run"
        return result
    folder = (folders.quarantine if status == "failed" else folders.archive) / day
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = free_name(folder, seen.path.name)
        report = report_path(target)
        write_json_durably(report, build_report(result, target))
        move_durably(seen.path, target)
    except OSError as error:
        result.status = "move_failed"
        result.message = f"could not be moved to {folder}: {error}"
        return result
    result.moved_to, result.report = target, report
    return result


def _message(outcomes: list[FileOutcome]) -> str | None:
    messages = [o.message for o in outcomes if o.message]
    return "; ".join(dict.fromkeys(messages)) or None


def report_path(target: Path) -> Path:
    return target.with_name(target.name + REPORT_SUFFIX)


def free_name(folder: Path, name: str) -> Path:
    """`name` in the folder, or `stem-1.ext`, `stem-2.ext`, ... when a file of that name (or its
    report) is already there: a second drop of the same name must not overwrite the first."""
    base = Path(name)
    candidate, n = folder / name, 0
    while candidate.exists() or report_path(candidate).exists():
        n += 1
        candidate = folder / f"{base.stem}-{n}{base.suffix}"
    return candidate


def build_report(result: FileResult, target: Path) -> dict[str, object]:
    outcomes = result.outcomes
    finished = [o.finished_at for o in outcomes if o.finished_at]
    return {
        "file": result.path.name,
        "moved_to": str(target),
        "status": result.status,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "message": result.message,
        "load_id": result.load_id,
        "finished_at": max(finished).isoformat(timespec="seconds") if finished else None,
        "sha256": outcomes[0].sha256 if outcomes else None,
        "parts": [
            {
                "part": o.part,
                "dataset": o.dataset,
                "la_code": o.la_code,
                "status": o.status,
                "coverage_start": o.coverage_start,
                "coverage_end": o.coverage_end,
                "rows_read": o.rows_read,
                "rows_loaded": o.rows_loaded,
                "rows_rejected": o.rows_rejected,
                "rows_replaced": o.rows_replaced,
                "load_id": o.load_id,
                "message": o.message,
                "ignored_columns": o.ignored_columns,
                "notes": o.notes,
            }
            for o in outcomes
        ],
        "rejections": [
            {
                "part": o.part,
                "row": r.row_number,
                "field": r.field,
                "value": r.value,
                "rule": r.rule,
                "message": r.message,
            }
            for o in outcomes
            for r in o.rejections
        ],
    }


def write_json_durably(path: Path, data: object) -> None:
    """Written beside, flushed to disk, then renamed: a reader never sees half a report."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, default=str)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def move_durably(source: Path, target: Path) -> None:
    """Move a file so that at every instant it is in one place or the other, never lost.

    A rename when both are on one filesystem; otherwise copy to a hidden name, flush it, rename
    it into place and only then remove the source (a crash in between leaves two copies, and the
    inbox copy loads as unchanged on the next run)."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        temporary = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, temporary)
        shutil.copystat(source, temporary)
        fsync_path(temporary)
        os.replace(temporary, target)
        fsync_path(target.parent)
        source.unlink()
    fsync_path(target.parent)
    fsync_path(source.parent)


def _log_file(result: FileResult, log: Log) -> None:
    fields: dict[str, object] = {
        "file": result.path.name,
        "status": result.status,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "load_id": result.load_id,
    }
    if result.moved_to is not None:
        fields["moved_to"] = str(result.moved_to)
        fields["report"] = str(result.report)
    if result.message:
        fields["message"] = result.message
    log("inbox_file", **fields)
