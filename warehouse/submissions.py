"""Storing figures submitted by agencies: one submission (a dataset's figures for one LA and period)
at a time, in the caller's transaction (a load's copy-and-swap, etl/load/publish.py).

The tables are warehouse/migrations/0014_submitted_figures.sql; the views figure_history and
current_figure, and the figure_key macro, are warehouse/definitions/050_figures.sql. Nothing is
updated or deleted: a correction is a new submission, and the latest submission of a cell is its
current figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from warehouse.db import LOADS_DIR, cell_key_salt, run_sql_file, single_value

SOURCES = ("upload", "inbox", "manual", "demo")


@dataclass(frozen=True)
class Figure:
    """One figure of a submission: a measure's whole (part '') or one of its parts; value None when
    the submitter marked it not available."""

    measure: str
    part: str
    value: float | None


@dataclass(frozen=True)
class Submission:
    """Who submitted which dataset's figures, for which LA and period, when and how."""

    dataset: str
    la_code: str
    agency: str
    period_start: date
    period_end: date
    submitted_by: str
    submitted_at: datetime
    source: str  # one of SOURCES
    file_name: str | None = None
    note: str | None = None


def current_figures(
    con: duckdb.DuckDBPyConnection, la_code: str, measures: list[str], period_start: date
) -> dict[tuple[str, str], float | None]:
    """The current figures of an LA and period for `measures`: (measure, part) -> value."""
    rows = con.execute(
        "SELECT measure, part, value FROM current_figure "
        "WHERE la_code = ? AND period_start = ? AND list_contains(?, measure)",
        [la_code, period_start, measures],
    ).fetchall()
    return {(measure, part): value for measure, part, value in rows}


def superseded_figures(
    con: duckdb.DuckDBPyConnection, la_code: str, period_start: date, figures: list[Figure]
) -> tuple[int, int]:
    """(new, changed): how many of the figures are of cells with no figure yet, and how many would
    replace a different current figure. Neither: the same figures again, which change nothing."""
    current = current_figures(con, la_code, sorted({f.measure for f in figures}), period_start)
    new = sum(1 for f in figures if (f.measure, f.part) not in current)
    changed = sum(
        1 for f in figures if (f.measure, f.part) in current and current[(f.measure, f.part)] != f.value
    )
    return new, changed


def record_submission(
    con: duckdb.DuckDBPyConnection, submission: Submission, figures: list[Figure], load_id: int
) -> int:
    """Store a submission and its figures; returns its submission_id (the next in order)."""
    if submission.source not in SOURCES:
        raise ValueError(f"a submission's source is one of {', '.join(SOURCES)}, not {submission.source!r}")
    if not figures:
        raise ValueError("a submission has figures")
    cells = [(f.measure, f.part) for f in figures]
    if len(cells) != len(set(cells)):
        raise ValueError("a submission gives each measure and part once")
    submission_id = single_value(con, "SELECT coalesce(max(submission_id), 0) + 1 FROM submission")
    run_sql_file(
        con,
        LOADS_DIR / "submission.sql",
        submission_id=submission_id,
        load_id=load_id,
        **{name: getattr(submission, name) for name in Submission.__dataclass_fields__},
    )
    salt = cell_key_salt(con)
    con.executemany(
        (LOADS_DIR / "submitted_figure.sql").read_text(encoding="utf-8"),
        [
            {
                "submission_id": submission_id,
                "la_code": submission.la_code,
                "measure": figure.measure,
                "period_start": submission.period_start,
                "period_end": submission.period_end,
                "part": figure.part,
                "value": figure.value,
                "cell_key_salt": salt,
            }
            for figure in figures
        ],
    )
    return submission_id
