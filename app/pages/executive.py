"""Executive summary: the strategic KPIs as cards, for the filters in the URL."""

from __future__ import annotations

import dash
from dash import html

from app import ids
from app.components.kpi_card import kpi_card
from app.view import page_view
from warehouse.db import WarehouseError
from warehouse.kpis.registry import EXECUTIVE_KPIS

dash.register_page(
    __name__, path="/", name="Executive summary", title="Executive summary - Safeguarding performance", filters=True,
    order=0,
)


def layout(**query: str | list[str]) -> html.Div:
    try:
        page = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1("Executive summary"), html.P(str(error))])
    filters = page.filters
    assessments = page.assessments(EXECUTIVE_KPIS)
    notes = []
    if len(filters.la_codes) > 1:
        notes.append("Targets and published benchmarks are per local authority: choose one to see them.")
    elif filters.active():
        notes.append("Targets and published benchmarks are for whole local authorities, so they are not shown "
                     "beside filtered figures (missing-episode benchmarks need 'In care' alone).")
    return html.Div(
        [
            html.H1("Executive summary"),
            *[html.P(note, className="note") for note in notes],
            html.Div([kpi_card(a, page.records_href(a.kpi.id)) for a in assessments], id=ids.EXECUTIVE_CARDS, className="card-grid"),
        ]
    )
