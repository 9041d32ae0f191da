"""The declared benchmark sources (warehouse/benchmark_sources.toml) read the new tables as published.

Every expected figure is read from the shipped CSV here with csv, independently of pandas and of
the source declarations; PARTNER-MEASURES.md quotes Newcastle's CPPO persistent absence 2024/25 (60.9),
hospital admissions for injuries 2023/24 (117.0) and social worker caseload 2025 (18.4, England 15.2).
"""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest

from warehouse.benchmark_sources import BenchmarkSource
from warehouse.benchmarks import REAL_DATA_DIR, _declared, benchmark_comparison
from warehouse.db import build_schema

NEWCASTLE, ENGLAND, NORTH_EAST = "E08000021", "E92000001", "E12000001"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("sources") / "w.duckdb"
    with duckdb.connect(str(path)) as build:
        build_schema(build)
    with duckdb.connect(str(path), read_only=True) as connection:
        yield connection


def benchmark(con, kpi_id: str, area_code: str, time_period: int) -> tuple:
    return con.execute(
        "SELECT value, status, financial_year FROM benchmark_value "
        "WHERE kpi_id = ? AND area_code = ? AND time_period = ?",
        [kpi_id, area_code, time_period],
    ).fetchone()


def rows(file_name: str, **wanted: str) -> list[dict[str, str]]:
    with (REAL_DATA_DIR / file_name).open(encoding="utf-8-sig", newline="") as file:
        return [r for r in csv.DictReader(file) if all(r[k] == v for k, v in wanted.items())]


def one(file_name: str, **wanted: str) -> dict[str, str]:
    found = rows(file_name, **wanted)
    assert len(found) == 1, found
    return found[0]


def test_persistent_absence_of_children_on_a_plan_academic_year_2024_25(con):
    newcastle = one(
        "absence_la.csv", time_period="202425", new_la_code=NEWCASTLE,
        social_care_group="CPPO at 31 March", phase_type_grouping="Total",
    )  # fmt: skip
    england = one(
        "absence_la.csv", time_period="202425", geographic_level="National",
        social_care_group="CPPO at 31 March", phase_type_grouping="Total",
    )  # fmt: skip
    assert newcastle["pt_pupils_pa_10_exact"] == "60.9"  # PARTNER-MEASURES.md
    # 202425 is the 2024/25 school year, which ends in 2025.
    assert benchmark(con, "pa_cp", NEWCASTLE, 2025) == (60.9, "published", "2024/25")
    assert benchmark(con, "pa_cp", ENGLAND, 2025)[:2] == (
        float(england["pt_pupils_pa_10_exact"]),
        "published",
    )
    children_in_need = one(
        "absence_la.csv", time_period="202425", new_la_code=NEWCASTLE,
        social_care_group="CINO at 31 March", phase_type_grouping="Total",
    )  # fmt: skip
    assert benchmark(con, "pa_cin", NEWCASTLE, 2025)[0] == float(children_in_need["pt_pupils_pa_10_exact"])
    region = benchmark_comparison(con, "pa_cp", NEWCASTLE).set_index("time_period").loc[2025]
    north_east = one(
        "absence_la.csv", time_period="202425", geographic_level="Regional", region_code=NORTH_EAST,
        social_care_group="CPPO at 31 March", phase_type_grouping="Total",
    )  # fmt: skip
    assert region["region_value"] == float(north_east["pt_pupils_pa_10_exact"])


def test_hospital_admissions_for_injuries_2023_24_from_fingertips(con):
    newcastle = one("la_hospital_admissions_2324.csv", **{"Area Code": NEWCASTLE, "Time period": "2023/24"})
    assert round(float(newcastle["Value"]), 1) == 117.0  # PARTNER-MEASURES.md
    value, status, year = benchmark(con, "injury_admissions", NEWCASTLE, 2024)
    assert (value, status, year) == (float(newcastle["Value"]), "published", "2023/24")
    # England is listed twice (under itself and with no parent), with the same value: one row is kept.
    england = {
        r["Value"]
        for r in rows("la_hospital_admissions_2324.csv", **{"Area Code": ENGLAND, "Time period": "2023/24"})
    }
    assert len(england) == 1
    assert benchmark(con, "injury_admissions", ENGLAND, 2024)[:2] == (float(england.pop()), "published")
    # Fingertips publishes no regions in this table: the region is "missing", never made up.
    row = benchmark_comparison(con, "injury_admissions", NEWCASTLE).set_index("time_period").loc[2024]
    assert pd.isna(row["region_value"]) and row["region_status"] == "missing"
    assert row["neighbours_published"] == 10


def test_social_worker_caseload_at_30_september_2025(con):
    # PARTNER-MEASURES.md: Newcastle 2025 18.4; England 15.2
    assert (
        one("csww_indicators_2017_to_2025.csv", time_period="2025", new_la_code=NEWCASTLE)["caseload_fte"]
        == "18.4"
    )
    assert benchmark(con, "sw_caseload", NEWCASTLE, 2025) == (18.4, "published", "2025")
    assert benchmark(con, "sw_caseload", ENGLAND, 2025)[:2] == (15.2, "published")


def test_children_in_care_and_in_need_rates_2024_25(con):
    cla = one(
        "cla_number_and_rate_per_10k_children.csv", time_period="2025", new_la_code=NEWCASTLE,
        population_type="Children looked after on 31 March each year",
    )  # fmt: skip
    assert benchmark(con, "cla_rate", NEWCASTLE, 2025) == (
        float(cla["rate_per_10000"]),
        "published",
        "2024/25",
    )
    # Children in need at 31 March per 10,000 of the mid-2024 population aged 0 to 17 (as DfE does).
    cin = one("b1_children_in_need_2013_to_2025.csv", time_period="2025", new_la_code=NEWCASTLE)
    population = one(
        "ons_mid-year_population_estimates_2012_to_2024.csv", time_period="2024", new_la_code=NEWCASTLE
    )
    value, status, _ = benchmark(con, "cin_rate", NEWCASTLE, 2025)
    assert status == "derived"
    assert value == pytest.approx(int(cin["At31_episodes"]) / int(population["population_estimate"]) * 10_000)


def test_factors_at_assessment_as_a_share_of_episodes_with_factors(con):
    c3 = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
    newcastle = one(c3, time_period="2025", new_la_code=NEWCASTLE)
    england = one(c3, time_period="2025", geographic_level="National")
    for kpi_id, column in (
        ("factor_neglect", "Neglect"),
        ("factor_domestic_abuse_parent", "Domestic_Abuse_parent"),
    ):
        for area, row in ((NEWCASTLE, newcastle), (ENGLAND, england)):
            value, status, _ = benchmark(con, kpi_id, area, 2025)
            assert status == "derived"
            assert value == pytest.approx(
                int(row[column]) / int(row["Episodes_with_assessment_factor"]) * 100
            )


def test_health_assessments_of_children_in_care(con):
    newcastle = one(
        "la_conviction_health_outcome_cla.csv", time_period="2025", new_la_code=NEWCASTLE,
        breakdown="Had their annual health assessment",
    )  # fmt: skip
    assert benchmark(con, "cla_health_assessments", NEWCASTLE, 2025) == (
        float(newcastle["children_percent"]), "published", "2024/25",
    )  # fmt: skip


def test_markers_stay_null_with_their_status(con):
    # The first LA row of each table whose value is a marker, found here with csv.
    suppressed = next(
        r
        for r in rows("absence_la.csv", social_care_group="CPPO at 31 March", phase_type_grouping="Total")
        if r["geographic_level"] == "Local authority"
        and r["pt_pupils_pa_10_exact"] in {"c", "x", "z", "u", "k"}
    )
    year = int(suppressed["time_period"][:4]) + 1
    found = con.execute(
        "SELECT value, status FROM benchmark_value WHERE kpi_id = 'pa_cp' AND old_la_code = ? AND time_period = ?",
        [suppressed["old_la_code"], year],
    ).fetchone()
    assert found == (None, suppressed["pt_pupils_pa_10_exact"])
    c3 = next(
        r
        for r in rows(
            "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv", geographic_level="Local authority"
        )
        if r["Child_criminal_exploitation"] in {"c", "x", "z", "u", "k"}
    )
    found = con.execute(
        "SELECT value, status FROM benchmark_value WHERE kpi_id = 'factor_cce' AND old_la_code = ? AND time_period = ?",
        [c3["old_la_code"], int(c3["time_period"])],
    ).fetchone()
    assert found == (None, c3["Child_criminal_exploitation"])


def test_a_source_whose_rows_are_not_one_per_area_and_year_is_refused():
    loose = BenchmarkSource(
        id="pa_any", file="absence_la.csv", value="pt_pupils_pa_10_exact", years="academic_year", unit="%"
    )
    with pytest.raises(
        ValueError, match="pa_any: absence_la.csv has .* rows for .*: its `where` must pick one row"
    ):
        _declared(loose)
