"""Records: the events behind a KPI figure, for the viewer's scope and the filters in the URL.
Pseudonymised child IDs and dates only, and only for roles that see exact figures, or a partner's
own agency's records: a list can be counted, so for a protected role it would undo the rounding of
every figure it lies behind, except where it lists what the viewer's agency holds already
(app/scope.py `Scope.record_filters`)."""

from __future__ import annotations

from urllib.parse import parse_qs

import dash
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from app import ids
from app.access import callback
from app.components.exports import csv_download
from app.components.grid import grid
from app.scope import EVERYONE
from app.state import reader
from app.view import PageView, page_view
from warehouse.db import WarehouseError
from warehouse.kpis.engine import RecordList, records
from warehouse.kpis.registry import get_kpi

PAGE = "/records"
dash.register_page(
    __name__,
    path=PAGE,
    name="Records",
    nav=False,
    filters=True,
    title="Records - Safeguarding performance",
    roles=EVERYONE,
)

LIMIT = 5000


def _records(page: PageView) -> RecordList:
    """The records the viewer may list: withheld when it may list none of this KPI's."""
    kpi = get_kpi(page.view.kpi[0] if page.view.kpi else "referrals")
    filters = page.scope.record_filters(page.filters, kpi.dataset)
    if filters is None:
        return RecordList(kpi, page.view.period_value, None, None, withheld=True)
    own = page.scope.policy.enabled  # a protected viewer listing is listing its own agency's
    return records(
        reader().connection(), kpi, page.view.period_value, filters, page.scope.policy, LIMIT, own=own
    )


def _own_note(page: PageView) -> list[Component]:
    """For a partner: whose records these are, beside partnership-wide figures."""
    if not page.scope.agencies:
        return []
    agencies = " and ".join(page.scope.agencies)
    areas = f" in {', '.join(page.scope.areas)}" if page.scope.areas else ""
    return [
        html.P(
            f"Your own agency's records only ({agencies}{areas}): the figures on the other pages are the "
            "whole partnership's, rounded, and no other agency's records are listed here.",
            className="scope-note",
        )
    ]


def layout(**query: str | list[str]) -> html.Div:
    try:
        page = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1("Records"), html.P(str(error))])
    if len(page.filters.la_codes) != 1:
        # Row-level lists are per LA: England-wide they would be long, slow and of no use.
        return html.Div(
            [
                html.H1("Records"),
                html.P(["Showing: ", page.view.describe(page.options)]),
                html.P("Choose one local authority in the filters to list its records.", className="note"),
            ]
        )
    found = _records(page)
    heading = f"Records behind {found.kpi.title}: {found.period.label}"
    rows = found.rows  # None when withheld
    body: list[Component]
    if found.withheld or rows is None:
        body = [
            html.P(
                "Record lists are shown only to roles that see exact figures, and to a partner for its own "
                "agency's records. Your figures are rounded to protect children's privacy, and a list of "
                "other records could be counted to undo that.",
                className="note",
            )
        ]
    else:
        count = f"first {LIMIT:,} records" if found.truncated else f"{found.count:,} records"
        body = [
            html.P(
                f"{count}. Children appear by their pseudonymised ID; names and case-system IDs never reach "
                "the warehouse."
            ),
            html.Button("Download CSV", id=ids.RECORDS_EXPORT, className="button-secondary", n_clicks=0),
            dcc.Download(id=ids.RECORDS_DOWNLOAD),
            grid(
                ids.RECORDS_GRID,
                rows,
                {"child_id": "Child (pseudonymised)", "event_date": "Date"},
                page_size=25,
            ),
        ]
    return html.Div(
        [
            html.H1(heading),
            html.P(["Showing: ", page.view.describe(page.options)]),
            *_own_note(page),
            *body,
        ]
    )


@callback(
    Output(ids.RECORDS_DOWNLOAD, "data"),
    Input(ids.RECORDS_EXPORT, "n_clicks"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=PAGE,
)
def download(_clicks: int, search: str | None) -> dict[str, str] | dash.NoUpdate:
    page = page_view(parse_qs((search or "").lstrip("?")))
    found = _records(page)
    if found.withheld or found.rows is None:
        return dash.no_update
    return csv_download(
        found.rows, f"records-{found.kpi.id}-{found.period.code}.csv", **page.used("/records")
    )
