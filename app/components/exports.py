"""CSV downloads, written on the server from the same scoped and suppressed figures the page
shows. Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would evaluate gets a leading apostrophe: shown, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False)


def csv_download(frame: pd.DataFrame, filename: str) -> dict[str, str]:
    """What dcc.Download takes."""
    return {"content": csv_text(frame), "filename": filename, "type": "text/csv"}
