"""A table that may be wider than the window (a phone, a projector): it scrolls sideways inside its
own box, never the page (WCAG 1.4.10 allows that only of content such as a data table), and says so.
app/assets/table_scroll.js marks the box with the sides that have more columns, and the stylesheet
draws that as a hint above the table ("Scroll for more columns →") and a shadow at the edge; the
grids (app/components/grid.py) get the same hint and shadow."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from dash import html

from app.components.static_html import Markup


def scroll_box(
    table: html.Table | Markup,
    labelled_by: str | None = None,
    label: str | None = None,
    row_names: bool = True,
) -> html.Div:
    """`table` in a box that scrolls sideways: a region named by the heading `labelled_by` (or by
    `label`), which the keyboard can reach and scroll. With `row_names`, the first column names each
    row, and stays in view while the rest scrolls."""
    named = {"aria-labelledby": labelled_by} if labelled_by else {"aria-label": label}
    return html.Div(
        html.Div(table, className="table-scroll-box", tabIndex="0", role="region", **named),
        className="table-scroll table-row-names" if row_names else "table-scroll",
    )


def listing(header: Sequence[str], rows: list[html.Tr], class_name: str, label: str) -> html.Div:
    """A register's table (the risks, the reviews): a row each under `header`, first its number, in
    a scroll box named `label`."""
    table = html.Table(
        [html.Thead(html.Tr([html.Th(h, scope="col") for h in header])), html.Tbody(rows)],
        className=class_name,
    )
    return scroll_box(table, label=label, row_names=False)


def frame_table(frame: pd.DataFrame, label: str, component_id: str) -> html.Div:
    """A frame of figures as a plain table in a scroll box named `label`: its first column names each
    row (a month, a KPI) and stays in view, the others are figures, read across. A page's table of
    figures is read, not sorted or filtered: a table the browser lays out at once, where a grid
    component cost a dashboard a quarter of its drawing time. Made of Markup (static HTML), not Dash
    components: a table of 25 months is hundreds of cells."""
    name, *figures = frame.columns
    head = Markup(
        "tr",
        [Markup("th", name, scope="col"), *[Markup("th", f, scope="col", className="num") for f in figures]],
    )
    body = [
        Markup(
            "tr",
            [Markup("th", row[0], scope="row"), *[Markup("td", value, className="num") for value in row[1:]]],
        )
        for row in zip(*(frame[column].tolist() for column in frame.columns))
    ]
    table = Markup("table", [Markup("thead", head), Markup("tbody", body)], className="figures-table")
    return html.Div(scroll_box(table, label=label), id=component_id)
