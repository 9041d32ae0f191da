"""The fields of a form that raises an action from somewhere (a review, a meeting): who leads it,
when it is due, what it is and its success measure. The action tracker's own form has more (its
source, its KPIs); these pages name their source themselves."""

from __future__ import annotations

from collections.abc import Sequence

from dash import dcc, html
from dash.development.base_component import Component

from app.components.choices import select
from app.components.forms import field


def raised_action_fields(
    agencies: Sequence[str],
    *,
    agency_id: str,
    lead_id: str,
    due_id: str,
    title_id: str,
    measure_id: str,
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
