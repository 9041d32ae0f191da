"""The annual report: for a financial year, what the partnership's statutory annual report draws on:
the KPIs year on year with their targets and benchmarks, the actions completed and still open, the
reviews and audits held with their findings, and how the risks moved. The year is chosen here; the
report downloads as a Word document to edit (/annual-report.docx) and as PDF (/annual-report.pdf,
this page printed). Figures are the viewer's (protected for a protected role) and partnership work is
what the viewer's scope shows on its own pages.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash
from dash import html

from app import ids
from app.access import callback
from app.annual_report import (
    COMPLETED_HEADINGS,
    OPEN_HEADINGS,
    PAGE,
    READY,
    RESULT_HEADINGS,
    RISK_HEADINGS,
    TITLE,
    AnnualReport,
    actions_summary,
    completed_cells,
    day_words,
    kpi_cells,
    kpi_headings,
    kpi_notes,
    open_cells,
    result_cells,
    review_summary,
    risk_cells,
    view_report,
)
from app.components.choices import select
from app.components.forms import field
from app.components.table_scroll import scroll_box
from app.scope import BOARD, BOARD_PAGES
from app.view import page_view, updated_search
from warehouse.db import WarehouseError

dash.register_page(
    __name__,
    path=PAGE,
    name="Annual report",
    order=8.7,
    group=BOARD_PAGES,
    title="Annual report - Safeguarding performance",
    roles=BOARD,
)


def _table(heading_id: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> html.Div:
    """A plain table: its first column names the row."""
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headings])),
            html.Tbody(
                [
                    html.Tr([html.Th(row[0], scope="row"), *[html.Td(value) for value in row[1:]]])
                    for row in rows
                ]
            ),
        ],
        className="pack-table",
        **{"aria-labelledby": heading_id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )
    return scroll_box(table, labelled_by=heading_id)


def _kpi_section(report: AnnualReport) -> html.Section:
    parts: list = [
        html.H2("1. Performance: the year on the year before"),
        html.P(f"The partnership's KPIs for {report.year.kpi_words}."),
    ]
    for number, group in enumerate(report.groups, start=1):
        heading_id = f"{ids.ANNUAL_REPORT}-kpis-{number}"
        parts.append(html.H3(group.title, id=heading_id))
        if group.rows:
            rows = [kpi_cells(row) for row in group.rows]
            parts.append(_table(heading_id, kpi_headings(report.year), rows))
        parts += [html.P(note, className="note") for note in kpi_notes(group)]
    return html.Section(parts, className="pack-section annual-kpis")


def _actions_section(report: AnnualReport) -> html.Section:
    actions, year = report.work.actions, report.year
    overdue = {a.id for a in actions.overdue_at_end}
    open_heading = f"Still open on {day_words(year.to)}"
    return html.Section(
        [
            html.H2("2. Actions"),
            html.P(actions_summary(report.work, year)),
            html.H3("Completed in the year", id="annual-completed"),
            _table("annual-completed", COMPLETED_HEADINGS, [completed_cells(d) for d in actions.completed])
            if actions.completed
            else html.P("No action was completed in the year.", className="note"),
            html.H3(open_heading, id="annual-open"),
            _table(
                "annual-open", OPEN_HEADINGS, [open_cells(a, a.id in overdue) for a in actions.open_at_end]
            )
            if actions.open_at_end
            else html.P("No action was open at the year's end.", className="note"),
        ],
        className="pack-section annual-actions",
    )


def _reviews_section(report: AnnualReport) -> html.Section:
    reviews = report.work.reviews
    parts: list = [
        html.H2("3. Reviews and audits"),
        html.P(f"{len(reviews)} held in the year." if reviews else "None held in the year."),
    ]
    for review in reviews:
        heading_id = f"annual-review-{review.review.id}"
        parts += [
            html.H3(review.review.title, id=heading_id),
            html.P(review_summary(review)),
            html.Ul([html.Li(f"Finding {f.number}: {f.text}") for f in review.review.findings])
            if review.review.findings
            else None,
            _table(heading_id, RESULT_HEADINGS, result_cells(review)) if review.comparisons else None,
        ]
    return html.Section(parts, className="pack-section annual-reviews")


def _risks_section(report: AnnualReport) -> html.Section:
    year, moves = report.year, report.work.risks
    return html.Section(
        [
            html.H2("4. Risk movement", id="annual-risks"),
            html.P(
                f"Each risk's score (likelihood x impact) on {day_words(year.start)} and on "
                f"{day_words(year.to)}."
            ),
            _table("annual-risks", RISK_HEADINGS, [risk_cells(m) for m in moves])
            if moves
            else html.P("No risk was on the register in the year.", className="note"),
        ],
        className="pack-section annual-risks",
    )


def _controls(report: AnnualReport, las: dict[str, str], chosen_la: str, search: str) -> html.Div:
    years = [{"label": y.label, "value": y.code} for y in report.years]
    return html.Div(
        [
            field("Year", select(ids.ANNUAL_YEAR, years, report.year.code)),
            field(
                "Local authority",
                select(ids.ANNUAL_LA, [{"label": n, "value": c} for c, n in las.items()], chosen_la),
            )
            if len(las) > 1
            else None,
            html.A(
                "Download as Word",
                href="/annual-report.docx" + search,
                id=ids.ANNUAL_DOCX,
                className="button-primary",
            ),
            html.A(
                "Download as PDF",
                href="/annual-report.pdf" + search,
                id=ids.ANNUAL_PDF,
                className="button-primary pdf-link",
                target="_blank",
            ),
        ],
        className="pack-controls no-print",
    )


def layout(**query: str | list[str]) -> html.Div:
    try:
        resolved = page_view(query)
        report = view_report(resolved)
    except WarehouseError as error:
        return html.Div([html.H1(TITLE), html.P(str(error))])
    view = resolved.view.with_values({"year": (report.year.code,)})
    return html.Div(
        [
            _controls(report, resolved.options.las, resolved.filters.la_codes[0], view.to_query()),
            html.Header(
                [
                    html.P(report.marking, className="marking") if report.marking else None,
                    html.P(report.partnership, className="pack-partnership"),
                    html.H1(f"{TITLE} {report.year.label}"),
                    html.P(["Showing: ", html.Strong(report.showing)]),
                    html.P(["Data as at ", html.Strong(report.status.as_at), "."]),
                    html.P(
                        "Synthetic demo data: these figures describe no real children.",
                        className="banner banner-demo",
                    )
                    if report.status.synthetic
                    else None,
                    html.P(report.disclosure),
                    *[html.P(note, className="note") for note in report.notes],
                ],
                className="pack-cover",  # printed as the pack's cover is: a page of its own
            ),
            _kpi_section(report),
            _actions_section(report),
            _reviews_section(report),
            _risks_section(report),
        ],
        id=ids.ANNUAL_REPORT,
        className=f"annual-report {READY}",
    )


@callback(
    dash.Output(ids.URL, "search", allow_duplicate=True),
    dash.Input(ids.ANNUAL_YEAR, "value"),
    dash.State(ids.URL, "search"),
    prevent_initial_call=True,
    page=PAGE,
)
def choose_year(year: str | None, search: str | None) -> str | dash.NoUpdate:
    return updated_search(search, {"year": (year,) if year else ()})


@callback(
    dash.Output(ids.URL, "search", allow_duplicate=True),
    dash.Input(ids.ANNUAL_LA, "value"),
    dash.State(ids.URL, "search"),
    prevent_initial_call=True,
    page=PAGE,
)
def choose_la(la: str | None, search: str | None) -> str | dash.NoUpdate:
    """One LA's report: targets and published benchmarks are per local authority."""
    return updated_search(search, {"la": (la,) if la else ()})
