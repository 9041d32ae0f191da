"""Row rules for staged extracts, run by pandera in lazy mode so every failure is collected.

Each rule is declared once, with the field it judges and its plain-English message; the
pandera schema is built from these declarations and from the model's datasets
(warehouse/model/builtin/datasets.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow

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
    """A rule's id, as pandera reports it, and how to say its failure to a person."""

    id: str
    message: str  # formatted with field, value and the rule's own context


def _frame_check(rule: str, field: str, passes: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
    # Pandera reports a frame-wide check against every column; the field in the name lets
    # the report keep only the one the rule is about.
    return pa.Check(passes, name=f"{rule}:{field}", error=f"{rule}:{field}")


def _unparseable(field: str) -> pa.Check:
    unreadable = field + UNREADABLE_SUFFIX

    def passes(df: pd.DataFrame) -> pd.Series:
        return ~df[unreadable]

    return _frame_check("unparseable", field, passes)


def _all_known(codelist: CodeList) -> pa.Check:
    """Every code of a cell of several (a `codes` column, staged as "1B;2B") is one of the list's.

    Each distinct cell is checked once: an assessment's factors repeat a few hundred combinations
    over hundreds of thousands of rows."""

    def passes(cells: pd.Series) -> pd.Series:
        wrong = [cell for cell in cells.dropna().unique() if unknown_parts(cell, codelist)]
        return ~cells.isin(wrong)

    return pa.Check(passes, error="unknown_code")


def _not_before(field: str, earlier: str) -> pa.Check:
    def passes(df: pd.DataFrame) -> pd.Series:
        return ~(df[field] < df[earlier]).fillna(False)

    return _frame_check(f"before_{earlier}", field, passes)


def _first_occurrences(ids: pd.Series) -> pd.Series:
    """True for the first row of each ID (and blank IDs); later repeats are the duplicates.

    Pandera's own uniqueness check hashes a million text IDs in pandas; DuckDB finds the few
    repeats several times faster, on both cores.
    """
    with duckdb.connect() as con:
        con.register("ids", pyarrow.table({"id": pyarrow.array(ids), "position": np.arange(len(ids))}))
        repeats = con.sql(
            "SELECT position FROM (SELECT position, id, row_number() OVER (PARTITION BY id ORDER BY position) AS nth "
            "FROM ids) WHERE nth > 1 AND id IS NOT NULL"
        ).fetchnumpy()["position"]
    first = np.ones(len(ids), dtype=bool)
    first[repeats] = False
    return pd.Series(first, index=ids.index)


def build_schema(
    dataset: Dataset,
    coverage_start: date,
    coverage_end: date,
    today: date,
    open_records: bool | None = None,
    derived_ids: bool = False,
) -> pa.DataFrameSchema:
    """The pandera schema for one extract, given its coverage window and the load date.

    `open_records` says whether records may start before the window; by default the dataset says.
    `derived_ids`: the record IDs were built by a reader from the child and the date, so a repeated ID
    is a record given twice, which etl/validate/duplicates.py resolves, not an error in the file.
    """
    open_records = dataset.carries_open_records if open_records is None else open_records
    today_ts = pd.Timestamp(today) + pd.Timedelta(days=1)  # anything on `today` is allowed
    columns: dict[str, pa.Column] = {}
    frame_checks: list[pa.Check] = []
    for column in dataset.columns:
        if column.name in FILE_COLUMNS or column.name in UNCHECKED_COLUMNS:
            continue
        if column.privacy is Privacy.NEVER_STORED:
            continue  # dropped in staging: there is nothing to check
        checks: list[pa.Check] = []
        if column.kind is Kind.CODE:
            checks.append(pa.Check.isin(known_codes(column.code_list), error="unknown_code"))
        if column.kind is Kind.CODES:
            checks.append(_all_known(column.code_list))
        if column.kind in (Kind.DATE, Kind.DATETIME):
            checks.append(pa.Check.lt(today_ts, error="future"))
            checks.append(pa.Check.ge(pd.Timestamp(EARLIEST_DATE), error="too_early"))
            frame_checks.append(_unparseable(column.name))
        if column.kind is Kind.INTEGER:
            checks.append(pa.Check.ge(0, error="negative"))
            frame_checks.append(_unparseable(column.name))
        if column.name == dataset.event_date:
            first = pd.Timestamp(coverage_start)
            if open_records:
                checks.append(
                    pa.Check.lt(pd.Timestamp(coverage_end) + pd.Timedelta(days=1), error="after_window")
                )
            else:
                checks.append(
                    pa.Check.in_range(
                        first,
                        pd.Timestamp(coverage_end) + pd.Timedelta(days=1),
                        include_max=False,
                        error="outside_window",
                    )
                )
        if column.name == dataset.id_column and not derived_ids:
            checks.append(pa.Check(_first_occurrences, error="duplicate_id"))
        columns[column.name] = pa.Column(checks=checks, nullable=not column.required, coerce=False)
    if dataset.end_date:
        frame_checks.append(_not_before(dataset.end_date, dataset.event_date))
    for order in dataset.dates_in_order:
        frame_checks.append(_not_before(order.later, order.earlier))
    return pa.DataFrameSchema(columns=columns, checks=frame_checks, strict=False)


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


def validate(staged: StagedExtract, today: date) -> pd.DataFrame:
    """Pandera's failure cases for the extract (empty if every row passes)."""
    schema = build_schema(
        staged.dataset,
        staged.coverage_start,
        staged.coverage_end,
        today,
        staged.raw.open_records,
        derived_ids=staged.dataset.id_column in staged.raw.derived_id_columns,
    )
    try:
        schema.validate(staged.frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["column", "check", "index"])
