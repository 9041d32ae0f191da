"""What the app-state forms (targets, the challenge log, the action tracker) share: labelled fields,
typed input, and the answer to a form's button."""

from __future__ import annotations

from datetime import date, datetime

import dash
from dash import html
from dash.development.base_component import Component


def field(label: str, control: Component, hint: str | None = None) -> html.Div:
    """A control with its label; a hint sits inside the label, so it is read out with it."""
    words = [label] + ([html.Span(f" ({hint})", className="field-hint")] if hint else [])
    control_id = control.id  # type: ignore[attr-defined]  # Dash sets props as attributes; Component declares none
    return html.Div(
        [html.Label(words, htmlFor=control_id, className="filter-label"), control], className="form-field"
    )


def parse_day(text: str | None, what: str) -> date:
    """A date typed as YYYY-MM-DD or DD/MM/YYYY; anything else is an error that says which field."""
    cleaned = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        f"{what} '{cleaned}' is not a date: use YYYY-MM-DD or DD/MM/YYYY"
        if cleaned
        else f"{what} is required"
    )


def parse_number(value: str | float | None, what: str) -> float:
    if value is None or value == "":
        raise ValueError(f"{what} is required")
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} '{value}' is not a number") from error


def done(message: str, changed: int | None) -> tuple[str, int]:
    """A form's change made: its message, and the change counter the page's lists redraw on."""
    return message, (changed or 0) + 1


def refused(error: Exception) -> tuple[str, object]:
    """A form's change refused, with why: the lists stay as they are."""
    return f"Not done: {error}.", dash.no_update
