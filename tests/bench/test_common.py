"""A bench worker's peak memory is its own, not its parent's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.common import REPO


@pytest.mark.slow
def test_a_worker_started_by_a_parent_holding_much_memory_reports_its_own_small_peak():
    held = bytearray(400 * 1024 * 1024)  # the parent's 400 MB, touched so that it is resident
    held[::4096] = b"x" * len(held[::4096])
    worker = "from bench.common import own_peak_rss; print(own_peak_rss())"
    peak = int(
        subprocess.run(
            [sys.executable, "-c", worker], capture_output=True, text=True, cwd=REPO, check=True
        ).stdout
    )
    # A bare Python with bench.common (psutil) imported holds well under 100 MB.
    assert peak < 150 * 1024 * 1024
    del held
