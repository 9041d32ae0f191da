"""The disk fills during a load: the load fails with a clear error, the published warehouse is kept
as it was and still opens, nothing half-built is left to keep the disk full, and once there is
room again the next load works.

SAFEGUARD_HOME is put on a small filesystem of its own (a tmpfs; a loop-mounted ext4 image where
tmpfs is refused), holding a loaded warehouse, with a ballast file taking all the room but what the
case leaves. Mounting needs root (CAP_SYS_ADMIN), which `make test` has in CI; without it the test
is skipped, saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl.load.publish import BUILDING_SUFFIX
from etl.pipeline import run_load
from tests.app.serving import copy_home
from tests.reliability.baseline import TEST_KEY, contacts_kept_by
from tests.reliability.modes import BIG_ROWS
from tests.reliability.warehouse_state import fingerprint
from warehouse.settings import Settings

pytestmark = [pytest.mark.reliability, pytest.mark.integration]

MB = 1024 * 1024


class CannotMount(Exception):
    pass


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        raise CannotMount(f"`{' '.join(command)}` failed ({done.returncode}): {said}")


def _mount_tmpfs(folder: Path, size: int, _scratch: Path) -> None:
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder))


def _mount_ext4_image(folder: Path, size: int, scratch: Path) -> None:
    image = scratch / "small.ext4"
    with open(image, "wb") as handle:
        handle.truncate(size)
    _run("mkfs.ext4", "-q", "-F", "-m", "0", str(image))
    _run("mount", "-o", "loop", str(image), str(folder))


@contextmanager
def small_filesystem(folder: Path, size: int, scratch: Path) -> Iterator[Path]:
    """A filesystem of `size` bytes mounted on `folder`, unmounted however the test ends."""
    folder.mkdir(parents=True)
    refusals = []
    for mount in (_mount_tmpfs, _mount_ext4_image):
        try:
            mount(folder, size, scratch)
            break
        except (CannotMount, FileNotFoundError) as refused:
            refusals.append(str(refused))
    else:
        pytest.skip(
            f"cannot mount a small filesystem to fill (running as uid {os.getuid()}; mounting needs "
            f"root or CAP_SYS_ADMIN, which `make test` has in CI): {'; '.join(refusals)}"
        )
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
            # Busy (a process still has a file open): detach it now, and the kernel frees it later.
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def fill_leaving(folder: Path, room: int) -> Path:
    """A ballast file that takes all the free space of `folder`'s filesystem but `room` bytes."""
    ballast = folder / "ballast"
    with open(ballast, "wb") as handle:
        remaining = free_bytes(folder) - room
        while remaining > 0:
            remaining -= handle.write(bytes(min(remaining, 4 * MB)))
    assert abs(free_bytes(folder) - room) < 64 * 1024
    return ballast


@dataclass(frozen=True)
class DiskFull:
    """What happened when a load ran out of room, and when it had room again."""

    home: Path
    room: int  # bytes free when the load started
    warehouse_size: int
    returncode: int
    stderr: str
    before: dict
    after_failure: dict
    leftovers: list[str]
    next_status: str
    next_contacts: int
    expected_contacts: int
    grown_by: int  # how much the warehouse grew with the load that had room


# How much room each case leaves, from the published warehouse's size: too little to copy it (the
# first thing a load writes), or room for the copy but not for the rows the load adds to it.
ROOM = {
    "no room to copy the warehouse": lambda size: size // 2,
    "room for the copy, not the new rows": lambda size: size + 64 * 1024,
}


@pytest.fixture(scope="module", params=list(ROOM))
def disk_full(request, baseline_home: Path, big_extract: Path, tmp_path_factory: pytest.TempPathFactory):
    scratch = tmp_path_factory.mktemp("disk-full")
    size = (baseline_home / "warehouse.duckdb").stat().st_size
    with (
        small_filesystem(scratch / "small", 3 * size + 16 * MB, scratch) as small,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", TEST_KEY)
        settings = Settings(home=copy_home(baseline_home, small / "home"))
        before = fingerprint(settings.warehouse_path)
        room = ROOM[request.param](size)
        ballast = fill_leaving(small, room)

        env = os.environ | {"SAFEGUARD_HOME": str(settings.home), "COLUMNS": "200"}
        failed = subprocess.run(
            [sys.executable, "-m", "etl.cli", "load", str(big_extract)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        after_failure = fingerprint(settings.warehouse_path)
        leftovers = sorted(p.name for p in settings.home.glob(f".*{BUILDING_SUFFIX}*"))

        ballast.unlink()  # room again
        [outcome] = run_load([big_extract], settings)
        yield DiskFull(
            home=settings.home,
            room=room,
            warehouse_size=size,
            returncode=failed.returncode,
            stderr=failed.stderr,
            before=before,
            after_failure=after_failure,
            leftovers=leftovers,
            next_status=outcome.status,
            next_contacts=fingerprint(settings.warehouse_path)["contact"][0],
            expected_contacts=contacts_kept_by(baseline_home) + BIG_ROWS,
            grown_by=settings.warehouse_path.stat().st_size - size,
        )


def test_a_full_disk_fails_the_load_and_keeps_the_old_warehouse(disk_full: DiskFull):
    assert disk_full.room < disk_full.warehouse_size + disk_full.grown_by  # the load really did not fit
    assert disk_full.returncode != 0, disk_full.stderr
    assert disk_full.after_failure == disk_full.before  # it opens, and holds what it held
    assert disk_full.leftovers == []  # nothing half-built keeps the disk full
    assert (disk_full.next_status, disk_full.next_contacts) == ("loaded", disk_full.expected_contacts)


def test_a_full_disk_is_reported_clearly(disk_full: DiskFull):
    assert "Traceback" not in disk_full.stderr, disk_full.stderr[-2000:]
    assert disk_full.returncode in (1, 2)
    assert "no space left on device" in disk_full.stderr.lower()
    assert str(disk_full.home) in disk_full.stderr  # says where it could not write
