"""Presentation mode: the executive summary for a projector, one slide at a time in large type: the
headline first, then each KPI's card. Arrow keys, space, Page Up/Down or the buttons step through."""

from __future__ import annotations

import dash
from dash import dcc, html

from app import ids
from app.components.headline import headline_banner
from app.components.kpi_card import kpi_card
from app.scope import BOARD
from app.view import page_view
from warehouse.db import WarehouseError
from warehouse.kpis.headline import headline
from warehouse.kpis.registry import EXECUTIVE_KPIS

PAGE = "/present"
dash.register_page(
    __name__,
    path=PAGE,
    name="Present",
    title="Presentation - Safeguarding performance",
    nav=False,
    roles=BOARD,
)


def layout(**query: str | list[str]) -> html.Div:
    try:
        page = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1("Presentation"), html.P(str(error))])
    assessments = page.assessments(EXECUTIVE_KPIS)
    shown = page.view.describe(page.options)
    slides = [
        html.Section(
            [
                html.H1("Executive summary"),
                html.P(shown, className="slide-scope"),
                headline_banner(headline(assessments)),
            ],
            className="slide",
        ),
        *[html.Section(kpi_card(a), className="slide") for a in assessments],
    ]
    return html.Div(
        [
            html.Div(slides, id=ids.PRESENTATION_SLIDES, className="slides"),
            html.Div(
                [
                    html.Button("Previous", id=ids.PRESENTATION_PREVIOUS, className="button-secondary"),
                    html.Span(id=ids.PRESENTATION_POSITION, role="status"),
                    html.Button("Next", id=ids.PRESENTATION_NEXT, className="button-secondary"),
                    dcc.Link("Leave the presentation", href="/" + page.view.filters_only().to_query()),
                ],
                className="slide-controls",
            ),
        ],
        id=ids.PRESENTATION,
        className="presentation",
        tabIndex="0",
    )
