"""Learning reviews and audits: rapid reviews, practice reviews, multi-agency audits and Section 11
self-assessments, each with its themes, numbered findings, the actions raised from it (tracked in
the action tracker) and, for an audit, its results compared with the previous audit (appstate/reviews.py).

Reviews are listed for the LAs in the viewer's scope. A review is the partnership's, so a partner
limited to agencies reads every review of their LA, but of its actions only those their agencies
lead (as in the action tracker); the counts are of the actions the viewer sees. The data team and
admins record reviews, findings, results and actions; executives (and the data team and admins)
sign reviews off; everything else is read only, and the server refuses it.
"""

from __future__ import annotations

import base64
from datetime import date
from functools import partial
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app import ids
from app.access import callback
from app.agencies import agency_choices
from app.components.action_form import raised_action_fields
from app.components.action_words import action_flags, progress_words
from app.components.choices import checklist, chosen_number, select
from app.components.chosen_change import change_chosen, change_outputs
from app.components.exports import csv_download, xlsx_download
from app.components.forms import done, field, parse_day, refused
from app.components.table_scroll import listing, scroll_box
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
from app.view import la_names
from appstate.actions import Action, ActionQuery, list_actions
from appstate.audit_results_file import read_results, template_csv, template_xlsx
from appstate.db import session
from appstate.reviews import (
    ActionCounts,
    Comparison,
    Review,
    ReviewKind,
    ReviewQuery,
    ReviewStatus,
    action_counts,
    add_finding,
    add_review,
    checked_result,
    compare_with_previous,
    criteria_used,
    list_reviews,
    percent_words,
    raise_review_action,
    record_results,
    sign_off_review,
)
from warehouse.db import WarehouseError

PAGE = "/reviews"
dash.register_page(
    __name__,
    path=PAGE,
    name="Reviews and audits",
    order=11.2,
    group=PARTNERSHIP_WORK,  # after the action tracker, before the risk register
    title="Reviews and audits - Safeguarding performance",
    roles=EVERYONE,
)

CHANGED = "review-changed"  # a counter the forms bump, so the list and the chosen review redraw
HIDDEN = {"display": "none"}
NO_CHILD = "about the system, never a child: no names or case details"
COLUMNS = {
    "id": "No.",
    "la": "Local authority",
    "title": "Review",
    "kind": "Kind",
    "held_on": "Held or published",
    "agency": "Lead agency",
    "themes": "Themes",
    "findings": "Findings",
    "actions": "Actions",
    "open": "Open actions",
    "overdue": "Overdue",
    "drifting": "Drifting",
    "status": "Status",
    "signed_off": "Signed off",
}
FINDING_COLUMNS = {"id": "No.", "review": "Review", "number": "Finding", "text": "Text"}
RESULT_COLUMNS = {
    "id": "No.",
    "review": "Audit",
    "criterion": "Criterion",
    "cases": "Cases audited",
    "met": "Cases meeting it",
    "percent": "% met",
    "previous": "Previous % met",
    "previous_audit": "Previous audit",
    "change": "Change (points)",
    "direction": "Direction",
}
ACTION_COLUMNS = {
    "id": "No.",
    "review": "Review",
    "action": "Action",
    "title": "Title",
    "agency": "Lead agency",
    "due": "Due",
    "status": "Status",
    "progress": "Progress",
    "flags": "Flags",
}


# --- what the viewer may see ---


def _visible_actions(scope: Scope) -> dict[int, Action]:
    """The actions the viewer may see (their LAs; a partner's agencies'), by number."""
    with session() as db:
        found = list_actions(db, ActionQuery(la_codes=scope.la_codes, agencies=scope.agencies))
    return {action.id: action for action in found}


def scoped_reviews(scope: Scope, statuses: list[str] | None) -> list[Review]:
    with session() as db:
        return list_reviews(db, ReviewQuery(la_codes=scope.la_codes, status=tuple(statuses or ())))


def _actions_of(review: Review, visible: dict[int, Action]) -> list[Action]:
    return [visible[a] for a in review.action_ids if a in visible]


def _in_scope(chosen_review: object) -> Review | None:
    review_id = chosen_number(chosen_review)
    if review_id is None:
        return None
    with session() as db:
        review = db.get(Review, review_id)
    return review if review is not None and review.la_code in current_scope().la_codes else None


def _comparisons(review: Review) -> list[Comparison]:
    with session() as db:
        return compare_with_previous(db, db.get(Review, review.id) or review)


# --- the downloads ---


def _signed_off(review: Review) -> str:
    if review.signed_off_on is None:
        return ""
    return f"{review.signed_off_on.isoformat()} by {review.signed_off_by}"


def review_frames(statuses: list[str] | None, today: date | None = None) -> dict[str, pd.DataFrame]:
    """The list as the downloads show it (COLUMNS), and every finding, action and audit result of
    the listed reviews that the viewer may see."""
    today = today or date.today()
    scope = current_scope()
    names = la_names()
    visible = _visible_actions(scope)
    reviews = scoped_reviews(scope, statuses)
    rows, findings, actions, results = [], [], [], []
    for r in reviews:
        mine = _actions_of(r, visible)
        counts = action_counts(r, mine, today)
        rows.append(
            {
                "id": r.id,
                "la": names.get(r.la_code, r.la_code),
                "title": r.title,
                "kind": r.kind,
                "held_on": r.held_on.isoformat(),
                "agency": r.agency,
                "themes": "; ".join(r.themes),
                "findings": counts.findings,
                "actions": counts.actions,
                "open": counts.open,
                "overdue": counts.overdue,
                "drifting": counts.drifting,
                "status": r.status,
                "signed_off": _signed_off(r),
            }
        )
        findings += [{"id": r.id, "review": r.title, "number": f.number, "text": f.text} for f in r.findings]
        actions += [
            {
                "id": r.id,
                "review": r.title,
                "action": a.id,
                "title": a.title,
                "agency": a.agency,
                "due": a.due_date.isoformat(),
                "status": a.status,
                "progress": progress_words(a.progress),
                "flags": action_flags(a, today),
            }
            for a in mine
        ]
        if r.is_audit:
            results += [
                {
                    "id": r.id,
                    "review": r.title,
                    "criterion": c.result.criterion,
                    "cases": c.result.cases,
                    "met": c.result.met,
                    "percent": round(c.result.percent, 1),
                    "previous": None if c.previous is None else round(c.previous.percent, 1),
                    "previous_audit": _audit_name(c.previous_review),
                    "change": c.change,
                    "direction": c.words,
                }
                for c in _comparisons(r)
            ]
    return {
        "Reviews": pd.DataFrame(rows, columns=list(COLUMNS)).rename(columns=COLUMNS),
        "Findings": pd.DataFrame(findings, columns=list(FINDING_COLUMNS)).rename(columns=FINDING_COLUMNS),
        "Actions": pd.DataFrame(actions, columns=list(ACTION_COLUMNS)).rename(columns=ACTION_COLUMNS),
        "Audit results": pd.DataFrame(results, columns=list(RESULT_COLUMNS)).rename(columns=RESULT_COLUMNS),
    }


def _audit_name(review: Review | None) -> str:
    return "" if review is None else f"{review.title} ({review.held_on:%d %b %Y})"


# --- the list and a review ---


def _flag_cell(counts: ActionCounts) -> html.Td:
    flags = [
        html.Strong(f"{n} {word}", className="flag")
        for n, word in ((counts.overdue, "overdue"), (counts.drifting, "drifting"))
        if n
    ]
    return html.Td([flags[0], ", ", flags[1]] if len(flags) == 2 else (flags or "none"))


def reviews_table(reviews: list[Review], visible: dict[int, Action], today: date) -> html.Div:
    header = ["No.", "Review", "Kind", "Held or published", "Findings", "Actions", "Flags", "Status"]
    rows = []
    for r in reviews:
        counts = action_counts(r, _actions_of(r, visible), today)
        rows.append(
            html.Tr(
                [
                    html.Td(str(r.id)),
                    html.Th(html.A(r.title, href=f"{PAGE}?review={r.id}"), scope="row"),
                    html.Td(r.kind),
                    html.Td(f"{r.held_on:%d %b %Y}"),
                    html.Td(str(counts.findings)),
                    html.Td(f"{counts.actions} ({counts.open} open)"),
                    _flag_cell(counts),
                    html.Td(r.status),
                ],
                **{"data-review": str(r.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
            )
        )
    return listing(header, rows, "reviews-list", "Reviews and audits")


def _actions_table(actions: list[Action], today: date) -> html.Div | html.P:
    if not actions:
        return html.P("No actions raised from it that you may see.", className="note")
    header = ["No.", "Action", "Lead agency", "Due", "Status", "Progress", "Flags"]
    return scroll_box(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(str(a.id)),
                                html.Th(html.A(a.title, href="/actions"), scope="row"),
                                html.Td(f"{a.agency}: {a.lead}"),
                                html.Td(f"{a.due_date:%d %b %Y}"),
                                html.Td(a.status),
                                html.Td(progress_words(a.progress)),
                                html.Td(
                                    html.Strong(flags, className="flag")
                                    if (flags := action_flags(a, today))
                                    else ""
                                ),
                            ]
                        )
                        for a in actions
                    ]
                ),
            ],
            className="review-actions",
        ),
        label="Actions raised from the review",
        row_names=False,
    )


def _results_table(comparisons: list[Comparison]) -> html.Div | html.P:
    if not comparisons:
        return html.P("No results recorded yet.", className="note")
    header = ["Criterion", "Cases audited", "Cases meeting it", "% met", "Previous audit", "Change"]
    return scroll_box(
        html.Table(
            [
                html.Caption(
                    "The percentage met is worked out from the two counts; the change is in percentage points"
                ),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Th(c.result.criterion, scope="row"),
                                html.Td(str(c.result.cases)),
                                html.Td(str(c.result.met)),
                                html.Td(percent_words(c.result.percent)),
                                html.Td(
                                    f"{percent_words(c.previous.percent)} in {_audit_name(c.previous_review)}"
                                    if c.previous
                                    else "none"
                                ),
                                html.Td(c.words, className=f"audit-change audit-{c.direction.name.lower()}"),
                            ],
                            **{"data-criterion": c.result.criterion_key},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
                        )
                        for c in comparisons
                    ]
                ),
            ],
            className="audit-results",
        ),
        label="Audit results",
    )


def _review_panel(review: Review, visible: dict[int, Action], today: date) -> html.Section:
    actions = _actions_of(review, visible)
    counts = action_counts(review, actions, today)
    status = review.status + (
        f" on {review.signed_off_on:%d %B %Y} by {review.signed_off_by}" if review.signed_off_on else ""
    )
    las = la_names()
    return html.Section(
        [
            html.H2(f"Review {review.id}: {review.title}"),
            html.P(
                f"{review.kind.capitalize()}, {las.get(review.la_code, review.la_code)}, held or published "
                f"{review.held_on:%d %B %Y}; lead agency {review.agency}. Status: {status}."
            ),
            html.P(f"Themes: {', '.join(review.themes) or 'none'}."),
            html.P(counts.words + ".", className="review-counts"),
            html.H3("Findings"),
            html.Ol(
                [html.Li(f.text, value=str(f.number)) for f in review.findings], className="review-findings"
            )
            if review.findings
            else html.P("No findings recorded yet.", className="note"),
            html.H3("Actions raised from it"),
            _actions_table(actions, today),
            *(
                [html.H3("Results, against the previous audit"), _results_table(_comparisons(review))]
                if review.is_audit
                else []
            ),
        ],
        **{"data-review": str(review.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


# --- the forms ---


def _add_form(las: dict[str, str], agencies: list[str]) -> html.Form:
    return html.Form(
        [
            html.H2("Add a review or audit"),
            html.Div(
                [
                    field(
                        "Local authority",
                        select(
                            ids.REVIEW_LA,
                            [{"label": n, "value": c} for c, n in las.items()],
                            next(iter(las), None),
                        ),
                    ),
                    field(
                        "Kind",
                        select(
                            ids.REVIEW_KIND,
                            [{"label": k.value, "value": k.value} for k in ReviewKind],
                            prompt="Choose the kind",
                        ),
                    ),
                    field("Held or published", dcc.Input(id=ids.REVIEW_DATE, type="text"), hint="YYYY-MM-DD"),
                    field(
                        "Lead agency",
                        select(
                            ids.REVIEW_AGENCY,
                            [{"label": a, "value": a} for a in agencies],
                            prompt="Choose an agency",
                        ),
                    ),
                ],
                className="form-grid",
            ),
            field(
                "Title", dcc.Input(id=ids.REVIEW_TITLE, type="text", className="wide-input"), hint=NO_CHILD
            ),
            field(
                "Themes",
                dcc.Input(id=ids.REVIEW_THEMES, type="text", className="wide-input"),
                hint="a few words each, with commas between",
            ),
            html.Div(
                html.Button(
                    "Add the review", id=ids.REVIEW_ADD, n_clicks=0, type="button", className="button-primary"
                ),
                className="form-actions",
            ),
        ],
        className="app-form",
    )


def _record_forms_outputs() -> list:
    """For a role that records nothing, the two parts of the forms that drawing a review fills in,
    empty and hidden: the callback has them to write to (else it fails in the browser)."""
    return [html.Div(id=ids.REVIEW_RESULTS_FORMS, style=HIDDEN), html.Datalist(id=ids.REVIEW_CRITERIA_USED)]


def _record_forms(agencies: list[str]) -> html.Section:
    """The forms for the chosen review. They stay in the page, so redrawing the review never clears
    what someone is typing; a change made clears its own form."""
    return html.Section(
        [
            html.H3("Add a finding"),
            field(
                "Finding",
                dcc.Textarea(id=ids.REVIEW_FINDING, className="commentary-input"),
                hint=f"{NO_CHILD}; up to 4,000 characters",
            ),
            html.Div(
                html.Button(
                    "Add the finding", id=ids.REVIEW_FINDING_ADD, n_clicks=0, className="button-primary"
                ),
                className="form-actions",
            ),
            html.Div(
                [
                    html.H3("Record audit results"),
                    html.P(
                        "Type a criterion's counts, or upload the filled-in template: the percentage met is "
                        "worked out, and each criterion is compared with the last audit that used its wording."
                    ),
                    html.Div(
                        [
                            field(
                                "Criterion",
                                dcc.Input(
                                    id=ids.REVIEW_CRITERION, type="text", list=ids.REVIEW_CRITERIA_USED
                                ),
                                hint="choose one used before to compare",
                            ),
                            html.Datalist(id=ids.REVIEW_CRITERIA_USED),
                            field(
                                "Cases audited",
                                dcc.Input(id=ids.REVIEW_CASES, type="text", inputMode="numeric"),
                            ),
                            field(
                                "Cases meeting it",
                                dcc.Input(id=ids.REVIEW_MET, type="text", inputMode="numeric"),
                            ),
                        ],
                        className="form-grid",
                    ),
                    html.Div(
                        html.Button(
                            "Record the result",
                            id=ids.REVIEW_RESULT_ADD,
                            n_clicks=0,
                            className="button-primary",
                        ),
                        className="form-actions",
                    ),
                    html.Div(
                        [
                            html.Button(
                                "Template (Excel)",
                                id=ids.REVIEW_TEMPLATE_XLSX,
                                n_clicks=0,
                                className="button-secondary",
                            ),
                            html.Button(
                                "Template (CSV)",
                                id=ids.REVIEW_TEMPLATE_CSV,
                                n_clicks=0,
                                className="button-secondary",
                            ),
                            dcc.Download(id=ids.REVIEW_TEMPLATE_DOWNLOAD),
                        ],
                        className="form-actions",
                    ),
                    # The label holds the upload, so its file input (which dcc.Upload draws without a
                    # name of its own) is named by the words.
                    html.Label(
                        dcc.Upload(
                            html.Span(
                                ["Upload the filled-in template (.xlsx or .csv): ", html.U("choose a file")]
                            ),
                            id=ids.REVIEW_UPLOAD,
                            accept=".xlsx,.csv",
                            className="upload-box",
                        ),
                        className="upload-label",
                    ),
                ],
                id=ids.REVIEW_RESULTS_FORMS,
                style=HIDDEN,
            ),
            html.H3("Raise an action from it"),
            *raised_action_fields(
                agencies,
                agency_id=ids.REVIEW_ACTION_AGENCY,
                lead_id=ids.REVIEW_ACTION_LEAD,
                due_id=ids.REVIEW_ACTION_DUE,
                title_id=ids.REVIEW_ACTION_TITLE,
                measure_id=ids.REVIEW_ACTION_MEASURE,
                kpis_id=ids.REVIEW_ACTION_KPIS,
                add_id=ids.REVIEW_ACTION_ADD,
            ),
        ]
    )


def _sign_off_form() -> html.Section:
    return html.Section(
        [
            html.H3("Sign off"),
            html.P("A review is signed off once every action raised from it is complete or dropped."),
            field("Signed off on", dcc.Input(id=ids.REVIEW_SIGN_OFF_DATE, type="text"), hint="YYYY-MM-DD"),
            html.Div(
                html.Button(
                    "Sign the review off", id=ids.REVIEW_SIGN_OFF, n_clicks=0, className="button-primary"
                ),
                className="form-actions",
            ),
        ]
    )


def layout(review: str | None = None, **_query: str) -> html.Div:
    try:
        scope = current_scope()
        las = la_names()
        agencies = agency_choices(scope)
    except WarehouseError as error:
        return html.Div([html.H1("Reviews and audits"), html.P(str(error))])
    user = current_user()
    records = user.can(Permission.MANAGE_REVIEWS)
    listed = scoped_reviews(scope, [s.value for s in ReviewStatus])
    # A link to a review (?review=N) chooses it: its option is in the layout, as a dropdown keeps
    # only a listed value.
    chosen = next((r.id for r in listed if isinstance(review, str) and str(r.id) == review), None)
    return html.Div(
        [
            html.H1("Reviews and audits"),
            html.P(
                "Rapid reviews, child safeguarding practice reviews, multi-agency audits and Section 11 "
                "self-assessments: their themes, findings and the actions raised from them, which are tracked "
                "in the action tracker. An action is overdue past its due date, and drifting when nobody has "
                "reported on it for a quarter or its last two reports were 1 or 2. An audit's results are "
                "compared with the previous audit of the same criterion."
            ),
            _add_form(las, agencies) if records else None,
            html.P(id=ids.REVIEW_STATUS_MESSAGE, role="status", className="form-status"),
            dcc.Store(id=CHANGED, data=0),
            checklist(
                ids.REVIEWS_FILTER_STATUS,
                "Status",
                [{"label": s.value, "value": s.value} for s in ReviewStatus],
                [s.value for s in ReviewStatus],
                inline=True,
            ),
            html.H2("Reviews"),
            html.Div(
                [
                    html.Button(
                        "Download as CSV", id=ids.REVIEWS_CSV, n_clicks=0, className="button-secondary"
                    ),
                    html.Button(
                        "Download as Excel", id=ids.REVIEWS_XLSX, n_clicks=0, className="button-secondary"
                    ),
                    dcc.Download(id=ids.REVIEWS_DOWNLOAD),
                ],
                className="form-actions",
            ),
            html.Div(id=ids.REVIEWS_LIST),
            html.H2("A review"),
            field(
                "Review",
                select(
                    ids.REVIEW_CHOSEN,
                    _choices(listed),
                    None if chosen is None else str(chosen),
                    prompt="Choose a review",
                ),
            ),
            html.Div(id=ids.REVIEW_SELECTED),
            html.Div(
                _record_forms(agencies) if records else _record_forms_outputs(),
                id=ids.REVIEW_FORMS,
                style=HIDDEN,
            ),
            html.Div(
                _sign_off_form() if user.can(Permission.SIGN_OFF_REVIEWS) else None,
                id=ids.REVIEW_SIGN_OFF_FORM,
                style=HIDDEN,
            ),
        ]
    )


# --- callbacks ---


def _choices(reviews: list[Review]) -> list[dict]:
    return [
        {"label": f"{r.id}: {r.title} ({r.kind}, {r.held_on:%b %Y})", "value": str(r.id)} for r in reviews
    ]


def _count_words(count: int) -> str:
    return "No reviews match." if count == 0 else f"{count:,} review{'' if count == 1 else 's'}."


@callback(
    Output(ids.REVIEWS_LIST, "children"),
    Output(ids.REVIEW_CHOSEN, "options"),
    Input(ids.REVIEWS_FILTER_STATUS, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_reviews(statuses: list[str] | None, _changed: int) -> tuple[list, list[dict]]:
    scope = current_scope()
    reviews = scoped_reviews(scope, statuses)
    listed: list[html.P | html.Div] = [html.P(_count_words(len(reviews)), className="note")]
    if reviews:
        listed.append(reviews_table(reviews, _visible_actions(scope), date.today()))
    return listed, _choices(reviews)


@callback(
    Output(ids.REVIEWS_DOWNLOAD, "data"),
    Input(ids.REVIEWS_CSV, "n_clicks"),
    Input(ids.REVIEWS_XLSX, "n_clicks"),
    State(ids.REVIEWS_FILTER_STATUS, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def export_reviews(_csv: int, _xlsx: int, statuses: list[str] | None) -> dict[str, Any]:
    sheets = review_frames(statuses)
    used = {"page": PAGE, "status": list(statuses or ())}
    if dash.ctx.triggered_id == ids.REVIEWS_XLSX:
        return xlsx_download(sheets, "reviews.xlsx", **used)
    return csv_download(sheets["Reviews"], "reviews.csv", **used)


@callback(
    Output(ids.REVIEW_SELECTED, "children"),
    Output(ids.REVIEW_FORMS, "style"),
    Output(ids.REVIEW_RESULTS_FORMS, "style"),
    Output(ids.REVIEW_SIGN_OFF_FORM, "style"),
    Output(ids.REVIEW_CRITERIA_USED, "children"),
    Input(ids.REVIEW_CHOSEN, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_chosen(review_id: str | None, _changed: int) -> tuple[html.Section | None, dict, dict, dict, list]:
    review = _in_scope(review_id)
    if review is None:
        return None, HIDDEN, HIDDEN, HIDDEN, []
    user = current_user()
    is_open = review.status == ReviewStatus.OPEN.value
    with session() as db:
        criteria = criteria_used(db, (review.la_code,))
    return (
        _review_panel(review, _visible_actions(current_scope()), date.today()),
        {} if is_open and user.can(Permission.MANAGE_REVIEWS) else HIDDEN,
        {} if review.is_audit else HIDDEN,
        {} if is_open and user.can(Permission.SIGN_OFF_REVIEWS) else HIDDEN,
        [html.Option(value=c) for c in criteria],
    )


@callback(
    Output(ids.REVIEW_STATUS_MESSAGE, "children"),
    Output(CHANGED, "data"),
    Output(ids.REVIEW_CHOSEN, "options", allow_duplicate=True),
    Output(ids.REVIEW_CHOSEN, "value"),
    Input(ids.REVIEW_ADD, "n_clicks"),
    State(ids.REVIEW_LA, "value"),
    State(ids.REVIEW_KIND, "value"),
    State(ids.REVIEW_TITLE, "value"),
    State(ids.REVIEW_DATE, "value"),
    State(ids.REVIEW_AGENCY, "value"),
    State(ids.REVIEW_THEMES, "value"),
    State(ids.REVIEWS_FILTER_STATUS, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def add_a_review(_clicks, la_code, kind, title, held_on, agency, themes, statuses, changed):
    try:
        user = require(Permission.MANAGE_REVIEWS)
        if la_code not in current_scope().la_codes:
            raise ValueError("choose a local authority in your scope")
        if not kind:
            raise ValueError("choose the kind of review")
        if not agency:
            raise ValueError("choose the lead agency")
        with session() as db:
            review = add_review(
                db,
                la_code,
                title or "",
                kind,
                parse_day(held_on, "Held or published"),
                agency,
                user.username,
                themes or "",
            )
    except (PermissionDenied, ValueError) as error:
        return (*refused(error), dash.no_update, dash.no_update)
    # The new review is chosen; its option is sent with it, as a dropdown keeps only a listed value.
    choices = _choices(scoped_reviews(current_scope(), statuses))
    return (*done(f"Added review {review.id}: {review.title}.", changed), choices, str(review.id))


_change_chosen = partial(change_chosen, find=_in_scope, missing="choose a review in the list first")
_outputs = partial(change_outputs, ids.REVIEW_STATUS_MESSAGE, CHANGED)


@callback(
    *_outputs(ids.REVIEW_FINDING),
    Input(ids.REVIEW_FINDING_ADD, "n_clicks"),
    State(ids.REVIEW_CHOSEN, "value"),
    State(ids.REVIEW_FINDING, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def add_a_finding(clicks, review_id, text, changed):
    def change(db: Session, review: Review, by: str) -> str:
        finding = add_finding(db, review.id, text or "", by)
        return f"Added finding {finding.number} to review {review.id}."

    return _change_chosen(clicks, review_id, changed, (Permission.MANAGE_REVIEWS,), change, 1)


@callback(
    *_outputs(ids.REVIEW_CRITERION, ids.REVIEW_CASES, ids.REVIEW_MET),
    Input(ids.REVIEW_RESULT_ADD, "n_clicks"),
    State(ids.REVIEW_CHOSEN, "value"),
    State(ids.REVIEW_CRITERION, "value"),
    State(ids.REVIEW_CASES, "value"),
    State(ids.REVIEW_MET, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def add_a_result(clicks, review_id, criterion, cases, met, changed):
    def change(db: Session, review: Review, by: str) -> str:
        [result] = record_results(db, review.id, [checked_result(criterion, cases, met)], by)
        return f"Recorded {result.criterion}: {result.met} of {result.cases}, {percent_words(result.percent)} met."

    return _change_chosen(clicks, review_id, changed, (Permission.MANAGE_REVIEWS,), change, 3)


@callback(
    *_outputs(),
    Output(ids.REVIEW_UPLOAD, "contents"),
    Input(ids.REVIEW_UPLOAD, "contents"),
    State(ids.REVIEW_UPLOAD, "filename"),
    State(ids.REVIEW_CHOSEN, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def upload_results(contents, filename, review_id, changed):
    def change(db: Session, review: Review, by: str) -> str:
        if not isinstance(contents, str) or "," not in contents:
            raise ValueError("choose a file to upload")
        try:
            content = base64.b64decode(contents.split(",", 1)[1], validate=True)
        except ValueError:
            raise ValueError(f"file '{filename}' did not arrive whole: upload it again") from None
        rows = read_results(content, str(filename or ""))  # ResultsFileError names sheet, row and field
        recorded = record_results(db, review.id, rows, by)
        return f"Recorded {len(recorded)} result{'' if len(recorded) == 1 else 's'} from {filename}."

    message, bumped = _change_chosen(
        1 if contents else 0, review_id, changed, (Permission.MANAGE_REVIEWS,), change, 0
    )
    return message, bumped, None  # the upload emptied, so the same file can be sent again once corrected


@callback(
    Output(ids.REVIEW_TEMPLATE_DOWNLOAD, "data"),
    Input(ids.REVIEW_TEMPLATE_XLSX, "n_clicks"),
    Input(ids.REVIEW_TEMPLATE_CSV, "n_clicks"),
    State(ids.REVIEW_CHOSEN, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def download_template(_xlsx: int, _csv: int, review_id: int | None) -> dict[str, Any]:
    # The template holds the criteria of audits in the viewer's scope, which the page shows anyway.
    if dash.ctx.triggered_id == ids.REVIEW_TEMPLATE_CSV:
        return {"content": template_csv(), "filename": "audit-results.csv", "type": "text/csv"}
    review = _in_scope(review_id)
    la_codes = (review.la_code,) if review else current_scope().la_codes
    with session() as db:
        criteria = criteria_used(db, la_codes)
    return dcc.send_bytes(template_xlsx(criteria), "audit-results.xlsx")


@callback(
    *_outputs(
        ids.REVIEW_ACTION_TITLE, ids.REVIEW_ACTION_LEAD, ids.REVIEW_ACTION_DUE, ids.REVIEW_ACTION_MEASURE
    ),
    Input(ids.REVIEW_ACTION_ADD, "n_clicks"),
    State(ids.REVIEW_CHOSEN, "value"),
    State(ids.REVIEW_ACTION_TITLE, "value"),
    State(ids.REVIEW_ACTION_AGENCY, "value"),
    State(ids.REVIEW_ACTION_LEAD, "value"),
    State(ids.REVIEW_ACTION_DUE, "value"),
    State(ids.REVIEW_ACTION_MEASURE, "value"),
    State(ids.REVIEW_ACTION_KPIS, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def raise_an_action(clicks, review_id, title, agency, lead, due, measure, kpi_ids, changed):
    def change(db: Session, review: Review, by: str) -> str:
        if not agency:
            raise ValueError("choose the lead agency")
        if not current_scope().covers(review.la_code, agency):
            raise ValueError(f"you may raise actions led by {', '.join(current_scope().agencies)} only")
        action = raise_review_action(
            db,
            review.id,
            title or "",
            agency,
            lead or "",
            parse_day(due, "Due"),
            measure or "",
            by,
            kpi_ids=list(kpi_ids or ()),
        )
        return f"Raised action {action.id} from review {review.id}: it is tracked in the action tracker."

    return _change_chosen(clicks, review_id, changed, (Permission.MANAGE_REVIEWS,), change, 4)


@callback(
    *_outputs(ids.REVIEW_SIGN_OFF_DATE),
    Input(ids.REVIEW_SIGN_OFF, "n_clicks"),
    State(ids.REVIEW_CHOSEN, "value"),
    State(ids.REVIEW_SIGN_OFF_DATE, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def sign_a_review_off(clicks, review_id, on, changed):
    def change(db: Session, review: Review, by: str) -> str:
        signed = sign_off_review(db, review.id, parse_day(on, "Signed off on"), by)
        return f"Review {signed.id} signed off on {signed.signed_off_on:%d %B %Y}."

    return _change_chosen(clicks, review_id, changed, (Permission.SIGN_OFF_REVIEWS,), change, 1)
