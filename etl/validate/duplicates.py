"""Duplicate rows: found once, for every format, in the rows a reader laid out as a native extract.

Returns are kept by hand and often list a record twice: an exact copy of a row, or two rows for
the same child on the same day that disagree about something else. Loading both counts the record
twice and inflates the KPIs, so one row of each is kept and every other is dropped with a warning
that names its row and the row kept. The rule (docs/extract-formats.md, "Duplicate rows"):

- An exact copy, every column the same as written (the file's own record ID among them; an ID a
  reader builds is left out), is dropped and the first of the copies kept.
- In a return that carries no record IDs (Annex A, SSDA903, the CIN census), a record is its
  child and its date, so two rows of the same child and the same date of one dataset are one
  record: the row with the most fields filled in is kept, the first of them if they tie. A native
  extract's IDs are its own: two rows with different IDs are two records, and two different rows
  with one ID are rejected (duplicate_id).

Rows rejected for a bad value take no part: a duplicate of a rejected row is kept if it is valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import Rejection
from etl.readers.native_csv import RawExtract
from etl.scratch import scratch
from etl.staging.native import StagedExtract

WARNING = "Warning, duplicate dropped"
# Rule ids of the warnings: the row was dropped as a duplicate, not rejected as wrong.
DUPLICATE_RULES = ("duplicate_row", "duplicate_record")


@dataclass(frozen=True)
class Duplicates:
    """Table positions of the rows dropped as duplicates, and a warning for each."""

    positions: np.ndarray
    warnings: list[Rejection]


def _compared_columns(raw: RawExtract) -> list[str]:
    return [name for name in raw.table.column_names if name not in raw.derived_id_columns]


def exact_copies(raw: RawExtract) -> Duplicates:
    """Rows that repeat an earlier row exactly, each with the row it copies."""
    names = _compared_columns(raw)
    # A hash per row finds the candidates in one vectorised pass (in the rows' order: DuckDB keeps the
    # insertion order of a query without ORDER BY); equal hashes are then compared value by value, so
    # a collision never drops a row.
    columns = ", ".join(f'"{name}"' for name in names)
    with scratch() as con:
        con.register("rows", raw.table.select(names))
        hashes = con.sql(f"SELECT hash({columns}) AS h FROM rows").to_arrow_table()["h"].to_numpy()
    repeated = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
    dropped: dict[int, int] = {}
    if len(repeated):
        values = raw.table.select(names).take(pa.array(repeated)).to_pylist()
        first_of: dict[tuple, int] = {}
        for position, row in zip(repeated.tolist(), values):
            key = tuple(row.values())
            if key in first_of:
                dropped[position] = first_of[key]
            else:
                first_of[key] = position
    warnings = [
        Rejection(
            row_number=int(raw.row_numbers[position]),
            field="(row)",
            value=None,
            rule="duplicate_row",
            message=f"{WARNING}: the row is an exact copy of row {int(raw.row_numbers[first])}, "
            "which was kept",
        )
        for position, first in dropped.items()
    ]
    return Duplicates(np.array(sorted(dropped), dtype=np.int64), warnings)


def _filled_fields(raw: RawExtract) -> np.ndarray:
    """How many fields of each row are filled in (not blank)."""
    filled = np.zeros(raw.table.num_rows, dtype=np.int64)
    for name in _compared_columns(raw):
        text = pc.utf8_trim_whitespace(raw.table[name])
        filled += pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False).astype(np.int64)
    return filled


def same_records(staged: StagedExtract, excluded: np.ndarray) -> Duplicates:
    """Rows of a return without record IDs that give a record (child and date) already given by
    another row: all but the most complete (then the first) of each record. Rows at the positions
    `excluded` (rejected, or exact copies) take no part."""
    raw = staged.raw
    dataset = raw.dataset
    if dataset.id_column not in raw.derived_id_columns:
        return Duplicates(np.array([], dtype=np.int64), [])
    children = staged.table["child_id"].combine_chunks()
    child_codes = (
        children.indices if pa.types.is_dictionary(children.type) else pc.dictionary_encode(children).indices
    )
    event = pc.cast(staged.table[dataset.event_date].combine_chunks(), pa.int64())
    rows = pd.DataFrame(
        {
            "child": child_codes.to_numpy(zero_copy_only=False),
            "event": pc.fill_null(event, 0).to_numpy(zero_copy_only=False),
            "filled": _filled_fields(raw),
            "position": np.arange(raw.table.num_rows),
        }
    )
    rows = rows[~np.isin(rows["position"], excluded)]
    rows = rows[rows.duplicated(["child", "event"], keep=False)]
    if rows.empty:
        return Duplicates(np.array([], dtype=np.int64), [])
    rows = rows.sort_values(["child", "event", "filled", "position"], ascending=[True, True, False, True])
    kept = rows.groupby(["child", "event"], sort=False)["position"].transform("first")
    ties = rows.groupby(["child", "event"], sort=False)["filled"].transform(lambda f: (f == f.max()).sum())
    dropped = rows[rows["position"] != kept]
    dated = (
        dataset.event_date in raw.field_labels
    )  # Annex A List 8 has no date of its own: its child is the record
    warnings = []
    for position, kept_at, tied in zip(dropped["position"], kept[dropped.index], ties[dropped.index]):
        kept_row = int(raw.row_numbers[kept_at])
        why = (
            "the first of the rows with the most fields filled in"
            if tied > 1
            else "the row with the most fields filled in"
        )
        same = (
            f"the same child and {raw.label(dataset.event_date)} "
            f"({raw.table[dataset.event_date][position].as_py()})"
            if dated
            else "the same child"
        )
        warnings.append(
            Rejection(
                row_number=int(raw.row_numbers[position]),
                field=raw.label(dataset.event_date if dated else "child_id"),
                value=raw.table[dataset.event_date][position].as_py() if dated else None,
                rule="duplicate_record",
                message=f"{WARNING}: {same} as row {kept_row}, a record given twice; row {kept_row} was kept, "
                f"as {why}",
            )
        )
    return Duplicates(np.sort(dropped["position"].to_numpy()), warnings)
