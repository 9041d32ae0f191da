"""What every benchmark shares: where results go, percentiles, memory sampling, the machine.

Each benchmark module is runnable alone and also imported by bench/run.py; the figures they
return are plain dicts, so run.py can write them to bench/results/latest.json unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Self

import psutil

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
TMP = RESULTS / "tmp"  # gitignored: the cached warehouses and scratch files
MB = 1024 * 1024  # binary megabytes, as memory is counted


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q from 0 to 1): always one of the measured values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 of timings in milliseconds, with their count and mean."""
    if not ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "mean": float("nan")}
    return {
        "n": len(ms),
        "p50": percentile(ms, 0.5),
        "p95": percentile(ms, 0.95),
        "p99": percentile(ms, 0.99),
        "mean": sum(ms) / len(ms),
    }


def timed_ms(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def own_peak_rss() -> int:
    """This process's high-water RSS in bytes: VmHWM, which starts afresh when the process starts
    its program. Not ru_maxrss where /proc has VmHWM: Linux keeps ru_maxrss across exec, so a
    worker started by a parent holding 1.7 GB reports at least 1.7 GB however little it used."""
    import resource

    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # in kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def run_json_worker(script: Path, args: Sequence[str], env: dict[str, str] | None = None) -> dict:
    """Run a bench script in a fresh Python and return the JSON object it prints last.

    A subprocess, so that a load's peak RSS is its own (the worker reports its ru_maxrss) and
    not whatever the calling process happened to hold already."""
    completed = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=(os.environ | env) if env else None,
        cwd=REPO,
        check=False,  # a failed worker's stderr is reported below, not as a bare CalledProcessError
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args[:3])}... failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def tree_memory(process: psutil.Process) -> tuple[int, int | None]:
    """(RSS, PSS) of a process and all its children, in bytes; PSS is None if it could not be read
    for every one of them (psutil reads it from /proc/PID/smaps_rollup, on Linux only). Summed RSS
    counts the pages several processes map (shared libraries, pages shared since a fork) once per
    process, so it overstates what the tree holds; PSS shares each such page out between its
    processes, so its sum does not."""
    rss, pss = 0, 0
    for member in [process, *process.children(recursive=True)]:
        try:
            rss += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue  # a worker that exited between the listing and the reading
        try:
            found = getattr(member.memory_full_info(), "pss", None)
        except psutil.NoSuchProcess:
            continue
        except psutil.AccessDenied:
            found = None
        pss = None if pss is None or found is None else pss + found
    return rss, pss


def cpu_seconds(process: psutil.Process, with_children: bool = False) -> float:
    """User and system CPU time of a process (and, if asked, its live children) so far."""
    total = 0.0
    for member in [process, *(process.children(recursive=True) if with_children else [])]:
        try:
            times = member.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


class PeakMemory:
    """Samples a process tree's RSS and PSS on a thread while the `with` block runs; `.rss` and
    `.pss` are the highest seen. `.pss` is None if PSS could not be read at any sample (a peak
    taken from the other samples might miss the real one)."""

    def __init__(self, pid: int, interval_s: float = 0.25) -> None:
        self.process = psutil.Process(pid)
        self.interval_s = interval_s
        self.rss = 0
        self.pss: int | None = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _take(self) -> None:
        rss, pss = tree_memory(self.process)
        self.rss = max(self.rss, rss)
        self.pss = None if self.pss is None or pss is None else max(self.pss, pss)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._take()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self._take()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} ({platform.release()})"
    except OSError:
        pass
    return platform.platform()


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=REPO, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def machine_details() -> dict[str, object]:
    """Enough to tell whether two results files are comparable."""
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": _os_name(),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in ("duckdb", "pandas", "dash", "gunicorn", "httpx")},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_uncommitted_changes": dirty not in ("", "unknown"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def combinations_arguments(doc: str) -> argparse.Namespace:
    """The command line of a benchmark run over random filter combinations on a warehouse."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--combinations", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="the few-LA warehouse of bench/national.py --quick"
    )
    return parser.parse_args()
