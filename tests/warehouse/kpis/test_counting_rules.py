"""The counting rules of docs/kpis.md, each on a small extract worked out by hand, through the engine:
same-day referrals are not re-referrals, same-day plans are not repeats, a stated number of previous
plans decides a repeat, and contacts with a blank outcome are left out of the conversion rate."""

from __future__ import annotations

import duckdb

from etl.docs import counting_rules
from tests.helpers import write_extract
from warehouse.kpis.engine import Filters, evaluate
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY

LA = "E08000021"
FY = {"coverage_start": "2023-04-01", "coverage_end": "2025-03-31"}


def figure(settings, kpi_id: str, period: str, source: str = "cube"):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        [result] = evaluate(con, [kpi_id], parse_period(period), Filters((LA,)), source=source)
    return result.current


def test_a_referral_on_the_same_day_as_the_previous_one_is_not_a_re_referral(tmp_path, load, settings):
    rows = [
        {"referral_id": "R1", "child_id": "A", "referral_date": "2024-05-01"},
        {"referral_id": "R2", "child_id": "A", "referral_date": "2024-05-01"},  # same day as R1: not
        {
            "referral_id": "R3",
            "child_id": "A",
            "referral_date": "2024-08-01",
        },  # 3 months after 1 May: a re-referral
        {
            "referral_id": "R4",
            "child_id": "A",
            "referral_date": "2024-08-01",
        },  # same day as R3, but 1 May is earlier
        {"referral_id": "R5", "child_id": "B", "referral_date": "2024-06-01"},
        {"referral_id": "R6", "child_id": "B", "referral_date": "2024-06-01"},  # same day: not
    ]
    load(write_extract(tmp_path / "referrals.csv", "referrals", rows, **FY))
    # re-referrals: R3 and R4 (each has 1 May, an earlier day within 12 months); 6 referrals in 2024/25
    current = figure(settings, "re_referral_12m", "2024-25")
    assert (current.numerator, current.denominator, current.value) == (2, 6, 2 / 6 * 100)


def test_a_stated_number_of_previous_plans_decides_and_same_day_plans_are_not_repeats(
    tmp_path, load, settings
):
    rows = [
        # child A: a plan in 2023/24, then one in 2024/25 that states 0 previous plans: the statement wins
        {
            "cp_plan_id": "P1",
            "child_id": "A",
            "start_date": "2023-06-01",
            "end_date": "2023-12-01",
            "previous_plans": "",
        },
        {
            "cp_plan_id": "P2",
            "child_id": "A",
            "start_date": "2024-06-01",
            "end_date": "",
            "previous_plans": "0",
        },
        # child B: an earlier plan in the warehouse and no statement: a repeat
        {
            "cp_plan_id": "P3",
            "child_id": "B",
            "start_date": "2023-05-01",
            "end_date": "2023-11-01",
            "previous_plans": "",
        },
        {
            "cp_plan_id": "P4",
            "child_id": "B",
            "start_date": "2024-07-01",
            "end_date": "",
            "previous_plans": "",
        },
        # child C: two plans starting the same day, no statement: neither is a repeat of the other
        {
            "cp_plan_id": "P5",
            "child_id": "C",
            "start_date": "2024-08-01",
            "end_date": "",
            "previous_plans": "",
        },
        {
            "cp_plan_id": "P6",
            "child_id": "C",
            "start_date": "2024-08-01",
            "end_date": "",
            "previous_plans": "",
        },
        # child D: the return states 1 previous plan (in another LA): a repeat with nothing in the warehouse
        {
            "cp_plan_id": "P7",
            "child_id": "D",
            "start_date": "2024-09-01",
            "end_date": "",
            "previous_plans": "1",
        },
    ]
    load(write_extract(tmp_path / "plans.csv", "cp_plans", rows, **FY))
    # 2024/25 starts: P2, P4, P5, P6, P7 = 5; repeats: P4 (earlier plan P3), P7 (stated 1) = 2
    current = figure(settings, "cp_repeat", "2024-25")
    assert (current.numerator, current.denominator) == (2, 5)
    # 2023/24 starts: P1, P3, neither a repeat
    earlier = figure(settings, "cp_repeat", "2023-24")
    assert (earlier.numerator, earlier.denominator) == (0, 2)


def test_contacts_with_a_blank_outcome_are_left_out_of_the_conversion_rate(tmp_path, load, settings):
    rows = [
        # April to June 2024 (2024-25 Q1): 2 REF of 4 recorded outcomes; 2 blank ones are left out
        {"contact_date": "2024-04-10", "outcome": "REF"},
        {"contact_date": "2024-04-20", "outcome": "REF"},
        {"contact_date": "2024-05-10", "outcome": "NFA"},
        {"contact_date": "2024-05-20", "outcome": "EH"},
        {"contact_date": "2024-06-10", "outcome": ""},
        {"contact_date": "2024-06-20", "outcome": ""},
        # October to December 2024 (Q3): no outcome recorded at all
        {"contact_date": "2024-10-10", "outcome": ""},
        {"contact_date": "2024-11-10", "outcome": ""},
    ]
    load(write_extract(tmp_path / "contacts.csv", "contacts", rows, **FY))
    q1 = figure(settings, "contact_conversion", "2024-25-Q1")
    assert (q1.numerator, q1.denominator, q1.value) == (2, 4, 50.0)  # not 2 of 6 (33.3%)
    q3 = figure(settings, "contact_conversion", "2024-25-Q3")
    assert (q3.numerator, q3.denominator, q3.value) == (0, 0, None)  # no value, never 0%
    assert figure(settings, "contacts", "2024-25-Q3").value == 2  # the contacts themselves still count
    year = figure(settings, "contact_conversion", "2024-25")
    assert (year.numerator, year.denominator) == (2, 4)
    raw = [
        figure(settings, "contact_conversion", period, source="raw")
        for period in ("2024-25-Q1", "2024-25-Q3")
    ]
    assert [(f.numerator, f.denominator, f.value) for f in raw] == [
        (2, 4, 50.0),
        (0, 0, None),
    ]  # the facts agree


def test_each_counting_rule_in_the_sql_names_a_kpi_and_is_in_the_kpi_doc():
    from etl.docs import KPIS_DOC

    rules = counting_rules()
    assert {"re_referral_12m", "cp_repeat", "contact_conversion"} <= rules.keys() <= REGISTRY.keys()
    text = KPIS_DOC.read_text(encoding="utf-8")
    assert all(f"- **Counting rule**: {rule}\n" in text for rule in rules.values())
    assert (
        "A referral on the same day as another referral of the child is not a re-referral"
        in rules["re_referral_12m"]
    )
