"""Every KPI on a small hand-built partnership, with the values worked out by hand.

The fixture is LA E08000021 (0-17 population mid-2024: 61,206), financial year 2024/25
(1 April 2024 to 31 March 2025). Each comment says which rows make each figure.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.helpers import write_extract
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.periods import financial_year, month, parse_period
from warehouse.kpis.registry import REGISTRY
from warehouse.model.files import HAND_WRITTEN_DATASETS

WINDOW = {"coverage_start": "2023-04-01", "coverage_end": "2025-03-31"}
FY = financial_year(2024)
LA = Filters(la_codes=("E08000021",))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    import os
    from datetime import date

    from etl.pipeline import run_load
    from warehouse.settings import Settings

    folder = tmp_path_factory.mktemp("kpis")
    os.environ.setdefault("SAFEGUARD_PSEUDONYMISATION_KEY", "test-key")
    files = [
        write_extract(
            folder / "contacts.csv",
            "contacts",
            [
                {"contact_date": "2024-04-10", "source": "6", "outcome": "REF"},
                {"contact_date": "2024-05-10", "source": "2A", "outcome": "NFA"},
                {"contact_date": "2024-06-10", "source": "6", "outcome": "REF"},
                {"contact_date": "2025-03-31", "source": "3A", "outcome": "EH"},
                {"contact_date": "2024-03-31", "source": "6", "outcome": "REF"},  # 2023/24
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "referrals.csv",
            "referrals",
            [
                {"child_id": "A", "referral_date": "2023-05-01"},
                {"child_id": "A", "referral_date": "2024-05-01"},  # exactly 12 months on: a re-referral
                {"child_id": "B", "referral_date": "2023-05-01"},
                {"child_id": "B", "referral_date": "2024-05-02"},  # 12 months and a day: not
                {"child_id": "C", "referral_date": "2024-07-01", "is_nfa": "Y"},
                {"child_id": "D", "referral_date": "2025-01-15"},
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "s47.csv",
            "s47",
            [
                # 20 May 2024 to 11 June 2024 is 15 working days, over the 27 May bank holiday
                {
                    "start_date": "2024-05-20",
                    "end_date": "2024-06-11",
                    "icpc_date": "2024-06-11",
                    "outcome": "ICPC",
                },
                {
                    "start_date": "2024-05-20",
                    "end_date": "2024-06-12",
                    "icpc_date": "2024-06-12",
                    "outcome": "ICPC",
                },
                {"start_date": "2024-09-02", "end_date": "2024-09-20", "icpc_date": "", "outcome": "NFA"},
                {"start_date": "2024-10-01", "end_date": "2024-10-20", "icpc_date": "", "outcome": "CIN"},
                {"start_date": "2025-03-20", "end_date": "", "icpc_date": "", "outcome": ""},
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "cp_plans.csv",
            "cp_plans",
            [
                {
                    "child_id": "A",
                    "start_date": "2022-06-01",
                    "end_date": "2023-01-01",
                    "previous_plans": "0",
                },
                {"child_id": "A", "start_date": "2024-06-11", "end_date": "", "previous_plans": ""},
                {
                    "child_id": "E",
                    "start_date": "2024-06-12",
                    "end_date": "2025-03-31",
                    "previous_plans": "0",
                },
                {
                    "child_id": "F",
                    "start_date": "2022-10-01",
                    "end_date": "2025-04-01",
                    "previous_plans": "0",
                },
                {
                    "child_id": "G",
                    "start_date": "2023-01-15",
                    "end_date": "2025-02-01",
                    "previous_plans": "0",
                },
                {
                    "child_id": "H",
                    "start_date": "2024-11-01",
                    "end_date": "",
                    "previous_plans": "2",
                    "initial_category": "EMO",
                    "latest_category": "EMO",
                },
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "missing.csv",
            "missing_episodes",
            [
                {
                    "child_id": "X",
                    "start_datetime": "2024-06-01 10:00",
                    "end_datetime": "2024-06-02 10:00",
                    "in_care": "Y",
                    "rhi_offered_datetime": "2024-06-05 09:00",
                    "rhi_accepted": "Y",
                },  # offered after 71 h
                {
                    "child_id": "X",
                    "start_datetime": "2024-07-01 10:00",
                    "end_datetime": "2024-07-01 20:00",
                    "in_care": "Y",
                    "rhi_offered_datetime": "2024-07-04 21:00",
                    "rhi_accepted": "N",
                },  # after 73 h
                {
                    "child_id": "Y",
                    "start_datetime": "2024-08-01 22:00",
                    "end_datetime": "",
                    "in_care": "N",
                    "rhi_offered_datetime": "",
                    "rhi_accepted": "",
                },  # still missing
                {
                    "child_id": "Z",
                    "start_datetime": "2025-03-30 18:00",
                    "end_datetime": "2025-04-02 08:00",
                    "in_care": "N",
                    "rhi_offered_datetime": "",
                    "rhi_accepted": "",
                },  # comes back in 2025/26
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "assessments.csv",
            "assessments",
            [
                {"child_id": "A", "start_date": "2024-05-02", "authorised_date": "2024-06-01", "factors": "3B;16A"},
                {"child_id": "B", "start_date": "2024-05-03", "authorised_date": "2024-06-20", "factors": "1B;2B;4B"},
                {"child_id": "C", "start_date": "2024-07-02", "authorised_date": "2024-08-01", "factors": "4A;10A;15A;24A"},
                {"child_id": "D", "start_date": "2025-01-16", "authorised_date": "2025-02-10", "factors": "3A;11A;16A"},
                {"child_id": "E", "start_date": "2025-02-01", "authorised_date": "2025-03-01", "factors": ""},  # none recorded
                {"child_id": "F", "start_date": "2025-03-10", "authorised_date": "", "factors": ""},  # open
                {"child_id": "G", "start_date": "2024-02-01", "authorised_date": "2024-03-15", "factors": "16A"},  # 2023/24
            ],
            **WINDOW,
        ),
    ]  # fmt: skip
    home = folder / "home"
    outcomes = run_load(files, Settings(home=home), today=date(2025, 6, 30))
    assert [o.rejections for o in outcomes] == [[]] * len(files)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def results(con, period=FY, filters=LA, **options):
    return {r.kpi.id: r for r in evaluate(con, list(REGISTRY), period, filters, **options)}


# kpi id: (numerator, denominator, value) for 2024/25
EXPECTED = {
    "contacts": (4, None, 4.0),
    "contact_conversion": (2, 4, 50.0),
    "contacts_by_source": (4, None, 4.0),
    "referrals": (4, None, 4.0),
    "re_referral_12m": (1, 4, 25.0),
    "referral_nfa": (1, 4, 25.0),
    "referrals_by_source": (4, None, 4.0),
    "s47": (5, None, 5.0),
    "s47_to_icpc": (2, 4, 50.0),
    "s47_nfa": (1, 4, 25.0),
    "icpc": (2, None, 2.0),
    "icpc_15wd": (1, 2, 50.0),
    "cp_starts": (3, None, 3.0),
    "cp_open": (3, None, 3.0),  # A's second plan, F (ends 1 April 2025), H; E ended on 31 March
    "cp_repeat": (2, 3, 200 / 3),  # A's second plan (an earlier plan in 2022) and H (2 previous plans)
    "cp_2yrs": (1, 3, 100 / 3),  # F, open since October 2022
    "cp_2yrs_ended": (1, 2, 50.0),  # G lasted from 15 Jan 2023 to 1 Feb 2025; E did not
    "cp_category": (3, None, 3.0),
    "missing_episodes": (4, None, 4.0),
    "children_missing": (3, None, 3.0),
    "missing_per_child": (4, 3, 4 / 3),
    "missing_repeat": (1, 3, 100 / 3),
    "rhi_72h": (1, 2, 50.0),  # ended in the year: X twice; Y never came back, Z came back in April
    "rhi_accepted": (1, 2, 50.0),
    # Completed in 2024/25 with factors recorded: A, B, C, D (E has none recorded, F is open, G is 2023/24).
    "factor_domestic_abuse_child": (1, 4, 25.0),  # D
    "factor_domestic_abuse_parent": (1, 4, 25.0),  # A
    "factor_mental_health_child": (1, 4, 25.0),  # C
    "factor_mental_health_parent": (1, 4, 25.0),  # B
    "factor_neglect": (2, 4, 50.0),  # A, D
    "factor_going_missing": (1, 4, 25.0),  # C
    "factor_self_harm": (1, 4, 25.0),  # C
    "factor_cse": (1, 4, 25.0),  # D
    "factor_cce": (1, 4, 25.0),  # C
    "factor_alcohol_parent": (1, 4, 25.0),  # B
    "factor_drug_parent": (1, 4, 25.0),  # B
    # Published KPIs: Newcastle's own figure for the year ending in 2025, counted from no records
    # (grep '^2025,.*E08000021' in each file of warehouse/data/real):
    "cla_rate": (
        None,
        None,
        107.0,
    ),  # cla_number_...: Children looked after on 31 March each year,61206,654,107
    "cin_rate": (None, None, 2966 / 61206 * 10_000),  # b1: At31_episodes 2966; ONS mid-2024 0-17: 61206
    "cla_health_assessments": (None, None, 91.0),  # ...,Had their annual health assessment,413,91
    "pa_cla": (None, None, 20.6),  # absence_la 202425 CLA 12 months at 31 March, Total: pt_pupils_pa_10_exact
    "pa_cin": (None, None, 45.3),  # 202425 CINO at 31 March, Total: ...,348,45.3,82,10.7
    "pa_cp": (None, None, 60.9),  # 202425 CPPO at 31 March, Total (PARTNER-MEASURES.md: 60.9)
    "injury_admissions": (None, None, 117.04724),  # 2023/24, the latest OHID has: 117.04724 (117.0)
    "sw_caseload": (None, None, 18.4),  # csww 2025: caseload_fte 18.4
}


def test_every_registered_kpi_has_a_hand_worked_value():
    # KPIs over figures agencies submit are worked out in test_figures_engine.py, and the partner packs'
    # KPIs, of generated datasets, in test_partner_packs.py.
    # Published KPIs (no dataset) are here too.
    assert set(EXPECTED) == {
        k for k, kpi in REGISTRY.items() if kpi.dataset is None or kpi.dataset in HAND_WRITTEN_DATASETS
    }


def test_a_kpi_over_figures_nobody_has_submitted_has_no_value_and_says_who_has_not(con):
    crisis = results(con)["crisis_24h"].current
    assert crisis.value is None and crisis.no_data == (
        "Health has not submitted Q1 2024/25 (due 20 July 2024), Q2 2024/25 (due 20 October 2024), "
        "Q3 2024/25 (due 20 January 2025), Q4 2024/25 (due 20 April 2025)"
    )


@pytest.mark.parametrize("kpi_id", list(EXPECTED))
def test_kpi_for_the_financial_year(con, kpi_id):
    figure = results(con)[kpi_id].current
    numerator, denominator, value = EXPECTED[kpi_id]
    assert (figure.numerator, figure.denominator) == (numerator, denominator)
    assert figure.value == pytest.approx(value)


def test_rates_per_10000_use_the_mid_year_population_of_the_year_the_fy_starts(con):
    found = results(con)
    assert found["referrals"].current.rate_per_10k == pytest.approx(4 / 61206 * 10_000)
    assert found["cp_open"].current.rate_per_10k == pytest.approx(3 / 61206 * 10_000)
    assert found["re_referral_12m"].current.rate_per_10k is None


def test_the_population_of_each_year_is_its_estimate_or_the_latest_before_it(con):
    from warehouse.kpis.engine import _populations
    from warehouse.kpis.resident import resident

    # Queried, and held in memory for the read-only warehouse: the same.
    for held in (None, resident(con)):
        # ONS mid-year estimates of children 0 to 17 (warehouse/data/real): Newcastle 60,251 in 2023 and
        # 61,206 in 2024; Northumberland 58,941 and 59,056. The last estimate is 2024's, the first 2012's.
        both = _populations(con, ("E08000021", "E06000057"), [2023, 2024, 2026, 2011], held)
        assert both == {2023: 60_251 + 58_941, 2024: 61_206 + 59_056, 2026: 61_206 + 59_056, 2011: None}
        # an LA with no estimate leaves the scope's total unknown, not short
        assert _populations(con, ("E08000021", "E99999999"), [2024], held) == {2024: None}


def test_comparisons_with_the_previous_year(con):
    referrals = results(con)["referrals"]
    assert referrals.previous.period == financial_year(2023)
    assert (referrals.previous.value, referrals.last_year.value) == (2.0, 2.0)  # A and B in May 2023
    change = shown_change(referrals.kpi, referrals.current, referrals.previous)
    assert (change.absolute, change.percent) == (2.0, 100.0)


def test_zero_denominator_gives_no_value_and_no_percent_change(con):
    january = results(con, period=month(2025, 1))
    s47_to_icpc = january["s47_to_icpc"]
    assert (s47_to_icpc.current.numerator, s47_to_icpc.current.denominator, s47_to_icpc.current.value) == (
        0,
        0,
        None,
    )
    contacts = january["contacts"]  # none in January 2025 nor in December 2024
    assert (contacts.current.value, contacts.previous.value) == (0.0, 0.0)
    change = shown_change(contacts.kpi, contacts.current, contacts.previous)
    assert (change.absolute, change.percent) == (0.0, None)


def test_stock_counts_what_is_open_at_the_end_of_each_month(con):
    series = results(con)["cp_open"].series
    assert [f.period.code for f in series][-3:] == ["2025-01", "2025-02", "2025-03"]
    # end of January: A, E, F, G, H; G ends 1 February; E ends 31 March
    assert [f.value for f in series][-3:] == [5.0, 4.0, 3.0]


def test_quarter_and_rolling_year(con):
    q1 = results(con, period=parse_period("2024-25-Q1"))
    assert q1["referrals"].current.value == 2.0  # A and B in May 2024
    assert q1["referrals"].previous.period.code == "2023-24-Q4"
    rolling = results(con, period=parse_period("R12-2024-12"))
    assert rolling["referrals"].current.value == 3.0  # January 2024 to December 2024: A, B, C
    assert rolling["referrals"].previous.period.code == "R12-2024-11"


def test_filters_apply_where_the_dimension_exists(con):
    in_care = results(con, filters=Filters(la_codes=("E08000021",), in_care=("In care",)))
    assert (in_care["missing_episodes"].current.value, in_care["children_missing"].current.value) == (
        2.0,
        1.0,
    )
    assert in_care["contacts"].current.value == 4.0  # contacts have no "in care"
    assert in_care["contacts"].ignored_filters
    police = results(con, filters=Filters(la_codes=("E08000021",), agency=("Police",)))
    assert police["contacts"].current.value == 2.0
    emotional = results(con, filters=Filters(la_codes=("E08000021",), category=("EMO",)))
    assert emotional["cp_starts"].current.value == 1.0


def test_share_kpis_list_their_parts(con):
    found = results(con)
    parts = {p.label: (p.count, p.percent) for p in found["contacts_by_source"].parts}
    assert parts == {"Police": (2, 50.0), "Schools and education": (1, 25.0), "Health": (1, 25.0)}
    categories = {p.label: p.count for p in found["cp_category"].parts}
    assert categories == {"NEG": 2, "EMO": 1}


def test_cube_and_raw_facts_agree_on_the_fixture(con):
    for period in (FY, month(2024, 6), parse_period("2024-25-Q3"), parse_period("R12-2025-03")):
        cube, raw = results(con, period=period), results(con, period=period, source="raw")
        for kpi_id in REGISTRY:
            assert cube[kpi_id] == raw[kpi_id], (kpi_id, period.code)


def test_partner_views_get_small_numbers_suppressed_by_the_engine(con):
    from warehouse.kpis.suppression import SuppressionPolicy

    found = results(con, policy=SuppressionPolicy())
    referrals = found["referrals"].current  # 4 referrals
    assert (referrals.suppressed, referrals.value, referrals.numerator, referrals.rate_per_10k) == (
        True,
        None,
        None,
        None,
    )
    conversion = found["contact_conversion"].current  # 2 of 4
    assert (conversion.suppressed, conversion.value) == (True, None)
    assert found["contacts"].previous.suppressed  # 1 contact in 2023/24
    assert found["contacts_by_source"].parts == ()  # a suppressed part is not listed, so no "c" says "not 0"
    contacts = found["contacts"]
    assert shown_change(contacts.kpi, contacts.current, contacts.previous).absolute is None
    # a share whose total is under 5 lists no part, so none can be taken from another view's total
    assert found["cp_category"].parts == ()


def test_counts_split_by_area_add_up_to_the_kpi(con):
    from warehouse.kpis.engine import counts_by_area
    from warehouse.kpis.registry import get_kpi
    from warehouse.kpis.suppression import NO_SUPPRESSION

    parts = counts_by_area(con, get_kpi("cp_open"), FY, LA, NO_SUPPRESSION)
    assert [(p.label, p.count) for p in parts] == [("NCL-E", 3)]  # every fixture row is in the example area
    with pytest.raises(ValueError, match="does not split by area"):
        counts_by_area(con, get_kpi("re_referral_12m"), FY, LA, NO_SUPPRESSION)


def test_records_list_the_numerators_events_and_are_suppressed_like_the_count(con):
    import hashlib

    from warehouse.kpis.engine import records
    from warehouse.kpis.registry import get_kpi
    from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy

    found = records(con, get_kpi("re_referral_12m"), FY, LA, NO_SUPPRESSION)
    child_a = hashlib.blake2b(b"E08000021:A", key=b"test-key", digest_size=16).hexdigest()
    assert found.subject == "Child"
    assert [(r.subject_id, str(r.event_date.date())) for r in found.rows.itertuples()] == [
        (child_a, "2024-05-01")
    ]
    assert found.count == 1
    open_plans = records(con, get_kpi("cp_open"), FY, LA, NO_SUPPRESSION)
    assert open_plans.count == 3  # A's second plan, F and H, each dated at the end of March 2025
    assert set(open_plans.rows["event_date"].dt.date.astype(str)) == {"2025-03-31"}
    hidden = records(con, get_kpi("re_referral_12m"), FY, LA, SuppressionPolicy())
    assert (hidden.rows, hidden.count, hidden.withheld) == (None, None, True)
