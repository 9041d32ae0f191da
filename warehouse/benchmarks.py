"""Published benchmarks (England, regions, LAs) from the DfE/ONS tables in data/real.

`benchmark_values()` reads the files as they are and returns one tidy long frame:
kpi_id, time_period, financial_year, geographic_level, area_code, area_name, old_la_code,
value, status, source.

Conventions, checked against the files:
- `time_period` is the year the reporting year ends (2025 = 2024/25). The missing-from-care
  file uses the same convention: England's 83,920 missing incidents (2023/24 in the KPI
  definitions) are its time_period 2024 row.
- A value the publisher did not publish (c, x, z, u, k, LAIT's '-', or blank) stays NULL with
  the marker as its status; it is never 0 and never filled in.
- Values worked out here (rates, shares, icpc_15wd, missing_repeat) have status "derived" and are
  not rounded; when an input is unpublished they are NULL with that input's marker as status.

Most sources are declared, not written here: warehouse/benchmark_sources.toml names each one's file,
rows, value column, years and unit, and `_declared` reads every one the same way. The functions below
are for the sources whose arithmetic or layout is their own (ICPC timeliness, the missing-from-care
releases, LAIT's long table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse.benchmark_sources import BenchmarkSource, Layout, Years, benchmark_sources
from warehouse.queries.run import query_text, run

# Not imported from warehouse.db: db imports this module to build the warehouse.
REAL_DATA_DIR = Path(__file__).resolve().parent / "data" / "real"

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
C4 = "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
MISSING_NEW = "missing_cla/la_missing_or_away_2020_to_2024.csv"
MISSING_OLD = "missing_cla/la_missing_or_away_2018_to_2022.csv"
LAIT = "lait_bds_long_safeguarding_subset.csv"

KEYS = ["time_period", "geographic_level", "area_code", "area_name", "old_la_code"]
COLUMNS = ["kpi_id", "time_period", "financial_year", *KEYS[1:], "value", "status", "source"]
ENGLAND_CODE = "E92000001"

# CLA_group (cla_group in the older file) row labels of the missing-from-care files.
MISSING_INCIDENTS = "Number of missing incidents during the year"
CHILDREN_MISSING = "Children who had a missing incident during the year"
MISSING_PER_CHILD = "Average number of missing incidents per looked after child who went missing"
CHILDREN_MISSING_MORE_THAN_ONCE = "Children who went missing more than once during the year"

# LAIT's 'LA Number' for England and the regions. The region codes were matched by comparing
# LAIT's ReReferral values with c1's rereferral_percent for every DfE region and year 2016-2025:
# each 98x agrees with exactly one region (e.g. 980 = 20.7 in 2025 = North East E12000001;
# 987 "London (Inner)" = 19.1 in 2025 = Inner London E13000001).
LAIT_AGGREGATES = {
    "970": ("National", ENGLAND_CODE),
    "980": ("Regional", "E12000001"),  # North East
    "981": ("Regional", "E12000002"),  # North West
    "982": ("Regional", "E12000003"),  # Yorkshire and The Humber
    "983": ("Regional", "E12000004"),  # East Midlands
    "984": ("Regional", "E12000005"),  # West Midlands
    "985": ("Regional", "E12000006"),  # East of England
    "986": ("Regional", "E12000007"),  # London
    "987": ("Regional", "E13000001"),  # Inner London
    "988": ("Regional", "E13000002"),  # Outer London
    "989": ("Regional", "E12000008"),  # South East
    "990": ("Regional", "E12000009"),  # South West
}
LAIT_REFERRAL_SOURCES = {
    "referrals_by_source_schools": "RefBySource_Schl_%",
    "referrals_by_source_health": "RefBySource_HealthServ_%",
    "referrals_by_source_police": "RefBySource_Police_%",
}

KPI_IDS = (
    *benchmark_sources(),
    "icpc_15wd",
    "missing_episodes",
    "children_missing",
    "missing_per_child",
    "missing_repeat",
    *LAIT_REFERRAL_SOURCES,
)


# ---------------------------------------------------------------------------------------------
# Reading the files


@cache
def _read(file_name: str) -> pd.DataFrame:
    """A published CSV with every cell as text ('' when blank), BOM removed."""
    return pd.read_csv(REAL_DATA_DIR / file_name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@cache
def _current_la_codes() -> dict[str, str]:
    """3-digit old_la_code -> the LA's code in the latest ONS year (the codes of local_authority).

    The files do not agree on codes for the same LA: c4 has Gateshead as E08000020 and
    Northumberland as E06000048 up to 2019 where c1, d3, d5 and ONS use E08000037 and E06000057
    for every year; North Yorkshire, Somerset and Buckinghamshire move from county (E10) to
    unitary (E06) codes with the year in c1-d5, while the 2020-2024 missing file gives them the
    new code for every year. The area is the same (one old_la_code), so each LA that still exists
    gets its current code: the KPIs of one LA then line up and join local_authority. LAs that no
    longer exist (Cumbria, Northamptonshire, Bournemouth, Poole, old Dorset) keep their own code.
    """
    ons = _read(ONS)
    is_latest = ons["time_period"] == ons["time_period"].max()
    latest = ons[(ons["geographic_level"] == "Local authority") & is_latest]
    return dict(zip(latest["old_la_code"], latest["new_la_code"]))


def _with_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the benchmark keys to a DfE-style table (time_period, geographic_level, codes, names)."""
    level = frame["geographic_level"]
    is_la, is_region = level == "Local authority", level == "Regional"
    keyed = frame.copy()
    keyed["time_period"] = frame["time_period"].astype(int)
    la_code = frame["old_la_code"].map(_current_la_codes()).fillna(frame["new_la_code"])
    keyed["recoded_from"] = frame["new_la_code"].where(is_la & (la_code != frame["new_la_code"]), "")
    region_or_country_code = frame["region_code"].where(is_region, frame["country_code"])
    region_or_country_name = frame["region_name"].where(is_region, frame["country_name"])
    keyed["area_code"] = la_code.where(is_la, region_or_country_code)
    keyed["area_name"] = frame["la_name"].where(is_la, region_or_country_name)
    keyed["old_la_code"] = frame["old_la_code"].where(is_la, "")
    return keyed


@cache
def _dfe_table(file_name: str) -> pd.DataFrame:
    return _with_keys(_read(file_name))


@cache
def _missing_from_care() -> pd.DataFrame:
    """Children in care missing from placement, one column per CLA_group, one row per area and year.

    The 2020-2024 release revises 2020-2022 (e.g. Newcastle's 2022 missing incidents are 684
    there, 690 in the 2018-2022 release), so the older file only supplies the years the newer
    one lacks (2018 and 2019).
    """
    newer = _read(MISSING_NEW).rename(columns={"CLA_group": "group"}).assign(file=MISSING_NEW)
    older = _read(MISSING_OLD).rename(columns={"cla_group": "group"}).assign(file=MISSING_OLD)
    older = older[~older["time_period"].isin(set(newer["time_period"]))]
    long = _with_keys(pd.concat([newer, older], ignore_index=True))
    return long.pivot(index=[*KEYS, "recoded_from", "file"], columns="group", values="number").reset_index()


@cache
def _population() -> pd.DataFrame:
    """ONS mid-year population aged 0-17 per area: area_code, mid_year, population, population_status."""
    ons = _dfe_table(ONS)
    population = _parse(ons["population_estimate"])
    return pd.DataFrame(
        {
            "area_code": ons["area_code"],
            "mid_year": ons["time_period"],
            "population": population["value"],
            "population_status": population["status"],
        }
    ).sort_values("mid_year")


@cache
def _lait_wide() -> pd.DataFrame:
    """The LAIT referral-source rows, one column per Short Desc, with the benchmark keys.

    LAIT's 'Years' is the DfE time_period (year ending): every LA's ReReferral value in LAIT
    equals c1's rereferral_percent for the same LA and time_period, e.g. Newcastle (391)
    17.2 in 2025 and 23.4 in 2024. LAs are mapped from their 3-digit code to the new code with
    c1's rows of the same year. LAIT also lists LAs in years they did not exist (Cumberland in
    2016, Northamptonshire in 2025, ...), all with '-': those rows have no match and are dropped.
    """
    lait = _read(LAIT)
    lait = lait[lait["Short Desc"].isin(LAIT_REFERRAL_SOURCES.values())]
    wide = lait.pivot(index=["Years", "LA Number"], columns="Short Desc", values="Values").reset_index()
    wide["time_period"] = wide["Years"].astype(int)

    names = _dfe_table(C1)
    areas = names[["time_period", "geographic_level", "area_code", "area_name", "old_la_code"]]
    aggregates = pd.DataFrame(
        [(number, level, code) for number, (level, code) in LAIT_AGGREGATES.items()],
        columns=["LA Number", "geographic_level", "area_code"],
    )
    is_aggregate = wide["LA Number"].isin(LAIT_AGGREGATES)
    las = wide[~is_aggregate].merge(
        areas[areas["geographic_level"] == "Local authority"],
        left_on=["time_period", "LA Number"],
        right_on=["time_period", "old_la_code"],
    )
    regions = (
        wide[is_aggregate]
        .merge(aggregates, on="LA Number")
        .merge(
            areas[areas["geographic_level"] != "Local authority"].drop(columns="geographic_level"),
            on=["time_period", "area_code"],
        )
    )
    # LAIT has no 9-character codes, so there is nothing recoded to mention in the source.
    return pd.concat([las, regions], ignore_index=True).assign(recoded_from="")


# ---------------------------------------------------------------------------------------------
# Values and their status


def _parse(raw: pd.Series) -> pd.DataFrame:
    """Published text to value and status: numbers are 'published', anything else keeps its marker."""
    text = raw.fillna("").astype(str).str.strip()
    value = pd.to_numeric(text, errors="coerce").astype(float)
    status = text.where(value.isna(), "published").mask(text == "", "missing")
    return pd.DataFrame({"value": value, "status": status.astype(object)})


def _derived(value: pd.Series, *inputs: pd.DataFrame) -> pd.DataFrame:
    """A computed value, NULL with the first unpublished input's status as the reason."""
    status = pd.Series("derived", index=value.index, dtype=object)
    for measure in reversed(inputs):  # reversed so that the first input's reason wins
        status = status.where(measure["value"].notna(), measure["status"])
    return pd.DataFrame({"value": value.where(status == "derived"), "status": status})


def _ratio(numerator: pd.DataFrame, denominator: pd.DataFrame, scale: float) -> pd.DataFrame:
    """numerator / denominator x scale; 'z' (not applicable, the DfE marker) when the denominator is 0."""
    ratio = _derived(numerator["value"] / denominator["value"] * scale, numerator, denominator)
    zero = (denominator["value"] == 0) & (ratio["status"] == "derived")
    ratio.loc[zero, "value"] = float("nan")
    ratio.loc[zero, "status"] = "z"
    return ratio


def _population_for(rows: pd.DataFrame) -> pd.DataFrame:
    """The 0-17 population for each row, from the mid-year in which its financial year starts.

    That is time_period - 1, as DfE does; the ONS file's LA list for mid-year Y is exactly the
    c1 LA list of time_period Y + 1. When that mid-year is not in the file yet, the latest
    earlier one is used (an 'x' for the wanted year stays 'x', it is not replaced by an older value).
    """
    wanted = pd.DataFrame({"area_code": rows["area_code"], "mid_year": rows["time_period"] - 1})
    wanted = wanted.reset_index().sort_values("mid_year")
    found = pd.merge_asof(wanted, _population(), on="mid_year", by="area_code", direction="backward")
    found = found.set_index("index").reindex(rows.index)
    found["population_status"] = found["population_status"].fillna("missing")
    return found.rename(columns={"population": "value", "population_status": "status"})


def _rate_per_10k(rows: pd.DataFrame, count: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """count per 10,000 children aged 0-17, and the source text naming the mid-year used."""
    population = _population_for(rows)
    year_used = population["mid_year"].astype("Int64").astype(str).replace("<NA>", "none")
    source = f"{ONS}: population_estimate mid-" + year_used
    return _ratio(count, population[["value", "status"]], 10_000), source


# ---------------------------------------------------------------------------------------------
# The KPIs


def _reporting_year(time_period: int) -> str:
    return f"{time_period - 1}/{time_period % 100:02d}"


def _tidy(
    kpi_id: str,
    rows: pd.DataFrame,
    measure: pd.DataFrame,
    source: str | pd.Series,
    year_label: Callable[[int], str] = _reporting_year,
) -> pd.DataFrame:
    tidy = rows[KEYS].copy()
    tidy["kpi_id"] = kpi_id
    tidy["financial_year"] = rows["time_period"].map(year_label)
    tidy["value"] = measure["value"]
    tidy["status"] = measure["status"]
    tidy["source"] = source + rows["recoded_from"].map(lambda code: f" (file code {code})" if code else "")
    return tidy


def _year_ending(raw: pd.DataFrame, years: Years) -> pd.Series:
    """The year each row's figure ends in (benchmark_value's time_period), from the table's own form."""
    text = raw["time_period"] if "time_period" in raw else raw["Time period"]
    pattern = {Years.ACADEMIC_YEAR: r"\d{6}", Years.FINANCIAL_YEAR: r"\d{4}/\d{2}"}.get(years, r"\d{4}")
    wrong = ~text.str.fullmatch(pattern)
    if wrong.any():
        raise ValueError(f"a year {text[wrong].iloc[0]!r} is not written as {years} years are")
    if years in (Years.ACADEMIC_YEAR, Years.FINANCIAL_YEAR):
        return text.str[:4].astype(int) + 1  # 202425 and 2023/24 both end in the second year
    return text.astype(int)


def _fingertips_keys(raw: pd.DataFrame) -> pd.DataFrame:
    """The benchmark keys of an OHID Fingertips table: England (Area Type 'England') and LAs, by their
    current codes (Fingertips uses them), with DfE's 3-digit code where the ONS lookup has the LA."""
    is_england = raw["Area Type"] == "England"
    old_codes = {new: old for old, new in _current_la_codes().items()}
    return pd.DataFrame(
        {
            "geographic_level": is_england.map({True: "National", False: "Local authority"}),
            "area_code": raw["Area Code"],
            "area_name": raw["Area Name"],
            "old_la_code": raw["Area Code"].map(old_codes).fillna("").where(~is_england, ""),
            "recoded_from": "",
        },
        index=raw.index,
    )


def _source_rows(source: BenchmarkSource) -> pd.DataFrame:
    """The rows of a declared source's table that it reads, with the benchmark keys, one per area and year."""
    raw = _read(source.file)
    for column in (*source.where, source.value, *([source.per] if source.per else [])):
        if column not in raw.columns:
            raise ValueError(f"benchmark source {source.id}: {source.file} has no column {column!r}")
    for column, wanted in source.where.items():
        raw = raw[raw[column] == wanted]
    try:
        time_period = _year_ending(raw, source.years)
    except ValueError as error:
        raise ValueError(f"benchmark source {source.id}: {source.file}: {error}") from None
    if source.layout is Layout.FINGERTIPS:
        rows = _fingertips_keys(raw).join(raw[[c for c in raw.columns if c not in KEYS]])
        rows["time_period"] = time_period
        # Fingertips lists England twice (under itself and with no parent), with the same figures.
        rows = rows.drop_duplicates(subset=["time_period", "area_code", source.value])
    else:
        rows = _with_keys(raw.assign(time_period=time_period.astype(str)))
    repeated = rows[rows.duplicated(subset=["time_period", "area_code"], keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        raise ValueError(
            f"benchmark source {source.id}: {source.file} has {len(repeated)} rows for "
            f"{first['area_code']} in {first['time_period']}: its `where` must pick one row per area and year"
        )
    return rows


def _declared(source: BenchmarkSource) -> pd.DataFrame:
    rows = _source_rows(source)
    where = "".join(f"; {column} = {value!r}" for column, value in source.where.items())
    value = _parse(rows[source.value])
    text: str | pd.Series  # a rate per 10,000 names each row's population source
    if source.per:
        measure = _ratio(value, _parse(rows[source.per]), source.scale)
        text = f"{source.file}: {source.value} / {source.per} x {source.scale:g}"
    elif source.per_10k_children:
        measure, population_source = _rate_per_10k(rows, value)
        text = f"{source.file}: {source.value} per 10,000; " + population_source
    else:
        measure, text = value, f"{source.file}: {source.value}"
    return _tidy(source.id, rows, measure, text + where, source.year_label)


def _icpc_within_15_working_days() -> pd.DataFrame:
    rows = _dfe_table(C4)
    within_10, within_15 = _parse(rows["Duration_0-10_days"]), _parse(rows["Duration_11-15_days"])
    within = _derived(within_10["value"] + within_15["value"], within_10, within_15)
    source = f"{C4}: (Duration_0-10_days + Duration_11-15_days) / ICPC x 100"
    return _tidy("icpc_15wd", rows, _ratio(within, _parse(rows["ICPC"]), 100), source)


def _missing_kpis() -> list[pd.DataFrame]:
    rows = _missing_from_care()

    def published(kpi_id: str, group: str) -> pd.DataFrame:
        return _tidy(kpi_id, rows, _parse(rows[group]), rows["file"] + f": CLA_group = {group}")

    # DfE publishes only the count of children missing more than once; the % is worked out here.
    repeat = _ratio(_parse(rows[CHILDREN_MISSING_MORE_THAN_ONCE]), _parse(rows[CHILDREN_MISSING]), 100)
    repeat_source = rows["file"] + (
        f": CLA_group = {CHILDREN_MISSING_MORE_THAN_ONCE} / {CHILDREN_MISSING} x 100"
    )
    return [
        published("missing_episodes", MISSING_INCIDENTS),
        published("children_missing", CHILDREN_MISSING),
        published("missing_per_child", MISSING_PER_CHILD),
        _tidy("missing_repeat", rows, repeat, repeat_source),
    ]


def _lait_kpis() -> list[pd.DataFrame]:
    rows = _lait_wide()
    return [
        _tidy(kpi_id, rows, _parse(rows[short_desc]), f"{LAIT}: Short Desc = {short_desc}")
        for kpi_id, short_desc in LAIT_REFERRAL_SOURCES.items()
    ]


@cache
def _all_benchmarks() -> pd.DataFrame:
    parts = [
        *(_declared(source) for source in benchmark_sources().values()),
        _icpc_within_15_working_days(),
        *_missing_kpis(),
        *_lait_kpis(),
    ]
    tidy = pd.concat(parts, ignore_index=True)
    tidy["time_period"] = tidy["time_period"].astype("int64")
    tidy["old_la_code"] = tidy["old_la_code"].replace("", None)
    # Float64 so that an unpublished value reaches DuckDB as NULL, not NaN.
    tidy["value"] = tidy["value"].astype("Float64")
    text_columns = [column for column in COLUMNS if column not in ("time_period", "value")]
    return tidy[COLUMNS].astype(dict.fromkeys(text_columns, "str"))


def benchmark_values() -> pd.DataFrame:
    """Every benchmark value, one row per kpi_id, time_period and area_code (see the module doc)."""
    return _all_benchmarks().copy()


# ---------------------------------------------------------------------------------------------
# Read queries


def _check_kpi_id(kpi_id: str) -> None:
    # An unknown id would otherwise quietly return an empty comparison.
    if kpi_id not in KPI_IDS:
        raise ValueError(f"no published benchmark for KPI {kpi_id!r}; known: {', '.join(KPI_IDS)}")


def benchmark_comparison(con: duckdb.DuckDBPyConnection, kpi_id: str, la_code: str) -> pd.DataFrame:
    """One row per time_period: the LA beside England, its region and its 2025-model neighbours.

    Columns: time_period, financial_year, la_value, la_status, england_value, england_status,
    region_value, region_status, neighbour_mean, neighbours_published, neighbour_min and
    neighbour_max (the lowest and highest published neighbour values), la_rank (1 = highest value
    among the LA and its neighbours with a value; NULL when the LA has none), group_size.
    """
    _check_kpi_id(kpi_id)
    frame = run(con, "benchmark_comparison", kpi_id=kpi_id, la_codes=[la_code])
    return frame.drop(columns=["la_code", "kpi_id"])


def benchmark_comparisons(con: duckdb.DuckDBPyConnection, la_code: str) -> dict[str, pd.DataFrame]:
    """`benchmark_comparison` of every published measure for the LA, by measure, in one query: a
    page beside many benchmarks reads them at once (a query each costs about as much as all)."""
    return comparisons_by_measure(run(con, "benchmark_comparison", kpi_id=None, la_codes=[la_code]))


def every_la_comparisons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rows of `benchmark_comparisons` for every LA at once, ordered by LA, measure and year (the
    query's la_code and kpi_id columns kept): one read for a server whose users look at any LA.
    `comparisons_by_measure` of one LA's rows gives that LA's `benchmark_comparisons`.

    Read from the table `make_every_la_comparisons` keeps (a twelfth of the query's time, paid by each
    server process at its first view of each new load's file); a warehouse whose definitions are
    older than that table has the query run instead."""
    try:
        return run(con, "benchmark_comparison_every_la")
    except duckdb.CatalogException:
        return run(con, "benchmark_comparison", kpi_id=None, la_codes=None)


def make_every_la_comparisons(con: duckdb.DuckDBPyConnection) -> None:
    """Every LA's comparisons kept in the warehouse as a table: they are made of the reference data
    alone, so they are made again with it (warehouse/db.py `define`)."""
    con.execute("DROP TABLE IF EXISTS benchmark_comparison_every_la")
    query = con.sql(query_text("benchmark_comparison"), params={"kpi_id": None, "la_codes": None})
    query.create("benchmark_comparison_every_la")


def comparisons_by_measure(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One LA's comparison rows, ordered by measure as the query orders them, split by measure. By
    the runs of equal kpi_id rather than by groupby: a groupby and a drop per measure cost a server
    a quarter of a page's time the first time it showed each LA."""
    body = rows.drop(columns=["la_code", "kpi_id"])
    split = {}
    for kpi_id, start, stop in runs(rows["kpi_id"].tolist()):
        # Numbered from 0 as its own query's frame is; by setting the index of the slice, which
        # copy-on-write keeps apart from `body`, not by reset_index, which copies each column.
        part = body.iloc[start:stop]
        part.index = pd.RangeIndex(stop - start)
        split[kpi_id] = part
    return split


def runs(keys: Sequence[Any]) -> list[tuple[str, int, int]]:
    """Each run of equal keys in `keys` (ordered by key): the key, and where the run starts and stops."""
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    stops = [*starts[1:], len(keys)]
    return [(str(keys[start]), start, stop) for start, stop in zip(starts, stops)]


def benchmark_neighbours(
    con: duckdb.DuckDBPyConnection, kpi_id: str, la_code: str, time_period: int
) -> pd.DataFrame:
    """The LA (neighbour_rank 0) and its ten neighbours for one year.

    Columns: la_code, la_name, neighbour_rank, value, status ('missing' when no row was published).
    """
    _check_kpi_id(kpi_id)
    return run(con, "benchmark_neighbours", kpi_id=kpi_id, la_code=la_code, time_period=int(time_period))
