"""Figures submitted by agencies: the tracker (what is due, late and received, by whom), the
template to download, the upload, figures entered by hand, each figure's history, and reminders.

Who does what here (app/scope.py `may_submit`): a partner submits, and sees the submissions of, its
own agencies' figures; the data team and admins any agency's; executives read the tracker. What is
loaded goes through etl/submissions (the same checks as `safeguard submit` and `safeguard enter`),
as the signed-in account, so a crafted request for another agency's figures is refused there too.
"""

from __future__ import annotations

import base64
import binascii
import io
from datetime import date, timedelta
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from app.access import callback
from app.audit_log import log_action, log_export
from app.components.choices import checkbox, select
from app.components.exports import csv_download
from app.components.forms import field
from app.components.grid import grid
from app.scope import (
    DATA,
    EVERYONE,
    PARTNERSHIP_WORK,
    Role,
    User,
    current_scope,
    current_user,
    may_submit,
    sees_submitted_values,
)
from app.state import reader
from app.view import la_names
from etl.pipeline import FileOutcome
from etl.submissions.entry import enter_figure
from etl.submissions.remind import RemindError, send_reminders
from etl.submissions.template import make_template, template_csv, write_workbook
from etl.submissions.upload import submitter_for, upload_figures
from warehouse.db import WarehouseError
from warehouse.kpis.periods import Period
from warehouse.model.figures import FiguresDataset
from warehouse.model.files import Model, active_model
from warehouse.settings import get_settings
from warehouse.tracker import LATE, submission_tracker, tracker_frame

PAGE = "/submissions"
dash.register_page(
    __name__,
    path=PAGE,
    name="Submissions",
    title="Submissions - Safeguarding performance",
    order=11.8,
    # After the risk register, in the menu every role has: it was in Data, which for an executive or a
    # partner held it alone (so it showed as a link of its own there, and in the Data menu for the data team).
    group=PARTNERSHIP_WORK,
    roles=EVERYONE,  # executives read the tracker; the rest is for those who submit (may_submit)
)

TRACKER = "submissions-tracker"
TRACKER_EXPORT = "submissions-tracker-export"
TRACKER_DOWNLOAD = "submissions-tracker-download"
CHANGED = "submissions-changed"  # counts the loads made on this page: the tracker and history refresh
TEMPLATE_AGENCY = "submissions-template-agency"
TEMPLATE_PERIOD = "submissions-template-period"
TEMPLATE_XLSX = "submissions-template-xlsx"
TEMPLATE_CSV = "submissions-template-csv"
TEMPLATE_DOWNLOAD = "submissions-template-download"
TEMPLATE_STATUS = "submissions-template-status"
UPLOAD = "submissions-upload"
UPLOAD_OUTCOME = "submissions-upload-outcome"
ENTRY_MEASURE = "submissions-entry-measure"
ENTRY_LA = "submissions-entry-la"
ENTRY_PERIOD = "submissions-entry-period"
ENTRY_PART = "submissions-entry-part"
ENTRY_VALUE = "submissions-entry-value"
ENTRY_NOT_AVAILABLE = "submissions-entry-not-available"
ENTRY_NOTE = "submissions-entry-note"
ENTRY_SAVE = "submissions-entry-save"
ENTRY_OUTCOME = "submissions-entry-outcome"
HISTORY_DATASET = "submissions-history-dataset"
HISTORY = "submissions-history"
REMIND = "submissions-remind"
REMIND_OUTCOME = "submissions-remind-outcome"

# Rows a long list shows at a time (the tracker, a dataset's history): the rest are a page away.
PAGE_SIZE = 25
# How many of a dataset's latest ended periods the pickers offer (the one due now among them).
RECENT_PERIODS = 6
HISTORY_COLUMNS = {
    "la_code": "Local authority",
    "measure": "Measure",
    "part": "Part",
    "period": "Period",
    "value": "Value",
    "revision": "Revision",
    "current": "Current",
    "submitted_by": "Submitted by",
    "submitted_at": "When",
    "source": "How",
    "note": "Note",
}


def _datasets(model: Model, user: User) -> list[FiguresDataset]:
    """The figures datasets whose submissions the user acts on (may_submit), by agency and title."""
    return sorted(
        (d for d in model.figures.values() if may_submit(user, d.agency)), key=lambda d: (d.agency, d.title)
    )


def _agencies(model: Model, user: User) -> list[str]:
    return sorted({d.agency for d in _datasets(model, user)})


def _recent_periods(dataset: FiguresDataset, today: date) -> list[Period]:
    """The dataset's latest ended periods, newest first (the first is the one due next or late)."""
    first = today - timedelta(days=366 * RECENT_PERIODS)  # RECENT_PERIODS years: enough of any cadence
    return list(reversed(dataset.periods_ended(first, today)))[:RECENT_PERIODS]


def _tracker_rows(user: User) -> pd.DataFrame:
    """The tracker for the user's LAs: the agencies it submits for, or every agency for an executive."""
    model = active_model()
    rows = submission_tracker(reader().connection(), model, date.today(), current_scope().la_codes)
    if user.role is not Role.EXECUTIVE:
        rows = [r for r in rows if may_submit(user, r.agency)]
    return tracker_frame(rows, la_names())


def _tracker_section(user: User) -> html.Div | html.P:
    frame = _tracker_rows(user)
    if frame.empty:
        return html.P("No figures are due yet from the agencies you see.")
    late = int((frame["State"] == LATE).sum())
    return html.Div(
        [
            html.P(
                f"{len(frame):,} periods due or received; {late:,} late (nothing has arrived and the due date has passed)."
            ),
            grid(TRACKER + "-grid", frame, {c: c for c in frame.columns}, page_size=PAGE_SIZE),
        ]
    )


def _history(user: User, dataset_name: str | None) -> html.Div | html.P:
    model = active_model()
    dataset = model.figures.get(dataset_name or "")
    if dataset is None:
        return html.P("Choose a dataset to see its figures and their corrections.")
    if not may_submit(user, dataset.agency):
        return html.P(
            f"{user.username} ({user.role.words}) does not see the submissions of {dataset.agency}."
        )
    if not sees_submitted_values(user, dataset.agency):
        return html.P(
            "The history shows the figures exactly as they were sent, and your figures are protected "
            "(rounded): the tracker above shows who sent them and when."
        )
    history = reader().query("figure_history", dataset=dataset.name, la_codes=list(current_scope().la_codes))
    if history.empty:
        return html.P(f"No figures of {dataset.title} have arrived yet.")
    names = la_names()
    shown = history.assign(
        la_code=history["la_code"].map(lambda code: names.get(code, code)),
        # each measure as the template describes it: its id is the template's key, not a name
        measure=history["measure"].map(lambda m: model.measures[m].description if m in model.measures else m),
        period=[dataset.period_containing(d).label for d in pd.to_datetime(history["period_start"]).dt.date],
        current=history["is_current"].map({True: "current", False: "superseded"}),
        value=history["value"].map(lambda v: "not available" if pd.isna(v) else f"{v:g}"),
    )
    return grid(HISTORY + "-grid", shown, HISTORY_COLUMNS, wide=("measure", "note"), page_size=PAGE_SIZE)


def _select(component_id: str, label: str, options: list, value: str | None = None) -> html.Div:
    return field(label, select(component_id, options, value, prompt=f"Choose the {label.lower()}"))


def _listed(periods: list[Period]) -> list[dict]:
    return [{"label": period.label, "value": period.code} for period in periods]


def _submit_sections(model: Model, user: User, las: dict[str, str]) -> list:
    datasets = _datasets(model, user)
    agencies = _agencies(model, user)
    measures = [
        {"label": f"{m.id}: {m.description}", "value": m.id}
        for d in datasets
        for m in model.figure_measures(d.name)
    ]
    la_options = [{"label": name, "value": code} for code, name in las.items()]
    return [
        html.H2("Download a template"),
        html.P(
            "The template of an agency's figures for a period: a workbook with instructions and checked cells, "
            "or its CSV twin. Fill in the value column and upload it below."
        ),
        _select(TEMPLATE_AGENCY, "Agency", agencies, agencies[0] if agencies else None),
        _select(TEMPLATE_PERIOD, "Period", []),
        html.Button("Download template (Excel)", id=TEMPLATE_XLSX, n_clicks=0, className="button-secondary"),
        html.Button("Download template (CSV)", id=TEMPLATE_CSV, n_clicks=0, className="button-secondary"),
        html.P(id=TEMPLATE_STATUS, role="status"),
        dcc.Download(id=TEMPLATE_DOWNLOAD),
        html.H2("Upload figures"),
        # The label holds the upload's file input, so the input has a name, and a click anywhere on it
        # opens the file chooser once (the box's own click is off); a file may also be dropped on it.
        html.Label(
            [
                html.Span("The filled-in template (the workbook, or its CSV twin)", className="filter-label"),
                dcc.Upload(
                    html.Div(
                        ["Drag the file here, or ", html.Span("choose a file", className="button-secondary")]
                    ),
                    id=UPLOAD,
                    className="upload-box",
                    multiple=False,
                    disable_click=True,
                ),
            ],
        ),
        html.Div(id=UPLOAD_OUTCOME, role="status"),
        html.H2("Enter a figure by hand"),
        html.P(
            "One figure at a time (training reach, an audit's result, a survey's score), checked as a row of "
            "the template is and recorded with who and when. A figure already given is corrected."
        ),
        _select(ENTRY_MEASURE, "Measure", measures),
        _select(ENTRY_LA, "Local authority", la_options, la_options[0]["value"] if la_options else None),
        _select(ENTRY_PERIOD, "Period", []),
        _select(ENTRY_PART, "Part", []),
        field("Value", dcc.Input(id=ENTRY_VALUE, type="text")),
        checkbox(ENTRY_NOT_AVAILABLE, "Not available", "yes"),
        field("Note", dcc.Input(id=ENTRY_NOTE, type="text")),
        html.Button("Record the figure", id=ENTRY_SAVE, n_clicks=0, className="button-primary"),
        html.Div(id=ENTRY_OUTCOME, role="status"),
        html.H2("History of the figures"),
        _select(
            HISTORY_DATASET,
            "Dataset",
            [{"label": f"{d.title} ({d.agency})", "value": d.name} for d in datasets],
            datasets[0].name if datasets else None,
        ),
        html.Div(id=HISTORY),
    ]


def _remind_section() -> list:
    return [
        html.H2("Reminders"),
        html.P("Email each agency's contacts what is late and what is due soon."),
        html.Button("Send reminders", id=REMIND, n_clicks=0, className="button-primary"),
        html.Div(id=REMIND_OUTCOME, role="status"),
    ]


def layout(**_query: str) -> html.Div:
    user = current_user()
    try:
        model = active_model()
        tracker = _tracker_section(user)
        las = la_names()
    except WarehouseError as error:
        return html.Div([html.H1("Submissions"), html.P(str(error))])
    submits = bool(_datasets(model, user)) and user.role is not Role.EXECUTIVE
    return html.Div(
        [
            html.H1("Submissions"),
            html.P(
                "Figures the partner agencies send: what is due from each, what has arrived and from whom, "
                "and what is late."
            ),
            dcc.Store(id=CHANGED, data=0),
            html.H2("Tracker"),
            html.Button(
                "Download the tracker as CSV", id=TRACKER_EXPORT, n_clicks=0, className="button-secondary"
            ),
            dcc.Download(id=TRACKER_DOWNLOAD),
            html.Div(tracker, id=TRACKER),
            *(_submit_sections(model, user, las) if submits else []),
            *(_remind_section() if user.role in DATA else []),
        ],
        className="submissions-ready",
    )


@callback(
    Output(TRACKER, "children"),
    Input(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def refresh_tracker(_changed: int) -> html.Div | html.P:
    return _tracker_section(current_user())


@callback(
    Output(TRACKER_DOWNLOAD, "data"),
    Input(TRACKER_EXPORT, "n_clicks"),
    prevent_initial_call=True,
    page=PAGE,
)
def download_tracker(_clicks: int) -> dict[str, str]:
    frame = _tracker_rows(current_user())
    return csv_download(
        frame, "submissions-tracker.csv", page=PAGE, filters={"la": list(current_scope().la_codes)}
    )


@callback(
    Output(TEMPLATE_PERIOD, "options"),
    Output(TEMPLATE_PERIOD, "value"),
    Input(TEMPLATE_AGENCY, "value"),
    page=PAGE,
)
def template_periods(agency: str | None) -> tuple[list[dict], str | None]:
    user = current_user()
    theirs = [d for d in _datasets(active_model(), user) if d.agency == agency]
    periods = list(dict.fromkeys(p for d in theirs for p in _recent_periods(d, date.today())))
    return _listed(periods), periods[0].code if periods else None


@callback(
    Output(TEMPLATE_DOWNLOAD, "data"),
    Output(TEMPLATE_STATUS, "children"),
    Input(TEMPLATE_XLSX, "n_clicks"),
    Input(TEMPLATE_CSV, "n_clicks"),
    State(TEMPLATE_AGENCY, "value"),
    State(TEMPLATE_PERIOD, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def download_template(_xlsx: int, _csv: int, agency: str | None, period: str | None) -> tuple[Any, str]:
    user = current_user()
    if not agency or not period:
        return None, "Choose an agency and a period first."
    if not may_submit(user, agency):
        return None, f"{user.username} ({user.role.words}) does not submit {agency}'s figures."
    try:
        template = make_template(active_model(), agency, period, la_names())
    except ValueError as error:
        return None, str(error)
    name = f"{agency.lower().replace(' ', '-')}-{period}"
    log_export(f"{name} template", None, page=PAGE, agency=agency, period=period)
    if dash.ctx.triggered_id == TEMPLATE_CSV:
        return {"content": template_csv(template), "filename": f"{name}.csv", "type": "text/csv"}, ""
    stream = io.BytesIO()
    write_workbook(template, stream)
    return dcc.send_bytes(stream.getvalue(), f"{name}.xlsx"), ""


def _outcome_view(outcomes: list[FileOutcome]) -> html.Div:
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        (refused,) = failed
        problems = [r.message for r in refused.rejections] or [refused.message or "refused"]
        return html.Div(
            [
                html.P(
                    f"✖ Not loaded: {refused.file_name} was refused, and nothing of it was loaded "
                    "(figures loaded before are as they were). Correct these and upload it again:",
                    className="banner banner-stale",
                ),
                html.Ul([html.Li(problem) for problem in problems], className="upload-problems"),
            ]
        )
    return html.Div(
        [
            html.P("✔ Accepted:"),
            html.Ul([html.Li(o.message) for o in outcomes], className="upload-accepted"),
        ]
    )


@callback(
    Output(UPLOAD_OUTCOME, "children"),
    Output(CHANGED, "data", allow_duplicate=True),
    Input(UPLOAD, "contents"),
    State(UPLOAD, "filename"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def upload(contents: str | None, file_name: str | None, changed: int) -> tuple[Any, Any]:
    user = current_user()
    if not contents or not file_name:
        return dash.no_update, dash.no_update
    try:
        data = base64.b64decode(contents.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        return html.P(f"✖ {file_name} did not arrive whole: upload it again."), dash.no_update
    try:
        submitter = submitter_for(user.username, via="upload")
    except ValueError as error:  # an executive's account, or one disabled since it signed in
        return html.P(f"✖ Not loaded: {error}."), dash.no_update
    outcomes = upload_figures(get_settings(), file_name, data, submitter)
    loaded = [o for o in outcomes if o.status == "loaded"]
    log_action(
        "figures_uploaded",
        file_name,
        rows=sum(o.rows_loaded for o in loaded),
        outcome=[o.status for o in outcomes],
        submissions=[o.submission_id for o in loaded],
    )
    return _outcome_view(outcomes), (changed or 0) + 1 if loaded else dash.no_update


@callback(
    Output(ENTRY_PERIOD, "options"),
    Output(ENTRY_PERIOD, "value"),
    Output(ENTRY_PART, "options"),
    Output(ENTRY_PART, "value"),
    Input(ENTRY_MEASURE, "value"),
    page=PAGE,
)
def entry_choices(measure_id: str | None) -> tuple[list[dict], str | None, list[dict], str | None]:
    model = active_model()
    measure = model.measures.get(measure_id or "")
    if measure is None or measure.dataset not in model.figures:
        return [], None, [], None
    periods = _recent_periods(model.figures[measure.dataset], date.today())
    parts = [{"label": p.label, "value": p.code} for p in measure.parts] or [
        {"label": "(the whole)", "value": ""}
    ]
    return _listed(periods), periods[0].code if periods else None, parts, parts[0]["value"]


@callback(
    Output(ENTRY_OUTCOME, "children"),
    Output(CHANGED, "data", allow_duplicate=True),
    Input(ENTRY_SAVE, "n_clicks"),
    State(ENTRY_MEASURE, "value"),
    State(ENTRY_LA, "value"),
    State(ENTRY_PERIOD, "value"),
    State(ENTRY_PART, "value"),
    State(ENTRY_VALUE, "value"),
    State(ENTRY_NOT_AVAILABLE, "value"),
    State(ENTRY_NOTE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def enter(
    _clicks: int,
    measure: str | None,
    la_code: str | None,
    period: str | None,
    part: str | None,
    value: str | None,
    not_available: list[str] | None,
    note: str | None,
    changed: int,
) -> tuple[Any, Any]:
    user = current_user()
    if not measure or not la_code or not period:
        return html.P("Choose a measure, a local authority and a period."), dash.no_update
    try:
        submitter = submitter_for(user.username, via="manual", note=note or None)
        outcome = enter_figure(
            get_settings(),
            measure=measure,
            la_code=la_code,
            period=period,
            value=str(value or ""),
            submitter=submitter,
            part=part or "",
            not_available=bool(not_available),
        )
    except ValueError as error:
        return html.P(f"✖ Not recorded: {error}"), dash.no_update
    log_action(
        "figure_entered",
        f"{measure} {la_code} {period} {part or ''}".strip(),
        rows=outcome.rows_loaded,
        outcome=outcome.status,
        submission=outcome.submission_id,
    )
    if outcome.status == "failed":
        return (
            html.Div(
                [
                    html.P("✖ Not recorded:"),
                    html.Ul([html.Li(r.message) for r in outcome.rejections] or [html.Li(outcome.message)]),
                ]
            ),
            dash.no_update,
        )
    return html.P(f"✔ {outcome.message}"), (
        changed or 0
    ) + 1 if outcome.status == "loaded" else dash.no_update


@callback(
    Output(HISTORY, "children"),
    Input(HISTORY_DATASET, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def history(dataset: str | None, _changed: int) -> html.Div | html.P:
    return _history(current_user(), dataset)


@callback(
    Output(REMIND_OUTCOME, "children"),
    Input(REMIND, "n_clicks"),
    prevent_initial_call=True,
    page=PAGE,
)
def remind(_clicks: int) -> html.Div | html.P:
    user = current_user()
    if user.role not in DATA:
        return html.P(f"{user.username} ({user.role.words}) does not send reminders: the data team does.")
    try:
        sent = send_reminders(get_settings(), date.today())
    except RemindError as error:
        return html.P(
            f"Reminders are not configured: {error} (the data team's settings, docs/deploy.md), then try again."
        )
    log_action("reminders_sent", f"{len(sent)} reminders", to=[r.contact.address for r in sent])
    if not sent:
        return html.P("Nothing is late or due soon: no reminder was sent.")
    return html.Div(
        [
            html.P(f"Sent {len(sent)} reminder{'s' if len(sent) != 1 else ''}:"),
            html.Ul(
                [
                    html.Li(
                        f"{r.contact.address} ({r.contact.agency}): {len(r.items)} figures late or due soon"
                    )
                    for r in sent
                ],
                className="reminders-sent",
            ),
        ]
    )
