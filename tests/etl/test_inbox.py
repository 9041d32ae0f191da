"""The inbox: ready files load in one load and move to the archive or quarantine with a report;
files still arriving, busy locks, failures and kills leave every file in the inbox."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.inbox import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_TEMPFAIL,
    INBOX_LOCK_NAME,
    InboxFolders,
    free_name,
    inbox_folders,
    run_inbox,
)
from etl.load.publish import load_lock
from etl.pipeline import run_load
from tests.helpers import TODAY, write_extract

pytestmark = pytest.mark.integration

MARTIANS = (
    "source 'q) 99: Martians' is not a known code (expected one of 1, 1A, 1B, 1C, 1D, 2A, 2B, 3, 3A, 3B, 3C, "
    "3D, 3E, 3F, 4, 5, 5A, 5B, 5C, 5D, 6, 7, 8, 9, 10)"
)
MISSING_COLUMNS = (
    "missing required columns for a contacts extract: contact_date, source. "
    "The header has: la_code, coverage_start, coverage_end, contact_id, child_id"
)


@pytest.fixture
def folders(settings) -> InboxFolders:
    return inbox_folders(settings)


def run(settings, folders, **options):
    options.setdefault("settle_seconds", 0)
    options.setdefault("today", date.fromisoformat(TODAY))
    return run_inbox(settings, folders, **options)


def good_contacts(path: Path) -> Path:
    """Three contacts, the second from an unknown source: 3 read, 2 loaded (CO1, CO3), 1 rejected."""
    return write_extract(
        path, "contacts", [{}, {"source": "q) 99: Martians"}, {"contact_date": "2024-07-01"}]
    )


def missing_columns(path: Path) -> Path:
    path.write_text(
        "la_code,coverage_start,coverage_end,contact_id,child_id\nE08000021,2024-04-01,2025-03-31,CO1,LCS1\n",
        encoding="utf-8",
    )
    return path


def today_folder(root: Path) -> Path:
    return root / date.today().isoformat()


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_good_file_is_archived_and_a_bad_one_quarantined(settings, folders, query, capsys):
    good_contacts(folders.inbox / "contacts.csv")
    time.sleep(0.05)  # files load in the order they arrived: this one second
    missing_columns(folders.inbox / "broken.csv")

    result = run(settings, folders)

    assert result.exit_code == EXIT_FAILED
    assert list(folders.inbox.iterdir()) == []
    archived = today_folder(folders.archive)
    assert sorted(p.name for p in archived.iterdir()) == ["contacts.csv", "contacts.csv.report.json"]
    assert (archived / "contacts.csv").read_bytes() == good_contacts(settings.home / "again.csv").read_bytes()
    report = json.loads((archived / "contacts.csv.report.json").read_text())
    assert {
        k: report[k]
        for k in (
            "file",
            "status",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "message",
            "load_id",
            "moved_to",
        )
    } == {
        "file": "contacts.csv",
        "status": "loaded_with_rejections",
        "rows_read": 3,
        "rows_loaded": 2,
        "rows_rejected": 1,
        "message": None,
        "load_id": 1,
        "moved_to": str(archived / "contacts.csv"),
    }
    assert report["rejections"] == [
        {
            "part": None,
            "row": 3,
            "field": "source",
            "value": "q) 99: Martians",
            "rule": "unknown_code",
            "message": MARTIANS,
        }
    ]
    assert report["parts"][0]["dataset"] == "contacts" and report["parts"][0]["la_code"] == "E08000021"
    assert report["finished_at"][:4] == str(date.today().year)

    quarantined = today_folder(folders.quarantine)
    assert sorted(p.name for p in quarantined.iterdir()) == ["broken.csv", "broken.csv.report.json"]
    bad_report = json.loads((quarantined / "broken.csv.report.json").read_text())
    assert (bad_report["status"], bad_report["message"], bad_report["load_id"]) == (
        "failed",
        MISSING_COLUMNS,
        2,
    )
    assert (bad_report["rows_read"], bad_report["rows_loaded"], bad_report["rejections"]) == (0, 0, [])

    # Exactly the good rows, and no more audit rows than run_load itself writes.
    assert query("SELECT contact_id FROM contact ORDER BY contact_id") == [("CO1",), ("CO3",)]
    assert query("SELECT load_id, file_name, status, rows_loaded FROM etl_load ORDER BY load_id") == [
        (1, "contacts.csv", "loaded_with_rejections", 2),
        (2, "broken.csv", "failed", 0),
    ]
    assert query("SELECT row_number, field FROM etl_rejection") == [(3, "source")]

    lines = json_lines(capsys.readouterr().err)
    files = [
        (line["file"], line["status"], line["rows_loaded"]) for line in lines if line["event"] == "inbox_file"
    ]
    assert files == [("contacts.csv", "loaded_with_rejections", 2), ("broken.csv", "failed", 0)]
    assert lines[-1] | {"time": None} == {
        "event": "inbox_run",
        "time": None,
        "status": "done",
        "inbox": str(folders.inbox),
        "files": 2,
        "exit_code": 1,
    }


def test_a_clean_run_exits_0_and_the_same_file_again_is_archived_as_unchanged(
    settings, folders, query, monkeypatch
):
    monkeypatch.setenv("SAFEGUARD_LOAD_DIRS", str(folders.inbox))  # an inbox inside the allowed folders
    write_extract(folders.inbox / "referrals.csv", "referrals", [{}, {"referral_date": "2024-08-01"}])
    assert run(settings, folders).exit_code == EXIT_OK
    first = today_folder(folders.archive) / "referrals.csv"
    assert json.loads(first.with_name("referrals.csv.report.json").read_text())["status"] == "loaded"

    write_extract(folders.inbox / "referrals.csv", "referrals", [{}, {"referral_date": "2024-08-01"}])
    result = run(settings, folders)
    [again] = result.files
    assert (result.exit_code, again.status, again.moved_to) == (
        EXIT_OK,
        "unchanged",
        first.with_name("referrals-1.csv"),
    )
    report = json.loads(first.with_name("referrals-1.csv.report.json").read_text())
    assert (report["status"], report["message"]) == (
        "unchanged",
        "the same file was already loaded as load 1; nothing changed",
    )
    assert first.exists()  # the earlier file of that name is kept, not overwritten
    assert query("SELECT count(*) FROM referral") == [(2,)]


def test_a_file_changed_within_the_settle_time_is_left_until_it_settles(settings, folders, query):
    fresh = good_contacts(folders.inbox / "arriving.csv")

    result = run(settings, folders, settle_seconds=10)
    assert (result.exit_code, result.files) == (EXIT_OK, [])
    assert fresh.exists() and not settings.warehouse_path.exists()

    later = run(settings, folders, settle_seconds=10, clock=lambda: time.time() + 11)
    assert [(f.path.name, f.status) for f in later.files] == [("arriving.csv", "loaded_with_rejections")]
    assert not fresh.exists()
    assert query("SELECT count(*) FROM contact") == [(2,)]


def test_files_still_being_written_are_ignored(settings, folders):
    names = ["contacts.csv.part", "contacts.csv.tmp", ".contacts.csv", "UPLOAD.PART"]
    for name in names:
        good_contacts(folders.inbox / name)
    (folders.inbox / "a folder").mkdir()

    result = run(settings, folders)

    assert (result.exit_code, result.files) == (EXIT_OK, [])
    assert sorted(p.name for p in folders.inbox.iterdir()) == sorted([*names, "a folder"])
    assert not settings.warehouse_path.exists()


def test_a_second_run_with_an_empty_inbox_does_nothing_and_exits_0(settings, folders, query):
    good_contacts(folders.inbox / "contacts.csv")
    assert run(settings, folders).exit_code == EXIT_OK
    before = query("SELECT count(*) FROM etl_load")

    outcome = CliRunner().invoke(app, ["run-inbox", "--settle-seconds", "0"])

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (0, "", "")
    assert query("SELECT count(*) FROM etl_load") == before == [(1,)]


@pytest.mark.slow  # another process holds the lock
def test_while_another_process_holds_the_load_lock_run_inbox_exits_75_and_moves_nothing(settings, folders):
    waiting = good_contacts(folders.inbox / "contacts.csv")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys; from pathlib import Path; from etl.load.publish import load_lock\n"
                f"with load_lock(Path({str(settings.lock_path)!r})):\n    print('locked', flush=True); sys.stdin.read()"
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        outcome = CliRunner().invoke(app, ["run-inbox", "--settle-seconds", "0"])
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)

    assert outcome.exit_code == EXIT_TEMPFAIL
    assert "another load is running" in outcome.stderr
    [line] = json_lines(outcome.stderr)
    assert (line["event"], line["status"], line["files"], line["exit_code"]) == (
        "inbox_run",
        "busy",
        ["contacts.csv"],
        75,
    )
    assert [p.name for p in folders.inbox.iterdir()] == ["contacts.csv"] and waiting.exists()
    assert not settings.warehouse_path.exists() and not folders.archive.exists()


def test_a_second_inbox_run_while_one_is_going_exits_75(settings, folders):
    good_contacts(folders.inbox / "contacts.csv")
    with load_lock(settings.home / INBOX_LOCK_NAME):  # flock conflicts across open files, even in one process
        result = run(settings, folders)
    assert (result.exit_code, result.files) == (EXIT_TEMPFAIL, [])
    assert (folders.inbox / "contacts.csv").exists()


def test_an_inbox_outside_the_load_dirs_is_a_usage_error(settings, folders, tmp_path, monkeypatch):
    good_contacts(folders.inbox / "contacts.csv")
    monkeypatch.setenv("SAFEGUARD_LOAD_DIRS", str(tmp_path / "extracts"))

    outcome = CliRunner().invoke(app, ["run-inbox", "--settle-seconds", "0"])

    assert outcome.exit_code == 2
    assert f"the inbox {folders.inbox} is outside the folders loads may read" in outcome.stderr
    assert (folders.inbox / "contacts.csv").exists() and not settings.warehouse_path.exists()


def test_a_named_inbox_must_exist(settings, tmp_path):
    outcome = CliRunner().invoke(app, ["run-inbox", "--inbox", str(tmp_path / "typo")])
    assert outcome.exit_code == 2 and "is not a folder" in outcome.stderr
    assert not (tmp_path / "typo").exists()


def test_a_load_that_raises_leaves_the_files_in_the_inbox(settings, folders, monkeypatch):
    good_contacts(folders.inbox / "contacts.csv")

    def broken_load(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("etl.inbox.run_load", broken_load)
    result = run(settings, folders)
    assert (result.exit_code, result.message) == (
        EXIT_FAILED,
        "the load failed, so the files stay in the inbox: disk full",
    )
    assert (folders.inbox / "contacts.csv").exists() and not folders.archive.exists()


def test_a_file_still_growing_during_its_load_stays_to_load_again(settings, folders, monkeypatch):
    arriving = good_contacts(folders.inbox / "contacts.csv")

    def load_while_the_writer_appends(*args, **kwargs):
        outcomes = run_load(*args, **kwargs)
        with open(arriving, "a", encoding="utf-8") as handle:
            handle.write("E08000021,2024-04-01,2025-03-31,CO9,LCS9,,,,,,,2024-06-05,6,REF\n")
        return outcomes

    monkeypatch.setattr("etl.inbox.run_load", load_while_the_writer_appends)
    [result] = run(settings, folders).files
    assert (result.status, result.moved_to) == ("left_in_inbox", None)
    assert arriving.exists() and not folders.archive.exists()

    monkeypatch.setattr("etl.inbox.run_load", run_load)
    [again] = run(settings, folders).files
    assert (again.status, again.rows_loaded) == ("loaded_with_rejections", 3)


def test_an_archive_on_another_filesystem_is_copied_then_the_inbox_copy_removed(
    settings, folders, monkeypatch
):
    good_contacts(folders.inbox / "contacts.csv")
    real_replace = os.replace

    def no_renames_out_of_the_inbox(source, target):
        if Path(source).parent == folders.inbox:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(source, target)

    monkeypatch.setattr("etl.inbox.os.replace", no_renames_out_of_the_inbox)
    [result] = run(settings, folders).files
    assert result.moved_to == today_folder(folders.archive) / "contacts.csv"
    assert result.moved_to.read_bytes() == good_contacts(settings.home / "again.csv").read_bytes()
    assert list(folders.inbox.iterdir()) == []
    assert sorted(p.name for p in result.moved_to.parent.iterdir()) == [
        "contacts.csv",
        "contacts.csv.report.json",
    ]


def test_a_free_name_never_overwrites(tmp_path):
    (tmp_path / "Annex A.xlsx").write_text("")
    (tmp_path / "Annex A-1.xlsx.report.json").write_text("")  # a report whose file never arrived
    assert free_name(tmp_path, "Annex A.xlsx") == tmp_path / "Annex A-2.xlsx"
    assert free_name(tmp_path, "new.csv") == tmp_path / "new.csv"


# --- with real processes: the lock serialises loads, and a kill leaves the file for the next run ---


def _env(settings) -> dict[str, str]:
    return os.environ | {"SAFEGUARD_HOME": str(settings.home), "SAFEGUARD_PSEUDONYMISATION_KEY": "test-key"}


def _contacts(path: Path, rows: int, la_code: str) -> Path:
    return write_extract(
        path,
        "contacts",
        [{"child_id": f"K{i % 5000}", "contact_id": f"C{i}"} for i in range(rows)],
        la_code=la_code,
    )


def _waiters(lock_path: Path) -> int:
    """Processes blocked on the lock, from the kernel's own table."""
    inode = f":{os.stat(lock_path).st_ino} "
    return sum(1 for line in Path("/proc/locks").read_text().splitlines() if "->" in line and inode in line)


def _start_load(path: Path, settings, errors: Path) -> subprocess.Popen:
    with errors.open("w") as stderr:  # the load keeps its own copy of the handle
        return subprocess.Popen(
            [sys.executable, "-m", "etl.cli", "load", str(path)],
            env=_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


@pytest.mark.slow  # two loads in processes
def test_two_concurrent_loads_wait_for_each_other(settings, tmp_path, query):
    newcastle = _contacts(tmp_path / "newcastle.csv", 2_000, "E08000021")
    northumberland = _contacts(tmp_path / "northumberland.csv", 1_500, "E06000057")
    with load_lock(settings.lock_path):
        # Both start while the lock is held, so both must queue on it: neither may fail or skip.
        loads = [
            _start_load(path, settings, tmp_path / f"{path.stem}.err") for path in (newcastle, northumberland)
        ]
        deadline = time.monotonic() + 60
        while _waiters(settings.lock_path) < 2:
            assert all(p.poll() is None for p in loads), "a load ended instead of waiting for the lock"
            assert time.monotonic() < deadline, "the loads never reached the lock"
            time.sleep(0.02)
    codes = [p.wait(timeout=60) for p in loads]
    assert codes == [0, 0], [(tmp_path / f"{n}.err").read_text() for n in ("newcastle", "northumberland")]

    assert query("SELECT la_code, count(*) FROM contact GROUP BY la_code ORDER BY la_code") == [
        ("E06000057", 1_500),
        ("E08000021", 2_000),
    ]
    [first, second] = query("SELECT load_id, started_at, finished_at FROM etl_load ORDER BY started_at")
    assert (first[0], second[0]) == (1, 2)
    assert first[2] <= second[1], "the second load started before the first had finished"


@pytest.mark.slow  # a load in a process, killed
def test_a_sigkill_during_a_scheduled_load_leaves_the_file_for_the_next_run(settings, folders, load, query):
    load(write_extract(settings.home / "earlier.csv", "contacts", [{}]))
    before = query("SELECT count(*) FROM contact") + query("SELECT count(*) FROM etl_load")
    _contacts(folders.inbox / "big.csv", 120_000, "E08000021")

    process = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "run-inbox", "--settle-seconds", "0"],
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not any(settings.home.glob(".warehouse.duckdb.building-*")):  # the new warehouse is being built
        assert process.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert [p.name for p in folders.inbox.iterdir()] == ["big.csv"]
    assert not folders.archive.exists()
    assert (
        query("SELECT count(*) FROM contact") + query("SELECT count(*) FROM etl_load")
        == before
        == [(1,), (1,)]
    )

    result = run(settings, folders)
    [retried] = result.files
    assert (result.exit_code, retried.status, retried.rows_loaded) == (EXIT_OK, "loaded", 120_000)
    assert retried.moved_to == today_folder(folders.archive) / "big.csv" and retried.moved_to.exists()
    assert list(folders.inbox.iterdir()) == []
    assert query("SELECT count(*) FROM contact") == [(120_000,)]


def test_a_file_that_would_wipe_its_window_is_quarantined_and_the_window_kept(settings, folders, query):
    year = [
        {"contact_id": f"C{i}", "child_id": f"LCS{i}", "contact_date": f"2024-06-{i + 1:02d}"}
        for i in range(12)
    ]
    write_extract(folders.inbox / "year.csv", "contacts", year)
    assert run(settings, folders).exit_code == EXIT_OK
    # One row, rejected: loading it would replace the 12 contacts with nothing.
    write_extract(folders.inbox / "one_bad_row.csv", "contacts", [{"source": "q) 99: Martians"}])
    # Two good rows for the same window: it would remove 10 of the 12.
    time.sleep(0.05)
    write_extract(folders.inbox / "two_rows.csv", "contacts", year[:2])

    result = run(settings, folders)

    assert result.exit_code == EXIT_FAILED
    quarantined = today_folder(folders.quarantine)
    assert sorted(p.name for p in quarantined.iterdir()) == [
        "one_bad_row.csv",
        "one_bad_row.csv.report.json",
        "two_rows.csv",
        "two_rows.csv.report.json",
    ]
    one = json.loads((quarantined / "one_bad_row.csv.report.json").read_text())
    assert (one["status"], one["rows_read"], one["rows_loaded"], len(one["rejections"])) == (
        "failed",
        1,
        0,
        1,
    )
    assert "every one of its 1 rows was rejected" in one["message"]
    two = json.loads((quarantined / "two_rows.csv.report.json").read_text())
    assert two["status"] == "failed" and "would replace the 12 contacts rows" in two["message"]
    assert query("SELECT count(*) FROM contact") == [(len(year),)]
