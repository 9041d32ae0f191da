"""What a killed load or a crashed server leaves beside the warehouse must not break the next load,
nor the app's next read: half-built copies, their write-ahead logs, DuckDB's spill folder and the
snapshot links of a server process that has gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl.load.publish import BUILDING_SUFFIX
from tests.helpers import write_extract
from tests.reliability.warehouse_state import fingerprint, without_audit
from warehouse.reader import WarehouseReader
from warehouse.settings import Settings

pytestmark = pytest.mark.reliability


def _dead_pid() -> int:
    """The process ID of a process that has ended (what a SIGKILLed load leaves in its file names)."""
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(process.stdout)


def _stale_build(settings: Settings, pid: int) -> Path:
    return settings.home / f".{settings.warehouse_path.name}{BUILDING_SUFFIX}-{pid}"


def _leftovers(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.home.glob(f".{settings.warehouse_path.name}{BUILDING_SUFFIX}*"))


def _assert_next_load_works(settings: Settings, tmp_path: Path, load, baseline_state) -> None:
    extract = write_extract(
        tmp_path / "next.csv", "contacts", [{"contact_id": "NEXT1", "contact_date": "2024-09-02"}]
    )
    [outcome] = load(extract)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1), outcome.message
    state = fingerprint(settings.warehouse_path)
    assert state["contact"][0] == baseline_state["contact"][0] - 2 + 1  # its window's two contacts replaced
    assert without_audit(state) != without_audit(baseline_state)
    assert _leftovers(settings) == []


def test_half_built_copies_and_their_logs_from_killed_loads_do_not_stop_the_next(
    loaded_home, tmp_path, load, baseline_state
):
    for pid in (_dead_pid(), _dead_pid()):
        build = _stale_build(loaded_home, pid)
        build.write_bytes(b"half a warehouse" * 1000)
        build.with_name(build.name + ".wal").write_bytes(b"its write-ahead log")
    assert len(_leftovers(loaded_home)) == 4
    _assert_next_load_works(loaded_home, tmp_path, load, baseline_state)


def test_the_spill_folder_of_a_killed_load_does_not_stop_the_next(
    loaded_home, tmp_path, load, baseline_state
):
    # DuckDB spills to '<database>.tmp/' when a load outgrows memory, and removes it on close; a
    # SIGKILL leaves it (seen: kill -9 of a connection sorting past its memory_limit).
    build = _stale_build(loaded_home, _dead_pid())
    spill = build.with_name(build.name + ".tmp")
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(bytes(4096))
    _assert_next_load_works(loaded_home, tmp_path, load, baseline_state)


def test_snapshot_links_of_a_server_that_has_gone_do_not_stop_a_load_or_a_read(
    loaded_home, tmp_path, load, baseline_state
):
    gone = loaded_home.home / ".snapshots" / str(_dead_pid())
    gone.mkdir(parents=True)
    (gone / "12345-678.duckdb").write_bytes(b"a link to a warehouse long replaced")
    _assert_next_load_works(loaded_home, tmp_path, load, baseline_state)

    reader = WarehouseReader(loaded_home.warehouse_path)
    try:
        assert (
            reader.connection().execute("SELECT count(*) FROM contact").fetchone()[0]
            == baseline_state["contact"][0] - 1
        )
    finally:
        reader.close()
    assert not gone.exists()  # the reader cleared the links of the process that has gone
