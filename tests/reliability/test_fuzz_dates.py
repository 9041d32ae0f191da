"""Property-based fuzzing of every date parser a load uses: any text is a date or nothing (never an
exception), each accepted format gives back the date written in it, impossible dates are refused,
and the parsers that judge a file's window and those that judge its rows agree.

The parsers: `parse_date` (a native extract's coverage window), `parse_timestamps` (every dated
cell, in DuckDB), `text_date` (the returns' windows and care spells) and the Annex A reader's
`_cell_text` (workbook cells, Excel serial numbers among them, to the text staging reads).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from etl.cli import app
from etl.readers.annex_a import _cell_text
from etl.readers.returns import _TEXT_DATE_FORMATS, text_date
from etl.staging.native import DATE_FORMATS, DATETIME_FORMATS, parse_date, parse_timestamps
from tests.helpers import write_extract
from tests.reliability.modes import fuzz_settings
from warehouse.model.datasets import EARLIEST_DATE, Kind

pytestmark = pytest.mark.reliability

EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 is 1 March 1900 (Excel counts a 29 February 1900)


def rows_parsed(values: list[str | None], formats: tuple[str, ...]) -> list[datetime | None]:
    """What staging makes of a column of cells written in one of `formats`."""
    return columns_parsed({"cells": (values, formats)})["cells"]


def columns_parsed(columns: dict[str, tuple[list[str | None], tuple[str, ...]]]) -> dict[str, list]:
    """Several columns in one pass, as staging parses a file's columns (one DuckDB connection)."""
    parsed = parse_timestamps(
        {name: (pa.array(values, pa.string()), formats) for name, (values, formats) in columns.items()}
    )
    return {name: values.to_pylist() for name, values in parsed.items()}


def written(moment: datetime, fmt: str) -> str:
    """`moment` in `fmt` with a four-digit year (strftime's %Y leaves years before 1000 unpadded)."""
    return moment.strftime(fmt.replace("%Y", f"{moment.year:04d}"))


def precision(fmt: str, moment: datetime) -> datetime:
    """What a format can say of a moment: a date alone means midnight, no %S means 0 seconds."""
    if "%H" not in fmt:
        return datetime.combine(moment.date(), datetime.min.time())
    return moment if "%S" in fmt else moment.replace(second=0)


# Words DuckDB's strptime reads as timestamps, whatever the format (parse_timestamps refuses them).
DUCKDB_WORDS = ("infinity", "-infinity", "epoch")


moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda m: m.replace(microsecond=0)
)
padding = st.sampled_from(["", " ", "  ", "\t"])


@fuzz_settings()
@given(cells=st.lists(st.one_of(st.none(), st.text(max_size=40), st.sampled_from(DUCKDB_WORDS)), max_size=20))
def test_any_text_is_a_date_or_nothing_in_every_parser(cells):
    for cell in cells:
        if cell is not None:
            assert isinstance(parse_date(cell), date | None)
            assert isinstance(text_date(cell), date | None)
    parsed = columns_parsed({"dates": (cells, DATE_FORMATS), "datetimes": (cells, DATETIME_FORMATS)})
    for values in parsed.values():
        assert len(values) == len(cells)
        assert all(value is None or isinstance(value, datetime) for value in values)
        assert all(value is None for cell, value in zip(cells, values) if cell is None or not cell.strip())


@fuzz_settings()
@given(moments=st.lists(moments, min_size=1, max_size=20), before=padding, after=padding)
def test_every_accepted_format_gives_back_the_date_written_in_it(moments, before, after):
    def texts(fmt: str) -> list[str]:
        return [before + written(moment, fmt) + after for moment in moments]

    as_dates = {f"date {fmt}": (texts(fmt), DATE_FORMATS) for fmt in DATE_FORMATS}
    as_datetimes = {f"datetime {fmt}": (texts(fmt), DATETIME_FORMATS) for fmt in DATETIME_FORMATS}
    parsed = columns_parsed(as_dates | as_datetimes)
    for fmt in DATE_FORMATS:
        assert [parse_date(text) for text in texts(fmt)] == [m.date() for m in moments], fmt
        assert parsed[f"date {fmt}"] == [precision(fmt, m) for m in moments], fmt
    for fmt in DATETIME_FORMATS:
        assert parsed[f"datetime {fmt}"] == [precision(fmt, m) for m in moments], fmt
    for fmt in _TEXT_DATE_FORMATS:
        assert [text_date(text) for text in texts(fmt)] == [m.date() for m in moments], fmt


@st.composite
def impossible_days(draw) -> tuple[int, int, int]:
    """A year, month and day that name no day: the 31st of a 30-day month, 29 February of a common
    year, a day 0 or a month 13."""
    year = draw(st.integers(1000, 9999))
    month = draw(st.integers(1, 13))
    if month == 13:
        return year, month, draw(st.integers(1, 28))
    last = calendar.monthrange(year, month)[1]
    return year, month, draw(st.sampled_from([0, *range(last + 1, 32)]))


@fuzz_settings()
@given(days=st.lists(impossible_days(), min_size=1, max_size=20))
def test_a_day_that_does_not_exist_is_no_date_in_any_parser(days):
    texts = [
        text
        for year, month, day in days
        for text in (f"{year:04d}-{month:02d}-{day:02d}", f"{day:02d}/{month:02d}/{year:04d}")
    ]
    assert [(parse_date(text), text_date(text)) for text in texts] == [(None, None)] * len(texts)
    parsed = columns_parsed(
        {"dates": (texts, DATE_FORMATS), "datetimes": ([t + " 10:30" for t in texts], DATETIME_FORMATS)}
    )
    assert parsed == {"dates": [None] * len(texts), "datetimes": [None] * len(texts)}


# Strings at the edge of a date: four-digit years, months and days of one to three digits, either
# separator, a time or not, spaces around: where a window parser and a row parser could part ways.
near_dates = st.builds(
    lambda y, m, d, iso, time, pad: pad + (f"{y}-{m}-{d}" if iso else f"{d}/{m}/{y}") + time + pad,
    st.integers(1000, 9999).map(str),
    st.integers(0, 130).map(str),
    st.integers(0, 40).map(str),
    st.booleans(),
    st.sampled_from(["", " 10:30", "T10:30", " 25:00", ":"]),
    padding,
)


@fuzz_settings()
@given(texts=st.lists(near_dates, min_size=1, max_size=20))
def test_the_window_and_row_parsers_agree_on_what_is_a_date(texts):
    as_rows = rows_parsed(texts, DATE_FORMATS)
    assert [parse_date(text) for text in texts] == [row.date() if row else None for row in as_rows]
    for text in texts:
        if "10:30" not in text:  # text_date reads a time as well, and keeps the day
            assert text_date(text) == parse_date(text), text


def test_a_two_digit_year_is_not_taken_for_the_first_century():
    assert [parse_date(text) for text in ("03/06/24", "19/07/14")] == [None, None]
    assert rows_parsed(["03/06/24", "19/07/14"], DATE_FORMATS) == [None, None]


def test_a_date_of_birth_with_a_two_digit_year_is_rejected_not_stored_as_year_14(tmp_path, load):
    extract = write_extract(tmp_path / "dob.csv", "contacts", [{"date_of_birth": "19/07/14"}])
    [outcome] = load(extract)
    assert [(r.row_number, r.field, r.message) for r in outcome.rejections] == [
        (2, "date_of_birth", "date_of_birth '19/07/14' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
    ]


def test_the_words_duckdb_reads_as_timestamps_are_not_dates():
    words = [*DUCKDB_WORDS, "INFINITY", " Epoch "]
    assert [parse_date(word) for word in words] == [None] * len(words)
    parsed = parse_timestamps({"cells": (pa.array(words), DATETIME_FORMATS)})["cells"]
    assert parsed.null_count == len(words), parsed.cast(pa.int64()).to_pylist()


def test_a_date_of_birth_that_is_a_word_is_rejected_not_stored(tmp_path, load, query):
    rows = [
        {"date_of_birth": "-infinity", "child_id": "A", "contact_id": "C1"},
        {"date_of_birth": "epoch", "child_id": "B", "contact_id": "C2"},
    ]
    [outcome] = load(write_extract(tmp_path / "words.csv", "contacts", rows))
    assert [(r.row_number, r.field, r.value) for r in outcome.rejections] == [
        (2, "date_of_birth", "-infinity"),
        (3, "date_of_birth", "epoch"),
    ]
    assert query("SELECT count(*) FROM child") == [(0,)]


workbook_cells = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.datetimes(), st.dates(), st.text(max_size=30)
)


@fuzz_settings()
@given(cell=workbook_cells, kind=st.sampled_from([Kind.DATE, Kind.DATETIME, Kind.TEXT, Kind.CODE, None]))
def test_a_workbook_cell_of_any_type_becomes_text_or_nothing(cell, kind):
    assert isinstance(_cell_text(cell, kind), str | None)


@fuzz_settings()
@given(day=st.dates(EARLIEST_DATE, date(9999, 12, 31)), minutes=st.integers(0, 24 * 60 - 1))
def test_an_unformatted_excel_serial_date_reads_as_its_date(day, minutes):
    serial = (day - EXCEL_EPOCH).days
    assert _cell_text(serial, Kind.DATE) == day.isoformat()
    moment = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)
    expected = day.isoformat() if minutes == 0 else moment.isoformat(sep=" ", timespec="minutes")
    assert _cell_text(serial + minutes / 1440, Kind.DATETIME) == expected


@fuzz_settings()
@given(
    number=st.floats(0, (EARLIEST_DATE - EXCEL_EPOCH).days, exclude_max=True),
    kind=st.sampled_from([Kind.DATE, Kind.DATETIME]),
)
def test_a_number_below_the_earliest_serial_date_stays_a_number(number, kind):
    # an age (17.5) or a count in a date cell would read as a day of the 1900s: it stays a number, refused as one
    assert _cell_text(number, kind) == (str(int(number)) if number.is_integer() else str(number))


@pytest.mark.parametrize(
    "start, end, not_a_date, option",
    [
        ("2024-04-01", "2025-13-01", "2025-13-01", "--to"),
        ("31/03/24", "31/03/2025", "31/03/24", "--from"),
        ("April 2024", "2025-03-31", "April 2024", "--from"),
        ("infinity", "2025-03-31", "infinity", "--from"),
    ],
)
def test_a_window_on_the_command_line_that_is_not_a_date_is_a_usage_error(
    start, end, not_a_date, option, settings, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "300")
    arguments = ["load", "--la", "E08000021", "--from", start, "--to", end, "missing.csv"]
    result = CliRunner().invoke(app, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert f"{option} '{not_a_date}' is not a date: use YYYY-MM-DD or DD/MM/YYYY" in result.output


def test_a_window_on_the_command_line_may_be_written_as_files_write_dates(settings, monkeypatch):
    """DD/MM/YYYY, which parse_date (a file's window) accepts, is accepted on the command line too: the
    load goes on, and fails only for the file that is not there."""
    monkeypatch.setenv("COLUMNS", "300")
    arguments = ["load", "--la", "E08000021", "--from", "31/03/2024", "--to", "2025-03-31", "missing.csv"]
    result = CliRunner().invoke(app, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "not a date" not in result.output and "no such file" in result.output
