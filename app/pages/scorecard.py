"""The quarterly multi-agency scorecard: each strategic priority's KPIs over five quarters, with
the target, RAG, direction of travel and benchmarks. A plain table, so it prints as it reads;
/scorecard.pdf prints this page and /scorecard.xlsx downloads the same figures."""

from __future__ import annotations

import dash
from dash import html

from app import ids
from app.components.scorecard_table import quarters_line, scorecard_tables
from app.components.spc import spc_legend
from app.components.status import data_status
from app.scope import BOARD, BOARD_PAGES
from app.scorecard_export import scorecard_showing, view_scorecard
from app.view import page_view
from warehouse.db import WarehouseError
from warehouse.kpis.scorecard import ScorecardConfigError

PAGE = "/scorecard"
dash.register_page(
    __name__,
    path=PAGE,
    name="Scorecard",
    order=6,
    group=BOARD_PAGES,
    title="Scorecard - Safeguarding performance",
    filters=True,
    roles=BOARD,
)

TITLE = "Quarterly scorecard"


def layout(**query: str | list[str]) -> html.Div:
    try:
        resolved = page_view(query)
        scorecard = view_scorecard(resolved)
    except (WarehouseError, ScorecardConfigError) as error:
        return html.Div([html.H1(TITLE), html.P(str(error))])
    status = data_status()
    search = resolved.view.to_query()
    actions = resolved.open_actions()
    return html.Div(
        [
            html.Header(
                [
                    html.H1(TITLE),
                    html.P(["Showing: ", html.Strong(scorecard_showing(resolved, scorecard))]),
                    html.P(quarters_line(scorecard, resolved.view.period_value)),
                    # The status strip says both on screen; in print it keeps the date but drops the banner.
                    html.P(
                        "Synthetic demo data: these figures describe no real children.",
                        className="banner banner-demo scorecard-print-only",
                    )
                    if status.synthetic
                    else None,
                    html.P(resolved.scope.policy.explanation),
                    *[html.P(note, className="note") for note in resolved.comparison_notes()],
                    # The key to the SPC column, before the tables: in print it shares the first page
                    # with the title rather than taking a last page of its own.
                    spc_legend(opened=True),
                ],
                className="scorecard-cover",
            ),
            html.Div(
                [
                    html.A(
                        "Download as Excel",
                        href="/scorecard.xlsx" + search,
                        id=ids.SCORECARD_XLSX,
                        className="button-primary",
                    ),
                    html.A(
                        "Download as PDF",
                        href="/scorecard.pdf" + search,
                        id=ids.SCORECARD_PDF,
                        className="button-primary pdf-link",
                        target="_blank",
                    ),
                ],
                className="scorecard-links no-print",
            ),
            *scorecard_tables(scorecard, actions),
        ],
        id=ids.SCORECARD,
        className="scorecard-page scorecard-ready",
    )
