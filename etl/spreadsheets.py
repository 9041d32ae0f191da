"""Text written for spreadsheets (every CSV and workbook the product hands out, from the app or
the command line): a cell that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

import pandas as pd

T = TypeVar("T")
# What the product writes into a workbook's cell.
CellValue = str | int | float | date | datetime | None

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: T) -> T | str:
    """A text cell that a spreadsheet would evaluate gets a leading apostrophe: shown, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    # CRLF rows, so that pandas quotes any cell holding a bare CR: a spreadsheet would start a new
    # row there, and a formula after it would be live.
    return safe.to_csv(index=False, lineterminator="\r\n")
