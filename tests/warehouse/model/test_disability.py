"""Disability: a filter made from one declaration (warehouse/model/builtin/dimensions.toml), checked
on a hand-built extract with the figures worked out by hand."""

from __future__ import annotations

import os

import duckdb
import pytest

from tests.helpers import write_extract
from warehouse.kpis.engine import Filters, evaluate, records
from warehouse.kpis.periods import financial_year
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.suppression import NO_SUPPRESSION
from warehouse.model.files import active_model

WINDOW = {"coverage_start": "2024-04-01", "coverage_end": "2025-03-31"}
FY = financial_year(2024)
LA = "E08000021"

# Six children, each referred in 2024/25: A and B twice, the others once.
#   disabled (Y):      A (2 referrals, the second an NFA), D (1)        -> 3 referrals, 1 NFA
#   not disabled (N):  B (2 referrals), E (1)                          -> 3 referrals, 0 NFA
#   not known (U or blank): C (U, 1 referral), F (blank, 1 NFA)       -> 2 referrals, 1 NFA
REFERRALS = [
    {"child_id": "A", "disability": "Y", "referral_date": "2024-04-10"},
    {"child_id": "A", "disability": "Y", "referral_date": "2024-09-10", "is_nfa": "Y"},
    {"child_id": "B", "disability": "N", "referral_date": "2024-05-01"},
    {"child_id": "B", "disability": "N", "referral_date": "2025-02-01"},
    {"child_id": "C", "disability": "U", "referral_date": "2024-06-15"},
    {"child_id": "D", "disability": "Y", "referral_date": "2024-11-30"},
    {"child_id": "E", "disability": "N", "referral_date": "2025-03-31"},
    {"child_id": "F", "disability": "", "referral_date": "2024-12-01", "is_nfa": "Y"},
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from datetime import date

    from etl.pipeline import run_load
    from warehouse.settings import Settings

    folder = tmp_path_factory.mktemp("disability")
    os.environ.setdefault("SAFEGUARD_PSEUDONYMISATION_KEY", "test-key")
    extract = write_extract(folder / "referrals.csv", "referrals", REFERRALS, la_code=LA, **WINDOW)
    settings = Settings(home=folder / "home")
    run_load([extract], settings, today=date(2025, 6, 30))
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        yield connection


def test_the_declaration_gives_a_filter_with_its_values():
    disability = active_model().dimension("disability")
    assert (disability.url_key, disability.label) == ("disability", "Disability")
    assert disability.fixed_values() == {
        "Disabled": "Disabled",
        "Not disabled": "Not disabled",
        "Not known": "Not known",
    }
    assert all("disability" in kpi.dimensions for kpi in (get_kpi("referrals"), get_kpi("cp_open")))


@pytest.mark.parametrize(
    "values, referrals, nfa",
    [
        (("Disabled",), 3, 1),
        (("Not disabled",), 3, 0),
        (("Not known",), 2, 1),
        (("Disabled", "Not known"), 5, 2),
        ((), 8, 2),
    ],
)
@pytest.mark.parametrize("source", ["cube", "raw"])
def test_referrals_by_disability_match_the_hand_count(con, values, referrals, nfa, source):
    filters = Filters((LA,), disability=values)
    count, share = evaluate(con, ["referrals", "referral_nfa"], FY, filters, source=source)
    assert count.current.value == referrals
    assert (share.current.numerator, share.current.denominator) == (nfa, referrals)
    assert count.ignored_filters == ()


def test_the_records_behind_a_figure_are_those_children(con):
    listed = records(con, get_kpi("referrals"), FY, Filters((LA,), disability=("Disabled",)), NO_SUPPRESSION)
    assert listed.count == 3
    assert sorted(str(d.date()) for d in listed.rows["event_date"]) == [
        "2024-04-10",
        "2024-09-10",
        "2024-11-30",
    ]


def test_the_cube_holds_the_disability_column(con):
    rows = con.execute(
        "SELECT disability, sum(n) FROM kpi_cube WHERE measure = 'referrals' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [("Disabled", 3), ("Not disabled", 3), ("Not known", 2)]
