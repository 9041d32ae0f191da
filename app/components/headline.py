"""The executive summary's headline: the RAG counts as badges, then the KPIs that moved the wrong way,
and those with no data for the period."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from app.components.kpi_card import RAG_ICONS
from warehouse.kpis.headline import Headline
from warehouse.kpis.rag import Rag


def headline_banner(found: Headline) -> html.Section:
    counts = [
        (Rag.GREEN, found.on_target, "on target"),
        (Rag.AMBER, found.near, "near"),
        (Rag.RED, found.off, "off"),
    ]
    rag: list[str | Component]
    if found.judged:
        rag = [
            *[
                html.Span(
                    f"{RAG_ICONS[colour]} {n} {words}", className=f"rag rag-{colour.value} headline-count"
                )
                for colour, n, words in counts
            ],
            f" of {found.judged} KPIs with a target",
        ]
    else:
        rag = ["No KPI here has a target to judge it against."]
    moved = (
        f"Moved the wrong way on the previous period: {', '.join(found.worsened)}."
        if found.worsened
        else "None moved the wrong way on the previous period."
    )
    missing = (
        html.P(f"No data for the period: {', '.join(found.no_data)}.", className="headline-moved")
        if found.no_data
        else None
    )
    return html.Section(
        [html.P(rag, className="headline-rag"), html.P(moved, className="headline-moved"), missing],
        className="headline",
        **{"aria-label": "Headline"},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )
