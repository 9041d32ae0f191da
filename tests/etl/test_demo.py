"""The demo generator: deterministic, well-formed, consistent and calibrated files.

Structure tests use a small city (scale 0.1); calibration tests use the full-size city.
Every KPI is recomputed here with plain pandas/numpy, independently of the generator.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

from etl.demo import (
    BAD_ROW_CASES,
    DEMO_DATASETS,
    DEMO_LAS,
    GOOD_ROWS_AFTER_BAD,
    demo_window,
    generate_demo,
    generate_national,
)
from warehouse.model.datasets import Dataset, Kind
from warehouse.model.files import active_model

AS_OF = date(2026, 11, 25)
WINDOW_START, WINDOW_END = pd.Timestamp("2022-04-01"), pd.Timestamp("2026-10-31")
FULL_YEARS = [2022, 2023, 2024, 2025]  # financial years wholly inside the window
CITY = "E08000021"
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "reference"
CHILD_COLUMNS = ["date_of_birth", "gender", "ethnicity", "disability", "area_code", "postcode"]
BANK_HOLIDAYS = np.array(
    sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2028))), dtype="datetime64[D]"
)

DATASETS = active_model().datasets
CONTACTS, REFERRALS, S47_ENQUIRIES, CP_PLANS, MISSING_EPISODES = (
    DATASETS[name] for name in ("contacts", "referrals", "s47", "cp_plans", "missing_episodes")
)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_la(directory: Path, la_code: str = CITY) -> dict[str, pd.DataFrame]:
    return {d.name: read(directory / f"{la_code}_{d.name}.csv") for d in DEMO_DATASETS}


def dates(values: pd.Series) -> pd.Series:
    """Dates or datetimes, NaT where blank."""
    return pd.to_datetime(values.replace("", None))


def financial_year(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values)
    return dates.dt.year.where(dates.dt.month >= 4, dates.dt.year - 1)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("small")
    return out, generate_demo(out, AS_OF, seed=7, la_codes=[CITY], scale=0.1)


@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_demo(out, AS_OF, la_codes=[CITY])
    return out


@pytest.fixture(scope="module")
def city(city_dir) -> dict[str, pd.DataFrame]:
    return read_la(city_dir)


# --- window and files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 11, 25), (date(2022, 4, 1), date(2026, 10, 31))),
        (date(2026, 2, 10), (date(2021, 4, 1), date(2026, 1, 31))),
        (date(2026, 4, 1), (date(2022, 4, 1), date(2026, 3, 31))),  # four full years, none to date
    ],
)
def test_window_is_four_full_financial_years_and_the_current_one_to_date(as_of, expected):
    assert demo_window(as_of) == expected


def test_files_are_areas_first_then_datasets_in_load_order(small):
    out, files = small
    assert [f.name for f in files] == [f"{CITY}_areas.csv"] + [
        f"{CITY}_{name}.csv"
        for name in (
            "contacts", "referrals", "s47", "cp_plans", "missing_episodes", "assessments",
            "early_help_episodes", "lado_allegations", "police_da_incidents", "exploitation_panel",
        )
    ]  # fmt: skip
    assert all(f.parent == out for f in files)
    assert (out / "bad" / f"{CITY}_contacts_bad_rows.csv").exists()


def test_both_demo_las_by_default(tmp_path):
    files = generate_demo(tmp_path, AS_OF, scale=0.05)
    assert [f.name for f in files[:2]] == [f"{code}_areas.csv" for code in DEMO_LAS]
    assert len(files) == 2 * (1 + 6 + 4)  # areas, social care and the partner packs
    assert [p.name for p in (tmp_path / "bad").iterdir()] == [f"{next(iter(DEMO_LAS))}_contacts_bad_rows.csv"]


def test_unknown_la_is_refused(tmp_path):
    with pytest.raises(ValueError, match="E09000001"):
        generate_demo(tmp_path, AS_OF, la_codes=["E09000001"])


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(small, tmp_path):
    out, files = small
    again = generate_demo(tmp_path / "again", AS_OF, seed=7, la_codes=[CITY], scale=0.1)
    other = generate_demo(tmp_path / "other", AS_OF, seed=8, la_codes=[CITY], scale=0.1)
    bad = Path("bad") / f"{CITY}_contacts_bad_rows.csv"
    for first, second in zip(files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert (out / bad).read_bytes() == (tmp_path / "again" / bad).read_bytes()
    for first, second in zip(files[1:], other[1:], strict=True):  # the areas file is fixed
        assert first.read_bytes() != second.read_bytes(), first.name


# --- format ------------------------------------------------------------------------------


def reference_codes(codelist: str) -> set[str]:
    return set(read(REFERENCE_DIR / f"{codelist}.csv")["code"])


@pytest.mark.parametrize("dataset", DEMO_DATASETS, ids=[d.name for d in DEMO_DATASETS])
def test_columns_are_exactly_the_dataset_columns_in_order(small, dataset: Dataset):
    out, _ = small
    header = (out / f"{CITY}_{dataset.name}.csv").read_text().splitlines()[0]
    assert header == ",".join(dataset.column_names)


@pytest.mark.parametrize("dataset", DEMO_DATASETS, ids=[d.name for d in DEMO_DATASETS])
def test_values_are_well_formed(small, dataset: Dataset):
    out, _ = small
    df = read(out / f"{CITY}_{dataset.name}.csv")
    assert len(df) > 0
    assert (df["la_code"] == CITY).all()
    assert (df["coverage_start"] == "2022-04-01").all() and (df["coverage_end"] == "2026-10-31").all()
    for name in dataset.required_columns:
        assert (df[name] != "").all(), name
    for column in dataset.columns:
        values = df.loc[df[column.name] != "", column.name]
        if column.kind == Kind.CODE:
            assert set(values) <= reference_codes(column.codelist), column.name
        elif column.kind == Kind.CODES:  # several codes, ';'-joined
            assert set(values.str.split(";").explode()) <= reference_codes(column.codelist), column.name
        elif column.kind == Kind.DATE:
            assert values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), column.name
        elif column.kind == Kind.DATETIME:
            assert values.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all(), column.name
        elif column.kind == Kind.INTEGER:
            assert values.str.fullmatch(r"\d+").all(), column.name
    assert df[dataset.id_column].is_unique
    prefix = {
        "contacts": "CT", "referrals": "RF", "s47": "S47", "cp_plans": "CP", "missing_episodes": "MS", "assessments": "AS",
    }  # fmt: skip
    assert df[dataset.id_column].str.fullmatch(rf"NCL-{prefix[dataset.name]}-\d{{7}}").all()
    assert df["child_id"].str.fullmatch(r"NCL\d{7}").all()


def test_flows_hold_only_events_inside_the_window(small):
    out, _ = small
    data = read_la(out)
    for dataset in (CONTACTS, REFERRALS, MISSING_EPISODES):
        events = dates(data[dataset.name][dataset.event_date])
        assert events.min() >= WINDOW_START and events.max() < WINDOW_END + pd.Timedelta(days=1), dataset.name


@pytest.mark.parametrize("dataset", [S47_ENQUIRIES, CP_PLANS, MISSING_EPISODES], ids=lambda d: d.name)
def test_open_records_were_open_inside_the_window_and_nothing_is_after_it(small, dataset: Dataset):
    out, _ = small
    df = read(out / f"{CITY}_{dataset.name}.csv")
    start, end = dates(df[dataset.event_date]), dates(df[dataset.end_date])
    assert start.max() < WINDOW_END + pd.Timedelta(days=1)
    # A record may start before the window (the extract carries open records) only if it
    # was still open on the window's first day.
    assert (end.isna() | (end >= WINDOW_START)).all()
    assert (end.dropna() < WINDOW_END + pd.Timedelta(days=1)).all()
    assert (end.isna() | (end >= start)).all()
    assert (end.isna() & (start < WINDOW_START)).sum() <= 0.02 * len(df)  # hardly anything open that long


def test_no_date_is_after_the_window_or_as_of(small):
    out, _ = small
    for name, df in read_la(out).items():
        for column in DATASETS[name].columns:
            if column.kind in (Kind.DATE, Kind.DATETIME):
                values = dates(df[column.name]).dropna()
                assert (values < WINDOW_END + pd.Timedelta(days=1)).all(), (name, column.name)


def test_areas_file_lists_the_areas_every_row_uses(small):
    out, _ = small
    areas = read(out / f"{CITY}_areas.csv")
    assert list(areas.columns) == ["la_code", "area_code", "area_name"]
    assert (areas["la_code"] == CITY).all() and areas["area_code"].is_unique and 4 <= len(areas) <= 5
    for name, df in read_la(out).items():
        assert set(df["area_code"]) <= set(areas["area_code"]), name
    contacts = read(out / f"{CITY}_contacts.csv")
    share = contacts.drop_duplicates("child_id")["area_code"].value_counts(normalize=True)
    assert share.max() > 1.5 * share.min()  # deprived areas have more children known to services


# --- children ----------------------------------------------------------------------------


def all_rows(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every row of every dataset with its child's details and the event date."""
    return pd.concat(
        df[["child_id", *CHILD_COLUMNS]].assign(event=dates(df[DATASETS[name].event_date]).dt.normalize())
        for name, df in data.items()
    )


def test_a_child_has_the_same_details_on_every_row(city):
    rows = all_rows(city)
    details = rows[["child_id", *CHILD_COLUMNS]].drop_duplicates()
    assert details["child_id"].is_unique


def test_children_recur_across_datasets(city):
    children = {name: set(df["child_id"]) for name, df in city.items()}
    missing = children["missing_episodes"]
    assert len(missing & children["referrals"]) > 0.1 * len(missing)
    assert len(missing & children["cp_plans"]) > 0


def test_children_are_aged_0_to_17_at_every_event(city):
    rows = all_rows(city)
    born = pd.to_datetime(rows["date_of_birth"])
    assert (born <= rows["event"]).all()
    eighteenth = born + pd.DateOffset(years=18)
    assert (rows["event"] < eighteenth).all()


def test_demographics_look_like_the_north_east(city):
    children = all_rows(city).drop_duplicates("child_id")
    gender = children["gender"].value_counts(normalize=True)
    assert abs(gender["M"] - gender["F"]) < 0.05 and 0 < gender.get("U", 0) < 0.05
    ethnicity = children["ethnicity"].value_counts(normalize=True)
    assert 0.6 < ethnicity["WBRI"] < 0.85 and ethnicity.index[0] == "WBRI" and len(ethnicity) > 10
    assert children["postcode"].str.fullmatch(r"NE\d{1,2} \d[A-Z]{2}").all()


# --- links between datasets --------------------------------------------------------------


def test_every_referral_comes_from_a_ref_contact_of_the_same_child(city):
    referrals = city["referrals"]
    contacts = city["contacts"].set_index("contact_id")
    linked = referrals[referrals["contact_id"] != ""]
    assert len(linked) == len(referrals)
    contact = contacts.loc[linked["contact_id"]]
    assert (contact["child_id"].to_numpy() == linked["child_id"].to_numpy()).all()
    assert (contact["outcome"] == "REF").all()
    lag = dates(linked["referral_date"]).to_numpy() - dates(contact["contact_date"]).to_numpy()
    assert ((lag >= pd.Timedelta(0)) & (lag <= pd.Timedelta(days=2))).all()
    # ... and every REF contact made exactly one referral, with the contact's source.
    assert (contacts["outcome"] == "REF").sum() == linked["contact_id"].nunique() == len(linked)
    assert (contact["source"].to_numpy() == linked["source"].to_numpy()).all()


def test_every_s47_follows_a_referral_of_the_same_child(city):
    s47 = city["s47"]
    referrals = city["referrals"].set_index("referral_id")
    linked = s47[s47["referral_id"] != ""]
    assert len(linked) > 0.95 * len(s47)  # only enquiries started before the window lack one
    referral = referrals.loc[linked["referral_id"]]
    assert (referral["child_id"].to_numpy() == linked["child_id"].to_numpy()).all()
    assert (dates(referral["referral_date"]).to_numpy() <= dates(linked["start_date"]).to_numpy()).all()
    assert (referral["is_nfa"] == "N").all()


def test_every_cp_plan_starts_at_the_icpc_of_its_s47(city):
    plans = city["cp_plans"]
    s47 = city["s47"].set_index("s47_id")
    linked = plans[plans["s47_id"] != ""]
    assert len(linked) > 0.8 * len(plans)  # plans that started before the window lack one
    enquiry = s47.loc[linked["s47_id"]]
    assert (enquiry["outcome"] == "ICPC").all()
    assert (enquiry["icpc_date"].to_numpy() == linked["start_date"].to_numpy()).all()
    assert (enquiry["child_id"].to_numpy() == linked["child_id"].to_numpy()).all()


def test_s47_dates_and_outcomes_hang_together(city):
    s47 = city["s47"]
    start, end = dates(s47["start_date"]), dates(s47["end_date"])
    open_ = end.isna()
    assert 0 < open_.sum() < 0.05 * len(s47)
    assert (s47.loc[open_, ["outcome", "icpc_date"]] == "").all().all()
    assert (s47.loc[~open_, "outcome"] != "").all()
    days = (end - start).dt.days.dropna()
    assert days.between(5, 25).all()
    assert (s47.loc[s47["outcome"] != "ICPC", "icpc_date"] == "").all()
    assert set(s47.loc[s47["icpc_not_required"] == "Y", "outcome"]) == {"CIN"}


def test_a_child_is_never_on_two_plans_or_missing_twice_at_once(city):
    for dataset in (CP_PLANS, MISSING_EPISODES):
        df = city[dataset.name]
        df = df.assign(start=dates(df[dataset.event_date]), end=dates(df[dataset.end_date]))
        df = df.sort_values(["child_id", "start"])
        previous_end = df.groupby("child_id")["end"].shift()
        assert not (previous_end.notna() & (df["start"] < previous_end)).any(), dataset.name
        assert not (df.groupby("child_id")["end"].apply(lambda e: e.isna().sum()) > 1).any(), dataset.name


# --- calibration (the city, full size, financial years wholly inside the window) ----------


def per_year(df: pd.DataFrame, column: str) -> pd.Series:
    years = financial_year(df[column])
    return years[years.isin(FULL_YEARS)].value_counts().reindex(FULL_YEARS)


def test_contacts_and_referrals_per_year(city):
    assert per_year(city["contacts"], "contact_date").between(12_000, 15_000).all()
    assert per_year(city["referrals"], "referral_date").between(2_700, 3_300).all()
    conversion = (city["contacts"]["outcome"] == "REF").mean()
    assert 0.22 < conversion < 0.3  # about one contact in four becomes a referral
    assert 0.06 <= (city["referrals"]["is_nfa"] == "Y").mean() <= 0.08


def test_re_referrals_within_12_months(city):
    referrals = city["referrals"].assign(date=lambda d: pd.to_datetime(d["referral_date"]))
    referrals = referrals.sort_values(["child_id", "date"])
    previous = referrals.groupby("child_id")["date"].shift()
    referrals["re_referral"] = previous.notna() & (previous >= referrals["date"] - pd.DateOffset(months=12))
    referrals["year"] = financial_year(referrals["referral_date"])
    # From the second year on, every referral has a full 12 months of history in the data.
    rate = referrals.loc[referrals["year"].isin(FULL_YEARS[1:]), "re_referral"].mean()
    assert 0.21 <= rate <= 0.27
    # Some children come back after more than a year.
    assert (previous.notna() & ~referrals["re_referral"]).sum() > 100


def test_referrals_peak_in_june_and_october(city):
    referral_dates = city["referrals"]["referral_date"]
    counts = dates(referral_dates)[financial_year(referral_dates).isin(FULL_YEARS)].dt.month.value_counts()
    assert set(counts.nlargest(2).index) == {6, 10}


def test_s47s_per_month_peak_in_july_and_november(city):
    s47 = city["s47"]
    assert 105 <= per_year(s47, "start_date").sum() / 48 <= 130
    months = dates(s47["start_date"])[financial_year(s47["start_date"]).isin(FULL_YEARS)].dt.month
    assert set(months.value_counts().nlargest(2).index) == {7, 11}
    outcomes = s47.loc[s47["outcome"] != "", "outcome"].value_counts(normalize=True)
    assert 0.3 <= outcomes["ICPC"] <= 0.4 and 0.1 <= outcomes["NFA"] <= 0.16
    assert 0.47 <= outcomes["CIN"] <= 0.57


def test_icpcs_within_15_working_days(city):
    icpcs = city["s47"][city["s47"]["icpc_date"] != ""]
    icpcs = icpcs[financial_year(icpcs["icpc_date"]).isin(FULL_YEARS)]
    working_days = np.busday_count(
        icpcs["start_date"].to_numpy(dtype="datetime64[D]"),
        icpcs["icpc_date"].to_numpy(dtype="datetime64[D]"),
        holidays=BANK_HOLIDAYS,
    )
    assert 0.75 <= (working_days <= 15).mean() <= 0.85
    assert working_days.max() <= 30
    assert (np.is_busday(icpcs["icpc_date"].to_numpy(dtype="datetime64[D]"), holidays=BANK_HOLIDAYS)).all()
    assert 440 <= len(icpcs) / 4 <= 560  # about 500 ICPCs a year


def test_cp_plans(city):
    plans = city["cp_plans"]
    plans = plans.assign(start=dates(plans["start_date"]), end=dates(plans["end_date"]))
    categories = plans["initial_category"].value_counts(normalize=True)
    assert categories.index[0] == "NEG" and 0.4 <= categories["NEG"] <= 0.55
    assert (plans["latest_category"] == plans["initial_category"]).mean() > 0.85

    started = plans[financial_year(plans["start_date"]).isin(FULL_YEARS)]
    repeat = started["previous_plans"].astype(int) > 0
    assert 0.25 <= repeat.mean() <= 0.32
    # Some repeat plans follow an earlier plan in the data; the rest one from before it.
    earlier_in_data = started["child_id"].map(plans.groupby("child_id")["start"].min()) < started["start"]
    assert 0 < (repeat & earlier_in_data).sum() < repeat.sum()

    for year_end in pd.to_datetime(["2023-03-31", "2024-03-31", "2025-03-31", "2026-03-31"]):
        on_plan = plans[(plans["start"] <= year_end) & (plans["end"].isna() | (plans["end"] > year_end))]
        assert 400 <= len(on_plan) <= 550
        two_years = (on_plan["start"] <= year_end - pd.DateOffset(years=2)).mean()
        assert two_years <= 0.05
    ended = plans.dropna(subset=["end"])
    assert 8 <= ((ended["end"] - ended["start"]).dt.days.median() / 30.44) <= 11

    # The stock rises over the second half of the latest year.
    def stock(day: str) -> int:
        t = pd.Timestamp(day)
        return int(((plans["start"] <= t) & (plans["end"].isna() | (plans["end"] > t))).sum())

    assert stock("2026-10-31") > stock("2026-04-30")


def test_missing_episodes(city):
    episodes = city["missing_episodes"]
    in_care = episodes[episodes["in_care"] == "Y"]
    assert per_year(in_care, "start_datetime").between(850, 1_050).all()
    assert per_year(episodes[episodes["in_care"] == "N"], "start_datetime").between(900, 1_400).all()
    assert 0.15 <= (episodes["missing_type"] == "A").mean() <= 0.25
    assert set(episodes.loc[episodes["missing_type"] == "A", "in_care"]) == {"Y"}

    # A minority of children account for many episodes.
    per_child = in_care["child_id"].value_counts()
    assert per_child.max() >= 20 and per_child.head(len(per_child) // 5).sum() > 0.4 * len(in_care)

    ended = episodes[episodes["end_datetime"] != ""]
    assert 0 < len(episodes) - len(ended) < 30
    returned = pd.to_datetime(ended["end_datetime"])
    offered = dates(ended["rhi_offered_datetime"])
    assert 0.6 <= ((offered - returned) <= pd.Timedelta(hours=72)).mean() <= 0.67
    accepted = ended.loc[offered.notna(), "rhi_accepted"]
    assert 0.6 <= (accepted == "Y").mean() <= 0.7
    assert (ended.loc[offered.isna(), "rhi_accepted"] == "").all()
    agency = episodes.groupby("in_care")["reporting_agency"].agg(lambda a: a.value_counts().index[0])
    assert agency.to_dict() == {"N": "PAR", "Y": "CAR"}


def test_schools_share_of_contacts_rises_and_police_are_the_largest_source(city):
    contacts = city["contacts"].assign(year=lambda d: financial_year(d["contact_date"]))
    contacts = contacts[contacts["year"].isin(FULL_YEARS)]
    schools = contacts.groupby("year")["source"].apply(lambda s: (s == "2A").mean())
    assert 0.19 <= schools[2022] <= 0.23 and 0.23 <= schools[2025] <= 0.27
    assert contacts["source"].value_counts().index[0] == "6"


# --- the bad rows file -------------------------------------------------------------------


def test_bad_rows_file_is_the_months_good_rows_plus_one_broken_row_per_rule(city_dir, city):
    bad = read(city_dir / "bad" / f"{CITY}_contacts_bad_rows.csv")
    assert list(bad.columns) == list(CONTACTS.column_names)
    assert (bad["coverage_start"] == "2026-10-01").all() and (bad["coverage_end"] == "2026-10-31").all()

    month = city["contacts"][city["contacts"]["contact_date"] >= "2026-10-01"].drop(
        columns=["coverage_start", "coverage_end"]
    )
    n_good = len(month)
    first_bad = n_good - GOOD_ROWS_AFTER_BAD
    bad_rows = bad.iloc[first_bad : first_bad + len(BAD_ROW_CASES)]
    good_rows = bad.drop(index=bad_rows.index).drop(columns=["coverage_start", "coverage_end"])
    assert len(bad) == n_good + len(BAD_ROW_CASES)
    pd.testing.assert_frame_equal(good_rows.reset_index(drop=True), month.reset_index(drop=True))

    sources, outcomes = reference_codes("referral_source"), reference_codes("contact_outcome")

    def broken_rules(row: pd.Series, ids_of_other_rows: set[str]) -> list[str]:
        rules = []
        if row["source"] not in sources:
            rules.append("unknown source code")
        parsed = pd.to_datetime(row["contact_date"], format="%Y-%m-%d", errors="coerce")
        if pd.isna(parsed):
            rules.append("unparseable contact_date")
        elif parsed.date() > AS_OF:
            rules.append("contact_date in the future")
        if row["child_id"] == "":
            rules.append("missing child_id")
        if row["contact_id"] in ids_of_other_rows:
            rules.append("duplicate contact_id")
        if row["outcome"] not in outcomes:
            rules.append("unknown outcome code")
        return rules

    good_ids = set(good_rows["contact_id"])
    broken = [broken_rules(row, good_ids) for _, row in bad_rows.iterrows()]
    assert broken == [[case] for case in BAD_ROW_CASES]
    assert good_rows["contact_id"].is_unique
    assert all(broken_rules(row, set()) == [] for _, row in good_rows.iterrows())


# --- national ----------------------------------------------------------------------------


def test_national_scales_each_la_by_its_population_and_writes_no_bad_rows(tmp_path):
    rutland, city_of_london = "E06000017", "E09000001"  # 8,012 and 847 children
    las = [rutland, city_of_london]
    files = generate_national(tmp_path / "one", AS_OF, seed=1, la_codes=las, years=2, workers=1)
    assert [f.name for f in files[:2]] == [f"{rutland}_areas.csv", f"{city_of_london}_areas.csv"]
    # each LA's areas, social care's six extracts and its partner agencies' four
    assert len(files) == 2 * (1 + 6 + 4) and not (tmp_path / "one" / "bad").exists()

    contacts = read(tmp_path / "one" / f"{rutland}_contacts.csv")
    assert (contacts["coverage_start"] == "2025-04-01").all()  # two financial years, the latest to date
    years = (date(2026, 10, 31) - date(2025, 4, 1)).days / 365.25
    expected = 12_800 * 8_012 / 61_206 * years
    assert 0.9 * expected <= len(contacts) <= 1.1 * expected
    assert list(contacts.columns) == list(CONTACTS.column_names)
    # its partners' extracts are the city's too, scaled the same way: 110 early help assessments a month
    early_help = read(tmp_path / "one" / f"{rutland}_early_help_episodes.csv")
    expected = 110 * 8_012 / 61_206 * 19  # April 2025 to October 2026
    assert 0.85 * expected <= (early_help["start_date"] >= "2025-04-01").sum() <= 1.15 * expected
    for dataset in (REFERRALS, MISSING_EPISODES):
        columns = read(tmp_path / "one" / f"{city_of_london}_{dataset.name}.csv").columns
        assert list(columns) == list(dataset.column_names)

    # The same files whatever the number of threads.
    again = generate_national(tmp_path / "two", AS_OF, seed=1, la_codes=las, years=2, workers=2)
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in again]


def test_national_keeps_the_demo_las_calibration(tmp_path):
    generate_national(tmp_path, AS_OF, seed=2026, la_codes=[CITY], years=5)
    demo = generate_demo(tmp_path / "demo", AS_OF, seed=2026, la_codes=[CITY])
    for f in demo:  # social care's files and the partner agencies'
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


def test_demo_assessments_follow_referrals_with_plausible_factor_shares(small):
    out, _ = small
    assessments = read(out / f"{CITY}_assessments.csv")
    referrals = read(out / f"{CITY}_referrals.csv").set_index("referral_id")
    followed = referrals.loc[assessments["referral_id"]]
    # Each starts on or after its referral, for the same child, and none after a referral closed with NFA.
    assert (assessments["start_date"].to_numpy() >= followed["referral_date"].to_numpy()).all()
    assert (assessments["child_id"].to_numpy() == followed["child_id"].to_numpy()).all()
    assert (followed["is_nfa"] != "Y").all()
    completed = assessments[(assessments["authorised_date"] != "") & (assessments["factors"] != "")]
    codes = completed["factors"].str.split(";")
    share = {code: codes.map(lambda found, c=code: c in found).mean() for code in ("3B", "16A", "24A")}
    # Newcastle's c3 2024/25 shares (37%, 24%, 4%), each varied by at most 15% per LA, give or take sampling.
    assert 0.28 < share["3B"] < 0.46 and 0.17 < share["16A"] < 0.32 and 0.015 < share["24A"] < 0.07


def test_no_generated_date_falls_after_its_extracts_window(tmp_path):
    """Every date of every extract of a big LA (Birmingham, five years) is on or before the window's
    end, 31 October 2026, a Saturday: a date moved to the next weekday must not leave the window,
    or the load rejects its row."""
    files = generate_national(tmp_path, AS_OF, seed=1, la_codes=["E08000025"], years=5, workers=1)
    late = {}
    for path in files[1:]:  # the areas file has no dates
        dataset = active_model().datasets[path.stem.split("_", 1)[1]]
        frame = read(path)
        for column in dataset.columns:
            if column.kind is Kind.DATE and column.name not in ("coverage_start", "coverage_end"):
                after = frame[frame[column.name].fillna("") > frame["coverage_end"]]
                if len(after):
                    late[f"{path.name}.{column.name}"] = after[column.name].max()
    assert late == {}
