"""CSV downloads, written on the server from the same scoped and suppressed figures the page
shows. Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import pandas as pd

from app.audit_log import log_export

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
    # CRLF rows, so that pandas quotes any cell holding a bare CR: a spreadsheet would start a new
    # row there, and a formula after it would be live.
    return safe.to_csv(index=False, lineterminator="\r\n")


def csv_download(frame: pd.DataFrame, filename: str, **used: object) -> dict[str, str]:
    """What dcc.Download takes; the download is written to the audit log with the filters `used`."""
    log_export(filename, len(frame), **used)
    return {"content": csv_text(frame), "filename": filename, "type": "text/csv"}
