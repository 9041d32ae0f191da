"""Staging: rename (done by the reader), cast, normalise codes, and apply privacy.

Only this module turns text into typed values. A value that will not cast becomes null here
and validation reports it with the original text, so staging itself never rejects a row.
Privacy happens here, before anything is stored: child IDs become keyed hashes, dates of
birth the 1st of their month, postcodes their sector.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.datasets import Dataset, Kind
from etl.errors import ExtractError
from etl.readers.native_csv import RawExtract
from etl.staging.codes import normalise_codes
from warehouse.db import local_authority_codes

# Formats tried in order; the first that reads a value wins.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    *DATE_FORMATS,
)

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])[A-Z]{2}$")

TEXT_SUFFIX = "__text"


@dataclass
class StagedExtract:
    """Typed rows of one extract; `frame` keeps the row order of the raw table."""

    raw: RawExtract
    la_code: str
    coverage_start: date
    coverage_end: date
    frame: pd.DataFrame

    @property
    def dataset(self) -> Dataset:
        return self.raw.dataset


def parse_timestamps(values: pa.Array, formats: tuple[str, ...]) -> pa.Array:
    """Text to timestamps, trying each format; what none reads is null."""
    result = None
    for fmt in formats:
        parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
        result = parsed if result is None else pc.coalesce(result, parsed)
    return result


def pseudonymise(child_ids: pd.Series, la_code: str, key: bytes) -> pd.Series:
    """A keyed BLAKE2b hash of LA code and child ID: stable per key, not reversible without it.

    The LA code is hashed in, because two LAs' case systems can issue the same ID.
    """
    codes, distinct = pd.factorize(child_ids)
    prefix = f"{la_code}:".encode("utf-8")
    hashed = [hashlib.blake2b(prefix + v.encode("utf-8"), key=key, digest_size=16).hexdigest() for v in distinct]
    lookup = np.array(hashed + [None], dtype=object)  # code -1 (a blank ID) picks the None
    return pd.Series(lookup[codes], index=child_ids.index, dtype="str")


def postcode_sector(postcodes: pd.Series) -> pd.Series:
    """'ne4 6su' -> 'NE4 6'; anything that is not a UK postcode becomes null."""
    compact = postcodes.str.upper().str.replace(r"\s+", "", regex=True)
    parts = compact.str.extract(_POSTCODE)
    return (parts[0] + " " + parts[1]).astype("str").where(parts[0].notna())


def _trimmed(table: pa.Table, name: str) -> pa.Array:
    values = pc.utf8_trim_whitespace(table[name].combine_chunks())
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _single_value(raw: RawExtract, column: pa.Array, name: str) -> str:
    distinct = [v for v in pc.unique(column).to_pylist() if v is not None]
    if len(distinct) != 1:
        found = ", ".join(distinct[:5]) if distinct else "nothing"
        raise ExtractError(
            raw.path, f"{name} must hold the same single value on every row; found {found}"
        )
    return distinct[0]


def _coverage(raw: RawExtract, text: dict[str, pa.Array]) -> tuple[str, date, date]:
    la_code = _single_value(raw, text["la_code"], "la_code")
    if la_code not in local_authority_codes():
        raise ExtractError(
            raw.path, f"la_code '{la_code}' is not an English local authority code (for example E08000021)"
        )
    window = []
    for name in ("coverage_start", "coverage_end"):
        value = _single_value(raw, text[name], name)
        parsed = parse_timestamps(pa.array([value]), DATE_FORMATS)[0].as_py()
        if parsed is None:
            raise ExtractError(raw.path, f"{name} '{value}' is not a date: use YYYY-MM-DD or DD/MM/YYYY")
        window.append(parsed.date())
    if window[1] < window[0]:
        raise ExtractError(raw.path, f"coverage_end {window[1]} is before coverage_start {window[0]}")
    return la_code, window[0], window[1]


def stage(raw: RawExtract, key: bytes) -> StagedExtract:
    """Typed, normalised and pseudonymised rows; raises ExtractError for a bad LA or window."""
    if raw.table.num_rows == 0:
        raise ExtractError(raw.path, "the file has a header but no rows")
    text = {name: _trimmed(raw.table, name) for name in raw.table.column_names}
    la_code, coverage_start, coverage_end = _coverage(raw, text)
    columns: dict[str, object] = {}
    for column in raw.dataset.columns:
        values = text[column.name]
        if column.kind in (Kind.DATE, Kind.DATETIME, Kind.INTEGER):
            columns[column.name + TEXT_SUFFIX] = values.to_pandas()
        if column.kind is Kind.DATE:
            columns[column.name] = parse_timestamps(values, DATE_FORMATS).to_pandas()
        elif column.kind is Kind.DATETIME:
            columns[column.name] = parse_timestamps(values, DATETIME_FORMATS).to_pandas()
        elif column.kind is Kind.INTEGER:
            columns[column.name] = pd.to_numeric(values.to_pandas(), errors="coerce").astype("Float64")
        elif column.kind is Kind.CODE:
            columns[column.name] = normalise_codes(values.to_pandas(), column.codelist)
        elif column.kind is Kind.CHILD_ID:
            columns[column.name] = pseudonymise(values.to_pandas(), la_code, key)
        elif column.kind is Kind.POSTCODE:
            columns[column.name] = postcode_sector(values.to_pandas())
        else:
            columns[column.name] = values.to_pandas()
    frame = pd.DataFrame(columns)
    if "date_of_birth" in frame:
        frame["date_of_birth"] = frame["date_of_birth"].dt.to_period("M").dt.to_timestamp()
    return StagedExtract(
        raw=raw, la_code=la_code, coverage_start=coverage_start, coverage_end=coverage_end, frame=frame
    )
