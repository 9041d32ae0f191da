"""Charts for the operational pages: a monthly trend with its target and benchmark lines, and
a breakdown. Each has a title and a text alternative; suppressed months, and months no load
covers, are gaps, not zeros."""

from __future__ import annotations

from html import escape

from dash import dcc, html
from dash.development.base_component import Component

from warehouse.kpis.assessment import Assessment
from warehouse.kpis.coverage import month_spans
from warehouse.kpis.engine import Figure, Part
from warehouse.kpis.formatting import format_figure, format_number, series_word
from warehouse.kpis.model import Unit
from warehouse.kpis.periods import PeriodKind

BRAND = "#0b4f6c"
TARGET = "#8a1414"
BENCHMARK = "#6b4a00"


# No Plotly logo, and no "share" button: it would send the chart to Plotly's cloud.
CHART_CONFIG: dcc.Graph.Config = {"displaylogo": False, "modeBarButtonsToRemove": ["sendChartToCloud"]}


def plotly_text(text: str) -> str:
    """Text as Plotly shows it, not as markup: Plotly draws <a href>, <b>, <br> and the like found in
    titles, category names and trace names, and names come from loaded files (an area's name), so
    they are escaped; Plotly turns the entities back into the characters they stand for."""
    return escape(str(text), quote=False)


def layout_chart(figure: dict, title: str, unit: Unit, height: int = 300, value_axis: str = "yaxis") -> dict:
    layout = figure.setdefault("layout", {})
    for axis in ("xaxis", "yaxis"):
        layout.setdefault(axis, {})["automargin"] = True  # long category names push the plot, not get cut
    layout[value_axis].update(
        gridcolor="#e5e8eb", ticksuffix="%" if unit is Unit.PERCENT else "", rangemode="tozero"
    )
    layout.update(
        title={"text": plotly_text(title), "font": {"size": 15}, "x": 0.02, "xanchor": "left"},
        height=height,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        paper_bgcolor="#fff",
        plot_bgcolor="#fff",
        legend={"orientation": "h", "y": -0.2},
        font={"color": "#1d2329"},
    )
    return figure


def add_hline(figure: dict, y: float, colour: str, dash: str, text: str, below: bool = False) -> None:
    """A labelled horizontal line across the plot, as plotly's add_hline draws it."""
    layout = figure.setdefault("layout", {})
    layout.setdefault("shapes", []).append(
        {
            "type": "line",
            "xref": "x domain",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": y,
            "y1": y,
            "line": {"color": colour, "dash": dash},
        }
    )
    layout.setdefault("annotations", []).append(
        {
            "text": plotly_text(text),
            "showarrow": False,
            "xref": "x domain",
            "x": 1,
            "xanchor": "right",
            "yref": "y",
            "y": y,
            "yanchor": "top" if below else "bottom",
        }
    )


def chart_figure(graph: dcc.Graph, alternative: str, *above: Component | None) -> html.Figure:
    """A chart with its text alternative (read out instead of the drawing), and anything shown above it."""
    return html.Figure(
        [*above, graph, html.Figcaption(alternative, className="visually-hidden")], className="chart"
    )


def drill_id(param: str, name: str) -> dict[str, str]:
    """The id of a chart whose clicks filter the view on `param` (a URL parameter, or "month")."""
    return {"type": "drill", "param": param, "name": name}


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
        said.append(
            f"Not drawn for {month_spans(suppressed)}: a count of 1 to 4 there is suppressed (shown as c)."
        )
    return html.P(" ".join(said), className="chart-note") if said else None


def _periods_note(series: tuple[Figure, ...]) -> html.P | None:
    missing = [f.no_data for f in series if f.no_data]
    suppressed = [f.period.label for f in series if f.suppressed]
    said = [f"No data: {'; '.join(missing)}."] if missing else []
    if suppressed:
        said.append(
            f"Not drawn for {', '.join(suppressed)}: a count of 1 to 4 there is suppressed (shown as c)."
        )
    return html.P(" ".join(said), className="chart-note") if said else None


def trend_chart(assessment: Assessment, name: str) -> html.Figure:
    """Monthly values over the series (or a figures dataset's quarters), with the target and the latest
    published England value. Clicking a point shows its period."""
    kpi, series = assessment.kpi, assessment.result.series
    months = [f.period.first_month for f in series]
    # Figures are plain dicts, not go.Figure: plotly's validation cost more than the rest of a page.
    figure: dict = {
        "data": [
            {
                "type": "scatter",
                "x": months,
                "y": [None if f.suppressed else f.value for f in series],
                "mode": "lines+markers",
                "name": plotly_text(kpi.title),
                "line": {"color": BRAND, "width": 2},
                "connectgaps": False,
                "customdata": [f.period.code for f in series],
            }
        ]
    }
    notes = []
    if assessment.target is not None:
        add_hline(
            figure,
            assessment.target.value,
            TARGET,
            "dash",
            f"target {format_number(assessment.target.value, kpi.unit)}",
        )
        notes.append(f"target {format_number(assessment.target.value, kpi.unit)}")
    benchmark = assessment.benchmark
    if (
        benchmark is not None
        and benchmark.england is not None
        and not benchmark.is_rate
        and kpi.unit is Unit.PERCENT
    ):
        add_hline(
            figure, benchmark.england, BENCHMARK, "dot", f"England {benchmark.financial_year}", below=True
        )
        notes.append(f"England {format_number(benchmark.england, kpi.unit)} in {benchmark.financial_year}")
    title = f"{kpi.title}, {series_word(series)}"
    described = ", ".join(f"{f.period.label}: {format_figure(kpi, f)}" for f in series)
    alternative = f"{title}. {described}." + (f" Lines: {'; '.join(notes)}." if notes else "")
    return chart_figure(
        dcc.Graph(
            id=drill_id("month", name), figure=layout_chart(figure, title, kpi.unit), config=CHART_CONFIG
        ),
        alternative,
        gaps_note(series),
    )


def parts_chart(
    title: str,
    parts: tuple[Part, ...],
    name: str,
    labels: dict[str, str],
    drill_param: str,
    no_data: str | None = None,
) -> html.Figure:
    """Shares of a total as bars; clicking a bar filters the view to that part (`drill_param`).
    `no_data` is why a total has no figure (Figure.no_data): said instead of drawing no bars."""
    # A part of an empty total has no percentage: it is drawn as 0%.
    shown = [Part(p.label, p.count or 0, p.percent or 0.0) for p in parts if not p.suppressed]
    names = [labels.get(p.label, p.label) for p in shown]
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
            }
        ],
        "layout": {"yaxis": {"autorange": "reversed"}},
    }
    hidden = [labels.get(p.label, p.label) for p in parts if p.suppressed]
    described = "; ".join(f"{n}: {p.percent:.1f}% ({p.count:,})" for n, p in zip(names, shown))
    if hidden:
        described += f"; suppressed (c): {', '.join(hidden)}"
    if no_data:
        described = f"No data: {no_data}"
    height = 90 + 30 * max(len(shown), 3)
    graph = dcc.Graph(
        id=drill_id(drill_param, name),
        config=CHART_CONFIG,
        figure=layout_chart(figure, title, Unit.PERCENT, height=height, value_axis="xaxis"),
    )
    note = html.P(f"No data: {no_data}.", className="chart-note") if no_data else None
    return chart_figure(graph, f"{title}. {described}.", note)
