"""Board meetings: the meetings of the viewer's LAs, each with its attendees by agency, its agenda
built from the meeting pack's sections (app/pack_sections.py), its decisions and the actions raised
in it (tracked in the action tracker), the meeting's own pack to print, and its actions to download
after the meeting (appstate/meetings.py).

Admins and the data team create meetings, set their agendas and raise their actions; executives
read them and record decisions; partners read them, and see only the actions their agencies lead
(docs/security.md). Every change is checked on the server before it is made.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app import ids
from app.access import callback
from app.agencies import agency_choices
from app.components.action_form import raised_action_fields
from app.components.action_words import ACTION_COLUMNS, action_row
from app.components.choices import checklist, chosen_number, select
from app.components.chosen_change import change_chosen, change_outputs
from app.components.exports import csv_download, xlsx_download
from app.components.forms import done, field, parse_day, refused
from app.components.table_scroll import scroll_box
from app.pack_sections import action_table, agenda_item_words, pack_sections
from app.scope import (
    BOARD,
    BOARD_PAGES,
    Permission,
    PermissionDenied,
    current_scope,
    current_user,
    require,
)
from app.view import la_names
from appstate.actions import Action
from appstate.db import session
from appstate.meetings import (
    AgendaEntry,
    AgendaItem,
    Meeting,
    add_decision,
    add_meeting,
    attendees_text,
    changed_agenda,
    get_meeting,
    list_meetings,
    meeting_actions,
    parse_attendees,
    raise_meeting_action,
    set_agenda,
    set_attendees,
)
from warehouse.db import WarehouseError

PAGE = "/meetings"
dash.register_page(
    __name__,
    path=PAGE,
    name="Meetings",
    order=8.5,
    group=BOARD_PAGES,
    title="Meetings - Safeguarding performance",
    roles=BOARD,
)

CHANGED = "meeting-changed"  # a counter the forms bump, so the list and the chosen meeting redraw
HIDDEN = {"display": "none"}
NO_CHILD = "post holders and their agency: never a child"


def _in_scope(chosen: object) -> Meeting | None:
    """The chosen meeting, if the viewer's scope holds all its LAs."""
    meeting_id = chosen_number(chosen)
    if meeting_id is None:
        return None
    with session() as db:
        return get_meeting(db, meeting_id, current_scope().la_codes)


def _meetings() -> list[Meeting]:
    with session() as db:
        return list_meetings(db, current_scope().la_codes)


def _actions_of(meeting: Meeting) -> list[Action]:
    """The meeting's actions the viewer may see: a partner's, those its agencies lead."""
    with session() as db:
        return meeting_actions(db, meeting, current_scope().agencies)


def _choices(meetings: list[Meeting]) -> list[dict]:
    return [{"label": m.label, "value": str(m.id)} for m in meetings]


def _la_words(meeting: Meeting, las: dict[str, str]) -> str:
    return ", ".join(las.get(code, code) for code in meeting.la_codes)


def _meetings_table(meetings: list[Meeting], las: dict[str, str]) -> html.Div | html.P:
    if not meetings:
        return html.P("No meetings yet.", className="note")
    header = ["Date", "Meeting", "Local authorities", "Attendees", "Agenda items", "Decisions", "Actions"]
    return scroll_box(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(f"{m.held_on:%d %b %Y}"),
                                html.Th(m.title, scope="row"),
                                html.Td(_la_words(m, las)),
                                html.Td(str(len(m.attendees)), className="num"),
                                html.Td(str(len(m.agenda)), className="num"),
                                html.Td(str(len(m.decisions)), className="num"),
                                html.Td(str(len(m.action_ids)), className="num"),
                            ]
                        )
                        for m in meetings
                    ]
                ),
            ],
            className="pack-table meetings-list",
        ),
        label="Meetings",
        row_names=False,
    )


def _pack_query(meeting: Meeting) -> str:
    return "?" + urlencode([("meeting", meeting.id), *(("la", code) for code in meeting.la_codes)])


def _agenda_item(item: AgendaItem, position: int, last: int, manages: bool) -> html.Li:
    """An agenda item in words; for those who manage meetings, with buttons to move it a place
    earlier or later, or take it off the agenda."""
    words = agenda_item_words(item)
    shown = words + (f": {item.note}" if item.note else "")
    if not manages:
        return html.Li(shown)
    buttons = [
        html.Button(
            label,
            id={"type": ids.MEETING_AGENDA_ITEM, "position": position, "change": change},
            n_clicks=0,
            type="button",
            className="button-secondary button-small",
            disabled=disabled,
            title=f"{label}: {words}",
            **{"aria-label": f"{label}: {words}"},  # type: ignore[arg-type]  # aria-* has no Dash type
        )
        for label, change, disabled in (
            ("Move up", "up", position == 1),
            ("Move down", "down", position == last),
            ("Remove", "remove", False),
        )
    ]
    return html.Li([html.Span(shown), html.Span(buttons, className="agenda-item-buttons")])


def _attendees_form(meeting: Meeting) -> html.Div:
    return html.Div(
        [
            field(
                "Change the attendees",
                dcc.Textarea(
                    id=ids.MEETING_ATTENDEES_EDIT,
                    value=attendees_text(meeting.attendees),
                    className="commentary-input",
                ),
                hint=f"one a line: name, agency; {NO_CHILD}",
            ),
            html.Div(
                html.Button(
                    "Save the attendees",
                    id=ids.MEETING_ATTENDEES_SAVE,
                    n_clicks=0,
                    type="button",
                    className="button-secondary",
                ),
                className="form-actions",
            ),
        ]
    )


def _meeting_panel(meeting: Meeting, las: dict[str, str], today: date, manages: bool) -> html.Section:
    agenda = [
        _agenda_item(item, position, len(meeting.agenda), manages)
        for position, item in enumerate(meeting.agenda, start=1)
    ]
    actions = _actions_of(meeting)
    return html.Section(
        [
            html.H3(meeting.label),
            html.P(f"For {_la_words(meeting, las)}. Created by {meeting.created_by}."),
            html.Div(
                [
                    dcc.Link(
                        "Open this meeting's pack", href="/pack" + _pack_query(meeting), id=ids.MEETING_PACK
                    ),
                    html.A(
                        "Print this meeting's pack",
                        href="/pack.pdf" + _pack_query(meeting),
                        id=ids.MEETING_PDF,
                        className="button-primary pdf-link",
                        target="_blank",
                    ),
                ],
                className="form-actions",
            ),
            html.H4("Attendees"),
            html.Ul([html.Li(f"{a.name} ({a.agency})") for a in meeting.attendees])
            if meeting.attendees
            else html.P("No attendees recorded."),
            _attendees_form(meeting) if manages else None,
            html.H4("Agenda"),
            html.Ol(agenda, id="meeting-agenda") if agenda else html.P("The agenda is empty."),
            html.H4("Decisions"),
            html.Ol([html.Li(d.text) for d in meeting.decisions], id="meeting-decisions")
            if meeting.decisions
            else html.P("No decisions recorded."),
            html.H4("Actions raised"),
            action_table(actions, today, las, "Actions raised in the meeting")
            if actions
            else html.P("No actions raised."),
        ],
        **{"data-meeting": str(meeting.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


def _add_form(las: dict[str, str]) -> html.Form:
    return html.Form(
        [
            html.H2("Create a meeting"),
            html.Div(
                [
                    field("Date", dcc.Input(id=ids.MEETING_DATE, type="text"), hint="YYYY-MM-DD"),
                    field("Title", dcc.Input(id=ids.MEETING_TITLE, type="text")),
                    checklist(
                        ids.MEETING_LAS,
                        "Local authorities",
                        [{"label": n, "value": c} for c, n in las.items()],
                        list(las)[:1],
                        scroll=len(las) > 8,
                    ),
                ],
                className="form-grid",
            ),
            field(
                "Attendees",
                dcc.Textarea(id=ids.MEETING_ATTENDEES, className="commentary-input"),
                hint=f"one a line: name, agency; {NO_CHILD}",
            ),
            html.Div(
                html.Button(
                    "Create the meeting",
                    id=ids.MEETING_ADD,
                    n_clicks=0,
                    type="button",
                    className="button-primary",
                ),
                className="form-actions",
            ),
        ],
        className="app-form",
    )


def _agenda_form() -> html.Section:
    return html.Section(
        [
            html.H3("Build the agenda"),
            html.P(
                "Each item is a section of the meeting pack; the meeting's pack prints them in this order."
            ),
            html.Div(
                [
                    field(
                        "Pack section",
                        select(
                            ids.MEETING_AGENDA_SECTION,
                            [{"label": s.title, "value": s.id} for s in pack_sections()],
                            prompt="Choose a section",
                        ),
                    ),
                    field(
                        "Presenter", dcc.Input(id=ids.MEETING_AGENDA_PRESENTER, type="text"), hint="optional"
                    ),
                    field("Note", dcc.Input(id=ids.MEETING_AGENDA_NOTE, type="text"), hint="optional"),
                ],
                className="form-grid",
            ),
            html.Div(
                [
                    html.Button(
                        "Add to the agenda", id=ids.MEETING_AGENDA_ADD, n_clicks=0, className="button-primary"
                    ),
                    html.Button(
                        "Clear the agenda",
                        id=ids.MEETING_AGENDA_CLEAR,
                        n_clicks=0,
                        className="button-secondary",
                    ),
                ],
                className="form-actions",
            ),
        ]
    )


def _decision_form() -> html.Section:
    return html.Section(
        [
            html.H3("Record a decision"),
            field("Decision", dcc.Textarea(id=ids.MEETING_DECISION, className="commentary-input")),
            html.Div(
                html.Button(
                    "Record the decision", id=ids.MEETING_DECISION_ADD, n_clicks=0, className="button-primary"
                ),
                className="form-actions",
            ),
        ]
    )


def _action_form(agencies: list[str], la_options: list[dict[str, str]], la_code: str | None) -> html.Section:
    """Drawn for the chosen meeting, its LAs to choose from, for those who may raise actions in it."""
    la_field = field(
        "Local authority",
        select(ids.MEETING_ACTION_LA, la_options, la_code, prompt="Choose the local authority"),
    )
    return html.Section(
        [
            html.H3("Raise an action"),
            *raised_action_fields(
                agencies,
                agency_id=ids.MEETING_ACTION_AGENCY,
                lead_id=ids.MEETING_ACTION_LEAD,
                due_id=ids.MEETING_ACTION_DUE,
                title_id=ids.MEETING_ACTION_TITLE,
                measure_id=ids.MEETING_ACTION_MEASURE,
                kpis_id=ids.MEETING_ACTION_KPIS,
                add_id=ids.MEETING_ACTION_ADD,
                first=[la_field],
            ),
        ]
    )


def layout(meeting: str | None = None, **_query: str) -> html.Div:
    try:
        las = la_names()
    except WarehouseError as error:
        return html.Div([html.H1("Meetings"), html.P(str(error))])
    user = current_user()
    manages = user.can(Permission.MANAGE_MEETINGS)
    listed = _meetings()
    # A link to a meeting (?meeting=N) chooses it: its option is in the layout, as a select keeps
    # only a listed value.
    chosen = next((m.id for m in listed if isinstance(meeting, str) and str(m.id) == meeting), None)
    return html.Div(
        [
            html.H1("Meetings"),
            html.P(
                "The partnership board's meetings: who attends for each agency, the agenda (built from the "
                "meeting pack's sections), the decisions taken and the actions raised, which are tracked in "
                "the action tracker. A meeting's pack prints its agenda, the previous meeting's actions and "
                "where they stand, then the agenda's sections."
            ),
            _add_form(las) if manages else None,
            html.P(id=ids.MEETING_STATUS_MESSAGE, role="status", className="form-status"),
            dcc.Store(id=CHANGED, data=0),
            html.H2("Meetings"),
            html.Div(id=ids.MEETINGS_LIST),
            html.H2("A meeting"),
            field(
                "Meeting",
                select(
                    ids.MEETING_CHOSEN,
                    _choices(listed),
                    None if chosen is None else str(chosen),
                    prompt="Choose a meeting",
                ),
            ),
            html.Div(id=ids.MEETING_SELECTED),
            html.Div(
                [
                    html.Button(
                        "Download its actions as CSV",
                        id=ids.MEETING_ACTIONS_CSV,
                        n_clicks=0,
                        className="button-secondary",
                    ),
                    html.Button(
                        "Download its actions as Excel",
                        id=ids.MEETING_ACTIONS_XLSX,
                        n_clicks=0,
                        className="button-secondary",
                    ),
                    dcc.Download(id=ids.MEETING_ACTIONS_DOWNLOAD),
                ],
                id=ids.MEETING_DOWNLOADS,
                className="form-actions",
                style=HIDDEN,
            ),
            html.Div(_agenda_form() if manages else None, id=ids.MEETING_AGENDA_FORM, style=HIDDEN),
            html.Div(
                _decision_form() if user.can(Permission.RECORD_DECISIONS) else None,
                id=ids.MEETING_DECISION_FORM,
                style=HIDDEN,
            ),
            html.Div(id=ids.MEETING_ACTION_FORM, style=HIDDEN),
        ]
    )


# --- callbacks ---


@callback(
    Output(ids.MEETINGS_LIST, "children"),
    Output(ids.MEETING_CHOSEN, "options"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_meetings(_changed: int) -> tuple[html.Div | html.P, list[dict]]:
    meetings = _meetings()
    return _meetings_table(meetings, la_names()), _choices(meetings)


@callback(
    Output(ids.MEETING_SELECTED, "children"),
    Output(ids.MEETING_AGENDA_FORM, "style"),
    Output(ids.MEETING_DECISION_FORM, "style"),
    Output(ids.MEETING_ACTION_FORM, "style"),
    Output(ids.MEETING_ACTION_FORM, "children"),
    Output(ids.MEETING_DOWNLOADS, "style"),
    Input(ids.MEETING_CHOSEN, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_chosen(meeting_id: str | None, _changed: int) -> tuple:
    meeting = _in_scope(meeting_id)
    if meeting is None:
        return None, HIDDEN, HIDDEN, HIDDEN, None, HIDDEN
    user, scope = current_user(), current_scope()
    las = la_names()
    manages = user.can(Permission.MANAGE_MEETINGS)
    # The action form is drawn here, not in the layout: its LA choice is the meeting's, and a role
    # that may not raise actions has no form for this callback to fill.
    raises = manages and user.can(Permission.MANAGE_ACTIONS)
    la_options = [{"label": las.get(code, code), "value": code} for code in meeting.la_codes]
    only_la = meeting.la_codes[0] if len(meeting.la_codes) == 1 else None
    return (
        _meeting_panel(meeting, las, date.today(), manages),
        {} if manages else HIDDEN,
        {} if user.can(Permission.RECORD_DECISIONS) else HIDDEN,
        {} if raises else HIDDEN,
        _action_form(agency_choices(scope), la_options, only_la) if raises else None,
        {},
    )


@callback(
    Output(ids.MEETING_STATUS_MESSAGE, "children"),
    Output(CHANGED, "data"),
    Output(ids.MEETING_CHOSEN, "options", allow_duplicate=True),
    Output(ids.MEETING_CHOSEN, "value"),
    Input(ids.MEETING_ADD, "n_clicks"),
    State(ids.MEETING_DATE, "value"),
    State(ids.MEETING_TITLE, "value"),
    State(ids.MEETING_LAS, "value"),
    State(ids.MEETING_ATTENDEES, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def create_meeting(_clicks, held_on, title, la_codes, attendees, changed):
    try:
        user = require(Permission.MANAGE_MEETINGS)
        scope = current_scope()
        chosen_las = [code for code in (la_codes or []) if isinstance(code, str)]
        if not chosen_las or any(code not in scope.la_codes for code in chosen_las):
            raise ValueError("choose local authorities in your scope")
        with session() as db:
            meeting = add_meeting(
                db,
                chosen_las,
                parse_day(held_on, "Date"),
                title or "",
                user.username,
                parse_attendees(attendees or ""),
            )
    except (PermissionDenied, ValueError) as error:
        return (*refused(error), dash.no_update, dash.no_update)
    # The new meeting is chosen; its option is sent with it, as a select keeps only a listed value.
    return (*done(f"Created the meeting {meeting.label}.", changed), _choices(_meetings()), str(meeting.id))


_change_chosen = partial(change_chosen, find=_in_scope, missing="choose a meeting first")
_outputs = partial(change_outputs, ids.MEETING_STATUS_MESSAGE, CHANGED)


def _known_sections() -> set[str]:
    return {s.id for s in pack_sections()}


def _entries(meeting: Meeting) -> list[AgendaEntry]:
    return [AgendaEntry(i.section_id, i.presenter, i.note) for i in meeting.agenda]


@callback(
    *_outputs(ids.MEETING_AGENDA_PRESENTER, ids.MEETING_AGENDA_NOTE),
    Input(ids.MEETING_AGENDA_ADD, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    State(ids.MEETING_AGENDA_SECTION, "value"),
    State(ids.MEETING_AGENDA_PRESENTER, "value"),
    State(ids.MEETING_AGENDA_NOTE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def add_agenda_item(clicks, meeting_id, section_id, presenter, note, changed):
    def change(db: Session, meeting: Meeting, by: str) -> str:
        if not section_id:
            raise ValueError("choose a pack section")
        agenda = [*_entries(meeting), AgendaEntry(section_id, presenter or "", note or "")]
        updated = set_agenda(db, meeting.id, agenda, _known_sections(), by)
        return f"The agenda of {updated.label} has {len(updated.agenda)} items."

    return _change_chosen(clicks, meeting_id, changed, (Permission.MANAGE_MEETINGS,), change, 2)


@callback(
    *_outputs(),
    Input(ids.MEETING_AGENDA_CLEAR, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def clear_agenda(clicks, meeting_id, changed):
    def change(db: Session, meeting: Meeting, by: str) -> str:
        set_agenda(db, meeting.id, [], _known_sections(), by)
        return f"The agenda of {meeting.label} is cleared."

    return _change_chosen(clicks, meeting_id, changed, (Permission.MANAGE_MEETINGS,), change, 0)


@callback(
    *_outputs(),
    Input({"type": ids.MEETING_AGENDA_ITEM, "position": ALL, "change": ALL}, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def change_agenda_item(_clicks, meeting_id, changed):
    trigger = dash.ctx.triggered_id
    if not isinstance(trigger, dict) or not dash.ctx.triggered[0]["value"]:
        return dash.no_update, dash.no_update  # the buttons were drawn, not clicked

    def change(db: Session, meeting: Meeting, by: str) -> str:
        # the id comes from the browser: a position that is not a number is no item of the agenda
        position = trigger["position"] if isinstance(trigger["position"], int) else 0
        agenda = changed_agenda(_entries(meeting), position, trigger["change"])  # checks the position
        words = agenda_item_words(meeting.agenda[position - 1])
        set_agenda(db, meeting.id, agenda, _known_sections(), by)
        return f"{words}: " + (
            "taken off the agenda." if trigger["change"] == "remove" else f"moved {trigger['change']}."
        )

    return _change_chosen(1, meeting_id, changed, (Permission.MANAGE_MEETINGS,), change, 0)


@callback(
    *_outputs(),
    Input(ids.MEETING_ATTENDEES_SAVE, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    State(ids.MEETING_ATTENDEES_EDIT, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def save_attendees(clicks, meeting_id, text, changed):
    def change(db: Session, meeting: Meeting, by: str) -> str:
        updated = set_attendees(db, meeting.id, parse_attendees(text or ""), by)
        return f"The attendees of {updated.label} are saved: {len(updated.attendees)}."

    return _change_chosen(clicks, meeting_id, changed, (Permission.MANAGE_MEETINGS,), change, 0)


@callback(
    *_outputs(ids.MEETING_DECISION),
    Input(ids.MEETING_DECISION_ADD, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    State(ids.MEETING_DECISION, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def record_decision(clicks, meeting_id, text, changed):
    def change(db: Session, meeting: Meeting, by: str) -> str:
        decision = add_decision(db, meeting.id, text or "", by)
        return f"Recorded decision {decision.number} of {meeting.label}."

    return _change_chosen(clicks, meeting_id, changed, (Permission.RECORD_DECISIONS,), change, 1)


@callback(
    *_outputs(
        ids.MEETING_ACTION_TITLE, ids.MEETING_ACTION_LEAD, ids.MEETING_ACTION_DUE, ids.MEETING_ACTION_MEASURE
    ),
    Input(ids.MEETING_ACTION_ADD, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    State(ids.MEETING_ACTION_LA, "value"),
    State(ids.MEETING_ACTION_TITLE, "value"),
    State(ids.MEETING_ACTION_AGENCY, "value"),
    State(ids.MEETING_ACTION_LEAD, "value"),
    State(ids.MEETING_ACTION_DUE, "value"),
    State(ids.MEETING_ACTION_MEASURE, "value"),
    State(ids.MEETING_ACTION_KPIS, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def raise_action(clicks, meeting_id, la_code, title, agency, lead, due, measure, kpi_ids, changed):
    def change(db: Session, meeting: Meeting, by: str) -> str:
        if not la_code:
            raise ValueError("choose the local authority")
        if not agency:
            raise ValueError("choose the lead agency")
        if not current_scope().covers(la_code, agency):
            raise ValueError("choose a local authority and agency in your scope")
        action = raise_meeting_action(
            db,
            meeting.id,
            la_code,
            title or "",
            agency,
            lead or "",
            parse_day(due, "Due"),
            measure or "",
            by,
            kpi_ids=list(kpi_ids or ()),
        )
        return f"Raised action {action.id} in {meeting.label}, due {action.due_date:%d %B %Y}."

    permissions = (Permission.MANAGE_MEETINGS, Permission.MANAGE_ACTIONS)
    return _change_chosen(clicks, meeting_id, changed, permissions, change, 4)


def meeting_actions_frame(meeting: Meeting, today: date | None = None) -> pd.DataFrame:
    """The meeting's actions the viewer may see, as the downloads show them (the action tracker's columns)."""
    las = la_names()
    rows = [action_row(a, las, today or date.today()) for a in _actions_of(meeting)]
    return pd.DataFrame(rows, columns=list(ACTION_COLUMNS)).rename(columns=ACTION_COLUMNS)


@callback(
    Output(ids.MEETING_ACTIONS_DOWNLOAD, "data"),
    Input(ids.MEETING_ACTIONS_CSV, "n_clicks"),
    Input(ids.MEETING_ACTIONS_XLSX, "n_clicks"),
    State(ids.MEETING_CHOSEN, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def export_meeting_actions(_csv: int, _xlsx: int, meeting_id: str | None) -> dict[str, Any] | dash.NoUpdate:
    meeting = _in_scope(meeting_id)
    if meeting is None:
        return dash.no_update
    frame = meeting_actions_frame(meeting)
    used = {"page": PAGE, "meeting": meeting.id}
    name = f"meeting-{meeting.held_on.isoformat()}-actions"
    if dash.ctx.triggered_id == ids.MEETING_ACTIONS_XLSX:
        return xlsx_download({"Actions": frame}, f"{name}.xlsx", **used)
    return csv_download(frame, f"{name}.csv", **used)
