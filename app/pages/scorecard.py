"""The quarterly multi-agency scorecard: each strategic priority's KPIs over five quarters, with
the target, RAG, direction of travel and benchmarks. A plain table, so it prints as it reads;
/scorecard.pdf prints this page and /scorecard.xlsx downloads the same figures."""

from __future__ import annotations

import dash
from dash import html
from dash.development.base_component import ComponentType

from app import ids
from app.components.kpi_card import RAG_ICONS, actions_link
from app.components.spc import spc_icons, spc_legend
from app.components.status import data_status
from app.scope import BOARD, BOARD_PAGES
from app.scorecard_export import NOT_RATED, scorecard_showing, view_scorecard
from app.view import page_view
from appstate.actions import KpiActions
from warehouse.db import WarehouseError
from warehouse.kpis.assessment import counts_a_year
from warehouse.kpis.engine import Figure
from warehouse.kpis.formatting import NOT_AVAILABLE, format_figure, format_number, format_published
from warehouse.kpis.model import Kpi
from warehouse.kpis.periods import Period
from warehouse.kpis.scorecard import (
    REPEATED,
    PriorityRows,
    Scorecard,
    ScorecardConfigError,
    ScorecardRow,
    Travel,
    repeated_words,
)

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


def _arrow(row: ScorecardRow) -> str:
    if row.travel is Travel.NO_COMPARISON:
        return "–"
    change = row.change.absolute or 0
    return "▲" if change > 0 else "▼" if change < 0 else "▶"


def _benchmark_cells(row: ScorecardRow) -> list[html.Td]:
    """England and the statistical neighbours' mean, each with what it is under it: the published
    year, and "per 10,000" where the published measure is a rate rather than the KPI itself."""
    kpi, benchmark = row.kpi, row.benchmark
    if benchmark is None:
        return [_cell(NOT_AVAILABLE), _cell(NOT_AVAILABLE)]
    # What each figure is under it: "per 10,000 a year, 2024/25", "a year, 2024/25" or "2024/25".
    unit = " ".join(
        word
        for word, applies in (("per 10,000", benchmark.is_rate), ("a year", counts_a_year(kpi, benchmark)))
        if applies
    )
    what = f"{unit}, {benchmark.financial_year}" if unit else benchmark.financial_year

    def cell(value: float | None) -> html.Td:
        shown = format_published(value, kpi.unit, benchmark.is_rate)
        return _cell([shown, html.Br(), html.Span(what, className="scorecard-year")])

    england = (
        _cell(["–", html.Br(), html.Span("a national total", className="scorecard-year")])
        if row.national_is_total
        else cell(benchmark.england)
    )
    return [england, cell(benchmark.neighbour_mean)]


def _cell(content: ComponentType, latest: bool = False, why: str | None = None) -> html.Td:
    """A number's cell; `why` is said on hover (why a quarter has no data)."""
    return html.Td(content, className="num scorecard-latest" if latest else "num", title=why)


def _figure_cell(kpi: Kpi, figure: Figure, quarter: Period, repeated: bool, latest: bool) -> html.Td:
    """A quarter's figure; one published for a year names its year, and is shown once (repeats)."""
    if repeated:
        words = repeated_words(figure)
        return _cell([REPEATED, html.Span(f" ({words})", className="visually-hidden")], latest, why=words)
    if figure.period != quarter and not figure.no_data:
        return _cell(
            [
                format_figure(kpi, figure),
                html.Br(),
                html.Span(figure.period.label, className="scorecard-year"),
            ],
            latest,
        )
    return _cell(format_figure(kpi, figure), latest, why=figure.no_data)


def _rag_cell(row: ScorecardRow) -> html.Td:
    if row.rag is None:
        return html.Td(NOT_RATED, className="scorecard-rag rag-none")
    return html.Td(
        [html.Span(RAG_ICONS[row.rag], className="rag-icon", **{"aria-hidden": "true"}), f" {row.rag.words}"],  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
        className=f"scorecard-rag rag-{row.rag.value}",
    )


def _row(row: ScorecardRow, quarters: tuple[Period, ...], actions: KpiActions | None) -> html.Tr:
    kpi, target = row.kpi, row.target
    target_text = (
        "none"
        if target is None
        else format_number(target.value, kpi.unit) + (" (demo)" if target.is_demo else "")
    )
    last = len(row.figures) - 1
    travel_class = row.travel.value.replace(" ", "-")
    figures = [
        _figure_cell(kpi, figure, quarter, repeated, latest=i == last)
        for i, (figure, quarter, repeated) in enumerate(zip(row.figures, quarters, row.repeats, strict=True))
    ]
    return html.Tr(
        [
            html.Th([kpi.title, actions_link(kpi.id, actions, "scorecard-actions")], scope="row"),
            *figures,
            _cell(target_text),
            _rag_cell(row),
            html.Td(
                [
                    html.Span(_arrow(row), className="change-arrow", **{"aria-hidden": "true"}),  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
                    f" {row.travel.value}",
                ],
                className=f"scorecard-travel travel-{travel_class}",
            ),
            *_benchmark_cells(row),
            html.Td(spc_icons(row.spc), className="scorecard-spc"),
        ],
        **{"data-kpi": kpi.id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def _priority_section(
    scorecard: Scorecard, priority: PriorityRows, number: int, actions: dict[str, KpiActions]
) -> html.Section:
    heading_id = f"{ids.SCORECARD}-priority-{number}"
    header = html.Tr(
        [
            html.Th("KPI", scope="col", className="col-kpi"),
            *[html.Th(q.label, scope="col", className="num col-quarter") for q in scorecard.quarters],
            html.Th("Target", scope="col", className="num col-target"),
            html.Th("RAG", scope="col", className="col-rag"),
            html.Th("Direction of travel", scope="col", className="col-travel"),
            html.Th("England", scope="col", className="num col-benchmark"),
            html.Th("Neighbours", scope="col", className="num col-benchmark"),
            html.Th("SPC", scope="col", className="col-spc"),
        ]
    )
    return html.Section(
        [
            html.H2(priority.title, id=heading_id),
            html.Table(
                [
                    html.Thead(header),
                    html.Tbody([_row(r, scorecard.quarters, actions.get(r.kpi.id)) for r in priority.rows]),
                ],
                className="scorecard",
                tabIndex="0",  # on a phone it scrolls sideways in its own box: the keyboard can scroll it too
                **{"aria-labelledby": heading_id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
            ),
        ],
        className="scorecard-priority",
    )


def _quarters_line(scorecard: Scorecard, chosen: Period) -> str:
    end = scorecard.end.label
    return (
        f"The five quarters to {end}, the latest complete quarter ending on or before "
        f"{chosen.end:%d %B %Y}, the end of the chosen period ({chosen.short_label}). RAG and "
        f"direction of travel are for {end}; benchmarks are the latest published DfE figures for a "
        "whole year."
    )


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
                    html.P(_quarters_line(scorecard, resolved.view.period_value)),
                    # The status strip says both on screen; in print it keeps the date but drops the banner.
                    html.P(
                        "Synthetic demo data: these figures describe no real children.",
                        className="banner banner-demo scorecard-print-only",
                    )
                    if status.synthetic
                    else None,
                    html.P(resolved.scope.policy.explanation),
                    *[html.P(note, className="note") for note in resolved.comparison_notes()],
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
            *[
                _priority_section(scorecard, p, n, actions)
                for n, p in enumerate(scorecard.priorities, start=1)
            ],
            spc_legend(opened=True),
        ],
        id=ids.SCORECARD,
        className="scorecard-page scorecard-ready",
    )
