"""Targets: the data team and admins set a KPI's target for an LA from a date, with a tolerance.

A target is never edited in place: a new one from a later date replaces it from then on, and
the history below shows every target with who set it and when.
"""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from app import ids
from app.access import callback
from app.components.choices import select
from app.components.forms import field, parse_day, parse_number
from app.components.grid import grid
from app.scope import DATA, DATA_PAGES, Permission, PermissionDenied, current_user, require
from app.view import la_names
from appstate.db import session
from appstate.targets import DEFAULT_TOLERANCE_PERCENT, all_targets, set_target, target_in_force
from warehouse.db import WarehouseError
from warehouse.kpis.formatting import format_number
from warehouse.kpis.model import Direction
from warehouse.kpis.periods import financial_year_start
from warehouse.kpis.registry import REGISTRY

PAGE = "/targets"
dash.register_page(
    __name__,
    path=PAGE,
    name="Targets",
    order=12,
    group=DATA_PAGES,
    title="Targets - Safeguarding performance",
    roles=DATA,
)

TARGETABLE = {k.id: k for k in REGISTRY.values() if k.direction is not Direction.NEUTRAL and not k.is_share}
HISTORY_COLUMNS = {
    "kpi": "KPI",
    "la": "Local authority",
    "effective_from": "From",
    "target": "Target",
    "tolerance": "Tolerance (%)",
    "in_force": "In force today",
    "set_by": "Set by",
    "set_at": "Set at",
}


def _history_frame(names: dict[str, str]) -> pd.DataFrame:
    today = date.today()
    with session() as db:
        targets = all_targets(db, tuple(names))
        in_force = {t.id for t in (target_in_force(db, t.kpi_id, t.la_code, today) for t in targets) if t}
    rows = [
        {
            "kpi": TARGETABLE[t.kpi_id].title if t.kpi_id in TARGETABLE else t.kpi_id,
            "la": names.get(t.la_code, t.la_code),
            "effective_from": t.effective_from.isoformat(),
            "target": format_number(t.value, REGISTRY[t.kpi_id].unit) + (" (demo)" if t.is_demo else ""),
            "tolerance": t.tolerance_percent,
            "in_force": "yes" if t.id in in_force else "",
            "set_by": t.set_by,
            "set_at": t.set_at.strftime("%Y-%m-%d %H:%M"),
        }
        for t in targets
    ]
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def layout(**_query: str) -> html.Div:
    try:
        names = la_names()
    except WarehouseError as error:
        return html.Div([html.H1("Targets"), html.P(str(error))])
    user = current_user()
    header = [
        html.H1("Targets"),
        html.P(
            "A target applies to the whole local authority from its date until a later one replaces it. "
            "RAG is green on target or better, amber when worse but within the tolerance (a % of the "
            "target), red beyond it, by each KPI's direction of good."
        ),
    ]
    form: Component
    if not user.can(Permission.SET_TARGETS):
        form = html.P(
            f"Your role ({user.role.value.replace('_', ' ')}) can see targets but not set them.",
            className="note",
        )
    else:
        form = html.Form(
            [
                html.Div(
                    [
                        field(
                            "KPI",
                            select(
                                ids.TARGET_KPI,
                                [{"label": k.title, "value": k.id} for k in TARGETABLE.values()],
                                prompt="Choose a KPI",
                            ),
                        ),
                        field(
                            "Local authority",
                            select(
                                ids.TARGET_LA,
                                [{"label": n, "value": c} for c, n in names.items()],
                                next(iter(names), None),
                            ),
                        ),
                        field(
                            "From",
                            dcc.Input(
                                id=ids.TARGET_FROM,
                                type="text",
                                debounce=False,
                                value=date(financial_year_start(date.today()), 4, 1).isoformat(),
                            ),
                            hint="YYYY-MM-DD",
                        ),
                        field(
                            "Target",
                            dcc.Input(id=ids.TARGET_VALUE, type="number"),
                            hint="% or count, as the KPI",
                        ),
                        field(
                            "Tolerance (%)",
                            dcc.Input(
                                id=ids.TARGET_TOLERANCE, type="number", min=0, value=DEFAULT_TOLERANCE_PERCENT
                            ),
                        ),
                    ],
                    className="form-grid",
                ),
                html.Div(
                    html.Button(
                        "Set the target",
                        id=ids.TARGET_SAVE,
                        n_clicks=0,
                        type="button",
                        className="button-primary",
                    ),
                    className="form-actions",
                ),
                html.P(id=ids.TARGET_STATUS, role="status", className="form-status"),
            ],
            className="app-form",
        )
    return html.Div(
        [
            *header,
            form,
            html.H2("Every target set"),
            html.Div(
                grid(ids.TARGETS_GRID, _history_frame(names), HISTORY_COLUMNS, page_size=25),
                id="targets-history",
            ),
        ]
    )


@callback(
    Output(ids.TARGET_STATUS, "children"),
    Output("targets-history", "children"),
    Input(ids.TARGET_SAVE, "n_clicks"),
    State(ids.TARGET_KPI, "value"),
    State(ids.TARGET_LA, "value"),
    State(ids.TARGET_FROM, "value"),
    State(ids.TARGET_VALUE, "value"),
    State(ids.TARGET_TOLERANCE, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def save_target(_clicks, kpi_id, la_code, effective_from, value, tolerance):
    try:
        user = require(Permission.SET_TARGETS)
        if kpi_id not in TARGETABLE:
            raise ValueError("choose a KPI")
        names = la_names()
        if la_code not in names:
            raise ValueError("choose a local authority in your scope")
        with session() as db:
            target = set_target(
                db,
                kpi_id,
                la_code,
                parse_day(effective_from, "From"),
                parse_number(value, "Target"),
                set_by=user.username,
                tolerance_percent=parse_number(tolerance, "Tolerance"),
            )
    except (PermissionDenied, ValueError) as error:
        return f"Not set: {error}.", dash.no_update
    kpi = TARGETABLE[kpi_id]
    return (
        (
            f"Set: {kpi.title} for {names[la_code]}, {format_number(target.value, kpi.unit)} from "
            f"{target.effective_from:%d %B %Y}, by {user.username}."
        ),
        grid(ids.TARGETS_GRID, _history_frame(names), HISTORY_COLUMNS, page_size=25),
    )
