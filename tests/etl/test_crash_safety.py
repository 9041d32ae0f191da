"""A load killed at any point leaves the published warehouse as it was, and the next load works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import write_extract

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # loads in processes killed with SIGKILL


def _big_extract(path: Path, rows: int) -> Path:
    row = [
        {"contact_date": "2024-06-03", "child_id": f"K{i % 5000}", "contact_id": f"BIG{i}"}
        for i in range(rows)
    ]
    return write_extract(path, "contacts", row)


def _start_load(settings, path: Path) -> subprocess.Popen:
    env = os.environ | {"SAFEGUARD_HOME": str(settings.home), "SAFEGUARD_PSEUDONYMISATION_KEY": "test-key"}
    return subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "load", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.mark.parametrize("moment", ["while reading", "while publishing"])
def test_sigkill_leaves_the_old_warehouse_intact(moment, tmp_path, settings, load, query):
    load(write_extract(tmp_path / "first.csv", "contacts", [{}, {"contact_date": "2024-07-01"}]))
    before = query("SELECT count(*), max(load_id) FROM contact") + query("SELECT count(*) FROM etl_load")
    big = _big_extract(tmp_path / "big.csv", 300_000)

    process = _start_load(settings, big)
    if moment == "while reading":
        time.sleep(1.0)
    else:
        _wait_for(lambda: any(settings.home.glob(".warehouse.duckdb.building-*")))
    assert process.poll() is None, "the load finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert (
        query("SELECT count(*), max(load_id) FROM contact") + query("SELECT count(*) FROM etl_load") == before
    )
    [outcome] = load(big)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 300_000)
    assert not list(settings.home.glob(".warehouse.duckdb.building-*"))
