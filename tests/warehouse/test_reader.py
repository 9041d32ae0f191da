"""The app's reader sees a newly published warehouse without a restart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import duckdb
import pytest

from tests.helpers import write_extract
from warehouse.reader import IN_USE, WarehouseReader


def test_reader_reopens_after_a_load_swaps_the_file(tmp_path, settings, load):
    load(write_extract(tmp_path / "a.csv", "contacts", [{}]))
    reader = WarehouseReader(settings.warehouse_path)
    assert list(reader.query("recent_loads", la_codes=None, limit=10)["load_id"]) == [1]
    load(write_extract(tmp_path / "b.csv", "contacts", [{"contact_date": "2024-05-01"}]))
    assert list(reader.query("recent_loads", la_codes=None, limit=10)["load_id"]) == [2, 1]
    reader.close()


@pytest.mark.slow  # a process holds a reader
def test_snapshot_links_are_cleared_only_once_the_process_holding_them_has_gone(tmp_path, settings, load):
    # Instances on other hosts share the folder: their process IDs mean nothing here, so a links
    # folder is judged by its in-use lock, which its process holds while it lives.
    load(write_extract(tmp_path / "a.csv", "contacts", [{}]))
    snapshots = settings.warehouse_path.parent / ".snapshots"
    live, gone = snapshots / "another-host-7", snapshots / "another-host-8"
    for folder in (live, gone):
        folder.mkdir(parents=True)
        (folder / IN_USE).touch()
        (folder / "1-2.duckdb").write_bytes(b"a link to a warehouse long replaced")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import fcntl, sys; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); "
                "print('locked', flush=True); sys.stdin.read()"
            ),
            str(live / IN_USE),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        reader = WarehouseReader(settings.warehouse_path)
        assert list(reader.query("recent_loads", la_codes=None, limit=10)["load_id"]) == [1]
        reader.close()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    own = f"{socket.gethostname()}-{os.getpid()}"
    assert sorted(p.name for p in snapshots.iterdir()) == sorted(["another-host-7", own])
    assert (live / "1-2.duckdb").exists() and (snapshots / own / IN_USE).exists()


@pytest.mark.slow  # a process probes the links
def test_a_closed_reader_lets_its_links_be_cleared(tmp_path, settings, load):
    load(write_extract(tmp_path / "a.csv", "contacts", [{}]))
    reader = WarehouseReader(settings.warehouse_path)
    reader.query("recent_loads", la_codes=None, limit=10)
    in_use = settings.warehouse_path.parent / ".snapshots" / f"{socket.gethostname()}-{os.getpid()}" / IN_USE
    assert _lock_is_free(in_use) is False
    reader.close()
    assert _lock_is_free(in_use) is True


def _lock_is_free(path) -> bool:
    """Asked from another process, as another server would ask."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0 or "BlockingIOError" in probe.stderr, probe.stderr
    return probe.returncode == 0


def _load_a_day_at_a_time(load, folder, la_code: str, days: int) -> None:
    """One load of one contact for each of the first `days` days of May 2024, in turn."""
    for i in range(days):
        day = f"2024-05-0{i + 1}"
        load(
            write_extract(
                folder / f"{la_code}_{i}.csv",
                "contacts",
                [{"contact_date": day, "contact_id": f"K{i}"}],
                la_code=la_code,
                coverage_start=day,
                coverage_end=day,
            )
        )


def test_the_latest_loads_are_the_last_finished_whatever_their_number(tmp_path, settings, load):
    """A load recorded as finished earlier than one before it (the demo's submissions carry the dates
    they were made, years back) comes after it: the list is newest first by when each finished."""
    _load_a_day_at_a_time(load, tmp_path, "E08000021", days=3)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("UPDATE etl_load SET finished_at = TIMESTAMP '2022-07-07 09:00' WHERE load_id = 3")
    reader = WarehouseReader(settings.warehouse_path)
    try:
        assert list(reader.query("recent_loads", la_codes=None, limit=10)["load_id"]) == [2, 1, 3]
    finally:
        reader.close()


def test_the_latest_loads_of_a_scope_are_cut_before_the_limit(tmp_path, settings, load):
    """A hub user whose LA loaded first still sees its loads after many newer ones of other LAs."""
    load(write_extract(tmp_path / "city.csv", "contacts", [{}], la_code="E08000021"))
    _load_a_day_at_a_time(load, tmp_path, "E06000057", days=3)
    reader = WarehouseReader(settings.warehouse_path)
    try:
        assert list(reader.query("recent_loads", la_codes=["E08000021"], limit=2)["load_id"]) == [1]
        assert list(reader.query("recent_loads", la_codes=None, limit=2)["load_id"]) == [4, 3]
        counts = reader.query("fact_counts", la_codes=["E06000057"])
        assert list(zip(counts["la_code"], counts["dataset"], counts["n_rows"])) == [
            ("E06000057", "contacts", 3)
        ]
    finally:
        reader.close()
