"""The warehouse's submitted figures (migration 0014, definitions/050_figures.sql): a correction
supersedes the figure it corrects and both are kept, with who, when and old -> new; a cell keeps its
disclosure-control key across corrections."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from warehouse.db import build_schema, cell_key_salt
from warehouse.submissions import Figure, Submission, record_submission, superseded_figures

LA = "E08000021"
Q1 = {
    "dataset": "health_figures",
    "la_code": LA,
    "agency": "Health",
    "period_start": date(2025, 4, 1),
    "period_end": date(2025, 6, 30),
}


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        build_schema(connection)
        first = Submission(
            **Q1,
            submitted_by="alice",
            submitted_at=datetime(2025, 7, 10, 9),
            source="upload",
            file_name="q1.xlsx",
        )
        record_submission(
            connection,
            first,
            [
                Figure("crisis_referrals", "", 12),
                Figure("self_harm", "0-12", 3),
                Figure("self_harm", "13-17", None),
            ],
            load_id=1,
        )
        correction = Submission(
            **Q1, submitted_by="bob", submitted_at=datetime(2025, 7, 15, 14), source="manual", note="recount"
        )
        record_submission(connection, correction, [Figure("crisis_referrals", "", 14)], load_id=2)
        yield connection


def test_the_current_figure_of_each_cell_is_its_latest_submissions(con):
    rows = con.execute(
        "SELECT measure, part, value, submitted_by, revision FROM current_figure ORDER BY measure, part"
    ).fetchall()
    # crisis_referrals was 12 (alice), corrected to 14 (bob); self_harm's parts were given once,
    # 13-17 as not available.
    assert rows == [
        ("crisis_referrals", "", 14.0, "bob", 1),
        ("self_harm", "0-12", 3.0, "alice", 0),
        ("self_harm", "13-17", None, "alice", 0),
    ]


def test_a_correction_keeps_the_figure_it_supersedes_with_who_when_and_old_to_new(con):
    rows = con.execute(
        "SELECT submission_id, load_id, submitted_by, submitted_at, source, file_name, note, previous_value, value "
        "FROM figure_history WHERE measure = 'crisis_referrals' ORDER BY submission_id"
    ).fetchall()
    assert rows == [
        (1, 1, "alice", datetime(2025, 7, 10, 9), "upload", "q1.xlsx", None, None, 12.0),
        (2, 2, "bob", datetime(2025, 7, 15, 14), "manual", None, "recount", 12.0, 14.0),
    ]
    assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM submitted_figure").fetchone()[0] == 4


def test_a_cell_keeps_its_key_across_corrections_made_from_the_salt(con):
    salt = cell_key_salt(con)
    keys = {
        key
        for (key,) in con.execute(
            "SELECT cell_key FROM submitted_figure WHERE measure = 'crisis_referrals'"
        ).fetchall()
    }
    # Worked out here as record_key (005_macros.sql) does, on the cell's text.
    expected = con.execute(
        "SELECT CAST(hash(? || '|' || ? || '|' || ?) % 4294967296 AS BIGINT)",
        [LA, "figure|crisis_referrals|2025-04-01|", salt],
    ).fetchone()[0]
    assert keys == {expected}
    other = con.execute("SELECT cell_key FROM submitted_figure WHERE part = '0-12'").fetchone()[0]
    assert other != expected


def test_the_same_figures_again_change_nothing_and_different_ones_do(con):
    q1 = Q1["period_start"]
    assert superseded_figures(
        con, LA, q1, [Figure("crisis_referrals", "", 14), Figure("self_harm", "13-17", None)]
    ) == (0, 0)
    assert superseded_figures(con, LA, q1, [Figure("crisis_referrals", "", 12)]) == (0, 1)
    assert superseded_figures(con, LA, q1, [Figure("self_harm", "13-17", 2)]) == (0, 1)  # was not available
    assert superseded_figures(
        con, LA, q1, [Figure("new_measure", "", 0), Figure("self_harm", "0-12", 3)]
    ) == (1, 0)


def test_a_submission_names_how_it_came_and_each_cell_once(con):
    odd = Submission(**Q1, submitted_by="x", submitted_at=datetime(2025, 7, 20), source="email")
    with pytest.raises(ValueError, match="source is one of upload, inbox, manual, demo, not 'email'"):
        record_submission(con, odd, [Figure("crisis_referrals", "", 1)], load_id=3)
    twice = Submission(**Q1, submitted_by="x", submitted_at=datetime(2025, 7, 20), source="upload")
    with pytest.raises(ValueError, match="each measure and part once"):
        record_submission(con, twice, [Figure("m", "", 1), Figure("m", "", 2)], load_id=3)
