from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.pipeline import run_load
from tests.helpers import TODAY
from warehouse.settings import Settings


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
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the demo data loaded, built once per test run (as `make run` builds it)."""
    from etl.demo import generate_demo

    home = tmp_path_factory.mktemp("demo") / "home"
    home.mkdir()
    # Fixed keys: the same pseudonymised IDs, cell keys and so rounded figures in every run.
    (home / "pseudonymisation.key").write_text("demo-test-key")
    settings = Settings(home=home)
    paths = generate_demo(home / "demo", as_of=DEMO_AS_OF)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("warehouse.db.new_cell_key_salt", lambda: "demo-test-cell-keys")
        run_load(paths, settings, synthetic=True, today=DEMO_AS_OF)
    run_load(sorted((home / "demo" / "bad").glob("*.csv")), settings, synthetic=True, today=DEMO_AS_OF)
    from appstate.db import session
    from appstate.targets import seed_demo_targets
    from etl.demo import DEMO_LAS

    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        seed_demo_targets(db, sorted(DEMO_LAS))
    from tests.app.serving import add_test_users

    add_test_users(home)
    return home
