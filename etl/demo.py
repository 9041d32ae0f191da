"""Synthetic demo data: native extract CSVs for a city, a county, or every LA in England.

The generator simulates the children's social care pathway the dashboard measures, so the
KPIs computed from its files behave like real ones:

    contact --(REF)--> referral --> section 47 enquiry --(ICPC)--> child protection plan
    missing episodes (children in care and not in care), partly for the same children

Referrals come in chains per child (re-referrals), simulated from three years before the
window so the window starts in a steady state: children have earlier referrals, plans are
already open on its first day, and some plans have lasted two years. Records that stay open
(S47 enquiries, CP plans) and were open on the first day of the window are written with their
real, earlier start date, as the extract format allows (`Dataset.carries_open_records`).
Flows (contacts, referrals, missing episodes) only ever hold events inside the window.

Everything is vectorised with numpy and written with pyarrow, so the whole of England
(153 LAs) takes well under two minutes. One seed gives byte-identical files: each LA draws
from its own random stream, derived from the seed and its LA code, so the files of an LA do
not depend on which other LAs are generated or on how many threads run.

Volumes are calibrated on the published DfE figures in warehouse/data/real and an LSCP
annual report (see DESIGN.md); the figures each profile aims at are written beside it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.demo_assessments import assessments_table
from etl.demo_columns import codes as _codes
from etl.demo_columns import dates as _dates
from etl.demo_columns import datetimes as _datetimes
from etl.demo_columns import day_number as _day
from etl.demo_columns import write_csv as _write_csv
from etl.demo_partners import write_partner_extracts
from warehouse.model.datasets import Dataset
from warehouse.model.files import active_model

REPO_ROOT = Path(__file__).resolve().parents[1]
ONS_POPULATION_CSV = REPO_ROOT / "warehouse/data/real/ons_mid-year_population_estimates_2012_to_2024.csv"

# Datasets in the order their files are listed and loaded: referrals link to contacts,
# S47s to referrals and plans to S47s.
DEMO_DATASETS: tuple[Dataset, ...] = tuple(
    active_model().datasets[name]
    for name in ("contacts", "referrals", "s47", "cp_plans", "missing_episodes", "assessments")
)
AREAS_COLUMNS = ("la_code", "area_code", "area_name")
BAD_ROW_CASES = (
    "unknown source code",
    "unparseable contact_date",
    "contact_date in the future",
    "missing child_id",
    "duplicate contact_id",
    "unknown outcome code",
)
GOOD_ROWS_AFTER_BAD = 2  # the bad rows sit just before the last two good rows of the month

BURN_IN_YEARS = 3  # simulated before the window so it opens with history and open plans
REFERENCE_POPULATION = 61_206  # Newcastle upon Tyne, ONS mid-2024, children aged 0-17
LAST_DAY_AGED_17 = 6_573  # days after birth that are always before the 18th birthday
ADULT_MARGIN_DAYS = 60  # a referral leaves room for its S47 and ICPC before the child is 18
MINUTES_PER_DAY = 1_440

GENDER_MIX = {"M": 0.495, "F": 0.49, "U": 0.015}
DISABILITY_SHARE = 0.08
POSTCODE_UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))  # letters used in the unit part
# Age (years) of a child at their first referral or contact: babies are over-represented.
FIRST_EVENT_AGE_WEIGHTS = np.array([10, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 4.5, 4.5])

# Monthly multipliers (January first). Referrals peak in June and October and dip in the
# school holidays; S47s peak a month later (July and November), so the chance a referral
# leads to an S47 is seasonal too.
REFERRAL_MONTHS = np.array([1.0, 0.98, 1.0, 0.92, 1.0, 1.2, 1.02, 0.84, 1.0, 1.2, 1.02, 0.86])
S47_CONVERSION_MONTHS = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 1.25, 1.06, 0.98, 0.8, 1.25, 1.0])
MISSING_MONTHS = np.array([0.9, 0.92, 1.0, 1.0, 1.05, 1.1, 1.12, 1.1, 1.0, 1.0, 0.95, 0.9])
OFFICE_WEEKDAYS = np.array([1.1, 1.0, 1.0, 1.0, 0.95, 0.15, 0.12])  # Monday first
OFFICE_BANK_HOLIDAY = 0.2
MISSING_START_HOURS = np.array(
    [4, 3, 2, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 6, 8, 8, 8, 8, 8, 7, 6, 5], dtype=float
)

RE_REFERRAL_GAP_WITHIN_YEAR = 0.7  # share of a child's repeat referrals that come within 12 months
REF_CONTACT_LAG_DAYS = {0: 0.55, 1: 0.35, 2: 0.10}  # referral_date minus contact_date
NON_REF_CONTACT_OUTCOMES = {"EH": 0.32, "IA": 0.30, "NFA": 0.28, "OTH": 0.10}
KNOWN_CHILD_CONTACT_SHARE = 0.3  # non-referral contacts about children who are referred at some point
S47_START_LAG_DAYS = np.array([0.12, 0.25, 0.2, 0.15, 0.1, 0.08, 0.05, 0.05])
ICPC_WORKING_DAYS_ON_TIME = (np.arange(6, 16), np.array([1, 1, 1, 1, 2, 4, 8, 14, 18, 20], dtype=float))
ICPC_WORKING_DAYS_LATE = (np.arange(16, 31), np.linspace(3, 1, 15))
ICPC_RAMP_DAYS = 183  # ICPCs become more frequent over the last six months: the CP stock rises
ICPC_RAMP_FROM_CIN = 0.4  # share of CIN outcomes that become ICPCs by the window end
CP_CATEGORY_MIX = {"NEG": 0.47, "EMO": 0.30, "PHY": 0.08, "SAB": 0.04, "MUL": 0.11}
CP_CATEGORY_CHANGED_SHARE = 0.1
CP_EARLIER_PLANS_BEFORE_DATA = {1: 0.72, 2: 0.2, 3: 0.08}
MISSING_OVERSAMPLE = 2.0  # episodes drawn per episode kept: a child missing often has many overlaps
RHI_OFFER_TIMING = {"within 72 hours": 0.63, "later": 0.17, "none": 0.20}
RHI_ACCEPTED_SHARE = 0.65

CITY_ETHNICITY = {
    "WBRI": 0.70, "WIRI": 0.003, "WIRT": 0.002, "WROM": 0.006, "WOTH": 0.035,
    "MWBC": 0.01, "MWBA": 0.012, "MWAS": 0.015, "MOTH": 0.02,
    "AIND": 0.01, "APKN": 0.03, "ABAN": 0.025, "AOTH": 0.02, "CHNE": 0.006,
    "BCRB": 0.002, "BAFR": 0.035, "BOTH": 0.006, "OOTH": 0.025, "REFU": 0.003, "NOBT": 0.015,
}  # fmt: skip
COUNTY_ETHNICITY = {
    "WBRI": 0.93, "WIRI": 0.002, "WIRT": 0.002, "WROM": 0.003, "WOTH": 0.018,
    "MWBC": 0.005, "MWBA": 0.003, "MWAS": 0.007, "MOTH": 0.008,
    "AIND": 0.002, "APKN": 0.001, "ABAN": 0.001, "AOTH": 0.003, "CHNE": 0.002,
    "BAFR": 0.002, "BOTH": 0.001, "OOTH": 0.003, "REFU": 0.002, "NOBT": 0.005,
}  # fmt: skip

# Contact sources other than schools (2A), whose share is set per profile and rises over the
# window. Police are the largest single source in both LAs (LAIT RefBySource_Police_%).
CITY_SOURCES = {
    "6": 0.31, "2B": 0.02, "3A": 0.03, "3B": 0.03, "3C": 0.01, "3D": 0.02, "3E": 0.04, "3F": 0.02,
    "1A": 0.06, "1B": 0.01, "1C": 0.01, "1D": 0.02, "5A": 0.03, "5B": 0.03, "5C": 0.02, "5D": 0.04,
    "4": 0.02, "7": 0.01, "8": 0.03, "9": 0.02, "10": 0.01,
}  # fmt: skip
COUNTY_SOURCES = {
    "6": 0.27, "2B": 0.02, "3A": 0.04, "3B": 0.04, "3C": 0.01, "3D": 0.03, "3E": 0.04, "3F": 0.03,
    "1A": 0.06, "1B": 0.01, "1C": 0.01, "1D": 0.02, "5A": 0.03, "5B": 0.03, "5C": 0.02, "5D": 0.05,
    "4": 0.02, "7": 0.01, "8": 0.03, "9": 0.02, "10": 0.01,
}  # fmt: skip


@dataclass(frozen=True)
class MissingGroup:
    """Children who go missing, in care or not: how many, how often and for how long."""

    episodes_per_year: float
    children_per_year: float  # children going missing in a year (before the skew leaves some at 0)
    active_months: tuple[int, int]  # a child goes missing over a spell of this many months
    propensity_sigma: float  # log-normal spread: a few children account for many episodes
    start_ages: tuple[int, int]  # age when the spell starts
    recruited_share: float  # share of these children already known from referrals or plans
    away_share: float  # episodes "away from placement without authorisation"
    agencies: dict[str, float]
    trend_per_year: float = 0.0


@dataclass(frozen=True)
class Profile:
    """Annual volumes and rates an LA's demo data is calibrated to."""

    contacts_per_year: float
    referrals_per_year: float
    re_referral_rate: float  # within 12 months of a previous referral of the same child
    referral_nfa_rate: float
    s47_per_year: float
    icpc_share: float  # S47 outcomes
    s47_nfa_share: float  # the rest continue as child in need
    icpc_not_required_share: float  # of S47s continuing as child in need
    icpc_within_15wd: float
    cp_median_days: float
    cp_two_years_share: float  # plans lasting two years or more
    cp_repeat_rate: float
    school_share: tuple[float, float]  # contacts from schools at the start and end of the window
    other_sources: dict[str, float]
    ethnicity: dict[str, float]
    missing_in_care: MissingGroup
    missing_not_in_care: MissingGroup

    def scaled(self, factor: float) -> Profile:
        """The same LA with every volume multiplied by `factor` (rates are unchanged)."""

        def group(g: MissingGroup) -> MissingGroup:
            return replace(
                g,
                episodes_per_year=g.episodes_per_year * factor,
                children_per_year=g.children_per_year * factor,
            )

        return replace(
            self,
            contacts_per_year=self.contacts_per_year * factor,
            referrals_per_year=self.referrals_per_year * factor,
            s47_per_year=self.s47_per_year * factor,
            missing_in_care=group(self.missing_in_care),
            missing_not_in_care=group(self.missing_not_in_care),
        )


@dataclass(frozen=True)
class DemoArea:
    code: str
    name: str
    weight: float  # share of the LA's children known to services: deprived areas more
    postcode_districts: tuple[str, ...]


@dataclass(frozen=True)
class DemoLa:
    code: str
    name: str
    prefix: str  # starts child and record IDs, as a case system would
    population: int  # ONS mid-2024, children aged 0-17
    areas: tuple[DemoArea, ...]
    profile: Profile

    @property
    def stream_key(self) -> int:
        """The LA's own random stream: E08000021 -> 8000021."""
        return int(self.code[1:])


IN_CARE_AGENCIES = {"CAR": 0.8, "POL": 0.15, "SCH": 0.02, "OTH": 0.03}
NOT_IN_CARE_AGENCIES = {"PAR": 0.75, "POL": 0.15, "SCH": 0.05, "HEA": 0.02, "OTH": 0.03}

# Newcastle upon Tyne: the LSCP annual report of DESIGN.md (13,477 contacts, 2,992 referrals,
# re-referrals 23.8%, ~117 S47s a month, 499 ICPCs, S47 NFA 13%, 947 missing incidents in care)
# and DfE c1/c4/d3/d5. Contacts are set a little below the report so that one contact in four
# becomes a referral (each REF contact makes exactly one referral).
CITY_PROFILE = Profile(
    contacts_per_year=12_800,
    referrals_per_year=3_150,
    re_referral_rate=0.255,
    referral_nfa_rate=0.07,
    s47_per_year=1_400,
    icpc_share=0.36,
    s47_nfa_share=0.13,
    icpc_not_required_share=0.05,
    icpc_within_15wd=0.80,
    cp_median_days=305,
    cp_two_years_share=0.065,
    cp_repeat_rate=0.28,
    school_share=(0.21, 0.25),
    other_sources=CITY_SOURCES,
    ethnicity=CITY_ETHNICITY,
    missing_in_care=MissingGroup(
        episodes_per_year=950,
        children_per_year=95,
        active_months=(4, 30),
        propensity_sigma=1.0,
        start_ages=(10, 16),
        recruited_share=0.4,
        away_share=0.42,
        agencies=IN_CARE_AGENCIES,
        trend_per_year=0.01,
    ),
    missing_not_in_care=MissingGroup(
        episodes_per_year=1_100,
        children_per_year=380,
        active_months=(1, 12),
        propensity_sigma=0.8,
        start_ages=(11, 16),
        recruited_share=0.4,
        away_share=0.0,  # "away" is from a placement, so only children in care can be away
        agencies=NOT_IN_CARE_AGENCIES,
    ),
)

# Northumberland, DfE 2022/23-2024/25: ~3,000 referrals, re-referrals 17-20%, NFA ~1%,
# ~1,090 S47s of which about half lead to an ICPC, 90% of ICPCs within 15 working days,
# 464-545 plans a year, 308-416 open at 31 March, almost none 2+ years, repeats 26-35%,
# ~350 missing incidents in care by ~64 children. Schools and health (LAIT) as published.
COUNTY_PROFILE = replace(
    CITY_PROFILE,
    contacts_per_year=12_000,
    referrals_per_year=3_000,
    re_referral_rate=0.19,
    referral_nfa_rate=0.01,
    s47_per_year=1_090,
    icpc_share=0.47,
    s47_nfa_share=0.10,
    icpc_within_15wd=0.90,
    cp_median_days=240,
    cp_two_years_share=0.01,
    cp_repeat_rate=0.30,
    school_share=(0.16, 0.19),
    other_sources=COUNTY_SOURCES,
    ethnicity=COUNTY_ETHNICITY,
    missing_in_care=replace(CITY_PROFILE.missing_in_care, episodes_per_year=350, children_per_year=64),
    missing_not_in_care=replace(
        CITY_PROFILE.missing_not_in_care, episodes_per_year=700, children_per_year=250
    ),
)

DEMO_LAS: dict[str, DemoLa] = {
    "E08000021": DemoLa(
        code="E08000021",
        name="Newcastle upon Tyne",
        prefix="NCL",
        population=61_206,
        areas=(
            DemoArea("NCL-W", "West", 0.28, ("NE4",)),
            DemoArea("NCL-E", "East", 0.25, ("NE6",)),
            DemoArea("NCL-O", "Outer West", 0.17, ("NE5", "NE15")),
            DemoArea("NCL-N", "North", 0.18, ("NE3", "NE7", "NE12", "NE13")),
            DemoArea("NCL-C", "Central", 0.12, ("NE1", "NE2")),
        ),
        profile=CITY_PROFILE,
    ),
    "E06000057": DemoLa(
        code="E06000057",
        name="Northumberland",
        prefix="NLD",
        population=59_056,
        areas=(
            DemoArea("NLD-C", "Central", 0.27, ("NE61", "NE63", "NE64")),
            DemoArea("NLD-BL", "Blyth", 0.22, ("NE24",)),
            DemoArea("NLD-SE", "South East", 0.20, ("NE22", "NE23", "NE62")),
            DemoArea("NLD-W", "West", 0.16, ("NE42", "NE43", "NE46", "NE47", "NE48", "NE49")),
            DemoArea("NLD-N", "North Northumberland", 0.15, ("NE65", "NE66", "NE67", "NE68", "NE70", "NE71")),
        ),
        profile=COUNTY_PROFILE,
    ),
}


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------


def demo_window(as_of: date, years: int = 5) -> tuple[date, date]:
    """`years` - 1 full financial years plus the current one to the end of the last complete month."""
    return _window(as_of, years)


def generate_demo(
    out_dir: Path,
    as_of: date,
    seed: int = 2026,
    la_codes: Sequence[str] | None = None,
    scale: float = 1.0,
) -> list[Path]:
    """Write the demo extracts of the demo LAs, plus one file of deliberately bad rows.

    Returns the good files: every areas file first (facts refer to areas), then each LA's
    datasets in `DEMO_DATASETS` order, then its partner agencies' (etl/demo_partners.py). The bad rows file is `bad/{first LA}_contacts_bad_rows.csv`.
    """
    codes = list(DEMO_LAS) if la_codes is None else list(la_codes)
    unknown = [c for c in codes if c not in DEMO_LAS]
    if unknown:
        raise ValueError(f"no demo LA {', '.join(unknown)}; choose from {', '.join(DEMO_LAS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = demo_window(as_of)
    areas_files, dataset_files = [], []
    for code in codes:
        la = DEMO_LAS[code]
        tables = _simulate_la(la, window, seed, scale)
        areas_files.append(_write_areas(la, out_dir))
        dataset_files += _write_datasets(la, tables, out_dir)
        dataset_files += write_partner_extracts(la, tables, window, seed, out_dir, scale)
        if code == codes[0]:
            _write_bad_contacts(la, tables["contacts"], window, as_of, seed, out_dir / "bad")
    return areas_files + dataset_files


def generate_national(
    out_dir: Path,
    as_of: date,
    seed: int,
    la_codes: Sequence[str],
    years: int = 5,
    workers: int | None = None,
    adjust_profile: Callable[[Profile], Profile] | None = None,
) -> list[Path]:
    """The demo generator for many LAs, each scaled by its ONS 0-17 population.

    `years` financial years end at the last complete month before `as_of` (the current one
    partial). The demo LAs keep their own calibration; every other LA is the city scaled by
    its population relative to Newcastle. LAs run in parallel on `workers` threads
    (default: the CPUs available); the files do not depend on how many. `adjust_profile`, if
    given, rewrites every LA's profile first (the benchmarks use it to aim at national volumes).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = _window(as_of, years)
    las = [_national_la(code) for code in la_codes]
    if adjust_profile is not None:
        las = [replace(la, profile=adjust_profile(la.profile)) for la in las]
    workers = workers or len(os.sched_getaffinity(0))
    # Threads, not processes: numpy and pyarrow release the GIL for the heavy work, and a
    # thread pool needs no `if __name__ == "__main__"` guard in the calling script.
    with ThreadPoolExecutor(max(1, workers)) as pool:
        written = list(pool.map(lambda la: _generate_la_files(la, window, seed, out_dir), las))
    return [files[0] for files in written] + [f for files in written for f in files[1:]]


def ons_population(la_code: str) -> int:
    """An English LA's children aged 0 to 17, ONS mid-2024 estimate."""
    return _ons_population_2024()[la_code][1]


def english_la_codes() -> list[str]:
    """New LA codes of the 153 English LAs with a 2024 ONS population estimate."""
    return list(_ons_population_2024())


# ----------------------------------------------------------------------------------------
# Windows, calendars and seasonality
# ----------------------------------------------------------------------------------------


def _window(as_of: date, years: int) -> tuple[date, date]:
    """`years` financial years, the current one (started before `as_of`) only to date."""
    current_fy_start_year = as_of.year if as_of.month >= 4 else as_of.year - 1
    start = date(current_fy_start_year - (years - 1), 4, 1)
    end = as_of.replace(day=1) - timedelta(days=1)
    if end < start:
        raise ValueError(f"no complete month between {start} and {as_of}: ask for more years")
    return start, end


@dataclass(frozen=True)
class _Calendar:
    """Every simulated day (burn-in and window) with what seasonality needs to know."""

    days: np.ndarray  # day numbers
    month: np.ndarray  # 1-12
    weekday: np.ndarray  # 0 = Monday
    bank_holiday: np.ndarray  # bool
    busdays: np.busdaycalendar  # weekends and English bank holidays off

    @property
    def first(self) -> int:
        return int(self.days[0])

    def cumulative_weights(
        self, months: np.ndarray, weekdays: np.ndarray, bank_holiday: float = 1.0
    ) -> np.ndarray:
        """Cumulative day weights, normalised to one a day on average.

        Events are simulated in "busy time" (a gap of a year is a year, whatever the season)
        and mapped to calendar days through these weights, so seasonality shapes the
        monthly counts without changing how far apart a child's events are.
        """
        w = months[self.month - 1] * weekdays[self.weekday] * np.where(self.bank_holiday, bank_holiday, 1.0)
        return np.cumsum(w * (len(w) / w.sum()))

    def days_at(self, cumulative: np.ndarray, busy_time: np.ndarray) -> np.ndarray:
        index = np.minimum(np.searchsorted(cumulative, busy_time, side="right"), len(cumulative) - 1)
        return self.days[index]

    def working_day_on_or_after(self, days: np.ndarray) -> np.ndarray:
        return self.add_working_days(days, 0)

    def add_working_days(self, days: np.ndarray, working_days: np.ndarray | int) -> np.ndarray:
        dates = days.astype("datetime64[D]")
        return np.busday_offset(dates, working_days, roll="forward", busdaycal=self.busdays).astype(np.int64)


@functools.lru_cache(maxsize=4)
def _calendar(first: date, last: date) -> _Calendar:
    days = np.arange(_day(first), _day(last) + 1, dtype=np.int64)
    dates = days.astype("datetime64[D]")
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 2))
    holiday_dates = np.array(sorted(bank_holidays), dtype="datetime64[D]")
    return _Calendar(
        days=days,
        month=dates.astype("datetime64[M]").astype(np.int64) % 12 + 1,
        weekday=(days + 3) % 7,  # 1970-01-01 was a Thursday
        bank_holiday=np.isin(dates, holiday_dates),
        busdays=np.busdaycalendar(holidays=holiday_dates),
    )


# ----------------------------------------------------------------------------------------
# Simulation
# ----------------------------------------------------------------------------------------


def _choice(rng: np.random.Generator, mix: Mapping[Any, float], size: int) -> np.ndarray:
    """Indices into `list(mix)`, drawn with the mix's (normalised) weights."""
    weights = np.array(list(mix.values()), dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _truncated_exponential(rng: np.random.Generator, scale: float, upper: float, size: int) -> np.ndarray:
    u = rng.random(size)
    return -scale * np.log1p(-u * (1 - np.exp(-upper / scale)))


class _Children:
    """Every child of an LA. Events refer to children by index; attributes are drawn once,
    so a child's birth date, gender, ethnicity, area and postcode agree on every row."""

    def __init__(self) -> None:
        self._birth_days: list[np.ndarray] = []
        self.count = 0

    def add(self, birth_days: np.ndarray) -> np.ndarray:
        self._birth_days.append(birth_days.astype(np.int64))
        index = np.arange(self.count, self.count + len(birth_days))
        self.count += len(birth_days)
        return index

    @property
    def birth_day(self) -> np.ndarray:
        return np.concatenate(self._birth_days) if self._birth_days else np.zeros(0, np.int64)

    def born_before(self, rng: np.random.Generator, first_event_days: np.ndarray) -> np.ndarray:
        """Add children whose first event falls at a typical age, and return their indices."""
        ages = rng.choice(len(FIRST_EVENT_AGE_WEIGHTS), size=len(first_event_days),
                          p=FIRST_EVENT_AGE_WEIGHTS / FIRST_EVENT_AGE_WEIGHTS.sum())  # fmt: skip
        age_days = np.maximum((ages + rng.random(len(ages))) * 365.25, 7).astype(np.int64)
        return self.add(first_event_days - age_days)


@dataclass
class _Referrals:
    child: np.ndarray
    day: np.ndarray
    is_nfa: np.ndarray
    source: np.ndarray = None  # type: ignore[assignment]  # set with the contacts
    contact: np.ndarray = None  # type: ignore[assignment]  # index of its REF contact, -1 if none


def _simulate_referrals(
    rng: np.random.Generator, profile: Profile, cal: _Calendar, children: _Children
) -> _Referrals:
    """Referrals in chains per child, so re-referrals happen at a realistic rate.

    A chain continues with probability c after each referral; the next one comes within a
    year with probability RE_REFERRAL_GAP_WITHIN_YEAR, so about c x that share of referrals
    are re-referrals within 12 months, and some children come back after longer.
    """
    cumulative = cal.cumulative_weights(REFERRAL_MONTHS, OFFICE_WEEKDAYS, OFFICE_BANK_HOLIDAY)
    continue_p = profile.re_referral_rate / RE_REFERRAL_GAP_WITHIN_YEAR
    n_chains = rng.poisson(profile.referrals_per_year * (1 - continue_p) * len(cal.days) / 365.25)
    lengths = rng.geometric(1 - continue_p, n_chains)
    n = int(lengths.sum())
    chain_start = np.cumsum(lengths) - lengths

    within_year = rng.random(n) < RE_REFERRAL_GAP_WITHIN_YEAR
    gaps = np.where(
        within_year,
        14 + _truncated_exponential(rng, 110, 345, n),
        365 + _truncated_exponential(rng, 350, 1100, n),
    )
    gaps[chain_start] = rng.uniform(0, cumulative[-1], n_chains)  # first referral of the child
    busy_time = np.cumsum(gaps)
    busy_time -= np.repeat(busy_time[chain_start] - gaps[chain_start], lengths)
    chain = np.repeat(np.arange(n_chains), lengths)
    days = cal.days_at(cumulative, busy_time)

    child_of_chain = children.born_before(rng, days[chain_start])
    child = child_of_chain[chain]
    # Chains stop when they run past the simulation or the child is nearly 18.
    last_day = children.birth_day[child] + LAST_DAY_AGED_17 - ADULT_MARGIN_DAYS
    keep = (busy_time < cumulative[-1]) & (days <= last_day)
    return _Referrals(
        child=child[keep],
        day=days[keep],
        is_nfa=rng.random(int(keep.sum())) < profile.referral_nfa_rate,
    )


@dataclass
class _S47s:
    child: np.ndarray
    referral: np.ndarray  # index into the referrals
    start: np.ndarray
    end: np.ndarray
    outcome: np.ndarray  # index into S47_OUTCOMES
    icpc: np.ndarray  # day of the ICPC (only meaningful when outcome is ICPC)
    icpc_not_required: np.ndarray


S47_OUTCOMES = ("ICPC", "CIN", "NFA")
ICPC, CIN, NFA = range(3)


@dataclass
class _Plans:
    child: np.ndarray
    s47: np.ndarray
    start: np.ndarray
    end: np.ndarray
    initial_category: np.ndarray
    latest_category: np.ndarray
    previous_plans: np.ndarray


def _simulate_s47s(
    rng: np.random.Generator, profile: Profile, cal: _Calendar, referrals: _Referrals, window: tuple[int, int]
) -> _S47s:
    """Some referrals lead to an S47 a few days later; outcomes, end dates and ICPC dates."""
    start_w, end_w = window
    month = cal.month[referrals.day - cal.first]
    conversion = S47_CONVERSION_MONTHS[month - 1] * ~referrals.is_nfa
    in_window = (referrals.day >= start_w) & (referrals.day <= end_w)
    # Aim at s47_per_year over the window, whatever the number of referrals drawn.
    window_years = (end_w - start_w + 1) / 365.25
    conversion *= profile.s47_per_year * window_years / max(conversion[in_window].sum(), 1.0)
    chosen = np.flatnonzero(rng.random(len(conversion)) < conversion)
    n = len(chosen)

    lag = rng.choice(len(S47_START_LAG_DAYS), size=n, p=S47_START_LAG_DAYS / S47_START_LAG_DAYS.sum())
    start = cal.working_day_on_or_after(referrals.day[chosen] + lag)

    # More ICPCs over the last six months, taken from CIN, so the CP stock rises.
    ramp = np.clip((start - (end_w - ICPC_RAMP_DAYS)) / ICPC_RAMP_DAYS, 0, 1)
    cin_share = 1 - profile.icpc_share - profile.s47_nfa_share
    icpc_share = profile.icpc_share + ICPC_RAMP_FROM_CIN * cin_share * ramp
    u = rng.random(n)
    outcome = np.where(u < icpc_share, ICPC, np.where(u > 1 - profile.s47_nfa_share, NFA, CIN))

    on_time = rng.random(n) < profile.icpc_within_15wd
    on_time_days, on_time_w = ICPC_WORKING_DAYS_ON_TIME
    late_days, late_w = ICPC_WORKING_DAYS_LATE
    working_days = np.where(
        on_time,
        rng.choice(on_time_days, size=n, p=on_time_w / on_time_w.sum()),
        rng.choice(late_days, size=n, p=late_w / late_w.sum()),
    )
    icpc = cal.add_working_days(start, working_days)
    end = start + rng.integers(5, 26, n)
    # The enquiry ends by the conference it recommends.
    end = np.where(outcome == ICPC, np.minimum(end, icpc), end)
    return _S47s(
        child=referrals.child[chosen],
        referral=chosen,
        start=start,
        end=end,
        outcome=outcome,
        icpc=icpc,
        icpc_not_required=(outcome == CIN) & (rng.random(n) < profile.icpc_not_required_share),
    )


def _plan_durations(rng: np.random.Generator, profile: Profile, n: int) -> np.ndarray:
    """Days a plan lasts: most end within two years (median around nine or ten months)."""
    typical = np.clip(rng.lognormal(np.log(profile.cp_median_days), 0.5, n), 56, 725)
    long = 730 + _truncated_exponential(rng, 180, 700, n)
    return np.where(rng.random(n) < profile.cp_two_years_share, long, typical).astype(np.int64)


def _simulate_plans(
    rng: np.random.Generator,
    profile: Profile,
    s47s: _S47s,
    children: _Children,
    window: tuple[int, int],
) -> _Plans:
    """One plan per ICPC held; a child already on a plan gets no new ICPC (their S47 continues as CIN)."""
    start_w, end_w = window
    n = len(s47s.start)
    duration = _plan_durations(rng, profile, n)
    initial = _choice(rng, CP_CATEGORY_MIX, n)
    changed = rng.random(n) < CP_CATEGORY_CHANGED_SHARE
    latest = np.where(changed, _choice(rng, CP_CATEGORY_MIX, n), initial)

    birth = children.birth_day
    plan_end_of_child = np.full(children.count, np.iinfo(np.int64).min)
    plans_of_child = np.zeros(children.count, np.int64)
    plan_s47: list[np.ndarray] = []
    plan_end: list[np.ndarray] = []
    plan_earlier: list[np.ndarray] = []

    # A child's conferences are resolved in order, one round per conference: whether a
    # child is still on a plan depends on the plans made in the rounds before.
    held = np.flatnonzero((s47s.outcome == ICPC) & (s47s.icpc <= end_w))
    held = held[np.lexsort((s47s.icpc[held], s47s.child[held]))]
    child = s47s.child[held]
    first_of_child = np.r_[True, child[1:] != child[:-1]]
    round_of = np.arange(len(held)) - np.maximum.accumulate(np.where(first_of_child, np.arange(len(held)), 0))
    for r in range(int(round_of.max(initial=-1)) + 1):
        these = held[round_of == r]
        kids = s47s.child[these]
        on_plan = plan_end_of_child[kids] >= s47s.icpc[these]
        s47s.outcome[these[on_plan]] = CIN
        these, kids = these[~on_plan], kids[~on_plan]
        ends = np.minimum(s47s.icpc[these] + duration[these], birth[kids] + LAST_DAY_AGED_17)
        plan_s47.append(these)
        plan_end.append(ends)
        plan_earlier.append(plans_of_child[kids].copy())
        plan_end_of_child[kids] = ends
        plans_of_child[kids] += 1

    s47 = np.concatenate(plan_s47) if plan_s47 else np.zeros(0, np.int64)
    earlier = np.concatenate(plan_earlier) if plan_earlier else np.zeros(0, np.int64)
    plan_child = s47s.child[s47]
    start = s47s.icpc[s47]

    # Repeat plans: some children's earlier plans are in the data; top the rest up with plans
    # from before it (another LA, or years ago) until the repeat rate is right.
    starts_in_window = (start >= start_w) & (start <= end_w)
    in_data_share = (earlier[starts_in_window] > 0).mean() if starts_in_window.any() else 0.0
    top_up = max(0.0, (profile.cp_repeat_rate - in_data_share) / (1 - in_data_share))
    earlier_counts = np.array(list(CP_EARLIER_PLANS_BEFORE_DATA))
    history = np.where(
        rng.random(children.count) < top_up,
        earlier_counts[_choice(rng, CP_EARLIER_PLANS_BEFORE_DATA, children.count)],
        0,
    )
    return _Plans(
        child=plan_child,
        s47=s47,
        start=start,
        end=np.concatenate(plan_end) if plan_end else np.zeros(0, np.int64),
        initial_category=initial[s47],
        latest_category=latest[s47],
        previous_plans=earlier + history[plan_child],
    )


@dataclass
class _Contacts:
    child: np.ndarray
    day: np.ndarray
    source: np.ndarray  # index into SOURCE_CODES of the profile
    outcome: np.ndarray  # index into CONTACT_OUTCOMES


CONTACT_OUTCOMES = ("REF", *NON_REF_CONTACT_OUTCOMES)


def _source_codes(profile: Profile) -> tuple[str, ...]:
    return ("2A", *profile.other_sources)


def _draw_sources(
    rng: np.random.Generator, profile: Profile, days: np.ndarray, window: tuple[int, int]
) -> np.ndarray:
    """Contact sources; the schools' share rises steadily across the window."""
    start_w, end_w = window
    progress = np.clip((days - start_w) / max(end_w - start_w, 1), 0, 1)
    school_share = profile.school_share[0] + (profile.school_share[1] - profile.school_share[0]) * progress
    others = 1 + _choice(rng, profile.other_sources, len(days))
    return np.where(rng.random(len(days)) < school_share, 0, others)


def _simulate_contacts(
    rng: np.random.Generator,
    profile: Profile,
    cal: _Calendar,
    referrals: _Referrals,
    children: _Children,
    window: tuple[int, int],
) -> _Contacts:
    """A REF contact for every referral in the window, plus other contacts: some about
    children referred at another time, most about children never referred."""
    start_w, end_w = window
    referred = np.flatnonzero((referrals.day >= start_w) & (referrals.day <= end_w))
    lag = rng.choice(list(REF_CONTACT_LAG_DAYS), size=len(referred), p=list(REF_CONTACT_LAG_DAYS.values()))
    ref_day = np.maximum(referrals.day[referred] - lag, start_w)
    birth = children.birth_day
    ref_day = np.maximum(ref_day, birth[referrals.child[referred]])

    window_years = (end_w - start_w + 1) / 365.25
    other_total = max(0, round(profile.contacts_per_year * window_years) - len(referred))
    known_total = round(other_total * KNOWN_CHILD_CONTACT_SHARE)

    # Known children: contacts in the months before or after one of their referrals.
    anchors = np.flatnonzero((referrals.day >= start_w - 240) & (referrals.day <= end_w + 240))
    pick = rng.choice(anchors, size=round(known_total * 1.3)) if len(anchors) else np.zeros(0, np.int64)
    known_child = referrals.child[pick]
    known_day = referrals.day[pick] + rng.integers(-240, 241, len(pick))
    ok = (known_day >= start_w) & (known_day <= end_w)
    ok &= (known_day >= birth[known_child]) & (known_day <= birth[known_child] + LAST_DAY_AGED_17)
    known_child, known_day = _take_at_most(rng, known_total, known_child[ok], known_day[ok])

    # Children only ever contacted: one contact usually, sometimes a few over the months.
    # Their first contacts start two years early, so the window opens in a steady state.
    new_total = other_total - len(known_child)
    cumulative = cal.cumulative_weights(REFERRAL_MONTHS, OFFICE_WEEKDAYS, OFFICE_BANK_HOLIDAY)
    window_from = cumulative[start_w - cal.first - 1] if start_w > cal.first else 0.0
    first_from = max(window_from - 730, 0.0)
    contacts_per_child = 1 / 0.7  # mean of the geometric number of contacts
    busy_share_in_window = (cumulative[-1] - window_from) / (cumulative[-1] - first_from)
    n_children = round(new_total / contacts_per_child / busy_share_in_window)
    lengths = rng.geometric(0.7, round(n_children * 1.1))
    chain_start = np.cumsum(lengths) - lengths
    gaps = rng.uniform(20, 300, int(lengths.sum()))
    gaps[chain_start] = rng.uniform(first_from, cumulative[-1], len(lengths))
    busy_time = np.cumsum(gaps)
    busy_time -= np.repeat(busy_time[chain_start] - gaps[chain_start], lengths)
    days = cal.days_at(cumulative, busy_time)
    new_children = children.born_before(rng, days[chain_start])
    new_child = np.repeat(new_children, lengths)
    ok = (busy_time < cumulative[-1]) & (days >= start_w) & (days <= _last_day_aged_17(children, new_child))
    new_child, new_day = _take_at_most(rng, new_total, new_child[ok], days[ok])

    child = np.concatenate([referrals.child[referred], known_child, new_child])
    day = np.concatenate([ref_day, known_day, new_day])
    n_other = len(known_child) + len(new_child)
    outcome = np.concatenate(
        [np.zeros(len(referred), np.int64), 1 + _choice(rng, NON_REF_CONTACT_OUTCOMES, n_other)]
    )
    source = _draw_sources(rng, profile, day, window)
    contacts = _Contacts(child=child, day=day, source=source, outcome=outcome)

    referrals.contact = np.full(len(referrals.day), -1)
    referrals.contact[referred] = np.arange(len(referred))
    referrals.source = np.zeros(len(referrals.day), np.int64)
    referrals.source[referred] = contacts.source[: len(referred)]  # a referral keeps its contact's source
    return contacts


def _last_day_aged_17(children: _Children, child: np.ndarray) -> np.ndarray:
    return children.birth_day[child] + LAST_DAY_AGED_17


def _take_at_most(rng: np.random.Generator, n: int, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """A random `n` of the rows (all of them if there are fewer), in their original order."""
    if len(arrays[0]) <= n:
        return arrays
    keep = np.sort(rng.choice(len(arrays[0]), size=n, replace=False))
    return tuple(a[keep] for a in arrays)


@dataclass
class _Episodes:
    child: np.ndarray
    start: np.ndarray  # minutes since 1970-01-01
    end: np.ndarray
    away: np.ndarray
    in_care: np.ndarray
    rhi_offered: np.ndarray  # minutes; -1 for none
    rhi_accepted: np.ndarray
    agency: np.ndarray  # reporting agency code


def _month_bounds(start_w: int, end_w: int) -> list[tuple[int, int]]:
    first = np.datetime64(start_w, "D").astype("datetime64[M]")
    last = np.datetime64(end_w, "D").astype("datetime64[M]")
    months = np.arange(first, last + 1)
    starts = months.astype("datetime64[D]").astype(np.int64)
    ends = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    return [(max(int(s), start_w), min(int(e), end_w)) for s, e in zip(starts, ends, strict=True)]


def _simulate_missing_group(
    rng: np.random.Generator,
    group: MissingGroup,
    in_care: bool,
    children: _Children,
    known: tuple[np.ndarray, np.ndarray],
    window: tuple[int, int],
) -> _Episodes:
    """Episodes of one group: each child goes missing over a spell of months, some often.

    `known` holds children already in the data (child, day) who may start a spell soon after
    that day, so missing children also appear among referrals and plans.
    """
    start_w, end_w = window
    min_months, max_months = group.active_months
    mean_spell_years = (min_months + max_months) / 24
    spell_starts_per_year = group.children_per_year / (1 + mean_spell_years)
    earliest = start_w - int(max_months * 30.44)
    n_spells = rng.poisson(spell_starts_per_year * (end_w - earliest) / 365.25)

    # Reuse known children of the right age for some spells, then new children for the rest.
    known_child, known_day = known
    spell_start_known = known_day + rng.integers(0, 180, len(known_day))
    age_years = (spell_start_known - children.birth_day[known_child]) / 365.25
    fits = (age_years >= group.start_ages[0]) & (age_years < group.start_ages[1] + 1)
    fits &= (spell_start_known >= earliest) & (spell_start_known <= end_w)
    candidates = np.flatnonzero(fits)
    n_known = min(len(candidates), round(n_spells * group.recruited_share))
    chosen = rng.choice(candidates, size=n_known, replace=False) if n_known else np.zeros(0, np.int64)
    chosen = chosen[np.unique(known_child[chosen], return_index=True)[1]]  # one spell per child
    n_new = n_spells - len(chosen)
    new_start = rng.integers(earliest, end_w + 1, n_new)
    new_age_years = rng.uniform(group.start_ages[0], group.start_ages[1] + 1, n_new)
    new_age_days = (new_age_years * 365.25).astype(np.int64)
    new_child = children.add(new_start - new_age_days)
    spell_child = np.concatenate([known_child[chosen], new_child]).astype(np.int64)
    spell_start = np.concatenate([spell_start_known[chosen], new_start]).astype(np.int64)
    spell_end = spell_start + (rng.uniform(min_months, max_months, len(spell_child)) * 30.44).astype(np.int64)
    spell_end = np.minimum(spell_end, _last_day_aged_17(children, spell_child))
    propensity = rng.lognormal(0, group.propensity_sigma, len(spell_child))

    # Monthly counts follow the season and the trend; each episode goes to a child whose
    # spell covers the month, in proportion to how often that child goes missing.
    # Episodes are drawn with some to spare, because overlapping ones are dropped below.
    mid_window = (start_w + end_w) / 2
    child_parts, day_parts, month_parts, month_counts = [], [], [], []
    for k, (m0, m1) in enumerate(_month_bounds(start_w, end_w)):
        month = np.datetime64(m0, "D").astype(object).month
        trend = 1 + group.trend_per_year * ((m0 + m1) / 2 - mid_window) / 365.25
        expected = group.episodes_per_year * (m1 - m0 + 1) / 365.25 * MISSING_MONTHS[month - 1] * trend
        active = np.flatnonzero((spell_start <= m1) & (spell_end >= m0))
        count = rng.poisson(expected) if len(active) else 0  # none active: a tiny LA or scale
        drawn = round(count * MISSING_OVERSAMPLE)
        weights = propensity[active] / propensity[active].sum() if len(active) else None
        pick = active[rng.choice(len(active), size=drawn, p=weights)] if drawn else active[:0]
        lo = np.maximum(m0, spell_start[pick])
        hi = np.minimum(m1, spell_end[pick])
        child_parts.append(spell_child[pick])
        day_parts.append(lo + (rng.random(drawn) * (hi - lo + 1)).astype(np.int64))
        month_parts.append(np.full(drawn, k))
        month_counts.append(count)
    child, day, month_of = (
        np.concatenate(parts).astype(np.int64) for parts in (child_parts, day_parts, month_parts)
    )
    n = len(day)

    hour = rng.choice(24, size=n, p=MISSING_START_HOURS / MISSING_START_HOURS.sum())
    start = day * MINUTES_PER_DAY + hour * 60 + rng.integers(0, 60, n)
    away = rng.random(n) < group.away_share
    duration_hours = np.where(
        away,
        np.clip(rng.lognormal(np.log(4), 0.8, n), 0.5, 48),
        np.clip(rng.lognormal(np.log(12), 1.1, n), 1, 14 * 24),
    )
    end = start + (duration_hours * 60).astype(np.int64)

    # A child cannot go missing again before coming back: drop episodes that start before an
    # earlier one of the same child has ended.
    order = np.lexsort((start, child))
    child, start, end, away, month_of = child[order], start[order], end[order], away[order], month_of[order]
    offset = child * (1 << 40)  # keeps the running maximum within each child
    latest_end = np.maximum.accumulate(end - end.min(initial=0) + offset) - offset + end.min(initial=0)
    previous_end = np.r_[np.iinfo(np.int64).min, latest_end[:-1]]
    same_child = np.r_[False, child[1:] == child[:-1]]
    keep = ~(same_child & (start <= previous_end))
    # Then keep a random `count` of each month's episodes (fewer if overlaps took too many).
    priority = np.where(keep, rng.random(n), np.inf)
    by_month = np.lexsort((priority, month_of))
    first_of_month = np.searchsorted(month_of[by_month], month_of[by_month])
    rank = np.empty(n, np.int64)
    rank[by_month] = np.arange(n) - first_of_month
    keep &= rank < np.array(month_counts, dtype=np.int64)[month_of]
    child, start, end, away = child[keep], start[keep], end[keep], away[keep]
    n = len(child)

    timing = _choice(rng, RHI_OFFER_TIMING, n)
    delay_minutes = np.where(
        timing == 0, rng.integers(60, 72 * 60, n), rng.integers(72 * 60 + 1, 14 * MINUTES_PER_DAY, n)
    )
    rhi_offered = np.where(timing == 2, -1, end + delay_minutes)
    agencies = np.array(list(group.agencies))[_choice(rng, group.agencies, n)]
    return _Episodes(
        child=child,
        start=start,
        end=end,
        away=away,
        in_care=np.full(n, in_care),
        rhi_offered=rhi_offered,
        rhi_accepted=rng.random(n) < RHI_ACCEPTED_SHARE,
        agency=agencies,
    )


def _simulate_missing(
    rng: np.random.Generator,
    profile: Profile,
    children: _Children,
    referrals: _Referrals,
    plans: _Plans,
    window: tuple[int, int],
) -> _Episodes:
    """Children in care (some came into care as their CP plan ended) and not in care (some
    known from a referral)."""
    in_care = _simulate_missing_group(
        rng, profile.missing_in_care, True, children, (plans.child, plans.end), window
    )
    # A child missing from care is not also missing from home: their in_care flag would flip.
    free = ~np.isin(referrals.child, in_care.child)
    known = (referrals.child[free], referrals.day[free])
    not_in_care = _simulate_missing_group(rng, profile.missing_not_in_care, False, children, known, window)
    return _Episodes(
        **{
            name: np.concatenate([getattr(in_care, name), getattr(not_in_care, name)])
            for name in _Episodes.__dataclass_fields__
        }
    )


# ----------------------------------------------------------------------------------------
# From simulation to extract tables
# ----------------------------------------------------------------------------------------


def _simulate_la(la: DemoLa, window: tuple[date, date], seed: int, scale: float = 1.0) -> dict[str, pa.Table]:
    """Simulate one LA and return its extract tables, by dataset name."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, la.stream_key]))
    profile = la.profile.scaled(scale) if scale != 1.0 else la.profile
    start, end = window
    window_days = (_day(start), _day(end))
    cal = _calendar(date(start.year - BURN_IN_YEARS, start.month, start.day), end)

    children = _Children()
    referrals = _simulate_referrals(rng, profile, cal, children)
    s47s = _simulate_s47s(rng, profile, cal, referrals, window_days)
    plans = _simulate_plans(rng, profile, s47s, children, window_days)
    contacts = _simulate_contacts(rng, profile, cal, referrals, children, window_days)
    episodes = _simulate_missing(rng, profile, children, referrals, plans, window_days)

    tables = _Tables(la, profile, window, rng, _child_table(rng, la, profile, children)).build(
        contacts, referrals, s47s, plans, episodes
    )
    # The assessments follow the referrals, from a random stream of their own (etl/demo_assessments.py).
    tables["assessments"] = assessments_table(la.code, la.prefix, tables["referrals"], window, seed)
    return tables


def _child_table(rng: np.random.Generator, la: DemoLa, profile: Profile, children: _Children) -> pa.Table:
    """The per-child columns of every extract row, one row per child."""
    n = children.count
    area = _choice(rng, {a.code: a.weight for a in la.areas}, n)
    # Postcode: a district of the child's area, then a sector digit and two unit letters.
    districts = [(i, d) for i, a in enumerate(la.areas) for d in a.postcode_districts]
    district_area = np.array([i for i, _ in districts])
    district_names = pa.array([d for _, d in districts])
    district = np.empty(n, np.int64)
    for i in range(len(la.areas)):
        options = np.flatnonzero(district_area == i)
        mine = area == i
        district[mine] = options[rng.integers(0, len(options), int(mine.sum()))]
    sector = pc.cast(pa.array(rng.integers(1, 10, n)), pa.string())
    letter_1, letter_2 = (
        pa.array(POSTCODE_UNIT_LETTERS[rng.integers(0, len(POSTCODE_UNIT_LETTERS), n)]) for _ in "12"
    )
    district_of_child = district_names.take(pa.array(district))
    postcode = pc.binary_join_element_wise(district_of_child, " ", sector, letter_1, letter_2, "")
    # Child IDs: the LA's prefix and seven digits, unique within the LA.
    numbers = rng.choice(9_000_000, size=n, replace=False) + 1_000_000
    return pa.table(
        {
            "child_id": _ids(la.prefix, numbers, width=7),
            "date_of_birth": _dates(children.birth_day),
            "gender": _codes(list(GENDER_MIX), _choice(rng, GENDER_MIX, n)),
            "ethnicity": _codes(list(profile.ethnicity), _choice(rng, profile.ethnicity, n)),
            "disability": _codes(["N", "Y"], (rng.random(n) < DISABILITY_SHARE).astype(np.int64)),
            "area_code": _codes([a.code for a in la.areas], area),
            "postcode": postcode,
        }
    )


def _ids(prefix: str, numbers: np.ndarray, width: int = 7, missing: np.ndarray | None = None) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, mask=missing), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _yes_no(flag: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return _codes(["N", "Y"], flag.astype(np.int64), missing)


class _Tables:
    """Turns simulated events into extract tables: the window's records in date order, with
    record IDs. Each builder notes its records' numbers, so later datasets can link to them."""

    def __init__(self, la: DemoLa, profile: Profile, window: tuple[date, date], rng: np.random.Generator,
                 child_table: pa.Table) -> None:  # fmt: skip
        self.la, self.profile, self.rng, self.child_table = la, profile, rng, child_table
        self.start, self.end = _day(window[0]), _day(window[1])
        self.sources = _source_codes(profile)

    def build(self, contacts: _Contacts, referrals: _Referrals, s47s: _S47s, plans: _Plans,
              episodes: _Episodes) -> dict[str, pa.Table]:  # fmt: skip
        return {
            "contacts": self._contacts(contacts),
            "referrals": self._referrals(referrals),
            "s47": self._s47s(s47s),
            "cp_plans": self._plans(plans),
            "missing_episodes": self._episodes(episodes),
        }

    def _record_numbers(self, order: np.ndarray, n_total: int) -> np.ndarray:
        """Case systems number records as they are created, with gaps (other record kinds
        share the counter). Returns each record's number, -1 for records not written."""
        numbers = np.full(n_total, -1, np.int64)
        numbers[order] = self.rng.integers(10_000, 90_000) + np.cumsum(self.rng.integers(1, 4, len(order)))
        return numbers

    def _ids(self, kind: str, numbers: np.ndarray) -> pa.Array:
        """Record IDs such as NCL-CT-0012345; blank where the number is -1 (not written)."""
        return _ids(f"{self.la.prefix}-{kind}-", numbers, missing=numbers < 0)

    def _in_date_order(self, written: np.ndarray, day: np.ndarray) -> np.ndarray:
        return written[np.lexsort((written, day[written]))]

    def _table(self, name: str, ids: pa.Array, child: np.ndarray, columns: dict[str, pa.Array]) -> pa.Table:
        dataset = active_model().datasets[name]
        n = len(child)
        common = {
            "la_code": pa.array([self.la.code]).take(pa.array(np.zeros(n, np.int64))),
            "coverage_start": _dates(np.full(n, self.start)),
            "coverage_end": _dates(np.full(n, self.end)),
            dataset.id_column: ids,
        }
        child_rows = self.child_table.take(pa.array(child))
        all_columns = common | {name: child_rows[name] for name in child_rows.column_names} | columns
        assert set(all_columns) == set(dataset.column_names), set(all_columns) ^ set(dataset.column_names)
        return pa.table([all_columns[c] for c in dataset.column_names], names=list(dataset.column_names))

    def _contacts(self, contacts: _Contacts) -> pa.Table:
        order = self._in_date_order(np.arange(len(contacts.day)), contacts.day)
        self.contact_no = self._record_numbers(order, len(contacts.day))
        return self._table("contacts", self._ids("CT", self.contact_no[order]), contacts.child[order], {
            "contact_date": _dates(contacts.day[order]),
            "source": _codes(self.sources, contacts.source[order]),
            "outcome": _codes(CONTACT_OUTCOMES, contacts.outcome[order]),
        })  # fmt: skip

    def _referrals(self, referrals: _Referrals) -> pa.Table:
        written = np.flatnonzero((referrals.day >= self.start) & (referrals.day <= self.end))
        order = self._in_date_order(written, referrals.day)
        self.referral_no = self._record_numbers(order, len(referrals.day))
        contact = referrals.contact[order]
        contact_no = np.where(contact >= 0, self.contact_no[np.maximum(contact, 0)], -1)
        return self._table("referrals", self._ids("RF", self.referral_no[order]), referrals.child[order], {
            "referral_date": _dates(referrals.day[order]),
            "source": _codes(self.sources, referrals.source[order]),
            "is_nfa": _yes_no(referrals.is_nfa[order]),
            "contact_id": self._ids("CT", contact_no),
        })  # fmt: skip

    def _s47s(self, s47s: _S47s) -> pa.Table:
        # Every S47 open at some time in the window, including those started just before it.
        written = np.flatnonzero((s47s.start <= self.end) & (s47s.end >= self.start))
        order = self._in_date_order(written, s47s.start)
        self.s47_no = self._record_numbers(order, len(s47s.start))
        is_open = s47s.end[order] > self.end
        outcome = s47s.outcome[order]
        icpc_held = (outcome == ICPC) & (s47s.icpc[order] <= self.end) & ~is_open
        return self._table("s47", self._ids("S47", self.s47_no[order]), s47s.child[order], {
            "referral_id": self._ids("RF", self.referral_no[s47s.referral[order]]),
            "start_date": _dates(s47s.start[order]),
            "end_date": _dates(s47s.end[order], missing=is_open),
            "outcome": _codes(S47_OUTCOMES, outcome, missing=is_open),
            "icpc_date": _dates(s47s.icpc[order], missing=~icpc_held),
            "icpc_not_required": _yes_no(s47s.icpc_not_required[order], missing=is_open),
        })  # fmt: skip

    def _plans(self, plans: _Plans) -> pa.Table:
        # Every plan open at some time in the window: the stock on its first day included.
        written = np.flatnonzero((plans.start <= self.end) & (plans.end >= self.start))
        order = self._in_date_order(written, plans.start)
        plan_no = self._record_numbers(order, len(plans.start))
        is_open = plans.end[order] > self.end
        categories = list(CP_CATEGORY_MIX)
        return self._table("cp_plans", self._ids("CP", plan_no[order]), plans.child[order], {
            "s47_id": self._ids("S47", self.s47_no[plans.s47[order]]),
            "start_date": _dates(plans.start[order]),
            "end_date": _dates(plans.end[order], missing=is_open),
            "initial_category": _codes(categories, plans.initial_category[order]),
            "latest_category": _codes(categories, plans.latest_category[order]),
            "previous_plans": pa.array(plans.previous_plans[order]),
        })  # fmt: skip

    def _episodes(self, episodes: _Episodes) -> pa.Table:
        last_minute = (self.end + 1) * MINUTES_PER_DAY - 1
        order = self._in_date_order(np.arange(len(episodes.start)), episodes.start)
        episode_no = self._record_numbers(order, len(episodes.start))
        is_open = episodes.end[order] > last_minute
        offered = episodes.rhi_offered[order]
        not_offered = is_open | (offered < 0) | (offered > last_minute)
        return self._table("missing_episodes", self._ids("MS", episode_no[order]), episodes.child[order], {
            "start_datetime": _datetimes(episodes.start[order]),
            "end_datetime": _datetimes(episodes.end[order], missing=is_open),
            "missing_type": _codes(["M", "A"], episodes.away[order].astype(np.int64)),
            "in_care": _yes_no(episodes.in_care[order]),
            "rhi_offered_datetime": _datetimes(offered, missing=not_offered),
            "rhi_accepted": _yes_no(episodes.rhi_accepted[order], missing=not_offered),
            "reporting_agency": pa.array(episodes.agency[order]),
        })  # fmt: skip


# ----------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------


def _write_areas(la: DemoLa, out_dir: Path) -> Path:
    rows = [(la.code, a.code, a.name) for a in la.areas]
    table = pa.table(list(map(pa.array, zip(*rows, strict=True))), names=list(AREAS_COLUMNS))
    return _write_csv(table, out_dir / f"{la.code}_areas.csv")


def _write_datasets(la: DemoLa, tables: dict[str, pa.Table], out_dir: Path) -> list[Path]:
    return [_write_csv(tables[d.name], out_dir / f"{la.code}_{d.name}.csv") for d in DEMO_DATASETS]


def _generate_la_files(la: DemoLa, window: tuple[date, date], seed: int, out_dir: Path) -> list[Path]:
    """One LA's files, its areas first, then social care's and its partner agencies' (a demo LA's
    partners at their own calibration, any other LA's at the city's scaled by its population)."""
    tables = _simulate_la(la, window, seed)
    partners_scale = 1.0 if la.code in DEMO_LAS else ons_population(la.code) / REFERENCE_POPULATION
    return [
        _write_areas(la, out_dir),
        *_write_datasets(la, tables, out_dir),
        *write_partner_extracts(la, tables, window, seed, out_dir, partners_scale),
    ]


def _write_bad_contacts(
    la: DemoLa, contacts: pa.Table, window: tuple[date, date], as_of: date, seed: int, bad_dir: Path
) -> Path:
    """The last month's contacts again, as a one-month extract, with six broken rows.

    The good rows are exactly those of the main file, so loading this file replaces the month
    with the same rows and rejects only the broken ones, one rule each (BAD_ROW_CASES order).
    """
    month_start = window[1].replace(day=1)
    in_month = pc.greater_equal(contacts["contact_date"], pa.scalar(month_start, pa.date32()))
    month = contacts.filter(in_month)
    month = month.set_column(1, "coverage_start", _dates(np.full(month.num_rows, _day(month_start))))
    month = month.cast(pa.schema([(name, pa.string()) for name in month.column_names]))
    rows = month.to_pylist()
    if len(rows) < GOOD_ROWS_AFTER_BAD + len(BAD_ROW_CASES) + 1:
        raise ValueError(f"too few contacts in {month_start:%B %Y} to build the bad rows file")

    rng = np.random.default_rng(np.random.SeedSequence([seed, la.stream_key, 1]))
    # Bad rows copy good rows of the month (not the first, whose ID the duplicate reuses).
    picks = 1 + rng.choice(len(rows) - GOOD_ROWS_AFTER_BAD - 1, size=len(BAD_ROW_CASES), replace=False)
    templates = [rows[i] for i in picks]
    prefix = f"{la.prefix}-CT-"
    next_number = max(int(str(c)[len(prefix) :]) for c in contacts["contact_id"].to_pylist()) + 1
    bad = []
    for k, (case, template) in enumerate(zip(BAD_ROW_CASES, templates, strict=True)):
        row = dict(template, contact_id=f"{prefix}{next_number + k:07d}")
        match case:
            case "unknown source code":
                row["source"] = "99"
            case "unparseable contact_date":
                row["contact_date"] = f"31/13/{month_start.year}"
            case "contact_date in the future":
                row["contact_date"] = (as_of + timedelta(days=365)).isoformat()
            case "missing child_id":
                row["child_id"] = None
            case "duplicate contact_id":
                row["contact_id"] = rows[0]["contact_id"]
                row["contact_date"] = rows[-1]["contact_date"]
            case "unknown outcome code":
                row["outcome"] = "XYZ"
        bad.append(row)
    cut = len(rows) - GOOD_ROWS_AFTER_BAD
    table = pa.Table.from_pylist(rows[:cut] + bad + rows[cut:], schema=month.schema)
    return _write_csv(table, bad_dir / f"{la.code}_contacts_bad_rows.csv")


# ----------------------------------------------------------------------------------------
# National
# ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _ons_population_2024() -> dict[str, tuple[str, int]]:
    """LA code -> (name, 2024 population estimate), by code."""
    ons = pd.read_csv(ONS_POPULATION_CSV, dtype=str)
    las = ons[(ons["time_period"] == "2024") & (ons["geographic_level"] == "Local authority")]
    rows = zip(las["new_la_code"], las["la_name"], las["population_estimate"])
    return {code: (name, int(population)) for code, name, population in sorted(rows)}


def _national_la(code: str) -> DemoLa:
    """A demo LA keeps its calibration; any other is the city scaled by its population."""
    if code in DEMO_LAS:
        return DEMO_LAS[code]
    ons = _ons_population_2024()
    if code not in ons:
        raise ValueError(f"{code} is not an English LA with a 2024 ONS population estimate")
    name, population = ons[code]
    prefix = ("".join(ch for ch in name.upper() if ch.isalpha()) + "XXX")[:3]
    # Generic localities, most deprived first, with fake but well-formed postcode districts.
    weights = (0.3, 0.25, 0.2, 0.15, 0.1)
    areas = tuple(
        DemoArea(f"{prefix}-{k}", f"Locality {k}", w, tuple(f"{prefix[:2]}{4 * k - i}" for i in range(4)))
        for k, w in enumerate(weights, start=1)
    )
    return DemoLa(
        code=code,
        name=name,
        prefix=prefix,
        population=population,
        areas=areas,
        profile=CITY_PROFILE.scaled(population / REFERENCE_POPULATION),
    )
