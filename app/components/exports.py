"""CSV downloads, written on the server from the same scoped and protected figures the page
shows. Cells that a spreadsheet would run as a formula are neutralised (etl/spreadsheets.py)."""

from __future__ import annotations

import pandas as pd

from app.audit_log import log_export
from etl.spreadsheets import csv_text


def csv_download(frame: pd.DataFrame, filename: str, **used: object) -> dict[str, str]:
    """What dcc.Download takes; the download is written to the audit log with the filters `used`."""
    log_export(filename, len(frame), **used)
    return {"content": csv_text(frame), "filename": filename, "type": "text/csv"}
