"""The submission tracker: for each agency and figures dataset, each period that has ended up to
today, per LA: when it is due, whether it has arrived (when, by whom, corrected how many times) and
whether it is late.

A dataset's periods are expected from its `expected_from` (a date in the first period the
partnership expects), else from the first period any LA has submitted: until then nothing is due.
A period is due `deadline_days` after it ends. Its state:
- not yet due: nothing has arrived and the due date has not passed;
- late: nothing has arrived and the due date has passed;
- received: its first submission arrived by the due date;
- received late: its first submission arrived after the due date.

`submission_tracker` is what the tracker page, `safeguard submissions`, the reminders and the pack
call; `tracker_frame` lays it out as a table (the page's and the CSV's columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse.db import open_readonly
from warehouse.kpis.periods import Period
from warehouse.model.figures import FiguresDataset
from warehouse.model.files import Model, model_for
from warehouse.queries import run

NOT_YET_DUE, LATE, RECEIVED, RECEIVED_LATE = "not yet due", "late", "received", "received late"


@dataclass(frozen=True)
class Due:
    """One dataset's figures for one LA and period, and what has become of them."""

    agency: str
    dataset: str
    title: str
    la_code: str
    period: Period
    due: date
    state: str
    received_at: datetime | None = None  # the first submission
    received_by: str | None = None
    corrections: int = 0  # submissions after the first
    last_at: datetime | None = None  # the latest submission (the first if never corrected)
    last_by: str | None = None
    figures_given: int = 0  # of the period's figures, those given (or marked not available)
    figures_expected: int = 0

    @property
    def outstanding(self) -> bool:
        """Nothing has arrived yet."""
        return self.state in (NOT_YET_DUE, LATE)


def figures_expected(model: Model, dataset: str) -> int:
    """How many figures a period of the dataset holds per LA: a measure's parts, or its whole."""
    return sum(len(m.parts) or 1 for m in model.figure_measures(dataset))


def _state(due: date, received_at: datetime | None, today: date) -> str:
    if received_at is None:
        return LATE if today > due else NOT_YET_DUE
    return RECEIVED if received_at.date() <= due else RECEIVED_LATE


def submission_tracker(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    today: date,
    la_codes: Iterable[str],
    agency: str | None = None,
) -> list[Due]:
    """Every period of each figures dataset (of `agency`, or all) that ended before `today`, for each
    of `la_codes` (the viewer's LAs), with what has arrived; by agency, dataset, LA and period."""
    datasets = [d for d in model.figures.values() if agency is None or d.agency.lower() == agency.lower()]
    if not datasets:
        return []
    summary = run(con, "submission_summary", datasets=[d.name for d in datasets])
    summary["period_start"] = pd.to_datetime(summary["period_start"]).dt.date
    received = {(row.dataset, row.la_code, row.period_start): row for row in summary.itertuples(index=False)}
    first_submitted = summary.groupby("dataset")["period_start"].min().to_dict()
    found = []
    for dataset in sorted(datasets, key=lambda d: (d.agency, d.name)):
        first = dataset.expected_from or first_submitted.get(dataset.name)
        if first is None:
            continue
        expected = figures_expected(model, dataset.name)
        for la_code in sorted(set(la_codes)):
            for period in dataset.periods_ended(first, today):
                found.append(
                    _due(
                        dataset,
                        la_code,
                        period,
                        received.get((dataset.name, la_code, period.start)),
                        expected,
                        today,
                    )
                )
    return found


def _due(dataset: FiguresDataset, la_code: str, period: Period, row: Any, expected: int, today: date) -> Due:
    due = dataset.due_date(period)
    common: dict[str, Any] = {
        "agency": dataset.agency,
        "dataset": dataset.name,
        "title": dataset.title,
        "la_code": la_code,
        "period": period,
        "due": due,
        "figures_expected": expected,
    }
    if row is None:
        return Due(**common, state=_state(due, None, today))
    first_at = pd.Timestamp(row.first_at).to_pydatetime()
    return Due(
        **common,
        state=_state(due, first_at, today),
        received_at=first_at,
        received_by=row.first_by,
        corrections=int(row.corrections),
        last_at=pd.Timestamp(row.last_at).to_pydatetime(),
        last_by=row.last_by,
        figures_given=int(row.figures_given),
    )


TRACKER_COLUMNS = {
    "agency": "Agency",
    "title": "Figures",
    "la_code": "Local authority",
    "period": "Period",
    "due": "Due",
    "state": "State",
    "received_at": "Received",
    "received_by": "Received from",
    "corrections": "Corrections",
    "last_at": "Last corrected",
    "last_by": "Corrected by",
    "figures": "Figures given",
}


def tracker_frame(rows: list[Due], la_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The tracker as a table, one row per dataset, LA and period, with TRACKER_COLUMNS' headings:
    each LA by its name in `la_names` (else its code), and the dates as dates (NaT where none), for
    the grid, the pack and the CSV to write as each does."""
    names = la_names or {}
    records = [
        {
            "agency": r.agency,
            "title": r.title,
            "la_code": names.get(r.la_code, r.la_code),
            "period": r.period.label,
            "due": r.due,
            "state": r.state,
            "received_at": r.received_at,
            "received_by": r.received_by or "",
            "corrections": r.corrections,
            "last_at": r.last_at if r.corrections else None,
            "last_by": (r.last_by or "") if r.corrections else "",
            "figures": f"{r.figures_given} of {r.figures_expected}",
        }
        for r in rows
    ]
    frame = pd.DataFrame(records, columns=list(TRACKER_COLUMNS))
    for column in ("due", "received_at", "last_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.rename(columns=TRACKER_COLUMNS)


def tracker_at(
    warehouse: Path, today: date, la_codes: Iterable[str] | None = None, agency: str | None = None
) -> list[Due]:
    """The tracker of the published warehouse at `warehouse`, for `la_codes` (else every LA with
    data loaded), with the model the warehouse was built with."""
    con = open_readonly(warehouse)
    try:
        las = list(run(con, "loaded_las")["la_code"]) if la_codes is None else list(la_codes)
        return submission_tracker(con, model_for(con), today, las, agency)
    finally:
        con.close()
