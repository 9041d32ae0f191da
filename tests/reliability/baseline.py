"""The warehouse the reliability tests start from: it already holds rows from every reader, so that
a load that touched anything it should not would show in some table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from etl.pipeline import SourceOptions, run_load
from tests.helpers import TODAY, write_extract
from warehouse.model.files import active_model
from warehouse.settings import Settings

DATA = Path(__file__).resolve().parents[1] / "data"
CITY = "E08000021"
TEST_KEY = "test-key"  # the pseudonymisation key of the root conftest's `settings`

DATASETS = active_model().datasets


def load_every_reader(home: Path, extracts: Path) -> None:
    """Native extracts and areas, the Annex A and SSDA903 samples for the city, and a CIN census
    (of the City of London). Call with SAFEGUARD_PSEUDONYMISATION_KEY set to TEST_KEY."""
    settings = Settings(home=home)
    today = date.fromisoformat(TODAY)
    native = [
        write_extract(extracts / "contacts.csv", "contacts", [{}, {"contact_date": "2024-07-01"}]),
        write_extract(extracts / "referrals.csv", "referrals", [{}, {"referral_date": "2024-08-01"}]),
        write_extract(extracts / "missing.csv", "missing_episodes", [{}]),
    ]
    areas = extracts / "areas.csv"
    areas.write_text(f"la_code,area_code,area_name\n{CITY},NCL-E,East\n{CITY},NCL-W,West\n", encoding="utf-8")
    outcomes = run_load([*native, areas], settings, today=today)
    outcomes += run_load(
        [DATA / "annex_a" / "Annex_A_2024_Jan.xlsx", DATA / "ssda903" / "missing.csv"],
        settings,
        today=today,
        source=SourceOptions(la_code=CITY),
    )
    outcomes += run_load([DATA / "cin" / "cin-2022.xml"], settings, today=today)
    assert {o.status for o in outcomes} == {"loaded"}, [(o.file_name, o.message) for o in outcomes]


def contacts_kept_by(home: Path) -> int:
    """The contacts a load of the big extract keeps: it replaces its LA's contacts in its window only."""
    window = [c.example for c in DATASETS["contacts"].columns if c.name in ("coverage_start", "coverage_end")]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM contact WHERE NOT (la_code = ? AND contact_date BETWEEN ? AND ?)",
            [CITY, *window],
        ).fetchone()[0]
