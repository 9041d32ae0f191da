"""The strip every page carries: how fresh the data is, and a plain warning on demo data."""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from app.state import reader
from warehouse.db import WarehouseError


@dataclass(frozen=True)
class DataStatus:
    as_at: str  # the data date in words, as printed pages show it
    synthetic: bool


def data_status() -> DataStatus:
    """How fresh the data is and whether it is demo data; raises WarehouseError if unreadable."""
    status = reader().query("data_status").iloc[0]
    as_at = status["data_as_at"]
    return DataStatus(as_at.strftime("%d %B %Y") if as_at is not None else "no loads", bool(status["has_synthetic"]))


def data_status_strip() -> html.Div:
    try:
        status = reader().query("data_status").iloc[0]
    except WarehouseError as error:
        return html.Div(
            [html.Strong("The warehouse cannot be read. "), str(error)], className="banner banner-warning", role="status"
        )
    as_at = status["data_as_at"]
    parts = [
        html.Span(
            ["Data as at ", html.Strong(as_at.strftime("%d %B %Y") if as_at is not None else "no loads yet")],
            className="as-at",
        )
    ]
    if status["has_synthetic"]:
        parts.insert(
            0,
            html.Div(
                [
                    html.Strong("Synthetic demo data. "),
                    "Every figure on this page is made up by the demo generator. It describes no real child "
                    "and no real local authority's performance.",
                ],
                className="banner banner-demo",
                role="note",
            ),
        )
    return html.Div(parts, className="status-strip")
