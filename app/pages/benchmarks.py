"""Benchmarks: an LA beside its statistical neighbours, its region and England, for each KPI
with a national measure, over every published year."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, ctx, html

from app import ids
from app.access import callback
from app.components.charts import (
    BENCHMARK,
    BRAND,
    NEIGHBOURS,
    OTHERS,
    REGION,
    chart,
    plotly_text,
)
from app.components.choices import select
from app.components.grid import grid
from app.scope import DASHBOARDS, EVERYONE
from app.state import reader
from app.view import page_view, updated_search
from warehouse.benchmarks import benchmark_comparison, benchmark_neighbours
from warehouse.db import WarehouseError
from warehouse.kpis.assessment import benchmark_id
from warehouse.kpis.model import Direction, Unit
from warehouse.kpis.registry import get_kpi

PAGE = "/benchmarks"
dash.register_page(
    __name__,
    path=PAGE,
    name="Benchmarks",
    order=5,
    group=DASHBOARDS,
    title="Benchmarks - Safeguarding performance",
    filters=True,
    roles=EVERYONE,
)


def _value_text(value: float | None, status: str, is_rate: bool, is_percent: bool) -> str:
    if value is None or pd.isna(value):
        return "not published" if status in ("missing", "published") else f"not published ({status})"
    if is_rate:
        return f"{value:.1f}"
    return f"{value:.1f}%" if is_percent else f"{value:,.1f}".rstrip("0").rstrip(".")


def layout(**query: str | list[str]) -> html.Div:
    try:
        resolved = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1("Benchmarks"), html.P(str(error))])
    options, view = resolved.options, resolved.view
    la_code = resolved.filters.la_codes[0]
    kpi_choices = {k: title for k, title in options.allowed("kpi").items() if get_kpi(k).benchmark}
    kpi = get_kpi(view.kpi[0] if view.kpi and view.kpi[0] in kpi_choices else next(iter(kpi_choices)))
    measure = benchmark_id(kpi)
    assert measure is not None  # the KPIs offered are those with a benchmark
    is_rate = measure != kpi.benchmark
    is_percent = kpi.unit.value == "percent"
    con = reader().connection()
    years = benchmark_comparison(con, measure, la_code).sort_values("time_period")
    published = years[years["england_value"].notna()]
    year = (
        int(view.year[0])
        if view.year and int(view.year[0]) in set(published["time_period"])
        else int(published["time_period"].max())
    )
    neighbours = benchmark_neighbours(con, measure, la_code, year)
    la_name = options.las.get(la_code, la_code)
    what = f"{kpi.title}{' per 10,000 children aged 0 to 17' if is_rate else ''}"
    better = {
        Direction.HIGHER_IS_BETTER: "Higher is better.",
        Direction.LOWER_IS_BETTER: "Lower is better.",
        Direction.NEUTRAL: "A context measure: neither higher nor lower is better.",
    }[kpi.direction]
    return html.Div(
        [
            html.H1("Benchmarks"),
            html.P(
                f"{la_name} beside its ten statistical neighbours (DfE 2025 model), its region and England, "
                "from the published DfE tables. Figures the DfE did not publish are shown as not published."
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("KPI", htmlFor=ids.BENCH_KPI, className="filter-label"),
                            select(
                                ids.BENCH_KPI,
                                [{"label": t, "value": k} for k, t in kpi_choices.items()],
                                kpi.id,
                            ),
                        ],
                        className="filter-field",
                    ),
                    html.Div(
                        [
                            html.Label("Published year", htmlFor=ids.BENCH_YEAR, className="filter-label"),
                            select(
                                ids.BENCH_YEAR,
                                [
                                    {"label": fy, "value": str(t)}
                                    for t, fy in zip(published["time_period"], published["financial_year"])
                                ][::-1],
                                str(year),
                            ),
                        ],
                        className="filter-field",
                    ),
                ],
                className="filter-grid bench-controls",
            ),
            html.P(f"{what}. {better}", className="note"),
            html.Div(
                [
                    _neighbour_chart(neighbours, la_code, what, year, is_percent),
                    _trend_chart(years, la_name, what, is_percent),
                ],
                className="chart-grid",
            ),
            html.H2("Every published year"),
            grid(
                ids.BENCH_GRID,
                _year_table(years, is_rate, is_percent, kpi.direction),
                {
                    "financial_year": "Year",
                    "la": la_name,
                    "england": "England",
                    "region": "Region",
                    "neighbours": "Neighbour mean",
                    "rank": "Rank with neighbours",
                },
            ),
        ]
    )


def _neighbour_chart(
    neighbours: pd.DataFrame, la_code: str, what: str, year: int, is_percent: bool
) -> html.Figure:
    shown = neighbours.dropna(subset=["value"]).sort_values("value", ascending=False)
    colours = [BRAND if code == la_code else OTHERS for code in shown["la_code"]]
    figure = {
        "data": [
            {
                "type": "bar",
                "x": list(shown["value"]),
                "y": [plotly_text(n) for n in shown["la_name"]],
                "orientation": "h",
                "marker": {"color": colours},
                "text": [f"{v:.1f}" for v in shown["value"]],
                "textposition": "auto",
                "hovertemplate": "%{y}: %{text}<extra></extra>",
            }
        ],
        "layout": {"yaxis": {"autorange": "reversed"}},
    }
    title = f"{what}, {year - 1}/{year % 100:02d}: the LA (dark) and its neighbours"
    unit = Unit.PERCENT if is_percent else Unit.RATIO
    missing = neighbours[neighbours["value"].isna()]["la_name"].tolist()
    text = "; ".join(f"{n}: {v:.1f}" for n, v in zip(shown["la_name"], shown["value"]))
    text += f"; not published: {', '.join(missing)}" if missing else ""
    return chart(
        figure, title, unit, f"{title}. {text}.", graph_id=ids.BENCH_CHART, height=400, value_axis="xaxis"
    )


# Each comparator's colour and line, as on every chart.
COMPARATORS = (
    ("england_value", "England", BENCHMARK, "dot"),
    ("region_value", "Region", REGION, "dash"),
    ("neighbour_mean", "Neighbour mean", NEIGHBOURS, "dashdot"),
)


def _trend_chart(years: pd.DataFrame, la_name: str, what: str, is_percent: bool) -> html.Figure:
    lines = (("la_value", la_name, BRAND, "solid"), *COMPARATORS)
    figure = {
        "data": [
            {
                "type": "scatter",
                "x": list(years["financial_year"]),
                "y": [None if pd.isna(v) else v for v in years[column]],
                "name": plotly_text(name),
                "mode": "lines+markers",
                "line": {"color": colour, "dash": dash_style, "width": 3 if column == "la_value" else 1.5},
                "hovertemplate": f"{plotly_text(name)}, %{{x}}: %{{y:.1f}}<extra></extra>",
            }
            for column, name, colour, dash_style in lines
        ]
    }
    title = f"{what} over the published years"
    unit = Unit.PERCENT if is_percent else Unit.RATIO
    return chart(
        figure,
        title,
        unit,
        f"{title}: {la_name}, England, region and neighbour mean; the table below lists every value.",
        height=370,
    )


def _year_table(years: pd.DataFrame, is_rate: bool, is_percent: bool, direction: Direction) -> pd.DataFrame:
    def text(value, status="published"):
        return _value_text(value, status, is_rate, is_percent)

    def rank(row: pd.Series) -> str:
        if pd.isna(row["la_rank"]):
            return ""
        position = int(row["la_rank"])
        if direction is Direction.LOWER_IS_BETTER:
            position = int(row["group_size"]) - position + 1
        suffix = " (1 = highest)" if direction is Direction.NEUTRAL else " (1 = best)"
        return f"{position} of {int(row['group_size'])}{suffix}"

    return pd.DataFrame(
        {
            "financial_year": years["financial_year"],
            "la": [text(v, s) for v, s in zip(years["la_value"], years["la_status"])],
            "england": [text(v, s) for v, s in zip(years["england_value"], years["england_status"])],
            "region": [text(v, s) for v, s in zip(years["region_value"], years["region_status"])],
            "neighbours": [
                text(v) if n else "not published"
                for v, n in zip(years["neighbour_mean"], years["neighbours_published"])
            ],
            "rank": [rank(row) for _, row in years.iterrows()],
        }
    ).iloc[::-1]


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(ids.BENCH_KPI, "value"),
    Input(ids.BENCH_YEAR, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=PAGE,
)
def choose_kpi_and_year(kpi_id: str, year: str, search: str | None) -> str | dash.NoUpdate:
    # A new KPI starts at its latest published year.
    return updated_search(
        search, {"kpi": (kpi_id,), "year": () if ctx.triggered_id == ids.BENCH_KPI else (year,)}
    )
