"""The exception report's body: its exceptions at a glance, then why each KPI is an exception, its
trend, its commentary (or space to write by hand) and its actions. Drawn by the /exceptions page and
by the meeting pack's exception report section, from the same report (app/exceptions_export.py
served_report)."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html
from dash.development.base_component import Component

from app import ids
from app.components.charts import trend_chart
from app.components.kpi_card import actions_link
from app.exceptions_export import (
    FILTERED_COMMENTARY,
    ServedReport,
    figure_detail,
    summary_words,
    value_words,
)
from app.scope import Permission, current_user
from app.view import PageView
from appstate.actions import KpiActions
from appstate.commentary import Commentary
from warehouse.kpis.exceptions import RULE_LABELS, ExceptionReport, KpiException
from warehouse.kpis.formatting import figure_period_label, format_figure


def _written(commentary: Commentary, edit_href: str | None) -> list:
    # Plain text children only: Dash escapes them, so markup typed into commentary shows as typed.
    paragraphs = [
        html.P(text, className="exception-commentary-paragraph") for text in commentary.text.split("\n\n")
    ]
    return [
        html.Blockquote(paragraphs, className="exception-commentary-text"),
        html.P(f"{commentary.author}, {commentary.written_at:%d %B %Y}", className="exception-commentary-by"),
        dcc.Link("Edit the commentary", href=edit_href, className="card-link no-print")
        if edit_href
        else None,
    ]


def _handwriting_space(served: ServedReport, kpi_id: str) -> list:
    space = [
        html.P("No commentary yet: space to write by hand.", className="handwriting-label"),
        html.Div(className="handwriting-box", **{"aria-hidden": "true"}),  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    ]
    if served.commentary_applies:
        href = served.commentary_href(kpi_id)
        if href is not None:
            space.append(dcc.Link("Write commentary", href=href, className="card-link no-print"))
    else:
        space.append(html.P(FILTERED_COMMENTARY, className="note no-print"))
    return space


def _actions(served: ServedReport, kpi_id: str, actions: KpiActions | None) -> html.Div:
    """The open actions on this KPI, and for those who may, a link to raise one for this LA."""
    raise_href = "/actions?" + urlencode({"kpi": kpi_id, "la": served.report.la_code})
    return html.Div(
        [
            actions_link(kpi_id, actions, "exception-actions"),
            dcc.Link("Raise an action", href=raise_href, className="card-link no-print")
            if current_user().can(Permission.MANAGE_ACTIONS)
            else None,
        ],
        className="exception-action-links",
    )


def _exception(served: ServedReport, found: KpiException, actions: KpiActions | None) -> html.Section:
    kpi, assessment = found.kpi, found.assessment
    result = assessment.result
    written = served.commentary.get(kpi.id)
    heading: list[str | Component] = [kpi.title]
    if kpi.local_definition:
        heading.append(html.Span(" local definition", className="tag"))
    return html.Section(
        [
            html.H2(heading),
            html.P(
                [
                    html.Span(format_figure(kpi, result.current), className="exception-value"),
                    figure_detail(kpi, result.current),
                    f", {figure_period_label(kpi, result.current.period)}",
                ],
                className="exception-figure",
            ),
            html.P(
                f"Previous: {value_words(kpi, result.previous)}, {figure_period_label(kpi, result.previous.period)}.",
                className="card-period",
            ),
            html.H3("Why it is an exception"),
            html.Ul(
                [html.Li(reason.words, **{"data-rule": reason.rule.value}) for reason in found.reasons],  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
                className="exception-reasons",
            ),
            trend_chart(assessment, f"exceptions-{kpi.id}", reported=result.current.period),
            html.Div(
                [
                    html.H3("What is the data telling us?"),
                    *(
                        _written(written, served.commentary_href(kpi.id))
                        if written
                        else _handwriting_space(served, kpi.id)
                    ),
                ],
                className="exception-commentary",
            ),
            _actions(served, kpi.id, actions),
        ],
        className="exception",
        id=f"exception-{kpi.id}",
        **{"data-kpi": kpi.id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def at_a_glance(report: ExceptionReport) -> html.Ol:
    """The exceptions in a list, each KPI with why it is one: the report's first page, so that the
    cover of the printed report says what it holds."""
    return html.Ol(
        [
            html.Li(f"{found.kpi.title}: {', '.join(RULE_LABELS[r.rule] for r in found.reasons)}")
            for found in report.exceptions
        ],
        id=ids.EXCEPTIONS_AT_A_GLANCE,
        className="exceptions-at-a-glance",
    )


def exceptions_body(page: PageView, served: ServedReport) -> list[Component]:
    """The report's notes, its summary and each exception, with the open actions on each KPI."""
    report = served.report
    actions = page.open_actions()
    notes = []
    if report.filters.active():
        notes.append(
            "Targets and published benchmarks are for whole local authorities, so with filters on "
            "only changes on the previous 6 months can make an exception."
        )
    return [
        *[html.P(note, className="note") for note in notes],
        html.P(summary_words(report), id=ids.EXCEPTIONS_SUMMARY, className="exceptions-summary"),
        *([at_a_glance(report)] if report.exceptions else []),
        html.Div(
            [_exception(served, found, actions.get(found.kpi.id)) for found in report.exceptions],
            id=ids.EXCEPTIONS_LIST,
        ),
    ]
