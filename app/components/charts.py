"""Charts for the operational pages: a monthly trend with its target and benchmark lines, and
a breakdown. Each has a title and a text alternative; suppressed months, and months no load
covers, are gaps, not zeros."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from dash import dcc, html
from dash.development.base_component import Component

from app import ids
from warehouse.kpis.assessment import Assessment
from warehouse.kpis.coverage import month_spans
from warehouse.kpis.engine import Figure, Part
from warehouse.kpis.formatting import format_figure, format_number, series_word
from warehouse.kpis.model import Unit
from warehouse.kpis.periods import Period, PeriodKind

# One theme for every chart: the page's font, and one palette in which the LA (or the KPI) is the
# brand colour and each comparator always has the same colour and line style.
FONT = '"Segoe UI", Arial, sans-serif'
INK = "#1d2329"
GRID = "#e5e8eb"
BRAND = "#0b4f6c"
OTHERS = "#a9b6c1"  # the bars of the LAs compared with the one highlighted
TARGET = "#8a1414"
BENCHMARK = "#6b4a00"  # England
REGION = "#1d5a1d"
NEIGHBOURS = "#5a4a8a"
PERIOD_SHADE = "rgba(11, 79, 108, 0.09)"

# What a "c" hides, in the words of the banner: any count under 5, none included (never "1 to 4",
# which would say the count is not none).
SUPPRESSED_COUNT = "a count under 5 (or none), suppressed"


# The toolbar keeps only "download as PNG": zoom and pan tools confuse more than they help on a KPI
# chart, and Plotly's own "share" button would send the chart to Plotly's cloud.
CHART_CONFIG: dcc.Graph.Config = {
    "displaylogo": False,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


# A time axis: each tick's month over its year, so that labels half as wide as "Jan 2025" never run
# into each other on a phone; the labels a little off the axis, clear of the value axis's "0%".
MONTH_AXIS = {"tickformat": "%b<br>%Y", "ticklabelstandoff": 4}


def plotly_text(text: str) -> str:
    """Text as Plotly shows it, not as markup: Plotly draws <a href>, <b>, <br> and the like found in
    titles, category names and trace names, and names come from loaded files (an area's name), so
    they are escaped; Plotly turns the entities back into the characters they stand for."""
    return escape(str(text), quote=False)


def layout_chart(figure: dict, unit: Unit, height: int = 300, value_axis: str = "yaxis") -> dict:
    layout = figure.setdefault("layout", {})
    for axis in ("xaxis", "yaxis"):
        layout.setdefault(axis, {})["automargin"] = True  # long category names push the plot, not get cut
    layout[value_axis].update(
        gridcolor=GRID, ticksuffix="%" if unit is Unit.PERCENT else "", rangemode="tozero"
    )
    shown_in_legend = [t for t in figure.get("data", ()) if t.get("showlegend", True) and t.get("name")]
    layout.update(
        height=height + (30 if len(shown_in_legend) > 1 else 0),
        margin={"l": 50, "r": 20, "t": 24, "b": 40},
        paper_bgcolor="#fff",
        plot_bgcolor="#fff",
        # A legend only says something when there is more than one thing to tell apart.
        showlegend=len(shown_in_legend) > 1,
        # Under the axis and its labels whatever their height (two lines of a month and its year), from
        # the foot of the chart rather than a fraction of the plot's height.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        font={"family": FONT, "color": INK, "size": 13},
        hoverlabel={"font": {"family": FONT}},
    )
    return figure


def reference_line(first: object, last: object, y: float, colour: str, dash: str, name: str) -> dict:
    """A level line (a target, England's figure) across the plot, as a trace so that the legend and
    the hover text name it."""
    return {
        "type": "scatter",
        "x": [first, last],
        "y": [y, y],
        "mode": "lines",
        "line": {"color": colour, "dash": dash, "width": 1.5},
        "name": plotly_text(name),
        "hovertemplate": f"{plotly_text(name)}<extra></extra>",
    }


def shade_period(figure: dict, first: object, last: object, text: str) -> None:
    """Shade the months a report is about (from half a month before the first to half after the last)."""
    layout = figure.setdefault("layout", {})
    layout.setdefault("shapes", []).append(
        {
            "type": "rect",
            "xref": "x",
            "yref": "y domain",
            "x0": first,
            "x1": last,
            "y0": 0,
            "y1": 1,
            "fillcolor": PERIOD_SHADE,
            "line": {"width": 0},
            "layer": "below",
        }
    )
    layout.setdefault("annotations", []).append(
        {
            "text": plotly_text(text),
            "showarrow": False,
            # From the period's end leftwards: the period is the latest months, at the plot's right,
            # and the words stay over the plot rather than run off a narrow one.
            "xref": "x",
            "x": last,
            "xanchor": "right",
            "yref": "y domain",
            "y": 1,
            "yanchor": "bottom",
            "font": {"size": 12, "color": BRAND},
        }
    )


def chart(
    figure: dict,
    title: str,
    unit: Unit,
    alternative: str,
    *above: Component | None,
    graph_id: str | dict | None = None,
    height: int = 300,
    value_axis: str = "yaxis",
) -> html.Figure:
    """A chart in the theme, under its title, with its text alternative (read out instead of the
    drawing) and anything shown between the two. The title is the page's text, not Plotly's, so that
    it wraps on a narrow screen rather than being cut off."""
    themed = layout_chart(figure, unit, height, value_axis)
    graph = (
        dcc.Graph(figure=themed, config=CHART_CONFIG)
        if graph_id is None
        else dcc.Graph(id=graph_id, figure=themed, config=CHART_CONFIG)
    )
    return html.Figure(
        [
            html.P(title, className="chart-title", **{"aria-hidden": "true"}),  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
            *above,
            graph,
            html.Figcaption(alternative, className="visually-hidden"),
        ],
        className="chart",
    )


def chart_in_words(title: str, sentence: str, *above: Component | None) -> html.Figure:
    """In place of a chart with nothing to compare (no figure to draw, or one bar of 100%): its
    title and a sentence saying why."""
    return html.Figure(
        [
            html.Figcaption(title, className="chart-title"),
            *above,
            html.P(sentence, className="chart-sentence"),
        ],
        className="chart chart-in-words",
    )


def drill_id(param: str, name: str) -> dict[str, str]:
    """The id of a chart whose clicks filter the view on `param` (a URL parameter, or "month")."""
    return {"type": ids.DRILL, "param": param, "name": name}


def gaps_note(series: tuple[Figure, ...]) -> html.P | None:
    """Why a trend has gaps, so a gap is not read as a fall to nothing: the months no load covers,
    and the months whose small counts are suppressed (not drawn, so no point gives them away). A
    series of submitted figures (quarters, say) names its periods, and why each has no figure."""
    if series and series[0].period.kind is not PeriodKind.MONTH:
        return _periods_note(series)
    uncovered = [f.period.first_month for f in series if f.no_data]
    suppressed = [f.period.first_month for f in series if f.suppressed]
    said = []
    if uncovered:
        said.append(f"No data for {month_spans(uncovered)}: no load covers these months.")
    if suppressed:
        said.append(f"Not drawn for {month_spans(suppressed)}: {SUPPRESSED_COUNT} there (shown as c).")
    return html.P(" ".join(said), className="chart-note") if said else None


def _periods_note(series: tuple[Figure, ...]) -> html.P | None:
    missing = [f.no_data for f in series if f.no_data]
    suppressed = [f.period.label for f in series if f.suppressed]
    said = [f"No data: {'; '.join(missing)}."] if missing else []
    if suppressed:
        said.append(f"Not drawn for {', '.join(suppressed)}: {SUPPRESSED_COUNT} there (shown as c).")
    return html.P(" ".join(said), className="chart-note") if said else None


def trend_chart(assessment: Assessment, name: str, reported: Period | None = None) -> html.Figure:
    """Monthly values over the series (or a figures dataset's quarters), with the target and the latest
    published England value. Clicking a point shows its period. `reported`: the period a report is
    about, shaded."""
    kpi, series = assessment.kpi, assessment.result.series
    title = f"{kpi.title}, {series_word(series)}"
    drawn = [f for f in series if f.value is not None and not f.suppressed]
    if not drawn:
        return chart_in_words(
            title,
            "Nothing to draw: no month of the last two years has a figure that can be shown.",
            gaps_note(series),
        )
    months = [f.period.first_month for f in series]
    # Figures are plain dicts, not go.Figure: plotly's validation cost more than the rest of a page.
    data: list[dict] = [
        {
            "type": "scatter",
            "x": months,
            "y": [None if f.suppressed else f.value for f in series],
            "mode": "lines+markers",
            "name": plotly_text(kpi.title),
            "line": {"color": BRAND, "width": 2},
            "connectgaps": False,
            "customdata": [f.period.code for f in series],
            "text": [plotly_text(f"{f.period.label}: {format_figure(kpi, f)}") for f in series],
            "hovertemplate": "%{text}<extra></extra>",
        }
    ]
    notes = []
    if assessment.target is not None:
        target = f"Target {format_number(assessment.target.value, kpi.unit)}"
        data.append(reference_line(months[0], months[-1], assessment.target.value, TARGET, "dash", target))
        notes.append(target)
    benchmark = assessment.benchmark
    if (
        benchmark is not None
        and benchmark.england is not None
        and not benchmark.is_rate
        and kpi.unit is Unit.PERCENT
    ):
        england = f"England {format_number(benchmark.england, kpi.unit)} in {benchmark.financial_year}"
        data.append(reference_line(months[0], months[-1], benchmark.england, BENCHMARK, "dot", england))
        notes.append(england)
    figure: dict = {"data": data, "layout": {"xaxis": dict(MONTH_AXIS)}}
    if reported is not None:
        shade_period(
            figure,
            reported.first_month - timedelta(days=15),
            reported.last_month + timedelta(days=15),
            f"{reported.short_label}: the period reported",
        )
        notes.append(f"shaded: {reported.short_label}")
    described = ", ".join(f"{f.period.label}: {format_figure(kpi, f)}" for f in series)
    alternative = f"{title}. {described}." + (f" Lines: {'; '.join(notes)}." if notes else "")
    return chart(figure, title, kpi.unit, alternative, gaps_note(series), graph_id=drill_id("month", name))


def parts_chart(
    title: str,
    parts: tuple[Part, ...],
    name: str,
    labels: dict[str, str],
    drill_param: str,
    no_data: str | None = None,
    rounded: bool = False,
) -> html.Figure:
    """Shares of a total as bars; clicking a bar filters the view to that part (`drill_param`).
    `no_data` is why a total has no figure (Figure.no_data): said instead of drawing no bars.
    `rounded`: the viewer's counts are rounded, each part on its own, so the parts need not add up."""
    # A part of an empty total has no percentage: it is drawn as 0%.
    shown = [Part(p.label, p.count or 0, p.percent or 0.0) for p in parts if not p.suppressed]
    names = [labels.get(p.label, p.label) for p in shown]
    hidden = [labels.get(p.label, p.label) for p in parts if p.suppressed]
    if no_data:
        return chart_in_words(title, f"No data: {no_data}.")
    if not shown:
        why = f"every part is {SUPPRESSED_COUNT} (c)" if hidden else "there is nothing to split"
        return chart_in_words(title, f"Nothing to draw: {why}.")
    if len(shown) == 1 and not hidden:
        return chart_in_words(
            title, f"Only {names[0]} in this view ({shown[0].count:,}, 100%): there is nothing to compare."
        )
    figure = {
        "data": [
            {
                "type": "bar",
                "x": [p.percent for p in shown],
                "y": [plotly_text(n) for n in names],
                "orientation": "h",
                "marker": {"color": BRAND},
                "text": [f"{p.percent:.1f}% ({p.count:,})" for p in shown],
                "textposition": "auto",
                "customdata": [p.label for p in shown],
                "hovertemplate": "%{y}: %{text}<extra></extra>",
            }
        ],
        "layout": {"yaxis": {"autorange": "reversed"}},
    }
    described = "; ".join(f"{n}: {p.percent:.1f}% ({p.count:,})" for n, p in zip(names, shown))
    if hidden:
        described += f"; suppressed (c): {', '.join(hidden)}"
    height = 60 + 30 * max(len(shown), 3)
    notes = [f"Not drawn: {', '.join(hidden)}, each {SUPPRESSED_COUNT} (c)."] if hidden else []
    if rounded:
        added = round(sum(p.percent or 0.0 for p in shown))  # each drawn part has one (see `shown`)
        notes.append(
            "Each part is rounded on its own, and its share is of the rounded total: the parts can add "
            "up to more or less than the total and 100%" + (f" (here {added}%)." if added != 100 else ".")
        )
    note = html.P(" ".join(notes), className="chart-note") if notes else None
    return chart(
        figure,
        title,
        Unit.PERCENT,
        f"{title}. {described}.",
        note,
        graph_id=drill_id(drill_param, name),
        height=height,
        value_axis="xaxis",
    )
