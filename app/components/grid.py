"""Tables: dash-ag-grid with the product's defaults."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd

# Identifiers are numbers but not quantities: no thousands separators.
_IDENTIFIERS = ("load_id", "row_number")


# Text wraps onto more lines rather than being cut short: a status, a flag, a KPI's name or a load's
# time is what people look for in a grid, and "Loaded with rej..." hides it.
WRAPPED = {"wrapText": True, "autoHeight": True, "cellStyle": {"lineHeight": "1.4", "wordBreak": "normal"}}


# Dates are kept as ISO text, so they sort and filter in order, and written as the product writes
# them ("31 October 2026", "31 October 2026, 14:05": formatting.day_words and moment_words).
_ISO_DAY, _ISO_MOMENT = "%Y-%m-%d", "%Y-%m-%d %H:%M"
DAY_FORMAT, MOMENT_FORMAT = "%-d %B %Y", "%-d %B %Y, %H:%M"


def _has_time(values: pd.Series) -> bool:
    return bool((values.dropna() != values.dropna().dt.normalize()).any())


def _written(iso: str, words: str) -> dict:
    # Read and written as UTC, so a date is never moved by the browser's time zone.
    return {"function": f"params.value ? d3.utcFormat('{words}')(d3.utcParse('{iso}')(params.value)) : ''"}


# A header wraps between its words, never inside one ("Correctio / ns"): a column is at least as wide
# as its header's longest word, at the header's bold 14 px (about 9 px a letter), with the cell's
# padding and its filter button beside it.
_HEADER_LETTER_PX, _HEADER_ROOM_PX, _MIN_WIDTH = 9, 56, 105


def _header_width(header: str) -> int:
    return _HEADER_LETTER_PX * max((len(word) for word in header.split()), default=0) + _HEADER_ROOM_PX


def _column(field: str, header: str, values: pd.Series, wide: bool) -> dict:
    definition: dict = {
        "field": field,
        "headerName": header,
        "minWidth": max(_MIN_WIDTH, _header_width(header)),
    }
    if pd.api.types.is_datetime64_any_dtype(values):
        timed = _has_time(values)
        definition["valueFormatter"] = _written(
            _ISO_MOMENT if timed else _ISO_DAY, MOMENT_FORMAT if timed else DAY_FORMAT
        )
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if wide:
        definition |= {"flex": 3, "minWidth": max(160, definition["minWidth"])} | WRAPPED
    elif not numeric:
        # Wide enough for a name or a status word whole: a narrow screen scrolls the grid instead.
        definition |= {"minWidth": max(135, definition["minWidth"])} | WRAPPED
    if numeric:
        definition["type"] = "numericColumn"
        if field not in _IDENTIFIERS:
            # A missing number is blank, not "0" (d3.format writes null as 0).
            definition["valueFormatter"] = {
                "function": "params.value == null ? '' : d3.format(',')(params.value)"
            }
    return definition


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime(_ISO_MOMENT if _has_time(values) else _ISO_DAY)
    return values.astype("string")


def grid(
    component_id: str,
    frame: pd.DataFrame,
    columns: dict[str, str],
    wide: tuple[str, ...] = (),
    selectable: bool = False,
    page_size: int | None = None,
    empty: str = "Nothing to show.",
) -> dag.AgGrid:
    """A sortable, filterable grid of `frame`, showing `columns` (field -> header) in order.

    `wide` columns take more room and wrap, for messages and reasons. `page_size` pages a long list.
    `empty` is what the grid says when it has no rows (in place of AG Grid's "No Rows To Show"), the
    one message a page gives for an empty list, however its rows are later replaced.
    """
    rows = frame[list(columns)].copy()
    for name in rows.columns:
        if not pd.api.types.is_numeric_dtype(rows[name]) or pd.api.types.is_datetime64_any_dtype(rows[name]):
            rows[name] = _as_text(rows[name])
    options: dict = {"domLayout": "autoHeight", "localeText": {"noRowsToShow": empty}}
    if page_size:
        options |= {"pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": False}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    return dag.AgGrid(
        id=component_id,
        rowData=rows.astype(object).where(rows.notna(), None).to_dict("records"),
        columnDefs=[_column(field, header, frame[field], field in wide) for field, header in columns.items()],
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "flex": 1,
            "minWidth": _MIN_WIDTH,
            "cellStyle": {"lineHeight": "1.4"},
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        className="ag-theme-alpine",
        csvExportParams={"fileName": f"{component_id}.csv"},
    )
