"""Commentary: write "What is the data telling us?" for one KPI, LA and period, with its history.

The KPI, LA and period come from the URL and are checked on the server, against the registry
and the viewer's scope, both when the page is drawn and again when the text is saved. A partner
writes the commentary of its own agency's KPIs (the KPI's `agency`) and reads the others'.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, urlencode

import dash
from dash import Input, Output, State, dcc, html

from app import ids
from app.access import callback
from app.components.forms import field
from app.components.kpi_card import kpi_card
from app.scope import BOARD, PermissionDenied, User, current_scope, current_user, may_write_commentary
from app.view import page_view
from appstate.commentary import Commentary, commentary_history, write_commentary
from appstate.db import session
from warehouse.db import WarehouseError
from warehouse.kpis.model import Kpi
from warehouse.kpis.periods import Period, PeriodKind, parse_period
from warehouse.kpis.registry import REGISTRY

PAGE = "/commentary"
dash.register_page(
    __name__,
    path=PAGE,
    name="Commentary",
    nav=False,
    title="Commentary - Safeguarding performance",
    roles=BOARD,
)


class Subject(NamedTuple):  # not a dataclass: Dash imports pages outside sys.modules
    """What a commentary is about."""

    kpi: Kpi
    la_code: str
    period: Period


def _subject(query: dict[str, list[str]]) -> Subject | str:
    """The KPI, LA and period asked for, or why they cannot be written about."""
    kpi = REGISTRY.get((query.get("kpi") or [""])[0])
    la_code = (query.get("la") or [""])[0]
    if kpi is None or kpi.is_share:
        return "Choose a KPI card's 'Write commentary' link: this address names no KPI that takes commentary."
    if la_code not in current_scope().la_codes:
        return "Commentary is written for one local authority in your scope: this address names none."
    try:
        period = parse_period((query.get("period") or [""])[0])
    except ValueError as error:
        return str(error)
    return Subject(kpi, la_code, period)


def _history(entries: list[Commentary]) -> html.Div | html.P:
    if not entries:
        return html.P("Nothing has been written for this KPI, LA and period yet.", className="note")
    items = [
        html.Li(
            [
                html.P(
                    f"Version {entry.version}: {entry.author}, {entry.written_at:%d %B %Y %H:%M}",
                    className="commentary-by",
                ),
                *(
                    [html.P(p, className="commentary-text") for p in entry.text.split("\n\n")]
                    if entry.text
                    else [html.P("(withdrawn: no commentary shown)", className="note")]
                ),
            ]
        )
        for entry in entries
    ]
    return html.Div([html.H2("History"), html.Ol(items, reversed=True, className="commentary-history")])


def _draft_offer(draft: str, has_text: bool) -> html.Div | html.P | None:
    """Where the generated draft stands: the starting text when nothing is written, else one click away."""
    if not draft:
        return None
    if not has_text:
        return html.P(
            "The text below is a draft generated from the figures. It is not commentary until "
            "you save it: check it, add what the figures cannot say, then save.",
            className="note",
            id=ids.COMMENTARY_DRAFT_NOTE,
        )
    return html.Div(
        [
            html.P(
                "A draft generated from the figures, if you want to start again from it (it replaces the text "
                "below in the editor only; nothing is saved until you save):",
                className="commentary-by",
            ),
            html.P(draft, className="commentary-text commentary-draft-text"),
            html.Button(
                "Use the generated draft",
                id=ids.COMMENTARY_USE_DRAFT,
                n_clicks=0,
                className="button-secondary",
            ),
            dcc.Store(id=ids.COMMENTARY_DRAFT, data=draft),
        ],
        className="note",
        id=ids.COMMENTARY_DRAFT_NOTE,
    )


def layout(**query: str | list[str]) -> html.Div:
    asked = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    subject = _subject(asked)
    if isinstance(subject, str):
        return html.Div([html.H1("Commentary"), html.P(subject, className="note")])
    try:
        page = page_view({"la": subject.la_code, "period": subject.period.code})
    except WarehouseError as error:
        return html.Div([html.H1("Commentary"), html.P(str(error))])
    [assessment] = page.assessments((subject.kpi.id,))
    with session() as db:
        entries = commentary_history(db, subject.kpi.id, subject.la_code, subject.period.code)
    current = entries[0].text if entries else ""
    draft = page.draft(assessment) or ""
    # Six-month commentary belongs to the exception report; the other periods to the dashboards.
    report = subject.period.kind is PeriodKind.ROLLING_6
    back = ("/exceptions?" if report else "/?") + urlencode(
        {"la": subject.la_code, "period": subject.period.code}
    )
    return html.Div(
        [
            html.H1(f"Commentary: {subject.kpi.title}"),
            html.P(
                [
                    page.options.las.get(subject.la_code, subject.la_code),
                    ", ",
                    html.Strong(subject.period.label),
                ]
            ),
            html.Div(kpi_card(assessment), className="card-grid commentary-card"),
            *(
                _editor(current, draft)
                if may_write_commentary(current_user(), subject.kpi)
                else [html.P(_not_yours(subject.kpi), className="note")]
            ),
            html.Div(
                dcc.Link(
                    "Back to the exception report" if report else "Back to the executive summary",
                    href=back,
                    className="card-link",
                ),
                className="form-actions",
            ),
            html.P(id=ids.COMMENTARY_STATUS, role="status", className="form-status"),
            html.Div(_history(entries), id=ids.COMMENTARY_HISTORY),
        ]
    )


def _editor(current: str, draft: str) -> list:
    """The text to write or edit, with the draft offered, for someone who may write it."""
    return [
        _draft_offer(draft, has_text=bool(current)),
        field(
            "What is the data telling us?",
            dcc.Textarea(id=ids.COMMENTARY_TEXT, value=current or draft, className="commentary-input"),
            hint="plain text; a blank line starts a new paragraph; saving keeps every earlier version",
        ),
        html.Button("Save commentary", id=ids.COMMENTARY_SAVE, n_clicks=0, className="button-primary"),
    ]


def _not_yours(kpi: Kpi) -> str:
    """Why the viewer reads this commentary and does not write it."""
    if current_user().speaks_for(kpi.agency):
        return "Your role reads commentary; the board and the data team write it."
    return f"The commentary on this KPI is written by {kpi.agency}, whose work it measures; you can read it here."


def require_writer(kpi: Kpi) -> User:
    """The current user, if they may write `kpi`'s commentary (a partner: its own agency's KPIs)."""
    user = current_user()
    if not may_write_commentary(user, kpi):
        raise PermissionDenied(
            f"{user.username} ({user.role.words}) may not write the commentary of {kpi.title} "
            f"({kpi.agency}'s)"
        )
    return user


@callback(
    Output(ids.COMMENTARY_STATUS, "children"),
    Output(ids.COMMENTARY_HISTORY, "children"),
    Input(ids.COMMENTARY_SAVE, "n_clicks"),
    State(ids.COMMENTARY_TEXT, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
    page=PAGE,
)
def save_commentary(_clicks: int, text: str | None, search: str | None) -> tuple[str, object]:
    subject = _subject(parse_qs((search or "").lstrip("?")))
    if isinstance(subject, str):
        return subject, dash.no_update
    try:
        user = require_writer(subject.kpi)
        with session() as db:
            entry = write_commentary(
                db, subject.kpi.id, subject.la_code, subject.period.code, text or "", user.username
            )
            entries = commentary_history(db, subject.kpi.id, subject.la_code, subject.period.code)
    except (PermissionDenied, ValueError) as error:
        return f"Not saved: {error}.", dash.no_update
    return f"Saved as version {entry.version} by {entry.author}.", _history(entries)


@callback(
    Output(ids.COMMENTARY_TEXT, "value"),
    Input(ids.COMMENTARY_USE_DRAFT, "n_clicks"),
    State(ids.COMMENTARY_DRAFT, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def use_draft(_clicks: int, draft: str | None) -> str | dash.NoUpdate:
    return draft or dash.no_update
