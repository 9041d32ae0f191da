"""Data and loads: every load with what it accepted and rejected, and why."""

from __future__ import annotations

from datetime import datetime, timedelta

import dash
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html

from app import ids
from app.access import callback
from app.components.exports import csv_download
from app.components.grid import grid
from app.scope import DATA, DATA_PAGES, PermissionDenied, current_scope
from app.state import reader
from app.view import la_names
from warehouse.db import WarehouseError
from warehouse.model.files import dataset_title

PAGE = "/data"
dash.register_page(
    __name__,
    path=PAGE,
    name="Data and loads",
    title="Data and loads - Safeguarding performance",
    order=9,
    group=DATA_PAGES,
    roles=DATA,
    exact_figures=True,  # exact row counts, and rejected rows with their values
)

# What a data team looks for first, its status and when it finished, comes first: a narrow screen
# scrolls the rest of the columns sideways.
LOAD_COLUMNS = {
    "load_id": "Load",
    "status": "Status",
    "finished_at": "Finished",
    "dataset": "Dataset",
    "la_code": "Local authority",
    "rows_read": "Rows read",
    "rows_loaded": "Loaded",
    "rows_rejected": "Rejected",
    "file_name": "File",
    "message": "Message",
}
LOAD_WIDE = ("file_name", "message")
COUNT_COLUMNS = {
    "la_name": "Local authority",
    "dataset": "Dataset",
    "n_rows": "Records",
    "first_date": "First event",
    "last_date": "Last event",
}
REJECTION_COLUMNS = {"row_number": "Row", "field": "Field", "value": "Value", "message": "Reason"}


def _scoped_loads(limit: int) -> pd.DataFrame:
    """The latest loads of the user's LAs (a failed file may name none: the data team sees those too)."""
    return reader().query("recent_loads", la_codes=list(current_scope().la_codes), limit=limit)


# A load's status in words; one with rejections or a failure is flagged, so it is seen in a list.
STATUS_WORDS = {
    "loaded": "Loaded",
    "loaded_with_rejections": "⚠ Loaded with rejections",
    "unchanged": "Unchanged (already loaded)",
    "failed": "✖ Failed",
}


def _as_shown(loads: pd.DataFrame) -> pd.DataFrame:
    """The loads with names for people: the dataset's title, the LA's name and the status in words."""
    names = la_names()
    shown = loads.copy()
    shown["dataset"] = shown["dataset"].map(dataset_title)
    shown["la_code"] = shown["la_code"].map(
        lambda code: names.get(code, code) if isinstance(code, str) else code
    )
    shown["status"] = shown["status"].map(lambda status: STATUS_WORDS.get(status, status))
    return shown


def _rejections_of(load_id: int) -> pd.DataFrame:
    if load_id not in set(_scoped_loads(100_000)["load_id"]):
        raise PermissionDenied(f"load {load_id} is not one of your local authorities' loads")
    return reader().query("load_rejections", load_id=load_id)


FAILED_LOAD_DAYS = 7
# Rows a long list (the loads, a load's rejections) shows at a time: the rest are a page away.
PAGE_SIZE = 25


def _recent_failures() -> html.Div | html.P:
    """Files whose load failed lately: they loaded nothing and need the data team's attention."""
    since = datetime.now() - timedelta(days=FAILED_LOAD_DAYS)
    failed = reader().query("failed_loads", since=since, la_codes=list(current_scope().la_codes))
    if failed.empty:
        return html.P(f"No load has failed in the last {FAILED_LOAD_DAYS} days.", id=ids.FAILED_LOADS)
    return html.Div(
        [
            html.P(
                ("1 file" if len(failed) == 1 else f"{len(failed):,} files")
                + f" failed to load in the last {FAILED_LOAD_DAYS} days and loaded nothing:",
                className="banner banner-stale",
            ),
            grid(
                ids.FAILED_LOADS_GRID,
                failed,
                {"load_id": "Load", "file_name": "File", "finished_at": "When", "message": "Why"},
                wide=("message",),
            ),
        ],
        id=ids.FAILED_LOADS,
    )


def layout(**_query: str) -> html.Div:
    try:
        loads = _scoped_loads(500)
        counts = reader().query("fact_counts", la_codes=list(current_scope().la_codes))
    except WarehouseError as error:
        return html.Div([html.H1("Data and loads"), html.P(str(error))])
    counts["dataset"] = counts["dataset"].map(dataset_title)
    return html.Div(
        [
            html.H1("Data and loads"),
            html.H2("Failed loads"),
            _recent_failures(),
            html.H2("What the warehouse holds"),
            html.P("Records for each local authority and dataset, with the first and last event dates."),
            grid(ids.OVERVIEW_COUNTS, counts, COUNT_COLUMNS),
            html.H2("Loads"),
            html.P(
                "Every file given to a load, newest first. Select a load to see the rows it rejected and why."
            ),
            html.Button(
                "Download loads as CSV", id=ids.LOADS_EXPORT, className="button-secondary", n_clicks=0
            ),
            grid(
                ids.LOADS_GRID,
                _as_shown(loads),
                LOAD_COLUMNS,
                wide=LOAD_WIDE,
                selectable=True,
                page_size=PAGE_SIZE,
                empty="No loads yet.",
            ),
            html.H2("Select a load to see its rejections", id=ids.REJECTIONS_TITLE),
            html.Button(
                "Download rejections as CSV",
                id=ids.REJECTIONS_EXPORT,
                className="button-secondary",
                n_clicks=0,
                disabled=True,
            ),
            html.Div(id=ids.REJECTIONS_GRID),
            dcc.Download(id=ids.DATA_DOWNLOAD),
        ]
    )


@callback(
    Output(ids.REJECTIONS_GRID, "children"),
    Output(ids.REJECTIONS_TITLE, "children"),
    Output(ids.REJECTIONS_EXPORT, "disabled"),
    Input(ids.LOADS_GRID, "selectedRows"),
    prevent_initial_call=True,
    page=PAGE,
)
def show_rejections(selected: list[dict] | None) -> tuple[html.Div | html.P | None, str, bool]:
    if not selected:
        return None, "Select a load to see its rejections", True
    load_id = int(selected[0]["load_id"])
    rejections = _rejections_of(load_id)
    title = f"Rejections of load {load_id} ({selected[0]['file_name']}): {len(rejections):,}"
    if rejections.empty:
        return html.P("This load rejected no rows."), title, True
    return (
        grid(
            ids.REJECTIONS_GRID + "-table",
            rejections,
            REJECTION_COLUMNS,
            wide=("message",),
            page_size=PAGE_SIZE,
        ),
        title,
        False,
    )


@callback(
    Output(ids.DATA_DOWNLOAD, "data"),
    Input(ids.LOADS_EXPORT, "n_clicks"),
    Input(ids.REJECTIONS_EXPORT, "n_clicks"),
    State(ids.LOADS_GRID, "selectedRows"),
    prevent_initial_call=True,
    page=PAGE,
)
def download(_loads: int, _rejections: int, selected: list[dict] | None) -> dict[str, str]:
    if ctx.triggered_id == ids.REJECTIONS_EXPORT and selected:
        load_id = int(selected[0]["load_id"])
        return csv_download(
            _rejections_of(load_id), f"rejections-load-{load_id}.csv", page=PAGE, filters={"load": load_id}
        )
    return csv_download(_scoped_loads(100_000), "loads.csv", page=PAGE, filters={})
