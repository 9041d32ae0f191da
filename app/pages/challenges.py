"""The challenge log: questions put to agencies about a KPI, their answers, and what is overdue.

Entries are listed for the LAs in the viewer's scope only (for a partner limited to agencies,
only the entries raised against those agencies or about their KPIs, which it answers), filtered by status, and exported as CSV. Selecting one shows its history and lets a permitted user answer or close it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app import ids
from app.access import callback
from app.agencies import agencies_in_data
from app.components.choices import checkbox, checklist, chosen, select
from app.components.exports import csv_download
from app.components.forms import done, field, parse_day, refused
from app.components.grid import grid
from app.components.kpi_choices import KPI_CHOICES, KPI_OPTIONS
from app.filters import filter_options
from app.scope import (
    EVERYONE,
    PARTNERSHIP_WORK,
    Permission,
    PermissionDenied,
    challenge_agency,
    challenge_query,
    current_scope,
    current_user,
    may_answer,
    require,
)
from app.view import la_names
from appstate.challenges import (
    Challenge,
    Status,
    answer_challenge,
    close_challenge,
    list_challenges,
    raise_challenge,
)
from appstate.db import session
from warehouse.db import WarehouseError

PAGE = "/challenges"
dash.register_page(
    __name__,
    path=PAGE,
    name="Challenge log",
    order=10,
    group=PARTNERSHIP_WORK,
    title="Challenge log - Safeguarding performance",
    roles=EVERYONE,
)

CHANGED = "challenge-changed"  # a counter the actions bump, so the list redraws
COLUMNS = {
    "id": "No.",
    "raised": "Raised",
    "la": "Local authority",
    "kpi": "KPI",
    "agency": "Agency",
    "question": "Question",
    "owner": "Owner",
    "due": "Due",
    "status": "Status",
    "response": "Response",
}
WIDE = ("question", "response")
DEFAULT_STATUSES = [Status.OPEN.value, Status.ANSWERED.value]


def _status_words(entry: Challenge, today: date) -> str:
    return f"{entry.status} (overdue)" if entry.is_overdue(today) else entry.status


def challenge_frame(statuses: list[str], overdue_only: bool, today: date | None = None) -> pd.DataFrame:
    """The entries in the viewer's scope, as the grid and the CSV show them."""
    today = today or date.today()
    scope = current_scope()
    names = la_names()
    query = challenge_query(scope, scope.la_codes, tuple(statuses or ()), overdue_only)
    with session() as db:
        entries = list_challenges(db, query, today)
    rows = [
        {
            "id": e.id,
            "raised": f"{e.raised_at:%Y-%m-%d} by {e.raised_by}",
            "la": names.get(e.la_code, e.la_code),
            "kpi": KPI_CHOICES.get(e.kpi_id or "", ""),
            "agency": e.agency or "",
            "question": e.question,
            "owner": e.owner,
            "due": e.due_date.isoformat(),
            "status": _status_words(e, today),
            "response": e.response,
        }
        for e in entries
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _raise_form(las: dict[str, str], agencies: list[str]) -> html.Form:
    return html.Form(
        [
            html.H2("Raise a challenge"),
            html.Div(
                [
                    field(
                        "Local authority",
                        select(
                            ids.CHALLENGE_LA,
                            [{"label": n, "value": c} for c, n in las.items()],
                            next(iter(las), None),
                        ),
                    ),
                    field(
                        "KPI",
                        select(
                            ids.CHALLENGE_KPI,
                            KPI_OPTIONS,
                            empty="No one KPI (the question is wider)",
                        ),
                    ),
                    field(
                        "Agency",
                        select(
                            ids.CHALLENGE_AGENCY,
                            [{"label": agency, "value": agency} for agency in agencies],
                            empty="No one agency",
                        ),
                    ),
                    field("Owner", dcc.Input(id=ids.CHALLENGE_OWNER, type="text"), hint="who answers"),
                    field("Due", dcc.Input(id=ids.CHALLENGE_DUE, type="text"), hint="YYYY-MM-DD"),
                ],
                className="form-grid",
            ),
            field("Question", dcc.Textarea(id=ids.CHALLENGE_QUESTION, className="commentary-input")),
            html.Div(
                html.Button(
                    "Raise the challenge",
                    id=ids.CHALLENGE_RAISE,
                    n_clicks=0,
                    type="button",
                    className="button-primary",
                ),
                className="form-actions",
            ),
        ],
        className="app-form",
    )


def layout(**_query: str) -> html.Div:
    try:
        options = filter_options(current_scope().la_codes)
    except WarehouseError as error:
        return html.Div([html.H1("Challenge log"), html.P(str(error))])
    user = current_user()
    return html.Div(
        [
            html.H1("Challenge log"),
            html.P(
                "Questions the partnership puts to an agency about its figures, with the owner, the date an answer is "
                "due and the answer. An open entry past its due date is overdue."
            ),
            _raise_form(options.las, agencies_in_data(options))
            if user.can(Permission.RAISE_CHALLENGES)
            else None,
            html.P(id=ids.CHALLENGE_STATUS_MESSAGE, role="status", className="form-status"),
            dcc.Store(id=CHANGED, data=0),
            html.H2("Entries"),
            html.Div(
                [
                    checklist(
                        ids.CHALLENGE_FILTER_STATUS,
                        "Status",
                        [{"label": s.value, "value": s.value} for s in Status],
                        DEFAULT_STATUSES,
                        inline=True,
                    ),
                    checkbox(ids.CHALLENGE_FILTER_OVERDUE, "Overdue only", "overdue"),
                    html.Button(
                        "Download as CSV", id=ids.CHALLENGES_EXPORT, n_clicks=0, className="button-secondary"
                    ),
                    dcc.Download(id=ids.CHALLENGES_DOWNLOAD),
                ],
                className="form-actions",
            ),
            html.Div(id="challenges-list"),
            html.Div(id=ids.CHALLENGE_SELECTED, className="challenge-selected"),
        ]
    )


@callback(
    Output("challenges-list", "children"),
    Input(ids.CHALLENGE_FILTER_STATUS, "value"),
    Input(ids.CHALLENGE_FILTER_OVERDUE, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_entries(statuses: list[str], overdue: list[str], _changed: int) -> list[html.Div | html.P | None]:
    frame = challenge_frame(statuses, bool(overdue))
    # The grid stays even when empty (the selection callback listens to it), and then says so itself.
    return [
        html.P(f"{len(frame):,} entries.", className="note") if not frame.empty else None,
        grid(
            ids.CHALLENGES_GRID,
            frame,
            COLUMNS,
            wide=WIDE,
            selectable=True,
            page_size=25,
            empty="No entries match.",
        ),
    ]


@callback(
    Output(ids.CHALLENGES_DOWNLOAD, "data"),
    Input(ids.CHALLENGES_EXPORT, "n_clicks"),
    State(ids.CHALLENGE_FILTER_STATUS, "value"),
    State(ids.CHALLENGE_FILTER_OVERDUE, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def export_entries(_clicks: int, statuses: list[str], overdue: list[str]) -> dict[str, str]:
    return csv_download(
        challenge_frame(statuses, bool(overdue)),
        "challenge-log.csv",
        page=PAGE,
        filters={"status": list(statuses or ()), "overdue_only": bool(overdue)},
    )


def _entry_panel(entry: Challenge) -> html.Section:
    user = current_user()
    history = [
        html.Li(
            f"{u.at:%Y-%m-%d %H:%M} {u.status} by {u.by}"
            + (f": {u.note}" if u.note and u.note != "raised" else "")
        )
        for u in entry.updates
    ]
    actions = []
    if entry.status != Status.CLOSED.value:
        if may_answer(user, entry.kpi_id, entry.agency):
            actions += [
                field(
                    "Response",
                    dcc.Textarea(
                        id=ids.CHALLENGE_RESPONSE, value=entry.response, className="commentary-input"
                    ),
                ),
                html.Button(
                    "Record the answer", id=ids.CHALLENGE_ANSWER, n_clicks=0, className="button-primary"
                ),
            ]
        if user.can(Permission.RAISE_CHALLENGES):
            actions.append(
                html.Button(
                    "Close the challenge", id=ids.CHALLENGE_CLOSE, n_clicks=0, className="button-secondary"
                )
            )
    return html.Section(
        [
            html.H2(f"Challenge {entry.id}: {entry.status}"),
            html.P(entry.question, className="commentary-text"),
            html.P(f"Owner {entry.owner}; due {entry.due_date:%d %B %Y}."),
            html.H3("History"),
            html.Ol(history),
            html.Div(actions, className="form-actions"),
        ],
        **{"data-challenge": str(entry.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def _in_scope(challenge_id: int) -> Challenge | None:
    with session() as db:
        entry = db.get(Challenge, challenge_id)
    if entry is None:
        return None
    scope = current_scope()
    answerer = challenge_agency(entry.kpi_id, entry.agency)
    covered = scope.covers(entry.la_code, entry.agency) or scope.covers(entry.la_code, answerer)
    return entry if covered else None


@callback(
    Output(ids.CHALLENGE_SELECTED, "children"),
    Input(ids.CHALLENGES_GRID, "selectedRows"),
    Input(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def show_selected(selected: list[dict] | None, _changed: int) -> html.Section | None:
    if not selected:
        return None
    entry = _in_scope(int(selected[0]["id"]))
    return _entry_panel(entry) if entry else None


def _selected(selected: list[dict] | None) -> Challenge:
    entry = _in_scope(int(selected[0]["id"])) if selected else None
    if entry is None:
        raise ValueError("select a challenge in the list first")
    return entry


@callback(
    Output(ids.CHALLENGE_STATUS_MESSAGE, "children"),
    Output(CHANGED, "data"),
    Input(ids.CHALLENGE_RAISE, "n_clicks"),
    State(ids.CHALLENGE_LA, "value"),
    State(ids.CHALLENGE_KPI, "value"),
    State(ids.CHALLENGE_AGENCY, "value"),
    State(ids.CHALLENGE_QUESTION, "value"),
    State(ids.CHALLENGE_OWNER, "value"),
    State(ids.CHALLENGE_DUE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def raise_entry(_clicks, la_code, kpi_id, agency, question, owner, due, changed):
    try:
        user = require(Permission.RAISE_CHALLENGES)
        if la_code not in current_scope().la_codes:
            raise ValueError("choose a local authority in your scope")
        with session() as db:
            entry = raise_challenge(
                db,
                la_code,
                question or "",
                owner or "",
                parse_day(due, "Due"),
                user.username,
                kpi_id=kpi_id if kpi_id in KPI_CHOICES else None,
                agency=chosen(agency),
            )
    except (PermissionDenied, ValueError) as error:
        return refused(error)
    return done(f"Raised challenge {entry.id}, due {entry.due_date:%d %B %Y}.", changed)


@callback(
    Output(ids.CHALLENGE_STATUS_MESSAGE, "children", allow_duplicate=True),
    Output(CHANGED, "data", allow_duplicate=True),
    Input(ids.CHALLENGE_ANSWER, "n_clicks"),
    State(ids.CHALLENGES_GRID, "selectedRows"),
    State(ids.CHALLENGE_RESPONSE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def answer_entry(clicks, selected, response, changed):
    return _step(
        clicks,
        selected,
        changed,
        Permission.ANSWER_CHALLENGES,
        lambda db, entry_id, username: answer_challenge(db, entry_id, response or "", username),
    )


@callback(
    Output(ids.CHALLENGE_STATUS_MESSAGE, "children", allow_duplicate=True),
    Output(CHANGED, "data", allow_duplicate=True),
    Input(ids.CHALLENGE_CLOSE, "n_clicks"),
    State(ids.CHALLENGES_GRID, "selectedRows"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def close_entry(clicks, selected, changed):
    return _step(clicks, selected, changed, Permission.RAISE_CHALLENGES, close_challenge)


def _step(
    clicks: int | None,
    selected: list[dict] | None,
    changed: int | None,
    permission: Permission,
    action: Callable[[Session, int, str], Challenge],
) -> tuple[str | dash.NoUpdate, object]:
    """Answer or close the selected entry, if the user's role allows it."""
    if not clicks:
        return dash.no_update, dash.no_update  # the button drawn afresh, not pressed
    try:
        user = require(permission)
        entry = _selected(selected)
        if permission is Permission.ANSWER_CHALLENGES and not may_answer(user, entry.kpi_id, entry.agency):
            raise PermissionDenied(
                f"{user.username} may answer only the challenges of {', '.join(user.agencies)}'s KPIs"
            )
        with session() as db:
            entry = action(db, entry.id, user.username)
    except (PermissionDenied, ValueError) as error:
        return refused(error)
    return done(f"Challenge {entry.id} is now {entry.status}.", changed)
