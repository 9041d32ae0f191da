"""The operational dashboards (declared in app/dashboards.py): front door, S47 and ICPC, CP plans,
missing. Pages are registered from the declarations by app/pages/operational.py.

Every page has the KPI cards, a monthly trend over two years (seasonality shows) with target and
England lines, or the same months as an SPC chart, breakdowns, and a grid of the monthly figures
that exports to CSV.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pandas as pd
from dash import Input, NoUpdate, Output, State, dcc, html
from dash.development.base_component import Component, ComponentType

from app import ids
from app.access import SHELL, callback
from app.components.charts import parts_chart, trend_chart
from app.components.choices import select
from app.components.exports import csv_download
from app.components.kpi_card import kpi_card
from app.components.spc import spc_chart, spc_legend
from app.components.table_scroll import frame_table
from app.filters import FilterOptions, ViewFilters
from app.state import reader
from app.view import page_view, updated_search
from warehouse.db import WarehouseError
from warehouse.kpis.assessment import Assessment
from warehouse.kpis.engine import AREA, Filters, counts_by_area
from warehouse.kpis.formatting import format_figure
from warehouse.kpis.periods import PeriodKind
from warehouse.kpis.published import published_year_label
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import active_model
from warehouse.model.specs import Page


def monthly_rows(assessments: list[Assessment]) -> pd.DataFrame:
    """Monthly figures, newest first, as the page shows them (suppressed figures are "c"). Figures an
    agency submits quarterly have a row per quarter ("Period" heads the rows where any do). Published
    KPIs have a year's figures, not months: a page of them only lists their published years."""
    counted = [a for a in assessments if not a.kpi.is_published]
    if not counted:
        return published_rows(assessments)
    assessments = counted
    periods = sorted(
        {f.period for a in assessments for f in a.result.series}, key=lambda p: (p.end, -p.months)
    )
    months = all(p.kind is PeriodKind.MONTH for p in periods)
    newest_first = periods[::-1]
    columns = {"Month" if months else "Period": [p.label for p in newest_first]}
    for a in assessments:
        shown = {f.period: format_figure(a.kpi, f) for f in a.result.series}
        columns[a.kpi.title] = [shown.get(p, "") for p in newest_first]
    return pd.DataFrame(columns)


def _submitted(assessments: list[Assessment]) -> bool:
    """Whether any of the KPIs is over figures an agency submits (a quarter's, say, not a month's)."""
    return any(a.kpi.dataset in active_model().figures for a in assessments)


def published_rows(assessments: list[Assessment]) -> pd.DataFrame:
    """Each published KPI's figures, newest year first, each year as its publisher writes it."""
    rows = [
        {
            "KPI": a.kpi.title,
            "Published for": published_year_label(a.kpi, figure.period),
            "Figure": figure.no_data or format_figure(a.kpi, figure),
        }
        for a in assessments
        for figure in reversed(a.result.series)
    ]
    return pd.DataFrame(rows, columns=["KPI", "Published for", "Figure"])


def _figures_heading(assessments: list[Assessment]) -> str:
    if all(a.kpi.is_published for a in assessments):
        return "Published figures"  # a page of published KPIs only has their published years
    return "Figures by period" if _submitted(assessments) else "Monthly figures"


def _figures_table(page: Page, assessments: list[Assessment], heading: str) -> html.Div:
    return frame_table(monthly_rows(assessments), heading, f"{page.id}-grid")


def _by_area(
    page: Page,
    view: ViewFilters,
    filters: Filters,
    options: FilterOptions,
    policy: SuppressionPolicy,
    no_data: str | None,
) -> html.Figure | None:
    """The page's main count split by area, for a view of one LA (153 LAs' areas would be noise);
    `no_data` is why the count has no figure for the period, if it has none."""
    areas = options.labels(AREA)
    if len(filters.la_codes) != 1 or not areas or page.by_area is None:
        return None
    kpi = get_kpi(page.by_area)
    parts = () if no_data else counts_by_area(reader().connection(), kpi, view.period_value, filters, policy)
    title = f"{kpi.title} by area, {view.period_value.short_label} (% of the total)"
    return parts_chart(
        title,
        parts,
        f"{page.id}-by-area",
        areas,
        drill_param=active_model().dimension(AREA).url_key,
        no_data=no_data,
        rounded=policy.enabled,
    )


def _breakdowns(charts: list[html.Figure]) -> list[Component]:
    """The breakdowns under their heading; neither when the page has none to show."""
    return [html.H2("Breakdowns"), html.Div(charts, className="chart-grid")] if charts else []


def trend(assessment: Assessment, name: str, view: ViewFilters) -> html.Figure:
    """A KPI's monthly trend as the view asks: a run chart, or an SPC chart."""
    return spc_chart(assessment, name, view.change_points) if view.chart else trend_chart(assessment, name)


def trend_view_choice(page: Page, view: ViewFilters, options: FilterOptions) -> html.Div:
    """Links to the same view with the trends as run charts or as SPC charts (the URL holds which)."""
    links = []
    for chart, label in (((), "Run charts"), (("spc",), "SPC (XmR) charts")):
        shown = view.chart == chart
        text: ComponentType = [label, html.Span(" (shown)", className="visually-hidden")] if shown else label
        links.append(
            dcc.Link(
                text,
                href=f"/{page.id}" + view.with_values({"chart": chart, "limits": ()}).to_query(),
                className="trend-view-link" + (" trend-view-shown" if shown else ""),
            )
        )
    choice: list[Component] = [
        html.Nav(
            [html.Span("Show the trends as", className="filter-label"), *links],
            className="trend-view",
            **{"aria-label": "Trend view"},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
        )
    ]
    if view.chart:
        choice.append(_limits_choice(view, options))
    return html.Div(choice, className="trend-choices no-print")


def _limits_choice(view: ViewFilters, options: FilterOptions) -> html.Div:
    """A change point: the month from which the SPC limits are worked out again, say after a new
    front-door model, so the chart judges the months since against the process as it is now."""
    months = [m for m in options.months.items() if m[0] <= view.period_value.last_month.strftime("%Y-%m")]
    dropdown = select(
        ids.SPC_LIMITS_FROM,
        [{"label": label, "value": code} for code, label in months[:24]],
        view.limits[0] if view.limits else None,
        empty="No change point: limits from every month shown",
    )
    return html.Div(
        [
            html.Label("Recalculate the limits from", htmlFor=ids.SPC_LIMITS_FROM, className="filter-label"),
            dropdown,
        ],
        className="filter-field spc-limits-from",
    )


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(ids.SPC_LIMITS_FROM, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=SHELL,
)
def choose_limits_from(month: str | None, search: str | None) -> str | NoUpdate:
    return updated_search(search, {"limits": (month,) if month else ()})


def render(page: Page, **query: str | list[str]) -> html.Div:
    try:
        resolved = page_view(query)
    except WarehouseError as error:
        return html.Div([html.H1(page.title), html.P(str(error))])
    scope, options, view, filters = resolved.scope, resolved.options, resolved.view, resolved.filters
    assessments = resolved.assessments(page.kpis)
    by_id = {a.kpi.id: a for a in assessments}
    breakdowns = [
        parts_chart(
            f"{a.kpi.title}, {view.period_value.short_label}",
            a.result.parts,
            f"{page.id}-{a.kpi.id}",
            options.values_of(dimension) | {"Unknown": "Unknown"},
            drill_param=dimension.url_key,
            no_data=a.result.current.no_data,
            rounded=scope.policy.enabled,
        )
        for a in assessments
        if a.kpi.breakdown
        for dimension in [active_model().dimension(a.kpi.breakdown)]
    ]
    by_area = by_id.get(page.by_area) if page.by_area else None
    area = _by_area(
        page, view, filters, options, scope.policy, by_area.result.current.no_data if by_area else None
    )
    actions = resolved.open_actions()
    return html.Div(
        [
            html.H1(page.title),
            html.P(page.intro),
            html.Div(
                [
                    kpi_card(a, resolved.records_href(a.kpi.id), actions=actions.get(a.kpi.id))
                    for a in assessments
                    if not a.kpi.is_share
                ],
                className="card-grid",
            ),
            spc_legend(),
            *(
                [
                    html.H2("Trends"),
                    trend_view_choice(page, view, options),
                    html.Div(
                        [trend(by_id[k], f"{page.id}-trend-{k}", view) for k in page.trends],
                        className="chart-grid",
                    ),
                ]
                if page.trends
                else []
            ),
            *_breakdowns([*breakdowns, *([area] if area else [])]),
            html.H2(heading := _figures_heading(assessments)),
            html.Button("Download CSV", id=f"{page.id}-export", className="button-secondary", n_clicks=0),
            dcc.Download(id=f"{page.id}-download"),
            _figures_table(page, [a for a in assessments if not a.kpi.is_share], heading),
        ]
    )


def export_callback(page: Page) -> None:
    """The grid's CSV, made again on the server for the URL's view and the viewer's scope."""

    @callback(
        Output(f"{page.id}-download", "data"),
        Input(f"{page.id}-export", "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
        page=f"/{page.id}",
    )
    def export(_clicks: int, search: str | None) -> dict[str, str]:
        resolved = page_view(parse_qs((search or "").lstrip("?")))
        rows = monthly_rows([a for a in resolved.assessments(page.kpis) if not a.kpi.is_share])
        return csv_download(rows, f"{page.id}-{resolved.view.period}.csv", **resolved.used(f"/{page.id}"))
