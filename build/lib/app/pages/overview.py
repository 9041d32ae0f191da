"""Overview: what the warehouse holds, per local authority and dataset."""

from __future__ import annotations

import dash
from dash import html

from app import ids
from app.components.grid import grid
from app.state import reader
from warehouse.db import WarehouseError

dash.register_page(__name__, path="/", name="Overview", title="Overview - Safeguarding performance")

DATASET_TITLES = {
    "contacts": "Contacts",
    "referrals": "Referrals",
    "s47": "Section 47 enquiries",
    "cp_plans": "Child protection plans",
    "missing_episodes": "Missing episodes",
}


def layout(**_query: str) -> html.Div:
    try:
        counts = reader().query("fact_counts")
    except WarehouseError as error:
        return html.Div([html.H1("Overview"), html.P(str(error))])
    counts["dataset"] = counts["dataset"].map(DATASET_TITLES)
    return html.Div(
        [
            html.H1("Overview"),
            html.P(
                "Records held in the warehouse for each partnership, by dataset, with the first and last "
                "event dates. The KPI dashboards build on these records."
            ),
            grid(
                ids.OVERVIEW_COUNTS,
                counts,
                {
                    "la_name": "Local authority",
                    "dataset": "Dataset",
                    "n_rows": "Records",
                    "first_date": "First event",
                    "last_date": "Last event",
                },
            ),
        ]
    )
