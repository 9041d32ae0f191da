"""Drill-down: a click on a bar filters the view to that part, a click on a trend point shows
that month. The URL changes, so the breadcrumbs and the back button step back out.

The browser passes a click on (app/assets/drill.js) only when there is one: every chart of a page
just drawn reports that nothing was clicked, which would cost the server a request each time."""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, NoUpdate, Output, State, clientside_callback, no_update

from app import ids
from app.access import SHELL, callback
from app.view import updated_search

clientside_callback(
    ClientsideFunction(namespace="drill", function_name="clicked"),
    Output(ids.DRILL_CLICK, "data"),
    Input({"type": ids.DRILL, "param": ALL, "name": ALL}, "clickData"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(ids.DRILL_CLICK, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=SHELL,
)
def drill_down(click: dict | None, search: str | None) -> str | NoUpdate:
    """`click`: the chart's URL key (`param`) and the clicked part's value (`value`)."""
    if not click or click.get("value") is None:
        return no_update
    if click["param"] == "month":
        return updated_search(search, period=click["value"])
    return updated_search(search, {click["param"]: (click["value"],)})
