from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.pipeline import run_load
from tests.helpers import TODAY
from warehouse.settings import Settings

# The CLI's tables and messages are as wide as a terminal of 200 columns wherever the tests run: a
# pytest-xdist worker has no terminal, and rich would wrap at 80 (splitting names the tests look for).
os.environ["COLUMNS"] = "200"

# --- Slow tests: `make test` runs every test, `make test-unit` (the quick loop) leaves these out ---
# A test is slow by nature when it builds something big or starts another process: a server, a
# load to kill, the scheduler, a PostgreSQL cluster, Chromium. Using one of these fixtures, or
# carrying one of these markers, makes a test slow here; a test that starts a process otherwise
# carries `slow` itself, and `_no_process_unless_slow` below fails a test that starts one without it.
SLOW_FIXTURES = {
    "demo_home": "the demo warehouse, built as `make run` builds it (and the servers over it)",
    "baseline_home": "the reliability suite's warehouse, holding rows from every reader",
    "big_extract": "the reliability suite's big contacts extract",
    "postgresql_server": "a PostgreSQL cluster made with initdb and started",
    "browser": "Debian chromium, launched through Playwright",
}
SLOW_MARKERS = {
    "browser": "Chromium against a served app",
    "reliability": "bad inputs for every reader, fuzzing, kill -9, a full disk",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES.keys() & set(item.fixturenames) or any(map(item.get_closest_marker, SLOW_MARKERS)):
            item.add_marker(pytest.mark.slow)
    _longest_files_first(items)


def _longest_files_first(items: list[pytest.Item]) -> None:
    """Files with browser tests first, then files with other slow tests, then the rest, each file's
    tests in their own order. `make test` hands whole files to its workers in this order
    (--no-loadscope-reorder): a file of one long browser test handed out last kept one worker busy
    for a minute after the others had finished (pytest-xdist's own order is by number of tests)."""

    def weight(item: pytest.Item) -> int:
        return 0 if item.get_closest_marker("browser") else 1 if item.get_closest_marker("slow") else 2

    by_file: dict[Path, int] = {}
    for item in items:
        by_file[item.path] = min(by_file.get(item.path, 2), weight(item))
    items.sort(key=lambda item: by_file[item.path])  # stable: each file keeps its tests' order


@contextmanager
def _no_process_unless_slow(item: pytest.Item):
    """While a test that is not slow sets up and runs, subprocess.Popen (and so subprocess.run,
    asyncio's and Playwright's processes) fails, saying what to do."""
    if item.get_closest_marker("slow"):
        yield
        return

    def refuse(self, args, *rest, **options):
        raise AssertionError(
            f"{item.nodeid} starts a process ({args!r}) but is not marked slow: mark it "
            "@pytest.mark.slow (the quick loop, `make test-unit`, starts none; see tests/conftest.py)"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "_execute_child", refuse)
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with _no_process_unless_slow(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with _no_process_unless_slow(item):
        return (yield)


@pytest.fixture(scope="session", autouse=True)
def _new_warehouses_from_a_template(tmp_path_factory: pytest.TempPathFactory):
    """Hundreds of tests load into a new warehouse, and making one (every table, macro and the
    reference data) is most of a small load's time: each is a copy of one this process made with
    warehouse.db.new_warehouse for the same program and built-in model, with its own created_at."""
    from etl.load import publish
    from warehouse import db
    from warehouse.model.files import builtin_model

    made: dict[tuple, Path] = {}
    folder = tmp_path_factory.mktemp("new-warehouse")

    def copy_of_a_template(path: Path) -> None:
        key = (db.SCHEMA_VERSION, db.definitions_fingerprint(builtin_model()))
        if key not in made:
            made[key] = folder / f"{len(made)}.duckdb"
            db.new_warehouse(made[key])
        path.write_bytes(made[key].read_bytes())  # not shutil.copyfile: tests make that fail
        con = duckdb.connect(str(path))
        try:
            db.set_meta(con, created_at=db._now_iso())
        finally:
            con.close()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish, "new_warehouse", copy_of_a_template)
        yield


@pytest.fixture(autouse=True)
def _app_state_connections_closed_after_each_test():
    """Each test's app state is a file of its own: the connections pooled to it are closed once the
    test is done, so that a run of the suite does not hold a file open for every test."""
    yield
    from appstate.db import close_idle_connections

    close_idle_connections()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh SAFEGUARD_HOME with a fixed pseudonymisation key."""
    home = tmp_path / "home"
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    monkeypatch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", "test-key")
    return Settings(home=home)


@pytest.fixture
def load(settings: Settings):
    """Load files as if today were TODAY; returns the outcomes."""

    def _load(*paths: Path, **options):
        options.setdefault("today", date.fromisoformat(TODAY))
        return run_load(list(paths), settings, **options)

    return _load


@pytest.fixture
def query(settings: Settings):
    """Rows of a query against the published warehouse."""

    def _query(sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            return con.execute(sql, params).fetchall()

    return _query


DEMO_AS_OF = date(2026, 11, 25)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A warehouse with the demo data loaded, as `make run` builds it: built once per test run, by
    the first pytest-xdist worker to need it (the others wait), and copied for each worker."""
    import fcntl
    import shutil

    if worker_id == "master":  # no xdist: this process is the run
        return _build_demo_home(tmp_path_factory.mktemp("demo") / "home")
    run_folder = tmp_path_factory.getbasetemp().parent  # the run's, shared by its workers
    built = run_folder / "demo-home"
    with open(run_folder / "demo-home.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / ".built").exists():
            _build_demo_home(built)
            (built / ".built").touch()
    return Path(shutil.copytree(built, tmp_path_factory.mktemp("demo") / "home"))


def _build_demo_home(home: Path) -> Path:
    from appstate.db import session
    from appstate.targets import seed_demo_targets
    from etl.demo import DEMO_LAS, demo_window, generate_demo
    from etl.demo_figures import load_demo_figures
    from tests.app.serving import add_test_users

    home.mkdir(parents=True)
    # Fixed keys: the same pseudonymised IDs, cell keys and so rounded figures in every run.
    (home / "pseudonymisation.key").write_text("demo-test-key")
    settings = Settings(home=home)
    paths = generate_demo(home / "demo", as_of=DEMO_AS_OF)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("warehouse.db.new_cell_key_salt", lambda: "demo-test-cell-keys")
        run_load(paths, settings, synthetic=True, today=DEMO_AS_OF)
    run_load(sorted((home / "demo" / "bad").glob("*.csv")), settings, synthetic=True, today=DEMO_AS_OF)
    load_demo_figures(settings, DEMO_AS_OF, demo_window(DEMO_AS_OF)[0])  # as `safeguard demo` does
    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        seed_demo_targets(db, sorted(DEMO_LAS))
    add_test_users(home)
    return home
