"""kill -9 at random points of a load: the warehouse always opens and holds exactly what it held
before the load or exactly what a completed load leaves, never anything in between; and the next
load works, whatever the killed one left behind.

The state after the load is worked out independently, from a clean run of the same command on a
copy of the same warehouse. The kill points are drawn from a seeded generator (modes.KILL_SEED),
in turn: within the publishing itself (a copy of the warehouse being changed, checked and swapped
in), anywhere before publishing starts (start-up, reading, staging, validating), and anywhere in
the whole run, all timed from that clean run.
"""

from __future__ import annotations

import random
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl.load.publish import BUILDING_SUFFIX
from etl.pipeline import run_load
from tests.app.serving import copy_home
from tests.etl.test_crash_safety import _start_load, _wait_for
from tests.reliability.baseline import TEST_KEY, contacts_kept_by
from tests.reliability.modes import BIG_ROWS, KILL_SEED, KILLS
from tests.reliability.warehouse_state import fingerprint, without_audit
from warehouse.settings import Settings

pytestmark = [pytest.mark.reliability, pytest.mark.integration]


def _building(settings: Settings) -> bool:
    return any(settings.home.glob(f".{settings.warehouse_path.name}{BUILDING_SUFFIX}*"))


@dataclass(frozen=True)
class Timeline:
    """Seconds from the start of a clean `safeguard load` to each phase, as seen from outside."""

    publishing: float  # the new warehouse file appears beside the published one
    published: float  # it has been swapped in
    exited: float


def _timeline(settings: Settings, extract: Path) -> Timeline:
    process = _start_load(settings, extract)
    started = time.monotonic()
    publishing = published = None
    while process.poll() is None:
        building = _building(settings)
        now = time.monotonic() - started
        if building and publishing is None:
            publishing = now
        if publishing is not None and published is None and not building:
            published = now
        time.sleep(0.002)
    exited = time.monotonic() - started
    assert process.returncode == 0 and publishing is not None
    return Timeline(publishing, published or exited, exited)


@dataclass(frozen=True)
class Scene:
    extract: Path
    before_home: Path
    before: dict
    after: dict
    timeline: Timeline
    root: Path


@pytest.fixture(scope="module")
def scene(baseline_home: Path, big_extract: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("kill")
    before_home = copy_home(baseline_home, root / "before")
    reference = Settings(home=copy_home(baseline_home, root / "reference"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", TEST_KEY)  # the key _start_load gives the command
        timeline = _timeline(reference, big_extract)
        after = fingerprint(reference.warehouse_path)
        before = fingerprint(before_home / "warehouse.duckdb")
        assert after["contact"][0] == contacts_kept_by(before_home) + BIG_ROWS
        yield Scene(big_extract, before_home, before, after, timeline, root)


def _kill_plan(timeline: Timeline, kills: int, seed: int) -> list[tuple[str, float]]:
    """(what the delay is counted from, seconds) for each kill, drawn in turn from the three ranges."""
    rng = random.Random(seed)
    ranges = (
        # within publishing, counted from the copy's appearing: its first third, so that a machine a
        # little faster than the clean run still has the copy there when the kill comes
        ("publishing", 0.0, (timeline.published - timeline.publishing) / 3),
        ("start", 0.0, timeline.publishing * 0.95),  # start-up, reading, staging, validating
        ("start", 0.0, timeline.exited * 0.95),  # anywhere, the audit after the swap included
    )
    return [(ranges[i % 3][0], rng.uniform(*ranges[i % 3][1:])) for i in range(kills)]


def _kill_at(settings: Settings, extract: Path, counted_from: str, delay: float) -> str:
    """Start the load, SIGKILL it at the point planned, and say what it was doing then."""
    process = _start_load(settings, extract)
    if counted_from == "publishing":
        _wait_for(lambda: _building(settings) or process.poll() is not None)
    time.sleep(delay)
    if process.poll() is not None:
        phase = "finished"
    else:
        phase = "publishing" if _building(settings) else "not publishing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    return phase


def _which(state: dict, scene: Scene) -> str:
    if state == scene.before:
        return "before"
    if state == scene.after:
        return "after"
    differing = sorted(t for t in state if state[t] not in (scene.before.get(t), scene.after.get(t)))
    pytest.fail(f"the warehouse holds neither the before nor the after state; tables: {differing}")


def test_a_load_killed_at_random_points_leaves_the_before_or_the_after_state(scene: Scene, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", TEST_KEY)
    seen = []
    for trial, (counted_from, delay) in enumerate(_kill_plan(scene.timeline, KILLS, KILL_SEED)):
        settings = Settings(home=copy_home(scene.before_home, scene.root / f"trial-{trial}"))

        phase = _kill_at(settings, scene.extract, counted_from, delay)
        state = _which(fingerprint(settings.warehouse_path), scene)  # opens as the app opens it
        seen.append((phase, state))

        # The next load works on whatever was left, stale copies included, and ends where a clean one ends.
        [outcome] = run_load([scene.extract], settings)
        assert outcome.status == ("loaded" if state == "before" else "unchanged"), (trial, outcome.message)
        assert without_audit(fingerprint(settings.warehouse_path)) == without_audit(scene.after)
        assert not _building(settings)

    print("kills (phase, state left):", seen)  # shown with -s, and on failure
    phases = {phase for phase, _ in seen}
    assert {"publishing", "not publishing"} <= phases, seen  # kills fell both outside and inside publishing
    assert len(seen) == KILLS


def test_the_kill_plan_is_seeded_and_spans_the_whole_load():
    timeline = Timeline(publishing=1.5, published=2.0, exited=2.5)
    plan = _kill_plan(timeline, 30, KILL_SEED)
    assert plan == _kill_plan(timeline, 30, KILL_SEED) != _kill_plan(timeline, 30, KILL_SEED + 1)
    within, before_publishing, anywhere = ([d for _, d in plan[k::3]] for k in range(3))
    assert [counted_from for counted_from, _ in plan[:3]] == ["publishing", "start", "start"]
    assert all(0 <= d < 0.5 / 3 for d in within) and all(0 <= d < 1.5 for d in before_publishing)
    assert max(anywhere) > 1.5 > min(anywhere)  # ten draws over 2.4 s land on both sides of 1.5 s
