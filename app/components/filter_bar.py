"""The shared filter bar: period, scope and the dimensions, with a reset and the filters in words."""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from app import ids
from app.components.choices import checkbox, checklist, select
from app.filters import DIMENSIONS, PERIOD_KINDS

LABELS = {"la": "Local authority"} | {key: dimension.label for key, dimension in DIMENSIONS.items()}


def _field(label: str, control: Component, wide: bool = False) -> html.Div:
    control_id = control.id  # type: ignore[attr-defined]  # Dash sets props as attributes; Component declares none
    return html.Div(
        [html.Label(label, htmlFor=control_id, className="filter-label"), control],
        className="filter-field filter-field-wide" if wide else "filter-field",
    )


def saved_views_row() -> html.Div:
    """Open a saved view, or save this one (its page and filters) under a name."""
    return html.Div(
        [
            _field("Saved views", select(ids.SAVED_VIEW_OPEN, prompt="Open a saved view")),
            _field("Save this view as", dcc.Input(id=ids.SAVED_VIEW_NAME, type="text", placeholder="Name")),
            checkbox(ids.SAVED_VIEW_SHARED, "Share with my role in my partnership", "shared"),
            html.Button("Save view", id=ids.SAVED_VIEW_SAVE, n_clicks=0, className="button-secondary"),
            html.P(id=ids.SAVED_VIEW_STATUS, role="status", className="form-status"),
        ],
        className="saved-views no-print",
    )


def filter_bar() -> html.Section:
    """Empty controls: the URL callback fills their options and values on every visit."""
    period_kind = select(
        ids.FILTER_PERIOD_KIND,
        [{"label": words, "value": kind.value} for kind, words in PERIOD_KINDS.items()],
    )
    period = select(ids.FILTER_PERIOD)
    # None ticked is all of them, as the summary line says.
    dimensions = [
        checklist(component_id, LABELS[param], scroll=True)
        for param, component_id in ids.FILTER_DIMENSIONS.items()
    ]
    # One line that says what is shown, with the controls folded away under it: a projected summary
    # keeps its first screen for the figures, and one click opens the filters.
    return html.Section(
        [
            html.H2("Filters", className="visually-hidden"),
            dcc.Store(id=ids.FILTER_FILLED),
            html.P(id=ids.FILTER_SUMMARY, className="filter-summary", **{"aria-live": "polite"}),  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
            html.Details(
                [
                    html.Summary("Change filters", className="filter-toggle"),
                    html.Div(
                        [
                            _field("Period", period_kind),
                            # "12 months to November 2026 (Dec 2025 to Nov 2026)": three columns
                            _field("Ending", period, wide=True),
                            *dimensions,
                            html.Button(
                                "Reset filters", id=ids.FILTER_RESET, className="button-secondary", n_clicks=0
                            ),
                        ],
                        className="filter-grid",
                    ),
                    saved_views_row(),
                ],
                id=ids.FILTER_DETAILS,
                className="filter-details",
            ),
        ],
        id=ids.FILTER_BAR,
        className="filter-bar",
        **{"aria-label": "Filters"},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )
