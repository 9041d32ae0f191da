"""Loading figures submitted by agencies: a checked file's submissions into the warehouse, inside a
load's copy-and-swap (etl/pipeline.py calls these; warehouse/submissions.py stores them).

A submission whose figures are those the warehouse already holds is not recorded again (an upload
of the same figures is idempotent); one that differs is a correction: it is recorded, its figures
supersede the earlier ones, and both are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from etl.readers.figures import FiguresFile, read_figures_csv, read_figures_workbook
from etl.validate.figures import Checked, Group, Submitter, check_figures
from warehouse.db import local_authority_codes
from warehouse.model.files import active_model
from warehouse.submissions import Figure, Submission, record_submission, superseded_figures

FIGURE_FORMATS = ("figures_xlsx", "figures_csv")  # their titles: etl/readers/formats.py
# What etl_load's source_format says of figures entered by hand, which come from no file.
MANUAL_FORMAT = "figures_manual"


def read_figures(path: Path, data: bytes, source_format: str) -> FiguresFile:
    if source_format == "figures_xlsx":
        return read_figures_workbook(path, data)
    return read_figures_csv(path, data)


def check(file: FiguresFile, submitter: Submitter, today: date) -> Checked:
    return check_figures(file, active_model(), local_authority_codes(), submitter, today)


def refusal(file: FiguresFile, checked: Checked) -> str:
    """Why nothing of a file was loaded: its problems counted, the first shown (all are its rejections)."""
    problems = checked.rejections
    rows = len({r.row_number for r in problems})
    counted = (
        f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in {rows} row{'s' if rows > 1 else ''}"
    )
    more = "; the first" if len(problems) > 1 else ""
    return f"{counted}, so none of the file's figures was loaded (see its rejections){more}: {problems[0].message}"


@dataclass(frozen=True)
class Loaded:
    submission_id: int | None  # None: the same figures were there already, nothing was recorded
    superseded: int  # figures that replaced a different current figure (a correction)


def load_submission(
    con: duckdb.DuckDBPyConnection,
    group: Group,
    figures: list[Figure],
    submitter: Submitter,
    load_id: int,
    file_name: str | None,
) -> Loaded:
    new, superseded = superseded_figures(con, group.la_code, group.period.start, figures)
    if not new and not superseded:
        return Loaded(None, 0)
    submission = Submission(
        dataset=group.dataset.name,
        la_code=group.la_code,
        agency=group.dataset.agency,
        period_start=group.period.start,
        period_end=group.period.end,
        submitted_by=submitter.name,
        submitted_at=submitter.at or datetime.now(),
        source=submitter.via,
        file_name=file_name,
        note=submitter.note,
    )
    return Loaded(record_submission(con, submission, figures, load_id), superseded)
