"""The four record-level partner packs shipped in the model (warehouse/model/builtin/early_help.toml,
lado.toml, police.toml, exploitation.toml): each loaded from a small hand-built extract of ten records,
and every KPI's figure worked out by hand below, with a period boundary and a filter. Each figure is
also counted from the raw facts (the records page's path), which must give the cube's."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl.pipeline import run_load
from tests.helpers import write_extract
from warehouse.kpis.engine import Filters, evaluate, records
from warehouse.kpis.periods import financial_year, month, quarter
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.suppression import NO_SUPPRESSION
from warehouse.settings import Settings

LA = "E08000021"
YEAR = financial_year(2024)  # April 2024 to March 2025
Q1, Q2, Q3 = quarter(2024, 1), quarter(2024, 2), quarter(2024, 3)
WINDOW = {"la_code": LA, "coverage_start": "2024-04-01", "coverage_end": "2025-03-31"}

# Early help episodes. Working days count after the start, up to and including the completion, on
# the English bank-holiday calendar:
#   E7 20 Mar -> 10 Apr 2024: 13 (Good Friday 29 Mar and Easter Monday 1 Apr skipped)   in time
#   E1  2 Apr ->  1 May 2024: 21                                                          in time
#   E2 15 Apr -> 28 Jun 2024: 52 (11 in April, 21 in May less its two bank holidays, 20)  late
#   E3 20 May -> 11 Jun 2024: 15 (27 May skipped)                                         in time
#   E6  1 Jul ->  1 Aug 2024: 23                                                          in time
#   E8 30 Sep ->  1 Oct 2024: 1                                                           in time
#   E10 1 Oct -> 20 Dec 2024: 58 (22 in October, 21 in November, 15 in December)          late
EARLY_HELP = [
    # episode, child, start, source, lead agency (as written), assessed, ended, closure reason, area
    ("E1", "A", "2024-04-02", "agency_request", "School", "2024-05-01", "2024-09-30", "needs_met", "NCL-E"),
    ("E2", "B", "2024-04-15", "family", "Health", "2024-06-28", "2024-07-10", "SU", "NCL-E"),
    ("E3", "C", "2024-05-20", "step down", "LA", "2024-06-11", "", "", "NCL-E"),
    ("E4", "D", "2024-06-10", "agency_request", "Police", "", "2024-06-30", "withdrawn", "NCL-E"),
    ("E5", "E", "2024-06-30", "MASH", "VCS", "", "2025-02-14", "consent_withdrawn", "NCL-E"),
    ("E6", "F", "2024-07-01", "step_down", "EHS", "2024-08-01", "2025-01-15", "step_up", "NCL-E"),
    ("E7", "G", "2024-03-20", "agency_request", "SCH", "2024-04-10", "2024-04-30", "needs_met", "NCL-E"),
    ("E8", "H", "2024-09-30", "agency_request", "NHS", "2024-10-01", "2024-10-01", "moved", "NCL-W"),
    ("E9", "I", "2025-03-31", "family_request", "School", "", "", "", "NCL-E"),
    ("E10", "A", "2024-10-01", "SD", "Health", "2024-12-20", "", "", "NCL-W"),
]

# Referrals of some of the same children, to link the episodes that ended to: B's on the day E2 ended,
# F's 14 days after E6 ended (the last day linked), H's 15 days after E8 ended (too late), A's the day
# before E1 ended (before it), and Z's, who had no early help.
REFERRALS = [("R1", "B", "2024-07-10"), ("R2", "F", "2025-01-29"), ("R3", "H", "2024-10-16"),
             ("R4", "A", "2024-09-29"), ("R5", "Z", "2024-06-30")]  # fmt: skip

# LADO allegations. Days from referral to conclusion: L1 22, L2 30 (a month, just), L3 31, L4 91
# (three months, just), L5 97, L7 207, L8 365 (twelve months, just: 2024 is a leap year).
LADO = [
    # allegation, referred, source (as written), sector, category, concluded, outcome
    ("L1", "2024-04-03", "School", "education", "physical", "2024-04-25", "unsubstantiated"),
    ("L2", "2024-04-30", "Police", "police", "S", "2024-05-30", "substantiated"),
    ("L3", "2024-05-10", "Parent", "sports", "emotional", "2024-06-10", "unfounded"),
    ("L4", "2024-06-01", "NHS", "health", "physical", "2024-08-31", "false"),
    ("L5", "2024-06-15", "CSC", "foster care", "neglect", "2024-09-20", "malicious"),
    ("L6", "2024-07-01", "Ofsted", "nursery", "transferable risk", "", ""),
    ("L7", "2024-09-05", "Education", "school", "physical", "2025-03-31", "unsubstantiated"),
    ("L8", "2023-11-20", "School", "faith", "sexual", "2024-11-19", "substantiated"),
    ("L9", "2025-01-10", "Police", "other", "physical", "", ""),
    ("L10", "2025-03-31", "Health", "health", "emotional", "", ""),
]

# Police domestic abuse incidents over two years (April 2023 to March 2025). A repeat is an incident
# at a household with another in the 12 months before: P3 (H1's P1), P5 (H2's P2), P8 (H1's P3); not
# P7, whose household's last was P9, 19 months before.
POLICE = [
    # incident, at, household, area, children, DASH, MARAC, Encompass notified, before school
    ("P1", "2024-04-05 21:00", "H1", "NCL-E", "2", "standard", "N", "2024-04-06 07:30", "Y"),
    ("P2", "2024-05-10 23:15", "H2", "NCL-W", "1", "H", "Y", "2024-05-13 10:00", "N"),
    ("P3", "2024-06-30 02:00", "H1", "NCL-E", "2", "medium", "N", "2024-07-01 08:00", "Y"),
    ("P4", "2024-07-15 18:00", "H3", "NCL-E", "3", "", "N", "", ""),
    ("P5", "2024-09-01 12:00", "H2", "NCL-W", "1", "high", "Y", "2024-09-02 08:30", "yes"),
    ("P6", "2024-12-24 20:00", "H4", "NCL-E", "1", "standard", "N", "2024-12-27 09:00", "Y"),
    ("P7", "2025-01-10 09:00", "H5", "NCL-W", "2", "M", "N", "2025-01-10 15:00", "N"),
    ("P8", "2025-03-31 22:00", "H1", "NCL-E", "2", "high", "Y", "2025-03-31 23:30", "Y"),
    ("P9", "2023-06-01 10:00", "H5", "NCL-W", "1", "standard", "N", "", ""),
    ("P10", "2025-03-15 16:00", "H6", "NCL-E", "1", "medium", "N", "2025-03-17 08:00", "Y"),
]

# Children on the exploitation panel. Open at a month end: opened on or before it, and closed after it
# or not at all (X4, opened and closed on 30 June, is never open at a month end).
#   30 Jun 2024: X1, X2, X3                         -> 3, high X1, X3
#   31 Dec 2024: X1, X3, X5, X6, X7 (X8 closed that day) -> 5
#   31 Mar 2025: X1, X3, X5, X7, X9, X10 (X6 closed that day) -> 6: CCE X1, X9; CSE X7, X10; both X3;
#                trafficking X5; high X1, X3, X5, X9; medium X10; low X7; boys X9, X10
# NRM referrals in 2024/25: X3 (May), X5 (July), X9 (February), X6 (31 March); X1's was in February 2024.
EXPLOITATION = [
    # case, child, opened, closed, type (as written), risk, NRM referral, gender
    ("X1", "A", "2024-01-15", "", "CCE", "high", "2024-02-01", "F"),
    ("X2", "B", "2024-04-10", "2024-09-30", "CSE", "M", "", "F"),
    ("X3", "C", "2024-05-01", "", "CSE and CCE", "high", "2024-05-20", "F"),
    ("X4", "D", "2024-06-30", "2024-06-30", "criminal", "low", "", "F"),
    ("X5", "E", "2024-07-01", "", "modern slavery", "H", "2024-07-05", "F"),
    ("X6", "F", "2024-08-15", "2025-03-31", "CCE", "medium", "2025-03-31", "F"),
    ("X7", "G", "2024-10-01", "", "CSE", "low", "", "F"),
    ("X8", "H", "2024-11-11", "2024-12-31", "county lines", "medium", "", "F"),
    ("X9", "I", "2025-01-20", "", "CCE", "high", "2025-02-03", "M"),
    ("X10", "J", "2025-03-31", "", "sexual", "medium", "", "M"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("partner_packs")
    files = [
        write_extract(
            folder / "early_help.csv",
            "early_help_episodes",
            [
                {
                    "episode_id": e, "child_id": c, "start_date": s, "source": so, "lead_agency": a,
                    "assessment_completed_date": done, "end_date": end, "closure_reason": why, "area_code": area,
                    "lead_worker_notes": "Family known to the school",
                }
                for e, c, s, so, a, done, end, why, area in EARLY_HELP
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "lado.csv",
            "lado_allegations",
            [
                {
                    "allegation_id": i, "referral_date": r, "person_id": f"P{i}", "person_name": "A Name",
                    "referral_source": so, "employer_sector": se, "category": ca, "concluded_date": con,
                    "outcome": out,
                }
                for i, r, so, se, ca, con, out in LADO
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "police.csv",
            "police_da_incidents",
            [
                {
                    "incident_id": i, "incident_at": at, "household_id": h, "area_code": area,
                    "children_present": n, "dash_risk": dash, "marac_referral": marac,
                    "encompass_notified_at": told, "encompass_before_school": early,
                    "officer_notes": "Neighbour called",
                }
                for i, at, h, area, n, dash, marac, told, early in POLICE
            ],
            **(WINDOW | {"coverage_start": "2023-04-01"}),
        ),
        write_extract(
            folder / "exploitation.csv",
            "exploitation_panel",
            [
                {
                    "case_id": i, "child_id": c, "date_of_birth": "2008-05-01", "opened_date": o,
                    "closed_date": cl, "exploitation_type": t, "risk_level": r, "nrm_referral_date": nrm,
                    "gender": g,
                }
                for i, c, o, cl, t, r, nrm, g in EXPLOITATION
            ],
            **WINDOW,
        ),
        write_extract(
            folder / "referrals.csv",
            "referrals",
            [{"referral_id": r, "child_id": c, "referral_date": d, "contact_id": ""} for r, c, d in REFERRALS],
            **WINDOW,
        ),
    ]  # fmt: skip
    settings = Settings(home=folder / "home")
    outcomes = run_load(files, settings, today=date(2025, 6, 30))
    assert [(o.status, o.rows_loaded, o.rows_rejected) for o in outcomes] == [("loaded", 10, 0)] * 4 + [
        ("loaded", 5, 0)
    ], [o.message for o in outcomes]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        yield con


def figure(con, kpi: str, period, **wanted) -> float | None:
    """The KPI's exact figure, from the cubes; the raw facts must give the same."""
    filters = Filters((LA,), **wanted)
    [cube] = evaluate(con, [kpi], period, filters, NO_SUPPRESSION)
    [raw] = evaluate(con, [kpi], period, filters, NO_SUPPRESSION, source="raw")
    assert cube.current == raw.current, (kpi, period, wanted)
    return None if cube.current.value is None else round(cube.current.value, 2)


def parts(con, kpi: str, period, **wanted) -> dict[str, int]:
    [result] = evaluate(con, [kpi], period, Filters((LA,), **wanted), NO_SUPPRESSION)
    return {part.label: part.count for part in result.parts if part.count}


def test_early_help_assessments_started(warehouse):
    # Q1: E1, E2 (April), E3 (May), E4, E5 (June; E5 on the 30th); E7 started in March, before it.
    assert figure(warehouse, "early_help_started", Q1) == 5
    assert figure(warehouse, "early_help_started", month(2024, 4)) == 2
    assert figure(warehouse, "early_help_started", month(2025, 3)) == 1  # E9, on the year's last day
    assert figure(warehouse, "early_help_started", YEAR) == 9  # all but E7
    # Led by health: E2 (Health), E8 (NHS), E10 (Health); the other spellings are their agency's too.
    assert figure(warehouse, "early_help_started", YEAR, agency=["Health"]) == 3
    assert figure(warehouse, "early_help_started", YEAR, agency=["Other"]) == 1  # E5, voluntary sector
    assert figure(warehouse, "early_help_started", YEAR, area=["NCL-W"]) == 2  # E8, E10


def test_early_help_assessments_completed_within_45_working_days(warehouse):
    # Q1 completions: E7, E1, E3 in time, E2 late: 3 of 4. The year adds E6, E8 in time, E10 late: 5 of 7.
    assert figure(warehouse, "early_help_assessed_45wd", Q1) == 75.0
    assert figure(warehouse, "early_help_assessed_45wd", YEAR) == round(5 / 7 * 100, 2)
    assert figure(warehouse, "early_help_assessed_45wd", YEAR, agency=["Health"]) == round(1 / 3 * 100, 2)
    assert figure(warehouse, "early_help_assessed_45wd", month(2024, 12)) == 0.0  # E10 alone, late


def test_early_help_step_up_and_step_down(warehouse):
    # Ended in the year: E7 (April), E4 (June), E2 (July, stepped up), E1 (September), E8 (October),
    # E6 (January, stepped up), E5 (February): 2 of 7. Q2: E2 and E1, 1 of 2.
    assert figure(warehouse, "early_help_step_up", YEAR) == round(2 / 7 * 100, 2)
    assert figure(warehouse, "early_help_step_up", Q2) == 50.0
    assert figure(warehouse, "early_help_step_up", Q1) == 0.0  # E7 and E4 ended otherwise
    # Followed by a referral of the same child within 14 days of the end: E2 (R1), E6 (R2), of the same
    # 7; in Q3 E8 alone ended, 15 days before R3; in Q4 E6 did, E5 did not.
    assert figure(warehouse, "early_help_ended_referred", YEAR) == round(2 / 7 * 100, 2)
    assert figure(warehouse, "early_help_ended_referred", Q3) == 0.0
    assert figure(warehouse, "early_help_ended_referred", quarter(2024, 4)) == 50.0
    # Started as a step-down: E3 ("step down"), E6, E10 ("SD").
    assert figure(warehouse, "early_help_step_down", YEAR) == 3
    assert figure(warehouse, "early_help_step_down", Q1) == 1
    assert figure(warehouse, "early_help_step_down", YEAR, agency=["Local authority"]) == 2  # E3, E6


def test_early_help_episodes_open(warehouse):
    # 30 June: E1, E2, E3, E5 (E4 ended that day, E7 in April). 31 December: E3, E5, E6, E10.
    # 31 March: E3, E9, E10 (E5 ended in February, E6 in January).
    assert figure(warehouse, "early_help_open", Q1) == 4
    assert figure(warehouse, "early_help_open", Q3) == 4
    assert figure(warehouse, "early_help_open", YEAR) == 3
    assert figure(warehouse, "early_help_open", YEAR, area=["NCL-W"]) == 1  # E10


def test_lado_referrals_and_their_shares(warehouse):
    # Referred in the year: all but L8 (November 2023): 9.
    assert figure(warehouse, "lado_referrals", YEAR) == 9
    assert figure(warehouse, "lado_referrals", month(2024, 4)) == 2  # L1, L2 (the 30th)
    assert figure(warehouse, "lado_referrals", month(2025, 3)) == 1  # L10, on the year's last day
    assert figure(warehouse, "lado_referrals", YEAR, lado_sector=["education"]) == 2  # L1, L7
    assert parts(warehouse, "lado_referrals_by_sector", YEAR) == {
        "education": 2, "police": 1, "sport": 1, "health": 2, "social_care": 1, "early_years": 1, "other": 1,
    }  # fmt: skip
    assert parts(warehouse, "lado_referrals_by_source", YEAR) == {
        "Schools and education": 2, "Police": 2, "Individual": 1, "Health": 2, "Local authority": 1, "Other": 1,
    }  # fmt: skip
    assert parts(warehouse, "lado_referrals_by_category", YEAR) == {
        "physical": 4, "sexual": 1, "emotional": 2, "neglect": 1, "suitability": 1,
    }  # fmt: skip
    # Concluded in the year: L1, L2, L3, L4, L5, L7, L8.
    assert parts(warehouse, "lado_outcomes", YEAR) == {
        "unsubstantiated": 2, "substantiated": 2, "unfounded": 1, "false": 1, "malicious": 1,
    }  # fmt: skip
    assert parts(warehouse, "lado_outcomes", Q1) == {"unsubstantiated": 1, "substantiated": 1, "unfounded": 1}


def test_lado_timeliness(warehouse):
    # Of the 7 concluded in the year: within 30 days L1, L2; within 91 days also L3, L4; within 365 all.
    assert figure(warehouse, "lado_concluded_1m", YEAR) == round(2 / 7 * 100, 2)
    assert figure(warehouse, "lado_concluded_3m", YEAR) == round(4 / 7 * 100, 2)
    assert figure(warehouse, "lado_concluded_12m", YEAR) == 100.0
    assert figure(warehouse, "lado_concluded_1m", month(2025, 3)) == 0.0  # L7, 207 days, on the 31st
    assert figure(warehouse, "lado_concluded_1m", YEAR, agency=["Police"]) == 100.0  # L2 alone concluded


def test_a_lado_figure_is_not_split_by_a_childs_filter(warehouse):
    # An allegation is about an adult: a filter of the child's (gender, age) leaves the figure whole.
    [result] = evaluate(warehouse, ["lado_referrals"], YEAR, Filters((LA,), gender=["F"]), NO_SUPPRESSION)
    assert result.current.value == 9 and "gender" in result.ignored_filters


def test_police_domestic_abuse_incidents_and_repeats(warehouse):
    # In the year: all but P9 (June 2023): 9; Q1: P1, P2, P3 (the 30th, 2am).
    assert figure(warehouse, "police_da_incidents", YEAR) == 9
    assert figure(warehouse, "police_da_incidents", Q1) == 3
    assert figure(warehouse, "police_da_incidents", month(2025, 3)) == 2  # P10, P8 at 22:00 on the 31st
    assert figure(warehouse, "police_da_incidents", YEAR, area=["NCL-W"]) == 3  # P2, P5, P7
    # Repeats: P3, P5, P8 of 9; Q1: P3 of 3; high risk: P5, P8 of P2, P5, P8.
    assert figure(warehouse, "police_da_repeat_12m", YEAR) == round(3 / 9 * 100, 2)
    assert figure(warehouse, "police_da_repeat_12m", Q1) == round(1 / 3 * 100, 2)
    assert figure(warehouse, "police_da_repeat_12m", YEAR, dash_risk=["high"]) == round(2 / 3 * 100, 2)
    assert (
        figure(warehouse, "police_da_repeat_12m", month(2025, 1)) == 0.0
    )  # P7: its last was 19 months before


def test_police_risk_marac_and_operation_encompass(warehouse):
    # Graded in the year: all but P4, 8; high P2, P5, P8 ("H" and "high").
    assert figure(warehouse, "police_da_high_risk", YEAR) == 37.5
    assert figure(warehouse, "police_da_marac", YEAR) == 3
    assert figure(warehouse, "police_da_marac", YEAR, area=["NCL-E"]) == 1  # P8
    # Notified: all in the year but P4, 8; before school: all but P2 and P7, 6 of 8.
    assert figure(warehouse, "encompass_notifications", YEAR) == 8
    assert figure(warehouse, "encompass_before_school", YEAR) == 75.0
    assert figure(warehouse, "encompass_before_school", Q1) == round(2 / 3 * 100, 2)  # P1, P3 of P1-P3
    assert figure(warehouse, "encompass_before_school", YEAR, area=["NCL-W"]) == round(1 / 3 * 100, 2)  # P5


def test_children_open_to_the_exploitation_panel(warehouse):
    assert figure(warehouse, "exploitation_open", Q1) == 3
    assert figure(warehouse, "exploitation_open", Q3) == 5
    assert figure(warehouse, "exploitation_open", YEAR) == 6
    assert figure(warehouse, "exploitation_open", YEAR, exploitation_type=["CCE"]) == 2  # X1, X9
    assert figure(warehouse, "exploitation_open", YEAR, gender=["M"]) == 2  # X9, X10
    assert figure(warehouse, "exploitation_high_risk", Q1) == round(2 / 3 * 100, 2)
    assert figure(warehouse, "exploitation_high_risk", YEAR) == round(4 / 6 * 100, 2)
    assert parts(warehouse, "exploitation_open_by_type", YEAR) == {
        "CCE": 2,
        "CSE": 2,
        "both": 1,
        "trafficking": 1,
    }
    assert parts(warehouse, "exploitation_open_by_risk", YEAR) == {"high": 4, "medium": 1, "low": 1}


def test_nrm_referrals(warehouse):
    assert figure(warehouse, "nrm_referrals", YEAR) == 4
    assert figure(warehouse, "nrm_referrals", Q1) == 1  # X3
    assert figure(warehouse, "nrm_referrals", month(2025, 3)) == 1  # X6, on the 31st
    assert figure(warehouse, "nrm_referrals", YEAR, exploitation_risk=["high"]) == 3  # X3, X5, X9


def test_names_and_notes_are_never_stored_and_ids_are_hashed(warehouse):
    columns = {
        table: {
            name for (name,) in warehouse.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()
        }
        for table in ("early_help_episode", "lado_allegation", "police_da_incident")
    }
    assert "lead_worker_notes" not in columns["early_help_episode"]
    assert "person_name" not in columns["lado_allegation"] and "child_id" not in columns["lado_allegation"]
    assert "officer_notes" not in columns["police_da_incident"]
    people = {p for (p,) in warehouse.execute("SELECT person_id FROM lado_allegation").fetchall()}
    households = {h for (h,) in warehouse.execute("SELECT household_id FROM police_da_incident").fetchall()}
    assert len(people) == 10 and not people & {f"P{row[0]}" for row in LADO}
    assert len(households) == 6 and not households & {f"H{n}" for n in range(1, 7)}
    assert all(len(h) == 32 for h in households)  # a 16-byte keyed hash, in hex


def test_the_records_of_an_incident_name_its_household_by_its_pseudonym(warehouse):
    # Q1 2024/25: P1 (H1, 5 April), P2 (H2, 10 May), P3 (H1, 30 June): a household, never an empty child.
    found = records(warehouse, get_kpi("police_da_incidents"), Q1, Filters((LA,)), NO_SUPPRESSION)
    hashed = dict(warehouse.execute("SELECT incident_id, household_id FROM police_da_incident").fetchall())
    assert found.subject == "Household"
    assert [(r.subject_id, str(r.event_date.date())) for r in found.rows.itertuples()] == [
        (hashed["P1"], "2024-04-05"),
        (hashed["P2"], "2024-05-10"),
        (hashed["P3"], "2024-06-30"),
    ]
    assert hashed["P1"] == hashed["P3"] != hashed["P2"]
    # LADO: the adult the allegation is about; a child's dataset still lists children.
    assert (
        records(warehouse, get_kpi("lado_referrals"), YEAR, Filters((LA,)), NO_SUPPRESSION).subject
        == "Person"
    )
    assert records(warehouse, get_kpi("referrals"), YEAR, Filters((LA,)), NO_SUPPRESSION).subject == "Child"
