"""The scorecard's tables, one per strategic priority: each KPI over five quarters with its target,
RAG, direction of travel, benchmarks and SPC. Drawn by the /scorecard page and by the meeting pack's
scorecard section, from the same Scorecard (warehouse/kpis/scorecard.py)."""

from __future__ import annotations

from dash import html
from dash.development.base_component import ComponentType

from app import ids
from app.components.kpi_card import RAG_ICONS, actions_link
from app.components.spc import spc_icons
from app.components.static_html import Markup
from app.components.table_scroll import scroll_box
from app.scorecard_export import NOT_RATED
from appstate.actions import KpiActions
from warehouse.kpis.assessment import counts_a_year
from warehouse.kpis.engine import Figure
from warehouse.kpis.formatting import (
    NOT_AVAILABLE,
    change_arrow,
    format_figure,
    format_number,
    format_published,
)
from warehouse.kpis.model import Kpi
from warehouse.kpis.periods import Period
from warehouse.kpis.scorecard import (
    REPEATED,
    PriorityRows,
    Scorecard,
    ScorecardRow,
    is_year_figure,
    repeated_words,
)


def _benchmark_cells(row: ScorecardRow) -> list[Markup]:
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

    # A published rate is not the quarter's count beside it: the LA's own published rate of the same
    # year goes under England's, so that like is read against like.
    own = (
        [
            Markup("br"),
            Markup(
                "span",
                f"this LA {format_published(benchmark.la_value, kpi.unit, True)}",
                className="scorecard-year",
            ),
        ]
        if benchmark.is_rate and benchmark.la_value is not None
        else []
    )

    def cell(value: float | None, *under: Markup) -> Markup:
        shown = format_published(value, kpi.unit, benchmark.is_rate)
        return _cell([shown, Markup("br"), Markup("span", what, className="scorecard-year"), *under])

    england = (
        _cell(["–", Markup("br"), Markup("span", "a national total", className="scorecard-year")])
        if row.national_is_total
        else cell(benchmark.england, *own)
    )
    return [england, cell(benchmark.neighbour_mean)]


def _cell(content: ComponentType, latest: bool = False, why: str | None = None, kind: str = "") -> Markup:
    """A number's cell; `why` is said on hover (why a quarter has no data), `kind` is a class that
    names the column (a phone's layout moves the latest quarter and the target to the front)."""
    classes = ["num", "scorecard-latest" if latest else "", kind]
    return Markup("td", content, className=" ".join(c for c in classes if c), title=why)


def _rag_cell(row: ScorecardRow) -> Markup:
    if row.rag is None:
        return Markup("td", NOT_RATED, className="scorecard-rag rag-none")
    return Markup(
        "td",
        [
            Markup("span", RAG_ICONS[row.rag], className="rag-icon", **{"aria-hidden": "true"}),
            f" {row.rag.words}",
        ],
        className=f"scorecard-rag rag-{row.rag.value}",
    )


def _figure_cell(kpi: Kpi, figure: Figure, quarter: Period, repeated: bool, latest: bool) -> Markup:
    """A quarter's figure; one published for a year names its year, and is shown once (repeats)."""
    if repeated:
        words = repeated_words(figure)
        return _cell(
            [REPEATED, Markup("span", f" ({words})", className="visually-hidden")], latest, why=words
        )
    if is_year_figure(figure, quarter):
        return _cell(
            [
                format_figure(kpi, figure),
                Markup("br"),
                Markup("span", figure.period.label, className="scorecard-year"),
            ],
            latest,
        )
    return _cell(format_figure(kpi, figure), latest, why=figure.no_data)


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
            _cell(target_text, kind="scorecard-target"),
            _rag_cell(row),
            Markup(
                "td",
                [
                    Markup(
                        "span", change_arrow(row.change), className="change-arrow", **{"aria-hidden": "true"}
                    ),
                    f" {row.travel.value}",
                ],
                className=f"scorecard-travel travel-{travel_class}",
            ),
            *_benchmark_cells(row),
            Markup("td", spc_icons(row.spc), className="scorecard-spc"),
        ],
        **{"data-kpi": kpi.id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def priority_section(
    scorecard: Scorecard,
    priority: PriorityRows,
    number: int,
    actions: dict[str, KpiActions],
    heading: type[html.H2 | html.H3] = html.H2,
) -> html.Section:
    heading_id = f"{ids.SCORECARD}-priority-{number}"
    latest = scorecard.quarters[-1]
    header = Markup(
        "tr",
        [
            Markup("th", "KPI", scope="col", className="col-kpi"),
            *[
                Markup(
                    "th",
                    q.label,
                    scope="col",
                    className="num col-quarter" + (" col-latest" if q == latest else ""),
                )
                for q in scorecard.quarters
            ],
            Markup("th", "Target", scope="col", className="num col-target"),
            Markup("th", "RAG", scope="col", className="col-rag"),
            Markup("th", "Direction of travel", scope="col", className="col-travel"),
            Markup("th", "England", scope="col", className="num col-benchmark"),
            Markup("th", "Neighbours", scope="col", className="num col-benchmark"),
            Markup("th", "SPC", scope="col", className="col-spc"),
        ],
    )
    return html.Section(
        [
            heading(priority.title, id=heading_id),
            scroll_box(
                html.Table(
                    [
                        html.Thead(header),
                        html.Tbody(
                            [_row(r, scorecard.quarters, actions.get(r.kpi.id)) for r in priority.rows]
                        ),
                    ],
                    className="scorecard",
                    **{"aria-labelledby": heading_id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
                ),
                labelled_by=heading_id,
            ),
        ],
        className="scorecard-priority",
    )


def scorecard_tables(
    scorecard: Scorecard, actions: dict[str, KpiActions], heading: type[html.H2 | html.H3] = html.H2
) -> list[html.Section]:
    """Every priority's table, in the scorecard's order, each under a `heading` (H3 inside a pack's section)."""
    return [
        priority_section(scorecard, p, n, actions, heading)
        for n, p in enumerate(scorecard.priorities, start=1)
    ]


def quarters_line(scorecard: Scorecard, chosen: Period) -> str:
    end = scorecard.end.label
    return (
        f"The five quarters to {end}, the latest complete quarter ending on or before "
        f"{chosen.end:%d %B %Y}, the end of the chosen period ({chosen.short_label}). RAG and "
        f"direction of travel are for {end}; benchmarks are the latest published DfE figures for a "
        "whole year."
    )
