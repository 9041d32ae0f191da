"""Published benchmarks load exactly as published, and compare an LA with England, region and neighbours.

Every expected figure below was read by hand from the files in warehouse/data/real with grep;
the grep output is quoted next to each assertion (DfE columns: time_period, ..., old_la_code,
new_la_code, la_name, category, values; the missing-from-care files put la_name before new_la_code).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from warehouse.benchmarks import benchmark_comparison, benchmark_comparisons, benchmark_neighbours
from warehouse.db import build_schema

NEWCASTLE, NORTHUMBERLAND, HACKNEY = "E08000021", "E06000057", "E09000012"
ENGLAND, NORTH_EAST = "E92000001", "E12000001"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("benchmarks") / "w.duckdb"
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


def test_newcastle_re_referrals_2024_25_as_published(con):
    # grep '^2025,.*E08000021' c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv
    # 2025,...,391,E08000021,Newcastle upon Tyne,Referrals and Re-referrals,3134,539,17.2,28,0.9,...
    #   referral_count 3134, rereferral_count 539, rereferral_percent 17.2, no_further_action_percent 0.9
    assert benchmark(con, "re_referral_12m", NEWCASTLE, 2025) == (17.2, "published", "2024/25")
    assert benchmark(con, "referrals", NEWCASTLE, 2025)[:2] == (3134, "published")
    assert benchmark(con, "referral_nfa", NEWCASTLE, 2025)[:2] == (0.9, "published")


def test_england_cp_plans_at_31_march_2025_and_rate_from_the_mid_2024_population(con):
    # grep '^2025,Reporting year,National' d5_cpps_at31march_by_duration_2013_to_2025.csv
    # 2025,Reporting year,National,...,Child Protection Plans by length of time,49420,...,1130,2.3
    assert benchmark(con, "cp_open", ENGLAND, 2025) == (49420, "published", "2024/25")
    # 2024/25 starts in 2024, so the ONS mid-2024 estimate:
    # grep '^2024,Reporting year,National' ons_mid-year_population_estimates_2012_to_2024.csv
    # 2024,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,12183016
    # 49420 / 12183016 x 10,000 = 40.5647 (KPI-DEFINITIONS: "about 40.6 per 10k")
    value, status, _ = benchmark(con, "cp_open_rate", ENGLAND, 2025)
    assert status == "derived"
    assert value == pytest.approx(49420 / 12183016 * 10_000)
    assert round(value, 2) == 40.56


def test_north_east_section_47s_2024_25(con):
    # grep '^2025,Reporting year,Regional,E92000001,England,E12000001' \
    #     c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv
    # 2025,...,E12000001,North East,,"","",Section 47s and Initial Child Protection Conferences,
    #     13180,11390,5180,...   (Section47 13180, Section47_child 11390, ICPC 5180)
    assert benchmark(con, "s47", NORTH_EAST, 2025) == (13180, "published", "2024/25")
    assert benchmark(con, "icpc", NORTH_EAST, 2025)[:2] == (5180, "published")


def test_northumberland_plans_open_two_years_a_suppressed_c_and_a_real_zero(con):
    # grep '^2024,.*E06000057' d5_cpps_at31march_by_duration_2013_to_2025.csv
    # 2024,...,929,E06000057,Northumberland,Child Protection Plans by length of time,
    #     384,135,35.2,104,27.1,84,21.9,c,c,c,c
    #   (1_year_less_than_2_years, its %, 2_years_or_more, 2_years_or_more_percent are all 'c')
    assert benchmark(con, "cp_2yrs", NORTHUMBERLAND, 2024) == (None, "c", "2023/24")
    assert benchmark(con, "cp_open", NORTHUMBERLAND, 2024)[:2] == (384, "published")
    # grep '^2025,.*E06000057' d5_...csv -> ...,308,113,36.7,78,25.3,84,27.3,33,10.7,0,0:
    # a published 0 stays 0.
    assert benchmark(con, "cp_2yrs", NORTHUMBERLAND, 2025)[:2] == (0, "published")


def test_newcastle_icpcs_within_15_working_days_2023_24_from_the_duration_columns(con):
    # grep '^2024,.*E08000021' c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv
    # 2024,...,Newcastle upon Tyne,...,1400,1101,483,467,55,330,46,52,12,14,15
    #   Section47 1400, ICPC 483, Duration_0-10_days 55, Duration_11-15_days 330
    # (55 + 330) / 483 x 100 = 79.710 (LAIT CP_conf_15days for 391 in 2024: 79.7)
    value, status, year = benchmark(con, "icpc_15wd", NEWCASTLE, 2024)
    assert (status, year) == ("derived", "2023/24")
    assert value == pytest.approx(385 / 483 * 100)


def test_newcastle_missing_from_care_incidents_newer_release_first(con):
    # grep E08000021 missing_cla/la_missing_or_away_2020_to_2024.csv | grep '^2024' :
    # 2024,...,Newcastle upon Tyne,E08000021,Number of missing incidents during the year,898
    # ...,Children who had a missing incident during the year,95
    # ...,Children who went missing more than once during the year,58
    # ...,Average number of missing incidents per looked after child who went missing,9.5
    assert benchmark(con, "missing_episodes", NEWCASTLE, 2024) == (898, "published", "2023/24")
    assert benchmark(con, "children_missing", NEWCASTLE, 2024)[:2] == (95, "published")
    assert benchmark(con, "missing_per_child", NEWCASTLE, 2024)[:2] == (9.5, "published")
    value, status, _ = benchmark(con, "missing_repeat", NEWCASTLE, 2024)
    assert status == "derived" and value == pytest.approx(58 / 95 * 100)
    # 2022 is in both releases: 684 in 2020_to_2024 (line 4601), 690 in 2018_to_2022; the newer one wins.
    assert benchmark(con, "missing_episodes", NEWCASTLE, 2022)[:2] == (684, "published")
    # 2019 only in the older release: grep ... la_missing_or_away_2018_to_2022.csv -> line 2878, 470
    assert benchmark(con, "missing_episodes", NEWCASTLE, 2019)[:2] == (470, "published")


def test_lait_police_referral_share(con):
    # grep '"RefBySource_Police_%".*"2025","Newcastle upon Tyne"' lait_bds_long_safeguarding_subset.csv
    # "RefBySource_Police_%",,"2025","Newcastle upon Tyne","34.799999999999997",391,"North East"
    assert benchmark(con, "referrals_by_source_police", NEWCASTLE, 2025) == (34.8, "published", "2024/25")
    # ... "2025","England","28.3",970,"NA"
    assert benchmark(con, "referrals_by_source_police", ENGLAND, 2025)[:2] == (28.3, "published")


def test_unpublished_values_stay_null_with_their_marker(con):
    # grep ',x,' c1_...csv -> 2022,...,Inner London,204,E09000012,Hackney,Referrals and Re-referrals,x,x,x,...
    assert benchmark(con, "referrals", HACKNEY, 2022) == (None, "x", "2021/22")
    # A rate whose count is unpublished is unpublished for the same reason.
    assert benchmark(con, "referrals_rate", HACKNEY, 2022)[:2] == (None, "x")
    # grep '"RefBySource_Police_%".*"2022","Hackney"' lait_...csv -> "2022","Hackney","-",204,"Inner London"
    assert benchmark(con, "referrals_by_source_police", HACKNEY, 2022)[:2] == (None, "-")
    # Nothing unpublished became a number, and every number is published or derived.
    assert con.execute(
        "SELECT count(*) FROM benchmark_value WHERE (value IS NULL) = (status IN ('published', 'derived'))"
    ).fetchone() == (0,)


def test_an_lait_region_number_maps_to_its_dfe_region(con):
    # LAIT 980 = North East: "RefBySource_Police_%",,"2025","North East","31.3",980,"NA"
    assert con.execute(
        "SELECT area_name, value FROM benchmark_value "
        "WHERE kpi_id = 'referrals_by_source_police' AND area_code = ? AND time_period = 2025",
        [NORTH_EAST],
    ).fetchone() == ("North East", 31.3)


def test_newcastle_re_referrals_against_its_neighbours_2024_25(con):
    # grep "^2025,.*,<code>," c1_...csv | cut -d, -f8-10,14  (old code, new code, name, rereferral_percent)
    neighbour_values = {
        "Salford": 23.4,
        "Sheffield": 16.5,
        "Middlesbrough": 25.3,
        "Portsmouth": 23.9,
        "Nottingham": 27.2,
        "Leeds": 24.2,
        "Birmingham": 20.7,
        "Southampton": 20.2,
        "Manchester": 18.4,
        "Blackpool": 23.4,
    }
    # 223.2 / 10 = 22.32. Newcastle's 17.2 is above only Sheffield's 16.5: rank 10 of 11 (1 = highest).
    comparison = benchmark_comparison(con, "re_referral_12m", NEWCASTLE).set_index("time_period")
    row = comparison.loc[2025]
    assert row["financial_year"] == "2024/25"
    assert (row["la_value"], row["la_status"]) == (17.2, "published")
    # c1 2025 National 22.6; Regional E12000001 North East 20.7
    assert (row["england_value"], row["england_status"]) == (22.6, "published")
    assert (row["region_value"], row["region_status"]) == (20.7, "published")
    assert row["neighbour_mean"] == pytest.approx(sum(neighbour_values.values()) / 10)
    assert row["neighbour_mean"] == pytest.approx(22.32)
    assert (row["neighbours_published"], row["la_rank"], row["group_size"]) == (10, 10, 11)
    assert list(comparison.index) == list(range(2013, 2026))

    neighbours = benchmark_neighbours(con, "re_referral_12m", NEWCASTLE, 2025)
    assert list(neighbours["neighbour_rank"]) == list(range(11))
    newcastle = neighbours.iloc[0]
    assert (newcastle["la_code"], newcastle["la_name"]) == (NEWCASTLE, "Newcastle upon Tyne")
    assert (newcastle["value"], newcastle["status"]) == (17.2, "published")
    assert dict(zip(neighbours["la_name"][1:], neighbours["value"][1:])) == neighbour_values


def test_unpublished_neighbours_are_left_out_of_the_mean_and_the_rank(con):
    # Hackney's 2021/22 referrals are 'x': its own rank is NULL and the group is only its neighbours.
    row = benchmark_comparison(con, "referrals", HACKNEY).set_index("time_period").loc[2022]
    assert row["la_status"] == "x" and pd.isna(row["la_value"]) and pd.isna(row["la_rank"])
    assert row["group_size"] == row["neighbours_published"]


def test_every_measures_comparison_in_one_read_is_each_measures_own(con):
    every = benchmark_comparisons(con, NEWCASTLE)
    measures = {row[0] for row in con.execute("SELECT DISTINCT kpi_id FROM benchmark_value").fetchall()}
    assert set(every) == measures
    for measure in measures:
        # the same values; a column can be typed wider where another measure has gaps in it
        pd.testing.assert_frame_equal(
            every[measure], benchmark_comparison(con, measure, NEWCASTLE), check_dtype=False
        )
    row = every["re_referral_12m"].set_index("time_period").loc[2025]  # as worked out above
    assert (row["la_value"], row["england_value"], row["la_rank"], row["group_size"]) == (17.2, 22.6, 10, 11)


def test_unknown_kpi_is_refused(con):
    with pytest.raises(ValueError, match="no published benchmark"):
        benchmark_comparison(con, "contacts", NEWCASTLE)


def test_every_las_comparisons_kept_in_the_warehouse_are_the_querys(con, tmp_path):
    from warehouse.benchmarks import every_la_comparisons
    from warehouse.queries import run

    kept = every_la_comparisons(con)
    assert con.execute("SELECT count(*) FROM benchmark_comparison_every_la").fetchone() == (len(kept),)
    assert kept.equals(run(con, "benchmark_comparison", kpi_id=None, la_codes=None))
    assert kept["la_code"].nunique() == 161  # every LA the reference data lists
    newcastle = kept[kept["la_code"] == NEWCASTLE].drop(columns=["la_code", "kpi_id"]).reset_index(drop=True)
    expected = pd.concat(benchmark_comparisons(con, NEWCASTLE).values(), ignore_index=True)
    assert newcastle.equals(expected)
    # A warehouse made before the table was (older definitions): the query itself.
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as build:
        build_schema(build)
        build.execute("DROP TABLE benchmark_comparison_every_la")
    with duckdb.connect(str(older), read_only=True) as read:
        assert every_la_comparisons(read).equals(kept)
