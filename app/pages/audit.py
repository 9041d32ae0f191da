"""The audit log and the accounts, for admins: who signed in, exported, changed or loaded what."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from app import ids
from app.access import callback
from app.audit_log import details_words, subject_words
from app.components.choices import checklist
from app.components.exports import csv_download
from app.components.grid import grid
from app.scope import ADMIN_ONLY, DATA_PAGES, Permission, require
from app.view import la_names
from appstate.audit import AuditQuery, recent_events
from appstate.db import session
from appstate.users import list_users
from warehouse.kpis.formatting import moment_words

PAGE = "/audit"
dash.register_page(
    __name__,
    path=PAGE,
    name="Audit",
    order=13,
    group=DATA_PAGES,
    title="Audit - Safeguarding performance",
    roles=ADMIN_ONLY,
)

ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in refused",
    "sign_out": "Signed out",
    "export": "Export",
    "target_set": "Target set",
    "commentary_written": "Commentary written",
    "challenge_raised": "Challenge raised",
    "challenge_answered": "Challenge answered",
    "challenge_closed": "Challenge closed",
    "action_added": "Action raised",
    "action_progress": "Action progress reported",
    "action_complete": "Action completed",
    "action_dropped": "Action dropped",
    "risk_added": "Risk added",
    "risk_rescored": "Risk re-scored",
    "risk_closed": "Risk closed",
    "load": "Load",
    "figures_uploaded": "Figures uploaded",
    "figure_entered": "Figure entered by hand",
    "reminders_sent": "Reminders sent",
    "user_added": "Account added",
    "user_disabled": "Account disabled",
    "user_enabled": "Account enabled",
    "password_set": "Password set",
}
ACCOUNT_ACTIONS = {"user_added", "user_disabled", "user_enabled", "password_set"}
EVENT_COLUMNS = {
    "at": "When",
    "username": "Who",
    "action": "What",
    "subject": "Of",
    "rows": "Rows",
    "detail": "Details",
    "address": "From",
}
ACCOUNT_COLUMNS = {
    "username": "Username",
    "role": "Role",
    "la_codes": "LAs",
    "agencies": "Agencies",
    "areas": "Areas",
    "small_numbers": "Counts of 1 to 4",
    "active": "Active",
    "last_sign_in": "Last sign-in",
}


def audit_frame(actions: list[str] | None) -> pd.DataFrame:
    require(Permission.READ_AUDIT)
    with session() as db:
        events = recent_events(db, AuditQuery(actions=tuple(actions or ())))
    names = la_names()
    rows = [
        {
            "at": e.at.replace(microsecond=0),
            "username": e.username,
            "action": ACTIONS.get(e.action) or e.action.replace("_", " ").capitalize(),
            # An account's events are of a username, which is never read as a code.
            "subject": e.subject if e.action in ACCOUNT_ACTIONS else subject_words(e.subject or "", names),
            "rows": e.rows,
            "detail": details_words(e.detail, names),
            "address": e.address,
        }
        for e in events
    ]
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"])
    return frame


def _accounts() -> pd.DataFrame:
    with session() as db:
        accounts = list_users(db)
    names = la_names()
    rows = [
        {
            "username": a.username,
            "role": a.role.replace("_", " "),
            "la_codes": subject_words(a.la_codes, names) if a.la_codes else "all",
            "agencies": a.agencies or "all",
            "areas": a.areas or "all",
            "small_numbers": "shown" if a.unsuppressed else "suppressed",
            "active": "yes" if a.active else "no",
            "last_sign_in": moment_words(a.last_sign_in) if a.last_sign_in else "never",
        }
        for a in accounts
    ]
    return pd.DataFrame(rows, columns=list(ACCOUNT_COLUMNS))


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1("Audit"),
            html.P(
                "Every sign-in, export, change to targets, commentary and challenges, account change and load, "
                "newest first (the latest 1,000 shown; the CSV has the same)."
            ),
            html.Div(
                [
                    checklist(
                        ids.AUDIT_ACTIONS,
                        "What",
                        [{"label": words, "value": code} for code, words in ACTIONS.items()],
                        scroll=True,
                        hint="none ticked: everything",
                    ),
                    html.Button(
                        "Download as CSV", id=ids.AUDIT_EXPORT, n_clicks=0, className="button-secondary"
                    ),
                    dcc.Download(id=ids.AUDIT_DOWNLOAD),
                ],
                className="form-actions",
            ),
            html.Div(id=ids.AUDIT_GRID),
            html.H2("Accounts"),
            html.P(
                "Accounts are added and changed with `safeguard users` on the server (see docs/security.md)."
            ),
            grid(ids.ACCOUNTS_GRID, _accounts(), ACCOUNT_COLUMNS),
        ]
    )


@callback(Output(ids.AUDIT_GRID, "children"), Input(ids.AUDIT_ACTIONS, "value"), page=PAGE)
def show_events(actions: list[str] | None) -> html.Div:
    return grid(
        ids.AUDIT_GRID + "-table", audit_frame(actions), EVENT_COLUMNS, wide=("detail",), page_size=50
    )


@callback(
    Output(ids.AUDIT_DOWNLOAD, "data"),
    Input(ids.AUDIT_EXPORT, "n_clicks"),
    State(ids.AUDIT_ACTIONS, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def export_events(_clicks: int, actions: list[str] | None) -> dict[str, str]:
    return csv_download(
        audit_frame(actions), "audit-log.csv", page=PAGE, filters={"actions": list(actions or ())}
    )
