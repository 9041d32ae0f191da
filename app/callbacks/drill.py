"""Drill-down: a click on a bar filters the view to that part, a click on a trend point shows
that month. The URL changes, so the breadcrumbs and the back button step back out."""

from __future__ import annotations

from dash import ALL, Input, NoUpdate, Output, State, ctx, no_update

from app import ids
from app.access import SHELL, callback
from app.view import updated_search


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input({"type": "drill", "param": ALL, "name": ALL}, "clickData"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=SHELL,
)
def drill_down(_clicks: list[object], search: str | None) -> str | NoUpdate:
    if not ctx.triggered or not ctx.triggered[0]["value"] or not isinstance(ctx.triggered_id, dict):
        return no_update
    value = ctx.triggered[0]["value"]["points"][0].get("customdata")
    if value is None:
        return no_update
    param = ctx.triggered_id["param"]
    if param == "month":
        return updated_search(search, period=value)
    return updated_search(search, {param: (value,)})
