"""A KPI card: value, RAG in words and icon, SPC variation and assurance icons, changes with the
direction of good, benchmarks and a 13-month sparkline. A pure function of an Assessment, so it can be tested without a browser."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from app.components.charts import gaps_note
from app.components.spc import spc_icons, spc_of
from app.components.static_html import Markup
from appstate.actions import KpiActions
from appstate.commentary import Commentary
from warehouse.kpis.assessment import Assessment, counts_a_year
from warehouse.kpis.engine import Change, Figure
from warehouse.kpis.formatting import (
    change_arrow,
    figure_period_label,
    format_change,
    format_figure,
    format_number,
    format_published,
    format_rank,
    format_rate,
    series_word,
    shown_change,
    stock_period_name,
)
from warehouse.kpis.model import Kpi, Timing
from warehouse.kpis.periods import Period
from warehouse.kpis.published import published_year_label
from warehouse.kpis.rag import Rag
from warehouse.kpis.scorecard import Travel, travel
from warehouse.model.files import active_model
from warehouse.model.specs import FigureValue

RAG_ICONS = {Rag.GREEN: "✔", Rag.AMBER: "▲", Rag.RED: "✖"}
SPARKLINE_MONTHS = 13


def _judgement(kpi: Kpi, change: Change) -> str:
    """Whether a change is good news, in words, by the KPI's direction (the scorecard's rule)."""
    return {Travel.IMPROVING: " (better)", Travel.WORSENING: " (worse)"}.get(travel(kpi, change), "")


def _change_line(kpi: Kpi, current: Figure, base: Figure, against: str) -> Markup:
    change = shown_change(kpi, current, base)  # the arrow and the words agree with the figures shown
    words = (
        "no comparison" if change.absolute is None else format_change(kpi, change) + _judgement(kpi, change)
    )
    arrow = Markup("span", change_arrow(change), className="change-arrow", **{"aria-hidden": "true"})
    return Markup("li", [arrow, f" {words} on {against}"])


def _change_lines(assessment: Assessment) -> list[Markup]:
    kpi, result = assessment.kpi, assessment.result
    if kpi.is_published:  # on the year before, as its publisher writes it
        year = published_year_label(kpi, result.previous.period)
        return [_change_line(kpi, result.current, result.previous, year)]
    previous, last_year = _compared(kpi, result.previous.period), _compared(kpi, result.last_year.period)
    if result.previous.period == result.last_year.period:  # a financial year's previous period is last year
        return [_change_line(kpi, result.current, result.previous, previous)]
    return [
        _change_line(kpi, result.current, result.previous, previous),
        _change_line(kpi, result.current, result.last_year, f"{last_year} (a year earlier)"),
    ]


def _no_benchmark_note(assessment: Assessment) -> Markup | None:
    kpi = assessment.kpi
    if not (kpi.benchmark and kpi.benchmark_population):
        return None
    wanted = "; ".join(
        f"{active_model().dimension(dimension).describe} {' or '.join(repr(v) for v in values)}"
        for dimension, values in kpi.benchmark_population.items()
    )
    return Markup("p", f"Published figures count only {wanted}: choose it to compare.", className="benchmark")


def _not_split_note(assessment: Assessment) -> Markup | None:
    """A filter on a dimension the KPI's records do not carry leaves its figure whole (the engine's
    filters let a record without the dimension through): say so, so it is not read as split."""
    ignored = assessment.result.ignored_filters
    if not ignored:
        return None
    words = " or ".join(active_model().dimension(dimension).describe for dimension in ignored)
    why = (
        "its figures are submitted whole for each local authority"
        if assessment.kpi.dataset in active_model().figures
        else "its records do not carry it"
    )
    return Markup("p", f"Not split by {words}: {why}.", className="note card-not-split")


def _rag_badge(assessment: Assessment) -> Markup | None:
    if assessment.rag is None or assessment.target is None:
        return None
    target = format_number(assessment.target.value, assessment.kpi.unit)
    demo = " (demo target)" if assessment.target.is_demo else ""
    return Markup(
        "div",
        [
            Markup("span", RAG_ICONS[assessment.rag], className="rag-icon", **{"aria-hidden": "true"}),
            f" {assessment.rag.words}: target {target}{demo}",
        ],
        className=f"rag rag-{assessment.rag.value}",
    )


def _a_year(assessment: Assessment) -> str:
    """A rate of events over a period other than a year, as a year's: what stands beside the
    published figures, which are a year's ('; 502.0 a year at this rate')."""
    current, yearly = assessment.result.current, assessment.yearly_value
    if not (assessment.benchmark and assessment.benchmark.is_rate) or yearly is None:
        return ""
    if yearly == current.rate_per_10k:
        return ""
    return f"; {yearly:.1f} a year at this rate"


def _benchmark_line(assessment: Assessment) -> Markup | None:
    benchmark = assessment.benchmark
    if benchmark is None:
        return None
    kpi = assessment.kpi

    # Published figures of events are a year's: they say so, beside a figure of any period.
    a_year = " a year" if counts_a_year(kpi, benchmark) else ""

    def shown(value: float | None) -> str:
        shown = format_published(value, kpi.unit, benchmark.is_rate)
        if value is None:
            return shown
        return f"{shown} per 10,000{a_year}" if benchmark.is_rate else shown + a_year

    parts = (
        []
        if assessment.national_is_total
        else [
            f"England {shown(benchmark.england)}",
            f"region {shown(benchmark.region)}",
        ]
    )
    parts.append(f"statistical neighbours {shown(benchmark.neighbour_mean)}")
    rank = format_rank(kpi, benchmark.rank, benchmark.group_size)
    if rank:
        parts.append(f"published rank {rank} with neighbours")
    year = benchmark.financial_year + ("" if benchmark.matches_period else ", latest published")
    totals = (
        " England's and the region's published counts are totals of many LAs, so not set beside one LA's."
        if assessment.national_is_total
        else ""
    )
    return Markup("p", f"{'; '.join(parts)} ({year}).{totals}", className="benchmark")


def sparkline(assessment: Assessment) -> Markup:
    kpi, series = assessment.kpi, assessment.result.series[-SPARKLINE_MONTHS:]
    if not series:  # a published figure with no year published for the LA
        return Markup("div")
    labels = [f.period.label for f in series]
    known = [(label, format_figure(kpi, f)) for label, f in zip(labels, series)]
    every = "yearly, as published," if kpi.is_published else series_word(series)
    text = f"{kpi.title}, {every} from {known[0][0]} ({known[0][1]}) to {known[-1][0]} ({known[-1][1]})."
    svg = sparkline_svg([None if f.suppressed else f.value for f in series])
    # A gap in the line, or no line, says why: not read as a fall to nothing.
    gaps = gaps_note(series)
    return Markup(
        "div",
        [
            Markup(
                "div",
                [
                    Markup("img", src="data:image/svg+xml," + quote(svg), alt="", className="sparkline")
                    if svg
                    else None,
                    Markup("p", text, className="visually-hidden"),
                ],
                role="img",
                **{"aria-label": text},
            ),
            gaps,
        ],
    )


# The line's box: drawn to the card's width (the image stretches), each point a round dot whatever
# the stretch (a zero-length stroke with round caps, its width not scaled).
_SPARK_WIDTH, _SPARK_HEIGHT, _SPARK_PAD = 240, 70, 6
_SPARK_COLOUR = "#0b4f6c"


def sparkline_svg(values: list[float | None]) -> str | None:
    """A card's series as an SVG image: a line through the months that have a figure, broken where
    one has none, and a dot on each. An image the browser draws at once, where a chart library's
    plot per card cost more than the rest of the page; None when no month has a figure."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    step = (_SPARK_WIDTH - 2 * _SPARK_PAD) / max(len(values) - 1, 1)

    def point(i: int, value: float) -> str:
        # a flat series runs along the middle
        share = (value - low) / (high - low) if high > low else 0.5
        return f"{_SPARK_PAD + i * step:.1f},{_SPARK_HEIGHT - _SPARK_PAD - share * (_SPARK_HEIGHT - 2 * _SPARK_PAD):.1f}"

    runs: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(point(i, value))
    stroke = f'fill="none" stroke="{_SPARK_COLOUR}" vector-effect="non-scaling-stroke" stroke-linecap="round"'
    lines = "".join(
        f'<polyline points="{" ".join(run)}" stroke-width="2" {stroke}/>' for run in runs if len(run) > 1
    )
    dots = "".join(f'<path d="M{p}h0" stroke-width="5" {stroke}/>' for run in runs for p in run)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_SPARK_WIDTH} {_SPARK_HEIGHT}" '
        f'preserveAspectRatio="none">{lines}{dots}</svg>'
    )


def _draft_block(draft: str, edit_href: str | None) -> html.Section:
    """A generated draft, offered on screen only: it prints and counts as commentary once accepted."""
    body: list = [
        html.H4("What is the data telling us? (draft)", className="commentary-title"),
        html.P("Generated from the figures; not yet accepted by anyone.", className="commentary-by"),
        html.P(draft, className="commentary-text commentary-draft-text"),
    ]
    if edit_href:
        body.append(dcc.Link("Review and accept the draft", href=edit_href, className="card-link"))
    return html.Section(body, className="commentary commentary-draft no-print")


def commentary_block(
    commentary: Commentary | None, edit_href: str | None = None, draft: str | None = None
) -> html.Section | None:
    """ "What is the data telling us?": the text as written, by paragraph, with its author and date;
    with no text yet, the generated draft when there is one.

    Only ever text children: Dash escapes them, so markup typed into commentary shows as typed.
    """
    if commentary is None and draft:
        return _draft_block(draft, edit_href)
    if commentary is None and edit_href is None:
        return None
    body: list = [html.H4("What is the data telling us?", className="commentary-title")]
    if commentary is not None:
        body += [
            html.P(paragraph, className="commentary-text") for paragraph in commentary.text.split("\n\n")
        ]
        body.append(
            html.P(f"{commentary.author}, {commentary.written_at:%d %B %Y}", className="commentary-by")
        )
    if edit_href:
        body.append(
            dcc.Link(
                "Edit the commentary" if commentary else "Write commentary",
                href=edit_href,
                className="card-link no-print",
            )
        )
    return html.Section(body, className="commentary")


def actions_link(kpi_id: str, actions: KpiActions | None, class_name: str) -> dcc.Link | None:
    """ "3 open actions, 1 overdue", linking to them in the action tracker; nothing when none is open."""
    if actions is None or not actions.open:
        return None
    late = " actions-overdue" if actions.overdue else ""
    return dcc.Link(actions.words, href=f"/actions?kpi={kpi_id}", className=class_name + late)


def kpi_card(
    assessment: Assessment,
    records_href: str | None = None,
    commentary: Commentary | None = None,
    commentary_href: str | None = None,
    draft: str | None = None,
    actions: KpiActions | None = None,
) -> html.Article:
    """The card; `records_href` adds a link to the events behind the figure, `commentary_href` one
    to write its commentary, `draft` offers generated commentary where none is written, and
    `actions` says how many open actions are linked to the KPI, linking to them."""
    kpi, result = assessment.kpi, assessment.result
    current = result.current
    rate = (
        f" ({format_rate(current)} per 10,000 children{_a_year(assessment)})"
        if kpi.per_10k and current.rate_per_10k
        else ""
    )
    detail = ""
    if kpi.denominator and not current.suppressed and current.numerator is not None:
        # A total of scores over the responses that gave them is not a part of a whole: "4,312 ÷ 950".
        measure = active_model().measures.get(kpi.numerator_id)
        scores = measure is not None and measure.value == FigureValue.NUMBER
        detail = f"{current.numerator:,} {'÷' if scores else 'of'} {current.denominator:,}"
    heading: list[str | Markup] = [kpi.title]
    if kpi.local_definition:
        heading.append(Markup("span", " local definition", className="tag"))
    return html.Article(
        [
            Markup("h3", heading, className="card-title"),
            Markup(
                "p",
                [Markup("span", format_figure(kpi, current), className="card-value"), rate],
                className="card-figure",
            ),
            _rag_badge(assessment),  # what a board reads first, before the words around it
            Markup(
                "p",
                [
                    result.period_note or _capitalised(figure_period_label(kpi, current.period)),
                    f" · {detail}" if detail else "",
                ],
                className="card-period",
            ),
            Markup("p", current.no_data, className="card-no-data") if current.no_data else None,
            _not_split_note(assessment),
            spc_icons(spc_of(assessment)),
            Markup("ul", _change_lines(assessment), className="changes"),
            _benchmark_line(assessment) or _no_benchmark_note(assessment),
            sparkline(assessment),
            commentary_block(commentary, commentary_href, draft),
            actions_link(kpi.id, actions, "card-link card-actions"),
            # A period no load covers has no records to list.
            dcc.Link(
                "View the submitted figures" if kpi.dataset in active_model().figures else "View the records",
                href=records_href,
                className="card-link",
            )
            if records_href and not current.no_data and not kpi.is_published  # a published figure has none
            else None,
        ],
        className="kpi-card",
        id=f"card-{kpi.id}",
        **{"data-kpi": kpi.id},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def _compared(kpi: Kpi, period: Period) -> str:
    """The period a figure is compared with, short: a stock's is the month it ended."""
    return stock_period_name(period) if kpi.timing is Timing.STOCK else period.short_label


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]
