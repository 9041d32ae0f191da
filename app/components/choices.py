"""Every choice control in the app, built from native HTML controls so that screen readers and axe
find each one named and operable: one choice is a <select>; several choices are checkboxes, or radio
buttons, in a fieldset whose legend names them.

Dash 4's own dcc.Dropdown, Checklist and RadioItems are not used: the dropdown hides a focusable
element from assistive technology and nests buttons in its options, and the lists are unnamed
listboxes (axe: aria-hidden-focus, nested-interactive, aria-input-field-name). dash-bootstrap-
components gives the same `options` and `value` properties on native controls; the app does not load
Bootstrap's stylesheet (it works offline), app/assets/style.css styles them.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

Options = Sequence[dict]


def select(
    component_id: str,
    options: Options | None = None,
    value: str | None = None,
    *,
    empty: str | None = None,
    prompt: str = "",
) -> dbc.Select:
    """One choice, as a native select. `empty` names the choice of nothing ("Any KPI", "None"): it
    is offered first, and chosen it gives the value "" (`chosen` reads it as None). `prompt` is what
    the select says until something is chosen ("Choose an agency"), and cannot itself be chosen."""
    choices = [{"label": empty, "value": ""}] if empty is not None else []
    return dbc.Select(
        id=component_id,
        options=choices + list(options or []),
        value="" if value is None else value,
        placeholder=empty or prompt,  # shown for the value "", as the empty choice or the prompt
        class_name="choice-select",
    )


def chosen(value: str | None) -> str | None:
    """A select's value, with its empty choice as None."""
    return value or None


def chosen_number(value: object) -> int | None:
    """A select's value where the options are numbered records (a risk, a saved view): a native
    select gives back the number as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def checklist(
    component_id: str,
    label: str,
    options: Options | None = None,
    value: Sequence[str | int] = (),
    *,
    inline: bool = False,
    scroll: bool = False,
    hint: str | None = None,
) -> html.Fieldset:
    """Several choices: checkboxes under a legend, with a hint in it as forms.field has. `scroll`
    keeps a long list (150 local authorities) in a short box of its own, so the panel around it
    stays usable."""
    return _group(
        [label] + ([html.Span(f" ({hint})", className="field-hint")] if hint else []),
        dbc.Checklist(id=component_id, options=list(options or []), value=list(value), inline=inline),
        inline=inline,
        scroll=scroll,
    )


def radios(
    component_id: str, label: str, options: Options, value: str | int | None = None, *, inline: bool = True
) -> html.Fieldset:
    """One choice of a few, all in view: radio buttons under a legend."""
    return _group(
        label,
        dbc.RadioItems(id=component_id, options=list(options), value=value, inline=inline),
        inline=inline,
    )


def checkbox(component_id: str, label: str, checked: str, value: Sequence[str] = ()) -> dbc.Checklist:
    """A single checkbox named by its own label; its value is [checked] when ticked, else []."""
    return dbc.Checklist(
        id=component_id,
        options=[{"label": label, "value": checked}],
        value=list(value),
        inline=True,
        class_name="choice-checkbox",
    )


def _group(
    label: str | list, control: dbc.Checklist | dbc.RadioItems, *, inline: bool, scroll: bool = False
) -> html.Fieldset:
    classes = ["choices"] + (["choices-inline"] if inline else []) + (["choices-scroll"] if scroll else [])
    return html.Fieldset([html.Legend(label, className="filter-label"), control], className=" ".join(classes))
