"""What the reliability tests share: the baseline warehouse (tests/reliability/baseline.py), built
once per run and copied for each test that changes it, and one big extract."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.serving import copy_home
from tests.etl.test_crash_safety import _big_extract
from tests.reliability.baseline import TEST_KEY, load_every_reader
from tests.reliability.modes import BIG_ROWS
from tests.reliability.warehouse_state import fingerprint
from warehouse.settings import Settings


@pytest.fixture(scope="session")
def baseline_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SAFEGUARD_HOME holding rows from every reader. Never changed: copy it (`loaded_home`)."""
    root = tmp_path_factory.mktemp("reliability-baseline")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", TEST_KEY)
        load_every_reader(root / "home", root / "extracts")
    return root / "home"


@pytest.fixture(scope="session")
def baseline_state(baseline_home: Path):
    """The baseline's fingerprint, worked out once."""
    return fingerprint(baseline_home / "warehouse.duckdb")


@pytest.fixture
def loaded_home(baseline_home: Path, settings: Settings) -> Settings:
    """The root conftest's `settings` (SAFEGUARD_HOME and the test key set), its home a copy of the
    baseline: the `load` and `query` fixtures then work on a warehouse that already holds data."""
    copy_home(baseline_home, settings.home)
    return settings


@pytest.fixture(scope="session")
def big_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A contacts extract of BIG_ROWS rows in the city's 2024/25 window (tests/etl/test_crash_safety.py's)."""
    return _big_extract(tmp_path_factory.mktemp("big") / "big.csv", BIG_ROWS)
