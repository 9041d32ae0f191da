"""CSV and Excel downloads, written on the server from the same scoped and protected figures the page
shows. Cells that a spreadsheet would run as a formula are neutralised (etl/spreadsheets.py)."""

from __future__ import annotations

from io import BytesIO

import pandas as pd
from dash import dcc
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.audit_log import log_export
from etl.spreadsheets import csv_text, neutralise


def csv_download(frame: pd.DataFrame, filename: str, **used: object) -> dict[str, str]:
    """What dcc.Download takes; the download is written to the audit log with the filters `used`."""
    log_export(filename, len(frame), **used)
    return {"content": csv_text(frame), "filename": filename, "type": "text/csv"}


def xlsx_download(sheets: dict[str, pd.DataFrame], filename: str, **used: object) -> dict:
    """What dcc.Download takes for a workbook of one sheet per frame (named by its key), headers in
    bold; text a spreadsheet would run as a formula is neutralised as in the CSV. The download is
    written to the audit log with the first sheet's row count and the filters `used`."""
    book = Workbook()
    for number, (title, frame) in enumerate(sheets.items()):
        sheet = book.worksheets[0] if number == 0 else book.create_sheet()
        sheet.title = title
        sheet.append([str(column) for column in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([neutralise(None if pd.isna(value) else value) for value in row])
        for position, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(position)
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column])])
            sheet.column_dimensions[letter].width = min(60, longest + 2)
    content = BytesIO()
    book.save(content)
    log_export(filename, len(next(iter(sheets.values()))), **used)
    return dcc.send_bytes(content.getvalue(), filename)
