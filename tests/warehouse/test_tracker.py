"""The submission tracker on a fixed day, worked out by hand: each figures dataset's periods that have
ended, per LA, due deadline_days after the period's end, and received, received late, late or not
yet due, with who sent them, when, and how often they were corrected."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from tests.etl.submission_fixtures import FIGURES_MODEL, NEWCASTLE, NORTHUMBERLAND
from warehouse.db import build_schema
from warehouse.kpis.periods import financial_year, quarter
from warehouse.model.files import ModelFile, read_model
from warehouse.submissions import Figure, Submission, record_submission
from warehouse.tracker import LATE, NOT_YET_DUE, RECEIVED, RECEIVED_LATE, submission_tracker, tracker_frame

MODEL = read_model([ModelFile("figures.toml", FIGURES_MODEL)])
Q1, Q2 = quarter(2025, 1), quarter(2025, 2)  # April-June 2025 (due 20 July), July-September (due 20 October)
ALL_POLICE = [
    Figure("pr_incidents", "0-12", 1),
    Figure("pr_incidents", "13-17", 2),
    Figure("pr_encompass", "", 3),
    Figure("pr_satisfaction", "", 4.0),
]


def submit(
    con, dataset: str, agency: str, la: str, period, by: str, at: datetime, figures: list[Figure]
) -> None:
    submission = Submission(dataset, la, agency, period.start, period.end, by, at, "upload")
    record_submission(con, submission, figures, load_id=1)


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        build_schema(connection)
        # Newcastle's Q1 on time (10 July, alice), corrected on 1 August by bob; its Q2 never came.
        submit(
            connection,
            "police_returns",
            "Police",
            NEWCASTLE,
            Q1,
            "alice",
            datetime(2025, 7, 10, 9),
            ALL_POLICE,
        )
        submit(
            connection,
            "police_returns",
            "Police",
            NEWCASTLE,
            Q1,
            "bob",
            datetime(2025, 8, 1, 16),
            [Figure("pr_encompass", "", 5)],
        )
        # Northumberland's Q1 five days late, with 2 of its 4 figures; its Q2 on the due day itself.
        submit(
            connection,
            "police_returns",
            "Police",
            NORTHUMBERLAND,
            Q1,
            "carol",
            datetime(2025, 7, 25, 11),
            ALL_POLICE[2:],
        )
        submit(
            connection,
            "police_returns",
            "Police",
            NORTHUMBERLAND,
            Q2,
            "carol",
            datetime(2025, 10, 20, 17),
            ALL_POLICE,
        )
        # Training: no expected_from, so the first year any LA sent (2024/25, due 30 April 2025) starts it.
        submit(
            connection,
            "training_returns",
            "Local authority",
            NEWCASTLE,
            financial_year(2024),
            "dan",
            datetime(2025, 6, 1),
            [Figure("tr_attendees", "", 250)],
        )
        yield connection


def states(rows) -> list[tuple]:
    return [(r.dataset, r.la_code, r.period.code, r.due, r.state) for r in rows]


def test_each_period_due_per_la_and_its_state_on_a_day(con):
    rows = submission_tracker(con, MODEL, date(2025, 11, 15), [NEWCASTLE, NORTHUMBERLAND])
    # By agency (Local authority before Police), dataset, LA code (E06 before E08) and period; Q3 has not ended by 15 November, so is not listed;
    # training's 2025/26 has not ended either.
    assert states(rows) == [
        ("training_returns", NORTHUMBERLAND, "2024-25", date(2025, 4, 30), LATE),
        ("training_returns", NEWCASTLE, "2024-25", date(2025, 4, 30), RECEIVED_LATE),
        ("police_returns", NORTHUMBERLAND, "2025-26-Q1", date(2025, 7, 20), RECEIVED_LATE),
        ("police_returns", NORTHUMBERLAND, "2025-26-Q2", date(2025, 10, 20), RECEIVED),
        ("police_returns", NEWCASTLE, "2025-26-Q1", date(2025, 7, 20), RECEIVED),
        ("police_returns", NEWCASTLE, "2025-26-Q2", date(2025, 10, 20), LATE),
    ]


def test_received_says_when_by_whom_how_often_corrected_and_how_much_arrived(con):
    rows = submission_tracker(con, MODEL, date(2025, 11, 15), [NEWCASTLE, NORTHUMBERLAND], agency="police")
    northumberland_q1, _, newcastle_q1, newcastle_q2 = rows
    assert (newcastle_q1.received_at, newcastle_q1.received_by) == (datetime(2025, 7, 10, 9), "alice")
    assert (newcastle_q1.corrections, newcastle_q1.last_at, newcastle_q1.last_by) == (
        1,
        datetime(2025, 8, 1, 16),
        "bob",
    )
    assert (newcastle_q1.figures_given, newcastle_q1.figures_expected) == (4, 4)  # 2 parts + 2 wholes
    assert (northumberland_q1.corrections, northumberland_q1.figures_given) == (0, 2)
    frame = tracker_frame([newcastle_q1, newcastle_q2], {NEWCASTLE: "Newcastle upon Tyne"})
    assert frame.iloc[0].to_dict() == {
        "Agency": "Police",
        "Figures": "Police returns",
        "Local authority": "Newcastle upon Tyne",
        "Period": "Q1 2025/26",
        "Due": pd.Timestamp(2025, 7, 20),
        "State": RECEIVED,
        "Received": pd.Timestamp(2025, 7, 10, 9),
        "Received from": "alice",
        "Corrections": 1,
        "Last corrected": pd.Timestamp(2025, 8, 1, 16),
        "Corrected by": "bob",
        "Figures given": "4 of 4",
    }
    later = frame.iloc[1]
    assert (later["State"], later["Received"], later["Figures given"]) == (LATE, pd.NaT, "0 of 4")
    # An LA it has no name for stays its code.
    assert tracker_frame([newcastle_q1])["Local authority"].tolist() == [NEWCASTLE]


def test_before_its_deadline_a_period_is_not_yet_due_and_an_agency_with_none_lists_nothing(con):
    # 10 October: Q2 ended on 30 September and is due on 20 October.
    rows = submission_tracker(con, MODEL, date(2025, 10, 10), [NEWCASTLE], agency="Police")
    assert states(rows) == [
        ("police_returns", NEWCASTLE, "2025-26-Q1", date(2025, 7, 20), RECEIVED),
        ("police_returns", NEWCASTLE, "2025-26-Q2", date(2025, 10, 20), NOT_YET_DUE),
    ]
    assert submission_tracker(con, MODEL, date(2025, 10, 10), [NEWCASTLE], agency="Health") == []
