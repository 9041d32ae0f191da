"""Records: the events behind a KPI figure, for the viewer's scope and the filters in the URL.
Pseudonymised IDs (the child's; a household's or an adult's where a record is about no child) and
dates only, and only for roles that see exact figures, or to a partner for the datasets its own agency
provides: a list can be counted, so for a protected role it would undo the rounding of
every figure it lies behind, except where it lists what the viewer's agency sent
(app/scope.py `Scope.record_filters`)."""

from __future__ import annotations

from urllib.parse import parse_qs

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from app import ids
from app.access import callback
from app.components.exports import csv_download
from app.components.grid import grid
from app.scope import EVERYONE
from app.state import reader
from app.view import PageView, la_names, page_view
from warehouse.db import WarehouseError
from warehouse.kpis.engine import RecordList, records
from warehouse.kpis.figures import is_figures_kpi, shown_period, submitted_rows
from warehouse.kpis.model import Kpi
from warehouse.kpis.registry import get_kpi
from warehouse.model.files import active_model

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
    # A published figure has no records of ours behind it: none to list.
    filters = None if kpi.is_published else page.scope.record_filters(page.filters, kpi.dataset_id)
    if filters is None:
        return RecordList(kpi, page.view.period_value, None, None, withheld=True)
    own = page.scope.policy.enabled  # a protected viewer listing is listing its own agency's
    return records(
        reader().connection(), kpi, page.view.period_value, filters, page.scope.policy, LIMIT, own=own
    )


def _showing(page: PageView) -> html.P:
    """What the page shows, for print: on screen the filter bar says it, and the bar is not printed."""
    return html.P(["Showing: ", page.view.describe(page.options)], className="print-only")


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
                _showing(page),
                html.P("Choose one local authority in the filters to list its records.", className="note"),
            ]
        )
    kpi = get_kpi(page.view.kpi[0] if page.view.kpi else "referrals")
    if is_figures_kpi(active_model(), kpi):
        return _submitted(page, kpi)
    found = _records(page)
    heading = f"Records behind {found.kpi.title}: {found.period.label}"
    rows = found.rows  # None when withheld
    body: list[Component]
    if found.withheld or rows is None:
        body = [
            html.P(
                "Record lists are shown only to roles that see exact figures, and to a partner for the "
                "datasets its own agency provides. Your figures are rounded to protect children's privacy, "
                "and a list of other records could be counted to undo that.",
                className="note",
            )
        ]
    else:
        count = f"first {LIMIT:,} records" if found.truncated else f"{found.count:,} records"
        who = (
            "Children appear by their pseudonymised ID"
            if found.subject == "Child"
            else f"Each is about a {found.subject.lower()}, not one child, shown by its pseudonymised ID"
        )
        body = [
            html.P(f"{count}. {who}; names and case-system IDs never reach the warehouse."),
            html.Button("Download CSV", id=ids.RECORDS_EXPORT, className="button-secondary", n_clicks=0),
            dcc.Download(id=ids.RECORDS_DOWNLOAD),
            grid(
                ids.RECORDS_GRID,
                rows,
                {"subject_id": f"{found.subject} (pseudonymised)", "event_date": "Date"},
                page_size=25,
            ),
        ]
    return html.Div(
        [
            html.H1(heading),
            _showing(page),
            *_own_note(page),
            *body,
        ]
    )


SUBMITTED_COLUMNS = {
    "la_code": "Local authority",
    "measure": "Measure",
    "period_start": "From",
    "period_end": "To",
    "part": "Part",
    "value": "Figure",
    "submitted_by": "Submitted by",
    "submitted_at": "Submitted at",
    "revision": "Corrections",
    "note": "Note",
}


def _submitted(page: PageView, kpi: Kpi) -> html.Div:
    """A KPI over figures an agency submits has no records: the figures behind it, part by part, with
    who submitted each and when. Only for roles that see exact figures: a part can be a small count."""
    model = active_model()
    period = shown_period(model, kpi, page.view.period_value)  # the latest the cadence makes up
    showing = _showing(page)
    heading = html.H1(f"Submitted figures behind {kpi.title}: {period.label}")
    if page.scope.policy.enabled:
        note = (
            "Submitted figures are listed part by part only for roles that see exact figures: a part "
            "can be a small count, which your figures round to protect children's privacy."
        )
        return html.Div([heading, showing, html.P(note, className="note")])
    rows = submitted_rows(reader().connection(), model, kpi, period, page.filters.la_codes)
    parts = {(m.id, p.code): p.label for m in model.measures.values() for p in m.parts}
    names = la_names()
    rows = rows.assign(
        la_code=rows["la_code"].map(lambda code: names.get(code, code)),
        part=[parts.get((m, p), p or "Whole") for m, p in zip(rows["measure"], rows["part"])],
        measure=[model.measures[m].description for m in rows["measure"]],
        value=["not available" if pd.isna(v) else f"{v:,.10g}" for v in rows["value"]],
    )
    said = (
        f"{len(rows):,} figures, as {model.figures[kpi.dataset_id].agency} submitted them: the latest of each, "
        "with how many times it has been corrected. Figures are submitted whole; there are no records."
    )
    return html.Div(
        [heading, showing, html.P(said), grid(ids.RECORDS_GRID, rows, SUBMITTED_COLUMNS, page_size=25)]
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
    # The ID's column says whose it is, as the page's heading does: child_id, household_id, person_id.
    rows = found.rows.rename(columns={"subject_id": f"{found.subject.lower().replace(' ', '_')}_id"})
    return csv_download(rows, f"records-{found.kpi.id}-{found.period.code}.csv", **page.used("/records"))
