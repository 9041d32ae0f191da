"""The six-monthly exception report: for one LA, every KPI that is off target, worse by more than
a threshold or outside its statistical neighbours' range, with why, a two-year trend and a
"What is the data telling us?" slot. /exceptions.pdf prints it; /exceptions.md downloads it."""

from __future__ import annotations

from dataclasses import replace

import dash
from dash import dcc, html

from app import ids
from app.components.exception_report import exceptions_body
from app.components.headline import headline_banner
from app.exceptions_export import rules_in_words, served_report
from app.partnership import partnership_name
from app.scope import BOARD, BOARD_PAGES
from app.view import PageView, page_view
from warehouse.db import WarehouseError
from warehouse.kpis.headline import headline

PAGE = "/exceptions"
dash.register_page(
    __name__,
    path=PAGE,
    name="Exception report",
    order=7,
    group=BOARD_PAGES,
    title="Exception report - Safeguarding performance",
    filters=True,
    roles=BOARD,
)

ROOT_CLASS = "exceptions-report exceptions-ready"  # .exceptions-ready: the PDF printer waits for it


def _choose_one_la(page: PageView) -> html.Div:
    links = [
        html.Li(
            dcc.Link(
                page.options.las.get(code, code),
                href="/exceptions" + replace(page.view, la=(code,)).to_query(),
            )
        )
        for code in page.filters.la_codes
    ]
    return html.Div(
        [
            html.H1("Exception report"),
            html.P(
                f"The exception report is for one local authority, and this view has {len(links)}. "
                "Choose one in the filter bar, or:"
            ),
            html.Ul(links, id=ids.EXCEPTIONS_CHOOSE_LA),
        ],
        className=ROOT_CLASS,
    )


def layout(**query: str | list[str]) -> html.Div:
    try:
        page = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1("Exception report"), html.P(str(error))], className=ROOT_CLASS)
    served = served_report(page)
    if served is None:
        return _choose_one_la(page)
    report = served.report
    view_query = page.view.to_query()
    return html.Div(
        [
            html.Div(
                [
                    html.A(
                        "Download as PDF",
                        href="/exceptions.pdf" + view_query,
                        id=ids.EXCEPTIONS_PDF,
                        className="button-primary pdf-link",
                        target="_blank",
                    ),
                    html.A(
                        "Download as Markdown",
                        href="/exceptions.md" + view_query,
                        id=ids.EXCEPTIONS_MARKDOWN,
                        className="button-secondary",
                    ),
                ],
                className="pack-controls no-print",
            ),
            html.Header(
                [
                    html.P(partnership_name(page.view.la, page.options.las), className="pack-partnership"),
                    html.H1(f"Exception report: {served.la_name}"),
                    html.P(
                        [
                            "Period: ",
                            html.Strong(report.period.label),
                            (
                                f", the 6 months ending with the period in the filter bar, compared with "
                                f"{served.compared_with}."
                            ),
                        ]
                    ),
                    # On screen the filter bar says it; the bar is not printed, so the report prints it.
                    html.P(["Showing: ", served.showing], className="print-only"),
                    html.P(["Data as at ", html.Strong(served.data_as_at), "."]),
                    html.P(
                        "Synthetic demo data: these figures describe no real children.",
                        className="banner banner-demo",
                    )
                    if served.synthetic
                    else None,
                    # The cover's glance: every KPI the report looked at, against its target.
                    html.H2("At a glance", className="pack-cover-heading"),
                    headline_banner(headline(report.assessed)),
                    html.P(rules_in_words(report.thresholds)),
                ],
                className="pack-cover exceptions-cover",
            ),
            *exceptions_body(page, served),
        ],
        className=ROOT_CLASS,
    )
