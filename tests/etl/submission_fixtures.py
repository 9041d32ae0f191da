"""A warehouse whose model declares two datasets of figures, for the tests of submitted figures:
built once per test module, copied for each test."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from etl.load.publish import load_lock, publish
from warehouse.db import migrate
from warehouse.model.files import ModelFile, read_model, store_files
from warehouse.settings import Settings

# The figures the tests submit: the police's each quarter (incidents by the children's age, Encompass
# notifications, a satisfaction score), due 20 days after the quarter ends, expected from 2025-26 Q1;
# the council's training figures each financial year, due 30 days after it ends.
FIGURES_MODEL = """
[[dataset]]
name = "police_returns"
title = "Police returns"
kind = "figures"
agency = "Police"
cadence = "quarterly"
deadline_days = 20
expected_from = 2025-04-01

[[measure]]
id = "pr_incidents"
dataset = "police_returns"
timing = "flow"
description = "Domestic abuse incidents with children present."
parts = [{ code = "0-12", label = "Children aged 0 to 12" }, { code = "13-17", label = "Aged 13 to 17" }]

[[measure]]
id = "pr_encompass"
dataset = "police_returns"
timing = "flow"
description = "Operation Encompass notifications to schools."

[[measure]]
id = "pr_satisfaction"
dataset = "police_returns"
timing = "stock"
value = "number"
description = "Mean satisfaction score of victims surveyed."

[[dataset]]
name = "training_returns"
title = "Training returns"
kind = "figures"
agency = "Local authority"
cadence = "yearly"
deadline_days = 30

[[measure]]
id = "tr_attendees"
dataset = "training_returns"
timing = "flow"
description = "People who attended multi-agency safeguarding training."
"""
TODAY = date(2025, 10, 1)
NEWCASTLE, NORTHUMBERLAND = "E08000021", "E06000057"
# Partner accounts: a police analyst for Newcastle, a health analyst for both LAs.
POLICE_PARTNER, HEALTH_PARTNER = "analyst@police.example", "analyst@nhs.example"


def build_home(home: Path) -> Settings:
    """A new warehouse in `home` with FIGURES_MODEL applied."""
    home.mkdir(parents=True)
    (home / "pseudonymisation.key").write_text("figures-test-key")
    settings = Settings(home=home)
    files = [ModelFile("figures.toml", FIGURES_MODEL)]
    read_model(files)  # checked first, as `safeguard model apply` does

    def change(con) -> None:
        store_files(con, files)
        migrate(con)

    with load_lock(settings.lock_path):
        publish(settings.warehouse_path, change)
    from appstate.db import session
    from appstate.users import add_user

    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        add_user(db, POLICE_PARTNER, "partner", "tests", la_codes=(NEWCASTLE,), agencies=("Police",))
        add_user(
            db, HEALTH_PARTNER, "partner", "tests", la_codes=(NEWCASTLE, NORTHUMBERLAND), agencies=("Health",)
        )
        db.commit()
    return settings


@pytest.fixture(scope="module")
def figures_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_home(tmp_path_factory.mktemp("figures") / "home").home


@pytest.fixture
def figures_home(figures_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A copy of the module's warehouse, as SAFEGUARD_HOME."""
    home = tmp_path / "home"
    shutil.copytree(figures_base, home)
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    monkeypatch.setenv("SAFEGUARD_PSEUDONYMISATION_KEY", "figures-test-key")
    return Settings(home=home)
