"""The demo partner extracts (etl/demo_partners.py): the same files from the same seed, the columns of
their datasets, volumes in the ranges the partnerships' reports give, and children shared with the
social care extracts as the brief describes. Read back with the csv module."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from etl.demo import generate_demo
from warehouse.model.files import active_model

AS_OF = date(2026, 11, 25)
CITY, COUNTY = "E08000021", "E06000057"
PACKS = ("early_help_episodes", "lado_allegations", "police_da_incidents", "exploitation_panel")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo_partners")
    generate_demo(folder, AS_OF, seed=2026)
    return folder


def rows(out: Path, la: str, name: str) -> list[dict[str, str]]:
    with (out / f"{la}_{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def per_month(dates: list[str], first: str, last: str) -> float:
    """Records dated from the month `first` to the month `last` (YYYY-MM), per month."""
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    return sum(first <= d[:7] <= last for d in dates) / months


def open_at(records: list[dict[str, str]], opened: str, closed: str, day: str) -> int:
    return sum(r[opened] <= day and (not r[closed] or r[closed] > day) for r in records)


@pytest.mark.parametrize("name", PACKS)
def test_the_same_seed_gives_the_same_files_with_the_datasets_columns(out, tmp_path, name):
    again = tmp_path / "again"
    generate_demo(again, AS_OF, seed=2026, la_codes=[CITY])
    assert (again / f"{CITY}_{name}.csv").read_bytes() == (out / f"{CITY}_{name}.csv").read_bytes()
    with (out / f"{CITY}_{name}.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(active_model().datasets[name].column_names)


def test_volumes_are_those_of_the_partnerships_reports(out):
    # 2025/26, a whole financial year of the window.
    first, last = "2025-04", "2026-03"
    city_eh = per_month([r["start_date"] for r in rows(out, CITY, "early_help_episodes")], first, last)
    assert 95 <= city_eh <= 125  # "110 a month"
    for la in (CITY, COUNTY):
        lado = per_month([r["referral_date"] for r in rows(out, la, "lado_allegations")], first, last)
        assert 10 <= lado <= 25, la
        panel = rows(out, la, "exploitation_panel")
        assert 50 <= open_at(panel, "opened_date", "closed_date", "2026-03-31") <= 120, la
    city_da = per_month([r["incident_at"] for r in rows(out, CITY, "police_da_incidents")], first, last)
    assert 220 <= city_da <= 280  # about 250 a month in the city


def test_step_ups_end_on_a_referral_of_the_same_child(out):
    referrals = {(r["child_id"], r["referral_date"]) for r in rows(out, CITY, "referrals")}
    episodes = rows(out, CITY, "early_help_episodes")
    step_ups = [e for e in episodes if e["closure_reason"] == "step_up"]
    assert len(step_ups) > 100
    assert all((e["child_id"], e["end_date"]) in referrals for e in step_ups)
    # A step-down starts after a referral of the same child.
    referred = {}
    for r in rows(out, CITY, "referrals"):
        referred.setdefault(r["child_id"], []).append(r["referral_date"])
    step_downs = [e for e in episodes if e["source"] == "step_down"]
    assert step_downs and all(any(d < e["start_date"] for d in referred[e["child_id"]]) for e in step_downs)


def test_the_exploitation_panels_children_are_referred_children_under_18(out):
    children = {r["child_id"]: r["date_of_birth"] for r in rows(out, CITY, "referrals")}
    for case in rows(out, CITY, "exploitation_panel"):
        assert children[case["child_id"]] == case["date_of_birth"]
        born = date.fromisoformat(case["date_of_birth"])
        opened, closed = date.fromisoformat(case["opened_date"]), case["closed_date"]
        assert 10 <= (opened - born).days / 365.25 < 18
        assert not closed or (date.fromisoformat(closed) - born).days / 365.25 < 18


def test_records_about_no_child_carry_no_child_and_no_name(out):
    for name in ("lado_allegations", "police_da_incidents"):
        header = list(rows(out, CITY, name)[0])
        assert "child_id" not in header and "date_of_birth" not in header
    assert all(not r["person_name"] for r in rows(out, CITY, "lado_allegations"))
