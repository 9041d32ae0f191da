"""The fields of a form that raises an action from somewhere (a review, a meeting): who leads it,
when it is due, what it is, its success measure and the KPIs that would show it worked. The action
tracker's own form has its source too; these pages name their source themselves."""

from __future__ import annotations

from collections.abc import Sequence

from dash import dcc, html
from dash.development.base_component import Component

from app.components.choices import select
from app.components.forms import field
from app.components.kpi_choices import SHOWS_IT_WORKED, linked_kpis


def raised_action_fields(
    agencies: Sequence[str],
    *,
    agency_id: str,
    lead_id: str,
    due_id: str,
    title_id: str,
    measure_id: str,
    kpis_id: str,
    add_id: str,
    first: Sequence[Component] = (),
) -> list[Component]:
    """The fields, `first` ahead of the lead agency in their grid, and the button that raises it."""
    return [
        html.Div(
            [
                *first,
                field(
                    "Lead agency",
                    select(
                        agency_id, [{"label": a, "value": a} for a in agencies], prompt="Choose an agency"
                    ),
                ),
                field("Named lead", dcc.Input(id=lead_id, type="text"), hint="a post holder"),
                field("Due", dcc.Input(id=due_id, type="text"), hint="YYYY-MM-DD"),
                linked_kpis(kpis_id, SHOWS_IT_WORKED),
            ],
            className="form-grid",
        ),
        field("Action", dcc.Input(id=title_id, type="text", className="wide-input")),
        field("Success measure", dcc.Textarea(id=measure_id, className="commentary-input")),
        html.Div(
            html.Button("Raise the action", id=add_id, n_clicks=0, className="button-primary"),
            className="form-actions",
        ),
    ]
