"""The action tracker: the partnership's actions from any source, their quarterly progress, and
which are overdue or drifting (appstate/actions.py).

Actions are listed for the LAs in the viewer's scope only; a partner limited to agencies sees,
raises and updates only the actions their agencies lead. Executives read every action in scope.
The list is shown whole, by business plan priority, by source, by lead agency, as "mine" or as
the overdue ones, for one KPI (/actions?kpi=<id>, the link on a KPI's card) or all, and downloads
as CSV or Excel with the same rows. Selecting an action shows its history and, to those who may,
the forms to report progress, complete it or drop it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app import ids
from app.access import callback
from app.agencies import agency_choices
from app.components.action_words import ACTION_COLUMNS, action_flags, action_row, progress_words
from app.components.choices import checklist, chosen, radios, select
from app.components.exports import csv_download, xlsx_download
from app.components.forms import done, field, parse_day, refused
from app.components.grid import grid
from app.components.kpi_choices import KPI_CHOICES, SHOWS_IT_WORKED, linked_kpis
from app.scope import (
    EVERYONE,
    PARTNERSHIP_WORK,
    Permission,
    PermissionDenied,
    Scope,
    current_scope,
    current_user,
    require,
)
from app.view import la_name, la_names
from appstate.actions import (
    PROGRESS_SCALE,
    Action,
    ActionQuery,
    SourceKind,
    Status,
    add_action,
    change_status,
    list_actions,
    record_progress,
)
from appstate.db import session
from warehouse.db import WarehouseError

PAGE = "/actions"
dash.register_page(
    __name__,
    path=PAGE,
    name="Action tracker",
    order=11,
    group=PARTNERSHIP_WORK,
    title="Action tracker - Safeguarding performance",
    roles=EVERYONE,
)

CHANGED = "action-changed"  # a counter the forms bump, so the list and the selection redraw
COLUMNS = ACTION_COLUMNS
# The grid is narrower: the source with its reference and the agency with its lead share a
# column, and the selected action's panel and the downloads show the rest.
GRID_COLUMNS = {
    "id": "No.",
    "title": "Action",
    "from": "Source",
    "led_by": "Lead",
    "due": "Due",
    "status": "Status",
    "progress": "Progress",
    "flags": "Flags",
    "kpis": "Linked KPIs",
    "la": "Local authority",
}
WIDE = ("title", "from", "led_by", "kpis")
HISTORY_COLUMNS = {
    "id": "No.",
    "at": "When",
    "by": "By",
    "status": "Status",
    "progress": "Progress",
    "note": "Note",
}
DEFAULT_STATUSES = [Status.OPEN.value]
# The views: (label, the column the list is grouped by, or None)
VIEWS = {
    "all": ("All", None),
    "priority": ("By business plan priority", "reference"),
    "source": ("By source", "source"),
    "agency": ("By lead agency", "agency"),
    "mine": ("Mine", None),
    "overdue": ("Overdue", None),
}


def _mine(action: Action, username: str, agencies: tuple[str, ...]) -> bool:
    """A partner's agencies lead it, or the user raised it."""
    return action.created_by == username or action.agency in agencies


def scoped_actions(
    scope: Scope, view: str | None, statuses: list[str] | None, kpi_id: str | None, today: date
) -> list[Action]:
    """The actions in the viewer's scope that the view, statuses and KPI pick out."""
    query = ActionQuery(
        la_codes=scope.la_codes,
        agencies=scope.agencies,
        status=tuple(statuses or ()),
        kpi_id=kpi_id if isinstance(kpi_id, str) and kpi_id in KPI_CHOICES else None,
        source_kind=SourceKind.BUSINESS_PLAN.value if view == "priority" else None,
    )
    with session() as db:
        found = list_actions(db, query)
    if view == "mine":
        user = current_user()
        found = [a for a in found if _mine(a, user.username, user.agencies)]
    elif view == "overdue":
        found = [a for a in found if a.is_overdue(today)]
    return found


def action_frames(
    view: str | None, statuses: list[str] | None, kpi_id: str | None, today: date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The actions as the downloads show them (COLUMNS) and the grid (GRID_COLUMNS), and their
    history (every update)."""
    today = today or date.today()
    scope = current_scope()
    names = la_names()
    actions = scoped_actions(scope, view, statuses, kpi_id, today)
    rows = [action_row(a, names, today) for a in actions]
    history = [
        {
            "id": a.id,
            "at": f"{u.at:%Y-%m-%d %H:%M}",
            "by": u.by,
            "status": u.status,
            "progress": "" if u.progress is None else progress_words(u.progress),
            "note": u.note,
        }
        for a in actions
        for u in a.updates
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["from"] = frame["source"] + ": " + frame["reference"]
    frame["led_by"] = frame["lead"] + " (" + frame["agency"] + ")"
    group = VIEWS.get(view or "all", VIEWS["all"])[1]
    if group:
        frame = frame.sort_values([group, "due", "id"], kind="stable").reset_index(drop=True)
    return frame, pd.DataFrame(history, columns=list(HISTORY_COLUMNS))


def group_summary(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    """Per group: how many actions, and how many are open, overdue and drifting."""
    flags = frame["flags"].str.split(", ")
    counted = pd.DataFrame(
        {
            group: frame[group],
            "actions": 1,
            "open": (frame["status"] == Status.OPEN.value).astype(int),
            "overdue": flags.map(lambda f: "overdue" in f).astype(int),
            "drifting": flags.map(lambda f: "drifting" in f).astype(int),
        }
    )
    return counted.groupby(group, sort=True).sum().reset_index()


def _summary_table(frame: pd.DataFrame, group: str) -> html.Table:
    summary = group_summary(frame, group)
    # the priority view lists business plan actions only, so their reference is the priority
    label = "Business plan priority" if group == "reference" else COLUMNS[group]
    header = [label, "Actions", "Open", "Overdue", "Drifting"]
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody(
                [
                    html.Tr(
                        [html.Th(row[0], scope="row"), *[html.Td(str(v), className="num") for v in row[1:]]]
                    )
                    for row in summary.itertuples(index=False)
                ]
            ),
        ],
        className="actions-summary",
    )


def _add_form(las: dict[str, str], agencies: list[str], kpi_id: str | None, la_code: str | None) -> html.Form:
    return html.Form(
        [
            html.H2("Raise an action"),
            html.Div(
                [
                    field(
                        "Local authority",
                        select(
                            ids.ACTION_LA,
                            [{"label": n, "value": c} for c, n in las.items()],
                            la_code or next(iter(las), None),
                        ),
                    ),
                    field(
                        "Source",
                        select(
                            ids.ACTION_SOURCE,
                            [{"label": k.value, "value": k.value} for k in SourceKind],
                            SourceKind.BUSINESS_PLAN.value,
                        ),
                    ),
                    field(
                        "Priority, review or meeting",
                        dcc.Input(id=ids.ACTION_SOURCE_REF, type="text"),
                        hint="the business plan priority, or which review, audit or meeting",
                    ),
                    field(
                        "Lead agency",
                        select(
                            ids.ACTION_AGENCY,
                            [{"label": a, "value": a} for a in agencies],
                            agencies[0] if len(agencies) == 1 else None,
                            prompt="Choose an agency",
                        ),
                    ),
                    field("Named lead", dcc.Input(id=ids.ACTION_LEAD, type="text"), hint="a post holder"),
                    field("Due", dcc.Input(id=ids.ACTION_DUE, type="text"), hint="YYYY-MM-DD"),
                    linked_kpis(ids.ACTION_KPIS, SHOWS_IT_WORKED, [kpi_id] if kpi_id else []),
                ],
                className="form-grid",
            ),
            field("Action", dcc.Input(id=ids.ACTION_TITLE, type="text", className="wide-input")),
            field("Success measure", dcc.Textarea(id=ids.ACTION_MEASURE, className="commentary-input")),
            html.Div(
                html.Button(
                    "Raise the action",
                    id=ids.ACTION_ADD,
                    n_clicks=0,
                    type="button",
                    className="button-primary",
                ),
                className="form-actions",
            ),
        ],
        className="app-form",
    )


def layout(kpi: str | None = None, la: str | None = None, **_query: str) -> html.Div:
    try:
        scope = current_scope()
        las = la_names()
        agencies = agency_choices(scope)
    except WarehouseError as error:
        return html.Div([html.H1("Action tracker"), html.P(str(error))])
    kpi_id = kpi if isinstance(kpi, str) and kpi in KPI_CHOICES else None
    user = current_user()
    return html.Div(
        [
            html.H1("Action tracker"),
            html.P(
                "Actions from the business plan, practice reviews, audits and board meetings, with their lead, "
                "due date, success measure and the KPIs that would show they worked. Each lead reports progress "
                "every quarter from 1 (poor) to 4 (strong or complete). An open action past its due date is "
                "overdue; it is drifting when nobody has reported on it for a quarter, or its last two reports "
                "were 1 or 2."
            ),
            _add_form(las, agencies, kpi_id, la if isinstance(la, str) and la in las else None)
            if user.can(Permission.MANAGE_ACTIONS)
            else None,
            html.P(id=ids.ACTION_STATUS_MESSAGE, role="status", className="form-status"),
            dcc.Store(id=CHANGED, data=0),
            html.H2("Actions"),
            html.Div(
                [
                    radios(
                        ids.ACTIONS_VIEW,
                        "View",
                        [{"label": label, "value": key} for key, (label, _g) in VIEWS.items()],
                        "all",
                    ),
                    checklist(
                        ids.ACTIONS_FILTER_STATUS,
                        "Status",
                        [{"label": s.value, "value": s.value} for s in Status],
                        DEFAULT_STATUSES,
                        inline=True,
                    ),
                    field(
                        "Linked to",
                        select(
                            ids.ACTIONS_FILTER_KPI,
                            [{"label": t, "value": k} for k, t in KPI_CHOICES.items()],
                            kpi_id,
                            empty="Any KPI",
                        ),
                    ),
                ],
                className="actions-filters",
            ),
            html.Div(
                [
                    html.Button(
                        "Download as CSV", id=ids.ACTIONS_CSV, n_clicks=0, className="button-secondary"
                    ),
                    html.Button(
                        "Download as Excel", id=ids.ACTIONS_XLSX, n_clicks=0, className="button-secondary"
                    ),
                    dcc.Download(id=ids.ACTIONS_DOWNLOAD),
                ],
                className="form-actions",
            ),
            html.Div(id=ids.ACTIONS_LIST),
            _grid(pd.DataFrame(columns=list(GRID_COLUMNS))),
            html.Div(
                [
                    html.Div(id=ids.ACTION_SELECTED),
                    html.Div(
                        _progress_form() if user.can(Permission.MANAGE_ACTIONS) else None,
                        id=ids.ACTION_FORM,
                        style=HIDDEN,
                    ),
                ],
                className="challenge-selected",
            ),
        ]
    )


def _count_words(count: int) -> str:
    """How many actions the grid lists (when it lists none, the grid says so itself)."""
    return f"{count:,} action{'' if count == 1 else 's'}."


def _grid(frame: pd.DataFrame) -> dag.AgGrid:
    table = grid(
        ids.ACTIONS_GRID,
        frame,
        GRID_COLUMNS,
        wide=WIDE,
        selectable=True,
        page_size=25,
        empty="No actions match.",
    )
    # Rows are known by their number, so the action just updated stays selected, its panel open.
    table.getRowId = "params.data.id"
    return table


@callback(
    Output(ids.ACTIONS_LIST, "children"),
    Output(ids.ACTIONS_GRID, "rowData"),
    Input(ids.ACTIONS_VIEW, "value"),
    Input(ids.ACTIONS_FILTER_STATUS, "value"),
    Input(ids.ACTIONS_FILTER_KPI, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_actions(
    view: str | None, statuses: list[str] | None, kpi_id: str | None, _changed: int
) -> tuple[list[html.Table | html.P | None], list[dict]]:
    frame, _history = action_frames(view, statuses, kpi_id)
    group = VIEWS.get(view or "all", VIEWS["all"])[1]
    summary = [
        _summary_table(frame, group) if group and not frame.empty else None,
        html.P(_count_words(len(frame)), className="note") if not frame.empty else None,
    ]
    return summary, _grid(frame).rowData


@callback(
    Output(ids.ACTIONS_DOWNLOAD, "data"),
    Input(ids.ACTIONS_CSV, "n_clicks"),
    Input(ids.ACTIONS_XLSX, "n_clicks"),
    State(ids.ACTIONS_VIEW, "value"),
    State(ids.ACTIONS_FILTER_STATUS, "value"),
    State(ids.ACTIONS_FILTER_KPI, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def export_actions(
    _csv: int, _xlsx: int, view: str | None, statuses: list[str] | None, kpi_id: str | None
) -> dict[str, Any]:
    frame, history = action_frames(view, statuses, kpi_id)
    used = {"page": PAGE, "view": view or "all", "status": list(statuses or ()), "kpi": chosen(kpi_id)}
    named = frame[list(COLUMNS)].rename(columns=COLUMNS)
    if dash.ctx.triggered_id == ids.ACTIONS_XLSX:
        sheets = {"Actions": named, "Progress history": history.rename(columns=HISTORY_COLUMNS)}
        return xlsx_download(sheets, "actions.xlsx", **used)
    return csv_download(named, "actions.csv", **used)


def _may_change(entry: Action) -> bool:
    return current_user().can(Permission.MANAGE_ACTIONS) and entry.status == Status.OPEN.value


def _entry_panel(entry: Action, today: date) -> html.Section:
    history = [
        html.Li(
            f"{u.at:%Y-%m-%d %H:%M} {u.by}: "
            + (f"progress {progress_words(u.progress)}" if u.progress is not None else u.status)
            + (f". {u.note}" if u.note and u.note != "raised" else "")
        )
        for u in entry.updates
    ]
    flags = action_flags(entry, today)
    return html.Section(
        [
            html.H2(f"Action {entry.id}: {entry.status}" + (f" ({flags})" if flags else "")),
            html.P(entry.title, className="commentary-text"),
            html.P(
                f"{la_name(entry.la_code)}, {entry.source_kind}: {entry.source_ref}. Led by {entry.lead} "
                f"({entry.agency}); due "
                f"{entry.due_date:%d %B %Y}. Progress: {progress_words(entry.progress)}."
            ),
            html.P(f"Success measure: {entry.success_measure}"),
            html.P("Linked KPIs: " + ("; ".join(KPI_CHOICES.get(k, k) for k in entry.kpi_ids) or "none")),
            html.H3("History"),
            html.Ol(history),
        ],
        **{"data-action": str(entry.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def _progress_form() -> html.Section:
    """The form to report progress on, complete or drop the selected action. It stays in the page
    (shown only for an action the user may change), so redrawing the action's details never
    clears what someone is typing; a recorded step clears it."""
    return html.Section(
        [
            html.H3("Report progress"),
            radios(
                ids.ACTION_PROGRESS,
                "Progress",
                [{"label": progress_words(p), "value": p} for p in PROGRESS_SCALE],
            ),
            field(
                "Note",
                dcc.Textarea(id=ids.ACTION_NOTE, className="commentary-input"),
                hint="what was done; for dropping, why",
            ),
            html.Div(
                [
                    html.Button(
                        "Record progress", id=ids.ACTION_RECORD, n_clicks=0, className="button-primary"
                    ),
                    html.Button(
                        "Mark complete", id=ids.ACTION_COMPLETE, n_clicks=0, className="button-secondary"
                    ),
                    html.Button(
                        "Drop the action", id=ids.ACTION_DROP, n_clicks=0, className="button-secondary"
                    ),
                ],
                className="form-actions",
            ),
        ]
    )


HIDDEN = {"display": "none"}


def _in_scope(action_id: int) -> Action | None:
    with session() as db:
        entry = db.get(Action, action_id)
    return entry if entry is not None and current_scope().covers(entry.la_code, entry.agency) else None


@callback(
    Output(ids.ACTION_SELECTED, "children"),
    Output(ids.ACTION_FORM, "style"),
    Input(ids.ACTIONS_GRID, "selectedRows"),
    Input(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def show_selected(selected: list[dict] | None, _changed: int) -> tuple[html.Section | None, dict]:
    entry = _in_scope(int(selected[0]["id"])) if selected else None
    if entry is None:
        return None, HIDDEN
    return _entry_panel(entry, date.today()), {} if _may_change(entry) else HIDDEN


@callback(
    Output(ids.ACTION_STATUS_MESSAGE, "children"),
    Output(CHANGED, "data"),
    Input(ids.ACTION_ADD, "n_clicks"),
    State(ids.ACTION_LA, "value"),
    State(ids.ACTION_TITLE, "value"),
    State(ids.ACTION_SOURCE, "value"),
    State(ids.ACTION_SOURCE_REF, "value"),
    State(ids.ACTION_AGENCY, "value"),
    State(ids.ACTION_LEAD, "value"),
    State(ids.ACTION_DUE, "value"),
    State(ids.ACTION_MEASURE, "value"),
    State(ids.ACTION_KPIS, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def raise_action(_clicks, la_code, title, source, source_ref, agency, lead, due, measure, kpi_ids, changed):
    try:
        user = require(Permission.MANAGE_ACTIONS)
        scope = current_scope()
        if la_code not in scope.la_codes:
            raise ValueError("choose a local authority in your scope")
        if not agency:
            raise ValueError("choose the lead agency")
        if not scope.covers(la_code, agency):
            raise ValueError(f"you may raise actions led by {', '.join(scope.agencies)} only")
        with session() as db:
            entry = add_action(
                db,
                la_code,
                title or "",
                source or "",
                source_ref or "",
                agency,
                lead or "",
                parse_day(due, "Due"),
                measure or "",
                user.username,
                kpi_ids=list(kpi_ids or ()),
            )
    except (PermissionDenied, ValueError) as error:
        return refused(error)
    return done(f"Raised action {entry.id}, due {entry.due_date:%d %B %Y}.", changed)


def _step(
    clicks: int | None,
    selected: list[dict] | None,
    changed: int | None,
    action: Callable[[Session, int, str], Action],
    said: str,
) -> tuple[str | dash.NoUpdate, object, object, object]:
    """Change the selected action, if the user's role allows it and it is theirs to change."""
    if not clicks:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update  # drawn afresh, not pressed
    try:
        user = require(Permission.MANAGE_ACTIONS)
        entry = _in_scope(int(selected[0]["id"])) if selected else None
        if entry is None:
            raise ValueError("select an action in the list first")
        with session() as db:
            entry = action(db, entry.id, user.username)
    except (PermissionDenied, ValueError) as error:
        return (*refused(error), dash.no_update, dash.no_update)
    message, bumped = done(
        said.format(id=entry.id, status=entry.status, progress=progress_words(entry.progress)), changed
    )
    return message, bumped, None, ""  # the form cleared for the next step


@callback(
    Output(ids.ACTION_STATUS_MESSAGE, "children", allow_duplicate=True),
    Output(CHANGED, "data", allow_duplicate=True),
    Output(ids.ACTION_PROGRESS, "value", allow_duplicate=True),
    Output(ids.ACTION_NOTE, "value", allow_duplicate=True),
    Input(ids.ACTION_RECORD, "n_clicks"),
    State(ids.ACTIONS_GRID, "selectedRows"),
    State(ids.ACTION_PROGRESS, "value"),
    State(ids.ACTION_NOTE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def record_action_progress(clicks, selected, progress, note, changed):
    return _step(
        clicks,
        selected,
        changed,
        lambda db, action_id, by: record_progress(db, action_id, progress, note or "", by),
        "Action {id}: progress {progress} recorded.",
    )


@callback(
    Output(ids.ACTION_STATUS_MESSAGE, "children", allow_duplicate=True),
    Output(CHANGED, "data", allow_duplicate=True),
    Output(ids.ACTION_PROGRESS, "value", allow_duplicate=True),
    Output(ids.ACTION_NOTE, "value", allow_duplicate=True),
    Input(ids.ACTION_COMPLETE, "n_clicks"),
    State(ids.ACTIONS_GRID, "selectedRows"),
    State(ids.ACTION_NOTE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def complete_action(clicks, selected, note, changed):
    return _step(
        clicks,
        selected,
        changed,
        lambda db, action_id, by: change_status(db, action_id, Status.COMPLETE, by, note or ""),
        "Action {id} is now {status}.",
    )


@callback(
    Output(ids.ACTION_STATUS_MESSAGE, "children", allow_duplicate=True),
    Output(CHANGED, "data", allow_duplicate=True),
    Output(ids.ACTION_PROGRESS, "value", allow_duplicate=True),
    Output(ids.ACTION_NOTE, "value", allow_duplicate=True),
    Input(ids.ACTION_DROP, "n_clicks"),
    State(ids.ACTIONS_GRID, "selectedRows"),
    State(ids.ACTION_NOTE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def drop_action(clicks, selected, note, changed):
    return _step(
        clicks,
        selected,
        changed,
        lambda db, action_id, by: change_status(db, action_id, Status.DROPPED, by, note or ""),
        "Action {id} is now {status}.",
    )
