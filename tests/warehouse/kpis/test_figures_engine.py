"""KPIs over figures submitted by agencies (warehouse/kpis/figures.py), worked out by hand on a small
warehouse of submitted figures (the health, education and training packs' quarterly datasets):

  Health, E08000021 (city)   crisis referrals / seen in 24h   self-harm by age (0-12, 13-15, 16-17)   CAMHS started / in 12 weeks
    Q2 2024/25               100 / 70
    Q1 2025/26               120 / 96                         3 + 20 + 17 = 40                         50 / 30
    Q2 2025/26               100 -> corrected to 110 / 99     2 + 18 + 15 = 35                         40 / 28
    Q3 2025/26               130 / 91                         1 + 22 + 19 = 42                         45 / 27
    Q4 2025/26               125 / 110                        4 + 21 + 20 = 45                         55 / 33
  Health, E06000057 (county)
    Q1 2025/26               60 / 45                          1 + 9 + 8 = 18                           not available
    Q2 2025/26 onwards       not submitted
  Education (stocks at the quarter's end; suspensions a flow)
    E08000021 Q1 2025/26     missing education 80 (44 with SEN), home educated 380 of 41,000, suspensions 25
    E08000021 Q4 2025/26     missing education 90 (45 with SEN), home educated 400 of 41,200, suspensions 30
    E06000057 Q1 2025/26     missing education 30 (12 with SEN), home educated 350 of 39,000, suspensions 3
  Training and feedback, Q1 2025/26
    E08000021                people trained 120 + 60 + 30 + 80 + 23 = 313; feedback: 236 responses, scores total 1,078
    E06000057                feedback: 4 responses, scores total 18
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from warehouse.db import build_schema
from warehouse.kpis.assessment import TargetInForce, assess
from warehouse.kpis.engine import Filters, KpiResult, evaluate
from warehouse.kpis.figures import periods_read, series_periods
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.model import Timing
from warehouse.kpis.periods import PeriodKind, financial_year, month, parse_period, quarter
from warehouse.kpis.rag import Rag
from warehouse.kpis.scorecard import ScorecardConfig, ScorecardPriority, Travel, build_scorecard
from warehouse.kpis.spc import Variation, spc_for
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy, random_round
from warehouse.submissions import Figure, Submission, record_submission

CITY, COUNTY = "E08000021", "E06000057"
PROTECTED = SuppressionPolicy()
AGENCIES = {
    "health_returns": "Health",
    "education_returns": "Schools and education",
    "partnership_returns": "Local authority",
}


def _submit(
    con, dataset: str, la: str, period_code: str, figures: dict, who: str = "analyst", note=None
) -> None:
    period = parse_period(period_code)
    submission = Submission(
        dataset,
        la,
        AGENCIES[dataset],
        period.start,
        period.end,
        who,
        datetime(2026, 4, 10, 9),
        "upload",
        note=note,
    )
    rows = []
    for measure, value in figures.items():
        if isinstance(value, dict):
            rows += [Figure(measure, part, part_value) for part, part_value in value.items()]
        else:
            rows.append(Figure(measure, "", value))
    record_submission(con, submission, rows, load_id=1)


def _health(referrals, seen, self_harm=None, camhs=None) -> dict:
    figures = {"crisis_team_referrals": referrals, "crisis_team_seen_24h": seen}
    if self_harm:
        figures["self_harm_u18"] = dict(zip(("0-12", "13-15", "16-17"), self_harm))
    if camhs:
        figures["camhs_started"], figures["camhs_started_12wk"] = camhs
    return figures


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        build_schema(connection)
        health = [
            (CITY, "2024-25-Q2", _health(100, 70)),
            (CITY, "2025-26-Q1", _health(120, 96, (3, 20, 17), (50, 30))),
            (CITY, "2025-26-Q2", _health(100, 99, (2, 18, 15), (40, 28))),
            (CITY, "2025-26-Q3", _health(130, 91, (1, 22, 19), (45, 27))),
            (CITY, "2025-26-Q4", _health(125, 110, (4, 21, 20), (55, 33))),
            (COUNTY, "2025-26-Q1", _health(60, 45, (1, 9, 8), (None, None))),
        ]
        for la, code, figures in health:
            _submit(connection, "health_returns", la, code, figures)
        # The correction: Q2's referrals were 110, not 100.
        _submit(
            connection,
            "health_returns",
            CITY,
            "2025-26-Q2",
            {"crisis_team_referrals": 110},
            "lead",
            "recount",
        )
        education = [
            (CITY, "2025-26-Q1", (80, 44, 380, 41_000, 25)),
            (CITY, "2025-26-Q4", (90, 45, 400, 41_200, 30)),
            (COUNTY, "2025-26-Q1", (30, 12, 350, 39_000, 3)),
        ]
        names = ("cme_open", "cme_open_sen", "ehe_open", "school_age_children", "suspensions_sw")
        for la, code, values in education:
            _submit(connection, "education_returns", la, code, dict(zip(names, values)))
        trained = {"LA": 120, "Health": 60, "Police": 30, "Education": 80, "Other": 23}
        _submit(
            connection,
            "partnership_returns",
            CITY,
            "2025-26-Q1",
            {"trained_people": trained, "feedback_responses": 236, "feedback_score_total": 1078},
        )
        _submit(
            connection,
            "partnership_returns",
            COUNTY,
            "2025-26-Q1",
            {"feedback_responses": 4, "feedback_score_total": 18},
        )
        yield connection


def one(con, kpi_id: str, period, la_codes=(CITY,), policy=NO_SUPPRESSION, **options) -> KpiResult:
    [result] = evaluate(con, [kpi_id], period, Filters(la_codes), policy, **options)
    return result


def test_a_quarter_is_its_submitted_figure_and_a_correction_supersedes(con):
    q2 = one(con, "crisis_24h", quarter(2025, 2))
    # 99 seen of 110 (the corrected referrals, not the 100 first submitted) = 90.0%
    assert (q2.current.numerator, q2.current.denominator, q2.current.value) == (99, 110, 90.0)
    assert q2.previous.value == 96 / 120 * 100 == 80.0  # Q1 2025/26
    assert q2.last_year.value == 70 / 100 * 100  # Q2 2024/25
    assert shown_change(q2.kpi, q2.current, q2.previous).absolute == 10.0


def test_a_flow_over_a_year_sums_its_quarters(con):
    year = one(con, "crisis_24h", financial_year(2025)).current
    assert (year.numerator, year.denominator) == (96 + 99 + 91 + 110, 120 + 110 + 130 + 125)
    assert year.value == pytest.approx(396 / 485 * 100)
    # The 12 months to March 2026 are the same four quarters.
    assert one(con, "crisis_team_referrals", parse_period("R12-2026-03")).current.value == 485


def test_a_period_the_quarters_do_not_make_up_is_shown_as_the_latest_they_do(con):
    # The 12 months to May 2026 are not made of quarters: the 12 months to March are shown, and said to be.
    may = one(con, "crisis_team_referrals", parse_period("R12-2026-05"))
    assert (may.current.period, may.current.value) == (parse_period("R12-2026-03"), 485)
    assert may.period_note == "12 months to Mar 2026, the latest period the quarterly figures make up"
    # Its previous period steps back a quarter (a month back is not made of quarters either):
    # January 2025 to December 2025 reads Q4 2024/25, which Health never submitted.
    assert may.previous.period == parse_period("R12-2025-12")
    assert may.previous.no_data == "Health has not submitted Q4 2024/25 (due 20 April 2025)"
    # A period the quarters make up has no note.
    assert one(con, "crisis_team_referrals", parse_period("R12-2026-03")).period_note is None


def test_a_stock_is_the_figure_of_the_period_ending_at_the_periods_end(con):
    assert one(con, "cme", financial_year(2025)).current.value == 90  # Q4's, not 80 + 90
    assert one(con, "cme", month(2026, 3)).current.value == 90  # March ends Q4
    assert one(con, "cme_sen", quarter(2025, 1)).current.value == pytest.approx(44 / 80 * 100)
    assert one(con, "ehe_rate", quarter(2025, 4)).current.value == pytest.approx(400 / 41_200 * 100)


def test_a_month_of_a_quarterly_dataset_is_shown_as_the_latest_quarter_by_its_end(con):
    august = one(con, "cme", month(2025, 8))  # a stock: Q1's figure, the quarter ending before August ends
    assert (august.current.period, august.current.value) == (quarter(2025, 1), 80)
    assert august.period_note == "Q1 2025/26, the latest period the quarterly figures make up"
    assert august.previous.period == quarter(2024, 4)
    june = one(con, "crisis_team_referrals", month(2025, 6))  # a flow's month, even the quarter's last
    assert (june.current.period, june.current.value) == (quarter(2025, 1), 120)
    assert june.last_year.period == quarter(2024, 1)


def test_a_measure_given_in_parts_is_the_sum_of_its_parts(con):
    assert one(con, "self_harm_u18", quarter(2025, 1)).current.value == 3 + 20 + 17
    assert one(con, "training_reach", quarter(2025, 1)).current.value == 313


def test_a_partnership_total_needs_every_las_figure(con):
    both = (CITY, COUNTY)
    assert one(con, "crisis_team_referrals", quarter(2025, 1), both).current.value == 120 + 60
    q2 = one(con, "crisis_team_referrals", quarter(2025, 2), both).current
    assert q2.value is None
    assert q2.no_data == "Health has not submitted Q2 2025/26 (due 20 October 2025) for E06000057"
    # One LA alone: its own figure, and the missing period named without the LA.
    assert one(con, "crisis_team_referrals", quarter(2025, 2), (COUNTY,)).current.no_data == (
        "Health has not submitted Q2 2025/26 (due 20 October 2025)"
    )


def test_a_figure_given_as_not_available_has_no_value(con):
    camhs = one(con, "camhs_12wk", quarter(2025, 1), (COUNTY,)).current
    assert camhs.value is None and camhs.no_data == "Health gave Q1 2025/26 as not available"


def test_a_small_count_is_suppressed_for_a_protected_role_and_exact_for_others(con):
    assert one(con, "suspensions_sw", quarter(2025, 1), (COUNTY,)).current.value == 3
    hidden = one(con, "suspensions_sw", quarter(2025, 1), (COUNTY,), PROTECTED).current
    assert hidden.suppressed and hidden.value is None and hidden.numerator is None
    # 80 is a multiple of 5: rounding leaves it.
    assert one(con, "cme", quarter(2025, 1), policy=PROTECTED).current.value == 80


def _key(con, la: str, measure: str) -> int:
    return con.execute(
        "SELECT sum(cell_key) FROM current_figure WHERE la_code = ? AND measure = ?", [la, measure]
    ).fetchone()[0]


def test_a_score_is_not_rounded_but_the_count_it_is_divided_by_is(con):
    exact = one(con, "feedback_score", quarter(2025, 1)).current
    assert exact.value == pytest.approx(1078 / 236)
    shown = one(con, "feedback_score", quarter(2025, 1), policy=PROTECTED).current
    responses = random_round(236, _key(con, CITY, "feedback_responses"))
    assert responses in (235, 240) and shown.denominator == responses
    assert shown.numerator == 1078 and shown.value == pytest.approx(1078 / responses)
    # 4 responses: the count is suppressed, and with it the mean of so few.
    assert one(con, "feedback_score", quarter(2025, 1), (COUNTY,)).current.value == 18 / 4
    assert one(con, "feedback_score", quarter(2025, 1), (COUNTY,), PROTECTED).current.suppressed


def test_rag_against_a_target_follows_the_direction_of_good(con):
    targets = {"crisis_24h": 85.0, "camhs_12wk": 55.0, "self_harm_u18": 39.0}

    def lookup(kpi_id, la_code, day):
        return (
            TargetInForce(targets[kpi_id], 5.0, date(2025, 4, 1), is_demo=False)
            if kpi_id in targets
            else None
        )

    judged = {
        a.kpi.id: a.rag
        for a in assess(con, list(targets), quarter(2025, 1), Filters((CITY,)), targets=lookup)
    }
    # crisis 80.0% (higher is better): 5 points short of 85, beyond 5% of it (4.25): red.
    # CAMHS 30 of 50 = 60.0% against 55: green. Self-harm 40 (lower is better) against 39: 1 over,
    # within 5% of 39 (1.95): amber.
    assert judged == {"crisis_24h": Rag.RED, "camhs_12wk": Rag.GREEN, "self_harm_u18": Rag.AMBER}


def test_a_filter_leaves_the_figure_whole_and_is_reported_as_ignored(con):
    [filtered] = evaluate(
        con, ["crisis_24h"], quarter(2025, 1), Filters((CITY,), age_band=("5-9",), area=("X",))
    )
    assert filtered.current.value == 80.0
    assert set(filtered.ignored_filters) == {"age_band", "area"}


def test_the_series_runs_over_quarters_and_spc_says_it_has_too_few(con):
    result = one(con, "crisis_24h", quarter(2025, 4))
    assert [f.period.label for f in result.series] == [
        "Q4 2023/24",
        "Q1 2024/25",
        "Q2 2024/25",
        "Q3 2024/25",
        "Q4 2024/25",
        "Q1 2025/26",
        "Q2 2025/26",
        "Q3 2025/26",
        "Q4 2025/26",
    ]
    assert [f.value for f in result.series] == [None, None, 70.0, None, None, 80.0, 90.0, 70.0, 88.0]
    assert result.series[0].no_data == "Health has not submitted Q4 2023/24 (due 20 April 2024)"
    spc = spc_for(assess(con, ["crisis_24h"], quarter(2025, 4), Filters((CITY,)))[0])
    assert spc.variation is Variation.TOO_FEW_POINTS and not spc.enough_points and len(spc.points) == 5
    assert one(con, "crisis_24h", quarter(2025, 4), series_months=0).series == ()


def test_the_scorecard_shows_five_quarters_of_submitted_figures(con):
    config = ScorecardConfig(priorities=(ScorecardPriority(title="Emotional health", kpis=("crisis_24h",)),))
    card = build_scorecard(con, quarter(2025, 4), Filters((CITY,)), NO_SUPPRESSION, None, config=config)
    [row] = card.priorities[0].rows
    assert [f.value for f in row.figures] == [None, 80.0, 90.0, 70.0, 88.0]  # Q4 2024/25 not submitted
    assert row.travel is Travel.IMPROVING and row.change.absolute == pytest.approx(18.0)
    assert row.spc.variation is Variation.TOO_FEW_POINTS


def test_the_raw_path_gives_the_same_figures(con):
    kpis = ["crisis_24h", "cme", "self_harm_u18", "feedback_score"]
    for period in (quarter(2025, 1), financial_year(2025), month(2025, 5)):
        assert evaluate(con, kpis, period, Filters((CITY, COUNTY))) == evaluate(
            con, kpis, period, Filters((CITY, COUNTY)), source="raw"
        )


def test_cadence_periods_that_make_up_a_period():
    q1 = quarter(2025, 1)
    assert periods_read(financial_year(2025), PeriodKind.QUARTER, Timing.FLOW) == [
        quarter(2025, n) for n in (1, 2, 3, 4)
    ]
    assert periods_read(financial_year(2025), PeriodKind.QUARTER, Timing.STOCK) == [quarter(2025, 4)]
    assert periods_read(month(2025, 6), PeriodKind.QUARTER, Timing.STOCK) == [q1]
    assert periods_read(month(2025, 6), PeriodKind.QUARTER, Timing.FLOW) is None
    assert periods_read(q1, PeriodKind.FINANCIAL_YEAR, Timing.FLOW) is None
    assert periods_read(q1, PeriodKind.MONTH, Timing.FLOW) == [month(2025, 4), month(2025, 5), month(2025, 6)]
    # A series for February 2026 ends with the last quarter over by then (Q3: October to December).
    assert series_periods(month(2026, 2), PeriodKind.QUARTER, 6) == [quarter(2025, 2), quarter(2025, 3)]
