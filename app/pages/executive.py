"""Executive summary: the strategic KPIs as cards, for the filters in the URL."""

from __future__ import annotations

import dash
from dash import dcc, html

from app import ids
from app.components.headline import headline_banner
from app.components.kpi_card import kpi_card
from app.components.spc import spc_legend
from app.scope import BOARD, BOARD_PAGES
from app.view import page_view
from warehouse.db import WarehouseError
from warehouse.kpis.headline import headline
from warehouse.kpis.registry import EXECUTIVE_KPIS

PAGE = "/"
dash.register_page(
    __name__,
    path=PAGE,
    name="Executive summary",
    title="Executive summary - Safeguarding performance",
    filters=True,
    order=0,
    group=BOARD_PAGES,
    roles=BOARD,
)


def layout(**query: str | list[str]) -> html.Div:
    try:
        page = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1("Executive summary"), html.P(str(error))])
    assessments = page.assessments(EXECUTIVE_KPIS)
    commentary = page.commentary()
    actions = page.open_actions()
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Executive summary"),
                    dcc.Link(
                        "Present (one KPI at a time, for a projector)",
                        href="/present" + page.view.filters_only().to_query(),
                        className="present-link no-print",
                    ),
                ],
                className="page-heading",
            ),
            headline_banner(headline(assessments)),
            *[html.P(note, className="note") for note in page.comparison_notes()],
            html.Div(
                [
                    kpi_card(
                        a,
                        page.records_href(a.kpi.id),
                        commentary.get(a.kpi.id),
                        page.commentary_href(a.kpi.id),
                        actions=actions.get(a.kpi.id),
                    )
                    for a in assessments
                ],
                id=ids.EXECUTIVE_CARDS,
                className="card-grid",
            ),
            spc_legend(),
        ]
    )
