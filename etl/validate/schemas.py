"""Row rules for staged extracts: each a test of whole columns in Arrow, every failure collected.

Each rule is declared once, with the field it judges and its plain-English message; which rules
a column has comes from the model's datasets (warehouse/model/builtin/datasets.toml). A blank
value breaks no rule but `missing`: a rule judges what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.scratch import scratch
from etl.staging.codes import CodeList, known_codes, unknown_parts
from etl.staging.native import UNCHECKED_COLUMNS, UNREADABLE_SUFFIX, StagedExtract
from warehouse.model.datasets import EARLIEST_DATE, FILE_COLUMNS, Dataset, Kind, Privacy

_KIND_FORMATS = {
    Kind.DATE: "a date (use YYYY-MM-DD or DD/MM/YYYY)",
    Kind.DATETIME: "a date and time (use YYYY-MM-DD HH:MM, or a date alone)",
    Kind.INTEGER: "a whole number",
}


@dataclass(frozen=True)
class Rule:
    """A rule's id and how to say its failure to a person."""

    id: str
    message: str  # formatted with field, value and the rule's own context


class Failure(NamedTuple):
    """A row (its position in the staged table) that breaks a rule in a field."""

    position: int
    field: str
    rule: str


def _failing(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions where `mask` is true; null (a blank, which only `missing` judges) is not a failure."""
    return np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))


def _unknown_codes(cells: pa.ChunkedArray, codelist: CodeList) -> pa.ChunkedArray:
    """True where a cell of several codes (a `codes` column, staged as "1B;2B") has one not of the
    list. Each distinct cell is checked once: an assessment's factors repeat a few hundred
    combinations over hundreds of thousands of rows."""
    distinct = [cell for cell in pc.unique(cells).to_pylist() if cell is not None]
    wrong = [cell for cell in distinct if unknown_parts(cell, codelist)]
    return pc.is_in(cells, value_set=pa.array(wrong, pa.string()))


def repeated_ids(ids: pa.ChunkedArray) -> np.ndarray:
    """Positions of the rows whose ID an earlier row has (blank IDs are never repeats).

    Counting the distinct IDs is quick; only a file with repeats has DuckDB find which rows they
    are, on both cores."""
    values = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    if len(pc.unique(values)) == len(values) - values.null_count + (values.null_count > 0):
        return np.empty(0, dtype=np.int64)
    with scratch() as con:
        con.register("ids", pa.table({"id": values, "position": np.arange(len(values))}))
        return con.sql(
            "SELECT position FROM (SELECT position, id, row_number() OVER (PARTITION BY id ORDER BY position) AS nth "
            "FROM ids) WHERE nth > 1 AND id IS NOT NULL ORDER BY position"
        ).fetchnumpy()["position"]


def _moment(day: date, values: pa.ChunkedArray) -> pa.Scalar:
    """Midnight at the start of `day`, of the type of a staged date or date-time column."""
    return pa.scalar(datetime.combine(day, datetime.min.time()), type=values.type)


def validate(staged: StagedExtract, today: date) -> list[Failure]:
    """Every (row, field, rule) that the extract's rows break, given its coverage window and the
    load date.

    Whether records may start before the window, the reader says (else the dataset). Record IDs a
    reader built from the child and the date are not checked for repeats: a repeat is a record given
    twice, which etl/validate/duplicates.py resolves, not an error in the file.
    """
    dataset: Dataset = staged.dataset
    rows = staged.checked
    open_records = staged.raw.open_records
    derived_ids = dataset.id_column in staged.raw.derived_id_columns
    found: list[Failure] = []

    def add(field: str, rule: str, positions: np.ndarray) -> None:
        found.extend(Failure(int(p), field, rule) for p in positions)

    tomorrow = today + timedelta(days=1)  # anything on `today` is allowed
    for column in dataset.columns:
        name = column.name
        if name in FILE_COLUMNS or name in UNCHECKED_COLUMNS or column.privacy is Privacy.NEVER_STORED:
            continue  # one value per file, or dropped in staging: there is nothing to check
        values = rows[name]
        if column.required:
            add(name, "missing", _failing(pc.is_null(values)))
        if column.kind is Kind.CODE:
            known = pa.array(known_codes(column.code_list), pa.string())
            add(
                name,
                "unknown_code",
                _failing(pc.and_not(pc.is_valid(values), pc.is_in(values, value_set=known))),
            )
        if column.kind is Kind.CODES:
            add(name, "unknown_code", _failing(_unknown_codes(values, column.code_list)))
        if column.kind in (Kind.DATE, Kind.DATETIME):
            add(name, "future", _failing(pc.greater_equal(values, _moment(tomorrow, values))))
            add(name, "too_early", _failing(pc.less(values, _moment(EARLIEST_DATE, values))))
        if column.kind is Kind.INTEGER:
            add(name, "negative", _failing(pc.less(values, 0)))
        if column.kind in (Kind.DATE, Kind.DATETIME, Kind.INTEGER):
            add(name, "unparseable", _failing(rows[name + UNREADABLE_SUFFIX]))
        if name == dataset.event_date:
            after_end = pc.greater_equal(values, _moment(staged.coverage_end + timedelta(days=1), values))
            if open_records:
                add(name, "after_window", _failing(after_end))
            else:
                before_start = pc.less(values, _moment(staged.coverage_start, values))
                add(name, "outside_window", _failing(pc.or_(before_start, after_end)))
        if name == dataset.id_column and not derived_ids:
            add(name, "duplicate_id", repeated_ids(values))
    pairs = [(o.later, o.earlier) for o in dataset.dates_in_order]
    if dataset.end_date:
        pairs.insert(0, (dataset.end_date, dataset.event_date))
    for later, earlier in pairs:
        add(later, f"before_{earlier}", _failing(pc.less(rows[later], rows[earlier])))
    return found


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("missing", "{field} is required but is blank"),
        Rule("unparseable", "{field} '{value}' is not {expected}"),
        Rule("unknown_code", "{field} '{value}' is not a known code ({codes})"),
        Rule("future", "{field} {value} is in the future (the load ran on {today})"),
        Rule("negative", "{field} {value} cannot be negative"),
        Rule(
            "outside_window",
            "{field} {value} is outside the coverage window {start} to {end} of this extract",
        ),
        Rule(
            "after_window", "{field} {value} is after the end of the coverage window ({end}) of this extract"
        ),
        Rule(
            "duplicate_id", "{field} '{value}' appears more than once in the file (first on row {first_row})"
        ),
        Rule("before", "{field} {value} is before {earlier} {earlier_value}{reason}"),
        Rule(
            "too_early",
            "{field} {value} is before {earliest}: no date in a child's record is so early (was a "
            "number, such as an age, read as a date?)",
        ),
    )
}


def expected_format(kind: Kind) -> str:
    return _KIND_FORMATS[kind]
