"""Keeps the filter bar and the URL query string in step, both ways.

The URL is the source of truth: a control change rewrites it (so back, forward and shared
links work), and a URL change resets the controls. One callback does both, since Dash allows
a circular dependency only within a single callback.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from flask import redirect, request
from werkzeug.wrappers import Response

from app import ids
from app.access import SHELL, callback
from app.filters import DIMENSIONS, FilterOptions, ViewFilters, parse_query, refused_in_link, with_period_kind
from app.scope import NotSignedIn, Scope, current_scope
from app.state import reader
from app.view import last_las, remember_las, scoped_options
from warehouse.db import WarehouseError
from warehouse.kpis.periods import PeriodKind

FILTERS = list(ids.FILTER_DIMENSIONS)  # the LA, then the dimensions by URL key


def _options(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in values.items()]


@callback(
    Output(ids.URL, "search"),
    Output(ids.FILTER_PERIOD_KIND, "value"),
    Output(ids.FILTER_PERIOD, "options"),
    Output(ids.FILTER_PERIOD, "value"),
    *[Output(ids.FILTER_DIMENSIONS[d], "options") for d in FILTERS],
    *[Output(ids.FILTER_DIMENSIONS[d], "value") for d in FILTERS],
    Output(ids.FILTER_SUMMARY, "children"),
    Output(ids.FILTER_FILLED, "data"),
    Input(ids.URL, "search"),
    Input(ids.FILTER_PERIOD_KIND, "value"),
    Input(ids.FILTER_PERIOD, "value"),
    *[Input(ids.FILTER_DIMENSIONS[d], "value") for d in FILTERS],
    Input(ids.FILTER_RESET, "n_clicks"),
    State(ids.URL, "pathname"),
    State(ids.FILTER_FILLED, "data"),
    page=SHELL,
)
def sync_filters(search, kind, period, *rest):
    dimension_values = rest[: len(FILTERS)]
    pathname, filled = rest[-2:]
    try:
        scope = current_scope()
        options = scoped_options(scope)
    except WarehouseError:
        return (no_update,) * (4 + 2 * len(FILTERS) + 2)
    trigger = ctx.triggered_id
    if trigger == ids.FILTER_RESET:
        view = parse_query("", options)
    elif trigger in (None, ids.URL):
        view = parse_query(search, options, last_las())
    else:
        on_page = parse_query(search, options)  # what the page itself chose stays as it was
        asked = ViewFilters(
            period=period or "",
            **{d: tuple(v or ()) for d, v in zip(FILTERS, dimension_values)},
            kpi=on_page.kpi,
            year=on_page.year,
            section=on_page.section,
        )
        view = parse_query(asked.to_query(), options)
        if trigger == ids.FILTER_PERIOD_KIND and kind:
            view = with_period_kind(view, PeriodKind(kind), options)
    remember_las(view.la)
    current_kind = view.period_value.kind
    query = _link_query(view, pathname, search)
    # A page without the filter bar (commentary, the challenge log) keeps its own query as it is.
    rewrite = _has_filters(pathname) and query != (search or "")
    # Only what changes is sent: the browser draws each control it is sent again, and the bar
    # stays on the screen from page to page. Its choices are the account's in the warehouse as
    # published: set again only when a load has published another file.
    filled_for = "-".join(map(str, reader().version))  # text: a browser's numbers would round it
    opened = filled != filled_for
    kind_shown = opened or current_kind.value != kind
    # The periods listed are the last kind's until the kind chosen is sent its own.
    periods_shown = kind_shown or trigger == ids.FILTER_PERIOD_KIND
    return (
        query if rewrite else no_update,
        current_kind.value if kind_shown else no_update,
        [{"label": p.label, "value": p.code} for p in options.periods(current_kind)]
        if periods_shown
        else no_update,
        _changed(view.period, period),
        *[_options(options.allowed(d)) if opened else no_update for d in FILTERS],
        *[_changed(list(view.values(d)), list(shown or ())) for d, shown in zip(FILTERS, dimension_values)],
        _summary(
            view,
            options,
            pathname,
            scope,
            refused_in_link(search, options) if trigger in (None, ids.URL) else [],
        ),
        filled_for if opened else no_update,
    )


def _changed(value: object, shown: object) -> object:
    return no_update if value == shown else value


def _summary(
    view: ViewFilters, options: FilterOptions, pathname: str | None, scope: Scope, refused: list[str]
) -> list:
    """The filters in words, then one link per active filter value that steps back out of it; and
    plainly, where the account's scope makes the figures differ from what others see on this link."""
    crumbs = []
    for param, values in view.dimensions:
        labels = options.allowed(param)
        words = DIMENSIONS[param].describe
        for value in values:
            without = view.with_values({param: tuple(v for v in values if v != value)})
            crumbs.append(
                dcc.Link(
                    f"✕ {words}: {labels.get(value, value)}",
                    href=(pathname or "/") + without.to_query(),
                    className="crumb",
                    title=f"Remove the {words} filter",
                )
            )
    limits = [
        f"{words} ({', '.join(values)})"
        for words, values in (("agencies", scope.agencies), ("areas", scope.areas))
        if values
    ]
    notes = []
    if limits:
        notes.append(
            "The figures are the whole partnership's, the same for anyone who sees these local authorities. "
            f"Your account's {' and '.join(limits)} limit only the records you can list, and which "
            "submissions, commentary and challenge answers are yours."
        )
    if refused:
        notes.append(
            f"This link also asked for {' and '.join(refused)} that your account does not cover: "
            "the figures leave them out."
        )
    return [
        "Showing: " + view.describe(options),
        *([" "] + crumbs if crumbs else []),
        *[html.Span(note, className="scope-note") for note in notes],
    ]


@callback(
    Output({"type": ids.NAV_LINK, "path": ALL}, "href"),
    Input(ids.URL, "search"),
    State(ids.URL, "pathname"),
    State({"type": ids.NAV_LINK, "path": ALL}, "id"),
    page=SHELL,
)
def nav_keeps_the_filters(search: str | None, pathname: str | None, links: list[dict]) -> list:
    """Each dashboard in the navigation opens with the filters of the dashboard the user is on (not
    what that page chose for itself); the other pages open as they are. Leaving a dashboard for a
    page without filters keeps the links as they were."""
    unchanged = [no_update] * len(links)  # one per link: an ALL output takes a list
    if not _has_filters(pathname):
        return unchanged
    try:
        options = scoped_options(current_scope())
    except WarehouseError:
        return unchanged
    query = parse_query(search, options).filters_only().to_query()
    return [link["path"] + (query if _has_filters(link["path"]) else "") for link in links]


def _link_query(view: ViewFilters, pathname: str | None, search: str | None) -> str:
    """The query string of a dashboard's link for `view`, with the parameters its page reads itself."""
    return view.to_query() + _own_params(pathname, search)


def complete_dashboard_link() -> Response | None:
    """Before a dashboard's page is served (a GET of its path), its link with every filter written
    out: the period, and the account's LAs or the last it chose, as sync_filters writes them. A link
    that lacked them would be drawn twice, once as asked and once as the filters complete it; this
    draws it once. A link asking for what the account does not cover is served as it is, so that
    the page can say what it left out."""
    if request.method != "GET" or not _has_filters(request.path):
        return None
    search = "?" + request.query_string.decode() if request.query_string else ""
    try:
        options = scoped_options(current_scope())
    except (NotSignedIn, WarehouseError):
        return None  # the sign-in page, or the page's own word on the warehouse
    if refused_in_link(search, options):
        return None
    completed = _link_query(parse_query(search, options, last_las()), request.path, search)
    return redirect(request.path + completed) if completed != search else None


def _page(pathname: str | None) -> dict | None:
    return next((p for p in dash.page_registry.values() if p["relative_path"] == (pathname or "/")), None)


def _has_filters(pathname: str | None) -> bool:
    page = _page(pathname)
    return bool(page and page.get("filters"))


def _own_params(pathname: str | None, search: str | None) -> str:
    """The URL parameters a page with filters reads for itself (`own_params` where it is registered:
    the pack's `meeting`), as the link has them, so that the filters' rewrite keeps them."""
    page = _page(pathname)
    own = page.get("own_params", ()) if page else ()
    pairs = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k in own]
    return "&" + urlencode(pairs) if pairs else ""


@callback(Output(ids.FILTER_BAR, "hidden"), Input(ids.URL, "pathname"), page=SHELL)
def show_filters_on_dashboards(pathname: str | None) -> bool:
    """The filter bar belongs to the dashboards; other pages (data and loads) hide it."""
    return not _has_filters(pathname)
