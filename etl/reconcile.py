"""Cross-source reconciliation: two returns of the same LA (say the Annex A workbook and the CIN
census) should count the same referrals, enquiries and plans in the months both cover.

Both files are read, staged and validated exactly as a load would, but nothing is loaded: this
is the check a data team runs before choosing which return to trust for a period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa

from etl.errors import ExtractError
from etl.pipeline import FileOutcome, SourceOptions, prepare
from warehouse.model.files import active_model
from warehouse.settings import Settings, pseudonymisation_key


@dataclass(frozen=True)
class Reconciliation:
    first: Path
    second: Path
    window: tuple[date, date] | None  # the days both files cover
    counts: pd.DataFrame  # dataset, month, first, second, difference
    notes: list[str]

    @property
    def differences(self) -> pd.DataFrame:
        return self.counts[self.counts["difference"] != 0]


def _prepared(path: Path, settings: Settings, source: SourceOptions, today: date) -> list[FileOutcome]:
    # Nothing is loaded, so the shrink guard has nothing to keep: a file of rejected rows counts 0.
    outcomes = prepare(
        path, "", pseudonymisation_key(settings), today, source=replace(source, allow_shrink=True)
    )
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise ExtractError(path, failed[0].message or "it could not be read")
    # An areas file has no counts to compare; a return with no rows (rows None) has none either.
    return [o for o in outcomes if o.dataset in active_model().datasets and o.rows is not None]


def _coverage(outcome: FileOutcome) -> tuple[date, date]:
    """The days a file that was read covers."""
    if outcome.coverage_start is None or outcome.coverage_end is None:
        raise ExtractError(outcome.path, "the days it covers could not be worked out")
    return outcome.coverage_start, outcome.coverage_end


def _monthly(outcome: FileOutcome, window: tuple[date, date]) -> pd.Series:
    rows = outcome.rows
    if not isinstance(rows, pa.Table):  # a dataset's rows (_prepared keeps only those) are read as one
        raise TypeError(f"{outcome.file_name}: its rows are not a table of a dataset")
    values: pd.Series = rows.column(outcome.spec.event_date).to_pandas()
    days = pd.to_datetime(values)
    inside = days[(days >= pd.Timestamp(window[0])) & (days < pd.Timestamp(window[1]) + pd.Timedelta(days=1))]
    return inside.dt.to_period("M").value_counts()


def reconcile(
    first: Path,
    second: Path,
    settings: Settings,
    source: SourceOptions = SourceOptions(),
    today: date | None = None,
) -> Reconciliation:
    """Counts per dataset and month, in the days both files cover, of the rows each would load."""
    today = today or date.today()
    ones, twos = (_prepared(p, settings, source, today) for p in (first, second))
    notes = []
    las = {o.la_code for o in (*ones, *twos) if o.la_code is not None}
    if len(las) > 1:
        notes.append(f"the files are of different LAs ({', '.join(sorted(las))}): nothing to compare")
    start = max(_coverage(o)[0] for o in (*ones, *twos))
    end = min(_coverage(o)[1] for o in (*ones, *twos))
    window = (start, end) if start <= end and len(las) == 1 else None
    if window is None and len(las) == 1:
        notes.append("the files cover no days in common")
    by_dataset = {o.dataset: o for o in ones}
    frames = []
    for two in twos:
        one = by_dataset.get(two.dataset)
        if one is None:
            notes.append(f"only {second.name} holds {two.dataset}")
            continue
        if window is None:
            continue
        counts = (
            pd.DataFrame({"first": _monthly(one, window), "second": _monthly(two, window)})
            .fillna(0)
            .astype(int)
        )
        counts = counts.sort_index().rename_axis("month").reset_index().assign(dataset=two.dataset)
        frames.append(counts)
    notes += [f"only {first.name} holds {name}" for name in by_dataset.keys() - {o.dataset for o in twos}]
    columns = ["dataset", "month", "first", "second"]
    counts = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    counts["month"] = counts["month"].astype(str)
    counts["difference"] = counts["second"] - counts["first"]
    return Reconciliation(first, second, window, counts, notes)
