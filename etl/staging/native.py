"""Staging: rename (done by the reader), cast, normalise codes, and apply privacy.

Only this module turns text into typed values. A value that will not cast becomes null here
and validation reports it with the original text, so staging itself never rejects a row.
Privacy happens here, before anything is stored, as each column's privacy class says
(warehouse/model/datasets.py): child IDs become keyed hashes, dates of birth the 1st of their month,
postcodes their sector, and free text is dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ExtractError
from etl.readers.native_csv import RawExtract
from etl.scratch import scratch
from etl.staging.codes import code_or_original, codes_or_original
from warehouse.db import local_authority_codes
from warehouse.model.datasets import FILE_COLUMNS, Dataset, Kind, Privacy

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

# What a format may read, as a regular expression: a year of exactly four ASCII digits, the other
# fields one or two, the literal separators as written and a space as any run of whitespace. Python's
# strptime reads %Y as four digits, DuckDB's from one to four (and reads the words 'infinity',
# '-infinity' and 'epoch' whatever the format), so both parsers only see text of this shape.
_FIELD_PATTERNS = {
    "%Y": "[0-9]{4}",
    "%m": "[0-9]{1,2}",
    "%d": "[0-9]{1,2}",
    "%H": "[0-9]{1,2}",
    "%M": "[0-9]{1,2}",
    "%S": "[0-9]{1,2}",
}
_SPACE = r"[ \t\n\r\f]"  # spelt out: Python's \s is any Unicode space, RE2's these alone


def format_pattern(formats: tuple[str, ...]) -> str:
    """One regular expression (RE2 and Python alike) for text that one of `formats` could read,
    with whitespace around it."""
    alternatives = []
    for fmt in formats:
        parts = re.split(r"(%[A-Za-z])", fmt)
        alternatives.append(
            "".join(
                _FIELD_PATTERNS[part]
                if part in _FIELD_PATTERNS
                else f"{_SPACE}+"
                if part == " "
                else re.escape(part)
                for part in parts
                if part
            )
        )
    return f"^{_SPACE}*(?:" + "|".join(alternatives) + f"){_SPACE}*$"


_DATE_SHAPE = re.compile(format_pattern(DATE_FORMATS))

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])[A-Z]{2}$")

UNREADABLE_SUFFIX = "__unreadable"

# Columns no row rule looks at (nor the file columns, which hold one value for the whole file).
UNCHECKED_COLUMNS = frozenset({"la_code", "area_code", "postcode"})


@dataclass
class StagedExtract:
    """Typed rows of one extract, in the row order of the raw table.

    `table` is what loads; `checked` is the same rows as validation judges them (a child's own
    date of birth, say, where the table has its month).
    """

    raw: RawExtract
    la_code: str
    coverage_start: date
    coverage_end: date
    table: pa.Table
    checked: pa.Table

    @property
    def dataset(self) -> Dataset:
        return self.raw.dataset


def parse_timestamps(columns: dict[str, tuple[pa.Array, tuple[str, ...]]]) -> dict[str, pa.Array]:
    """Text columns to timestamps, each trying its formats in turn; what none reads is null.

    One DuckDB pass does every column: its try_strptime is vectorised and, unlike pyarrow's
    strptime, refuses impossible dates (31/02/2024) instead of rolling them into the next month.
    Column names come from the model's datasets, never from a file.

    Only text shaped like one of its formats (format_pattern: a four-digit year, no words) is
    given to try_strptime, so that a two-digit year is not read as the first century, nor
    'infinity' or 'epoch' as a timestamp: what parse_date refuses, this refuses too. Each format is
    tried only on the text of its own shape (the shapes exclude each other): try_strptime given a
    list tries each format in turn on every value, and a format that fails costs six times one
    that reads it (1.3 s against 0.2 s for a million contact dates).
    """
    if not columns:
        return {}
    names = list(columns)
    text = pa.table({name: values for name, (values, _) in columns.items()})
    params: dict[str, object] = {}
    selects = []
    for i, (name, (_, formats)) in enumerate(columns.items()):
        cases = []
        for j, fmt in enumerate(formats):
            params[f"shape_{i}_{j}"], params[f"format_{i}_{j}"] = format_pattern((fmt,)), fmt
            cases.append(
                f'WHEN regexp_full_match("{name}", $shape_{i}_{j}) THEN try_strptime(trim("{name}"), $format_{i}_{j})'
            )
        selects.append(f'CASE {" ".join(cases)} END AS "{name}"')
    with scratch() as con:
        con.register("text", text)
        parsed = con.sql(f"SELECT {', '.join(selects)} FROM text", params=params).to_arrow_table()
    return {name: parsed[name] for name in names}


def parse_date(text: str) -> date | None:
    """One date in a format of DATE_FORMATS, or None. Only ASCII digits and a four-digit year, as
    parse_timestamps reads the rows' dates."""
    if not _DATE_SHAPE.fullmatch(text):
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def map_distinct(values: pa.ChunkedArray, function: Callable[[str], str | None]) -> pa.DictionaryArray:
    """`function` applied once per distinct value (extracts repeat codes and IDs many times
    over), as a dictionary-encoded column: the indices say which rows share a value."""
    encoded = pc.dictionary_encode(_trimmed(values).combine_chunks())
    mapped = pa.array([function(v) for v in encoded.dictionary.to_pylist()], type=pa.string())
    return pa.DictionaryArray.from_arrays(encoded.indices, mapped)  # a blank cell stays null


def decoded(values: pa.DictionaryArray) -> pa.Array:
    return pc.take(values.dictionary, values.indices)


def whole_numbers(values: pa.Array) -> pa.Array:
    """Text to integers; anything but an optional minus and digits is null."""
    is_whole = pc.fill_null(pc.match_substring_regex(values, r"^-?[0-9]{1,9}$"), False)
    return pc.cast(pc.if_else(is_whole, values, pa.scalar(None, pa.string())), pa.int64())


def pseudonymise(child_ids: pa.ChunkedArray, la_code: str, key: bytes) -> pa.DictionaryArray:
    """A keyed BLAKE2b hash of LA code and child ID: stable per key, not reversible without it.

    The LA code is hashed in, because two LAs' case systems can issue the same ID.
    """
    keyed = hashlib.blake2b(key=key, digest_size=16)
    keyed.update(f"{la_code}:".encode())
    fresh = keyed.copy  # copying skips the key set-up, a third of the cost per ID

    def hashed(child_id: str) -> str:
        digest = fresh()
        digest.update(child_id.encode("utf-8"))
        return digest.hexdigest()

    return map_distinct(child_ids, hashed)


def _pseudonymised_columns(raw: RawExtract, la_code: str, key: bytes) -> dict[str, pa.Array]:
    """The child ID, any other person's ID (a household's, an adult's), and any record ID a reader
    built from the child ID, as keyed hashes."""
    columns: dict[str, pa.Array] = {}
    if "child_id" in raw.table.column_names:
        columns["child_id"] = pseudonymise(raw.table["child_id"], la_code, key)
    for column in raw.dataset.columns:
        if column.kind is Kind.PERSON_ID:
            columns[column.name] = decoded(pseudonymise(raw.table[column.name], la_code, key))
    for name in raw.derived_id_columns:
        columns[name] = decoded(pseudonymise(raw.table[name], la_code, key))
    return columns


def postcode_sector(postcode: str) -> str | None:
    """'ne4 6su' -> 'NE4 6'; anything that is not a UK postcode gives None."""
    match = _POSTCODE.match(re.sub(r"\s+", "", postcode.upper()))
    return f"{match[1]} {match[2]}" if match else None


# What Python's \s matches in ASCII text (RE2's \s has no \v, nor the four separators \x1c-\x1f).
_ASCII_SPACE = r"[\t\n\x0b\f\r \x1c-\x1f]+"
_POSTCODE_PARTS = r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<sector>[0-9])[A-Z]{2}$"


def postcode_sectors(postcodes: pa.ChunkedArray) -> pa.Array:
    """postcode_sector of every value (a blank is null), worked out once per distinct postcode: in
    Arrow for ASCII text (all of it, in practice), and one by one in Python for the rest, whose
    upper-casing and whitespace are Unicode's."""
    encoded = pc.dictionary_encode(_trimmed(postcodes).combine_chunks())
    text = encoded.dictionary
    parts = pc.extract_regex(
        pc.replace_substring_regex(pc.ascii_upper(text), _ASCII_SPACE, ""), _POSTCODE_PARTS
    )
    sectors = pc.binary_join_element_wise(
        pc.struct_field(parts, "outward"), pc.struct_field(parts, "sector"), " "
    )
    ascii = pc.string_is_ascii(text)
    if not pc.all(ascii).as_py():
        others = pc.filter(text, pc.invert(ascii))
        unicode = pa.array([postcode_sector(v) for v in others.to_pylist()], pa.string())
        sectors = pc.replace_with_mask(sectors, pc.invert(ascii), unicode)
    return pc.take(sectors, encoded.indices)


def _trimmed(values: pa.ChunkedArray) -> pa.ChunkedArray:
    values = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _single_value(raw: RawExtract, column: pa.Array, name: str) -> str:
    distinct = sorted({v.strip() for v in pc.unique(column).to_pylist() if v is not None and v.strip()})
    if len(distinct) != 1:
        found = ", ".join(distinct[:5]) if distinct else "nothing"
        raise ExtractError(raw.path, f"{name} must hold the same single value on every row; found {found}")
    return distinct[0]


def _coverage(raw: RawExtract, text: pa.Table) -> tuple[str, date, date]:
    la_code = _single_value(raw, text["la_code"], "la_code")
    if la_code not in local_authority_codes():
        raise ExtractError(
            raw.path, f"la_code '{la_code}' is not an English local authority code (for example E08000021)"
        )
    window = []
    for name in ("coverage_start", "coverage_end"):
        value = _single_value(raw, text[name], name)
        parsed = parse_date(value)
        if parsed is None:
            raise ExtractError(raw.path, f"{name} '{value}' is not a date: use YYYY-MM-DD or DD/MM/YYYY")
        window.append(parsed)
    if window[1] < window[0]:
        raise ExtractError(raw.path, f"coverage_end {window[1]} is before coverage_start {window[0]}")
    return la_code, window[0], window[1]


def stage(raw: RawExtract, key: bytes) -> StagedExtract:
    """Typed, normalised and pseudonymised rows; raises ExtractError for a bad LA or window."""
    if raw.table.num_rows == 0:
        raise ExtractError(raw.path, "the file has a header but no rows")
    text = raw.table
    la_code, coverage_start, coverage_end = _coverage(raw, text)
    with ThreadPoolExecutor(max_workers=1) as background:
        # Hashing child IDs is Python work that holds the GIL; the casts below run in Arrow and
        # DuckDB without it, so the two share the machine's cores.
        hashing = background.submit(_pseudonymised_columns, raw, la_code, key)
        columns, checked = _typed_columns(raw, la_code)
        columns.update(hashing.result())
    return StagedExtract(
        raw=raw,
        la_code=la_code,
        coverage_start=coverage_start,
        coverage_end=coverage_end,
        table=pa.table(columns),
        checked=checked,
    )


def _typed_columns(raw: RawExtract, la_code: str) -> tuple[dict[str, pa.Array], pa.Table]:
    """Every column but the child ID cast and normalised, and the columns that validation checks."""
    text = raw.table
    columns: dict[str, pa.Array] = {}
    timestamps = parse_timestamps(
        {
            c.name: (text[c.name], DATE_FORMATS if c.kind is Kind.DATE else DATETIME_FORMATS)
            for c in raw.dataset.columns
            if c.kind in (Kind.DATE, Kind.DATETIME) and c.name not in FILE_COLUMNS
        }
    )
    for column in raw.dataset.columns:
        values = text[column.name]
        if column.name in FILE_COLUMNS or column.privacy is Privacy.NEVER_STORED:
            continue  # one value per file, checked above; free text is never stored
        if column.name in timestamps:
            columns[column.name] = timestamps[column.name]
        elif column.kind is Kind.INTEGER:
            columns[column.name] = whole_numbers(_trimmed(values))
        elif column.kind is Kind.CODE:
            columns[column.name] = decoded(
                map_distinct(values, partial(code_or_original, codelist=column.code_list))
            )
        elif column.kind is Kind.CODES:
            columns[column.name] = decoded(
                map_distinct(values, partial(codes_or_original, codelist=column.code_list))
            )
        elif column.privacy is Privacy.KEYED_HASH:
            # Validation only asks whether a child ID is there: the text answers that as well as
            # the hash, which is added when it is ready.
            columns[column.name] = _trimmed(values)
        elif column.privacy is Privacy.SECTOR:
            columns[column.name] = postcode_sectors(values)
        else:
            columns[column.name] = _trimmed(values)
        if column.kind in (Kind.DATE, Kind.DATETIME, Kind.INTEGER):
            # Null after casting but not blank as written: the value could not be read.
            blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), True)
            columns[column.name + UNREADABLE_SUFFIX] = pc.and_not(pc.is_null(columns[column.name]), blank)
    checked = pa.table({name: values for name, values in columns.items() if name not in UNCHECKED_COLUMNS})
    for column in raw.dataset.columns:
        if column.privacy is Privacy.MONTH:
            # Validation sees the day of birth (nothing can happen to a child before it); the
            # warehouse the month.
            columns[column.name] = pc.floor_temporal(columns[column.name], unit="month")
    columns["la_code"] = pa.array([la_code] * raw.table.num_rows, pa.string())
    return columns, checked
