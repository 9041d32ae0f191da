"""The risk register: the partnership's risks on a heat map and in a table, each with its score,
how it moved, its owner, its review date and the KPIs and actions that bear on it (appstate/risks.py).

Risks are listed for the LAs in the viewer's scope only; a partner limited to agencies sees the
risks their agencies own, and no others. Executives read every risk in scope and re-score them
(the score is the board's judgement, made at its meetings); the data team and admins also add and
close risks. The register downloads as CSV or Excel with the same rows, and every score's history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app import ids
from app.access import callback
from app.agencies import agency_choices
from app.components.choices import checklist, chosen_number, radios, select
from app.components.exports import csv_download, xlsx_download
from app.components.forms import done, field, parse_day, refused
from app.components.kpi_choices import KPI_CHOICES, kpi_titles, linked_kpis
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
from appstate.db import session
from appstate.risks import (
    IMPACT,
    LIKELIHOOD,
    SCALE,
    Movement,
    Risk,
    RiskQuery,
    RiskStatus,
    add_risk,
    band,
    band_ranges,
    close_risk,
    heat_map,
    list_risks,
    rescore_risk,
)
from warehouse.db import WarehouseError
from warehouse.model.files import active_model

PAGE = "/risks"
dash.register_page(
    __name__,
    path=PAGE,
    name="Risk register",
    order=11.5,
    group=PARTNERSHIP_WORK,  # after the action tracker
    title="Risk register - Safeguarding performance",
    roles=EVERYONE,
)

CHANGED = "risk-changed"  # a counter the forms bump, so the register and the chosen risk redraw
HIDDEN = {"display": "none"}
ARROWS = {Movement.UP: "↑", Movement.DOWN: "↓", Movement.SAME: "→", Movement.NEW: "•"}
COLUMNS = {
    "id": "No.",
    "la": "Local authority",
    "title": "Risk",
    "description": "Description",
    "owner": "Owner",
    "agency": "Owning agency",
    "controls": "Controls",
    "likelihood": "Likelihood",
    "impact": "Impact",
    "score": "Score",
    "band": "Band",
    "movement": "Movement",
    "review": "Next review",
    "overdue": "Review overdue",
    "status": "Status",
    "kpis": "Linked KPIs",
    "actions": "Linked actions",
    "added": "Added",
}
HISTORY_COLUMNS = {
    "id": "No.",
    "at": "When",
    "by": "By",
    "likelihood": "Likelihood",
    "impact": "Impact",
    "score": "Score",
    "band": "Band",
    "reason": "Why",
    "review": "Next review",
}


def movement_words(risk: Risk) -> str:
    """The arrow and what it means: the arrow alone is not enough for a screen reader or a print."""
    previous = risk.previous_score
    words = {
        Movement.NEW: "first scored",
        Movement.UP: f"up from {previous}",
        Movement.DOWN: f"down from {previous}",
        Movement.SAME: f"no change from {previous}",
    }[risk.movement]
    return f"{ARROWS[risk.movement]} {words}"


def score_words(score: int) -> str:
    return f"{score} {band(score).value}"


def _band_class(score: int) -> str:
    return "risk-band risk-" + band(score).name.lower().replace("_", "-")


def kpi_href(kpi_id: str, la_code: str) -> str | None:
    """The operational page that shows the KPI's card, for the risk's LA; None if no page does."""
    page = next((p for p in active_model().pages if kpi_id in p.kpis), None)
    return f"/{page.id}?la={la_code}#card-{kpi_id}" if page else None


def _visible_actions(scope: Scope) -> dict[int, Action]:
    """The actions the viewer may see (their LAs; a partner's agencies'), by number."""
    with session() as db:
        found = list_actions(db, ActionQuery(la_codes=scope.la_codes, agencies=scope.agencies))
    return {action.id: action for action in found}


def scoped_risks(scope: Scope, statuses: list[str] | None) -> list[Risk]:
    query = RiskQuery(la_codes=scope.la_codes, agencies=scope.agencies, status=tuple(statuses or ()))
    with session() as db:
        return list_risks(db, query)


def register_frames(
    statuses: list[str] | None, today: date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The register as the downloads show it (COLUMNS), and every scoring of its risks."""
    today = today or date.today()
    scope = current_scope()
    names = la_names()
    actions = _visible_actions(scope)
    risks = scoped_risks(scope, statuses)
    rows = [
        {
            "id": r.id,
            "la": names.get(r.la_code, r.la_code),
            "title": r.title,
            "description": r.description,
            "owner": r.owner,
            "agency": r.agency,
            "controls": r.controls,
            "likelihood": r.current.likelihood,
            "impact": r.current.impact,
            "score": r.score,
            "band": r.band.value,
            "movement": movement_words(r),
            "review": r.review_date.isoformat(),
            "overdue": "overdue" if r.is_review_overdue(today) else "",
            "status": r.status,
            "kpis": kpi_titles(r.kpi_ids),
            "actions": "; ".join(f"{a}: {actions[a].title}" for a in r.action_ids if a in actions),
            "added": f"{r.created_at:%Y-%m-%d} by {r.created_by}",
        }
        for r in risks
    ]
    history = [
        {
            "id": r.id,
            "at": f"{s.at:%Y-%m-%d %H:%M}",
            "by": s.by,
            "likelihood": s.likelihood,
            "impact": s.impact,
            "score": s.score,
            "band": band(s.score).value,
            "reason": s.reason,
            "review": s.review_date.isoformat(),
        }
        for r in risks
        for s in r.scores
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS)), pd.DataFrame(history, columns=list(HISTORY_COLUMNS))


# --- the heat map and the register ---


HEAT_MAP_TITLE = f"{ids.RISKS_HEAT_MAP}-title"


def heat_map_table(risks: list[Risk]) -> html.Div:
    """The 5x5 grid as a table: likelihood down (5 at the top), impact across. Each cell says its
    score and band in words, as well as its colour, and lists the risks in it."""
    cells = heat_map(risks)

    def cell(likelihood: int, impact: int) -> html.Td:
        score = likelihood * impact
        inside = cells.get((likelihood, impact), [])
        return html.Td(
            [
                html.Span(score_words(score), className="heat-score"),
                html.Ul([html.Li(f"{r.id}: {r.title}") for r in inside]) if inside else None,
            ],
            className=_band_class(score),
            **{"data-cell": f"{likelihood}x{impact}"},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
        )

    # Its title above its box rather than a caption inside it, which would scroll away with the table.
    title = html.P(
        "Open risks by likelihood and impact, at their current score",
        id=HEAT_MAP_TITLE,
        className="table-title",
    )
    # The bands' colours fill the grid whether or not a risk sits in it: an empty map says so in words.
    empty = html.P("No open risk in this view: the grid shows only the score of each cell.", className="note")
    return html.Div(
        [
            title,
            empty if not risks else None,
            scroll_box(
                html.Table(
                    [
                        html.Thead(
                            html.Tr(
                                [
                                    html.Th("Likelihood (down), impact (across)", scope="col"),
                                    *[html.Th(f"{i} {IMPACT[i]}", scope="col") for i in SCALE],
                                ]
                            )
                        ),
                        html.Tbody(
                            [
                                html.Tr(
                                    [
                                        html.Th(f"{lk} {LIKELIHOOD[lk]}", scope="row"),
                                        *[cell(lk, i) for i in SCALE],
                                    ]
                                )
                                for lk in reversed(SCALE)
                            ]
                        ),
                    ],
                    className="risk-heat-map",
                    **{"aria-labelledby": HEAT_MAP_TITLE},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
                ),
                labelled_by=HEAT_MAP_TITLE,
            ),
        ]
    )


def _links(risk: Risk, actions: dict[int, Action]) -> tuple[list, list]:
    kpis = [
        html.Li(html.A(KPI_CHOICES.get(k, k), href=href) if (href := kpi_href(k, risk.la_code)) else k)
        for k in risk.kpi_ids
    ]
    linked = [
        html.Li(html.A(f"{a}: {actions[a].title}", href="/actions")) for a in risk.action_ids if a in actions
    ]
    return kpis, linked


def register_table(risks: list[Risk], actions: dict[int, Action], today: date) -> html.Div:
    header = [
        "No.",
        "Risk",
        "Score",
        "Movement",
        "Owner",
        "Next review",
        "Status",
        "Linked KPIs",
        "Linked actions",
    ]
    rows = []
    for r in risks:
        kpis, linked = _links(r, actions)
        overdue = r.is_review_overdue(today)
        rows.append(
            html.Tr(
                [
                    html.Td(str(r.id)),
                    html.Th(r.title, scope="row"),
                    html.Td(html.Span(score_words(r.score), className=_band_class(r.score))),
                    html.Td(movement_words(r), className=f"risk-movement risk-{r.movement.value}"),
                    html.Td(f"{r.owner} ({r.agency})"),
                    html.Td(
                        [
                            f"{r.review_date:%d %b %Y}",
                            html.Strong(" overdue", className="flag") if overdue else None,
                        ]
                    ),
                    html.Td(r.status),
                    html.Td(html.Ul(kpis) if kpis else "none"),
                    html.Td(html.Ul(linked) if linked else "none"),
                ],
                **{"data-risk": str(r.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
            )
        )
    return listing(header, rows, "risk-register", "The register")


def _scale_choice(component_id: str, label: str, words: dict[int, str]) -> html.Fieldset:
    return radios(component_id, label, [{"label": f"{n} {words[n]}", "value": n} for n in SCALE])


def _add_form(las: dict[str, str], agencies: list[str], actions: dict[int, Action]) -> html.Form:
    return html.Form(
        [
            html.H2("Add a risk"),
            html.Div(
                [
                    field(
                        "Local authority",
                        select(
                            ids.RISK_LA,
                            [{"label": n, "value": c} for c, n in las.items()],
                            next(iter(las), None),
                        ),
                    ),
                    field(
                        "Owning agency",
                        select(
                            ids.RISK_AGENCY,
                            [{"label": a, "value": a} for a in agencies],
                            prompt="Choose an agency",
                        ),
                    ),
                    field("Owner", dcc.Input(id=ids.RISK_OWNER, type="text"), hint="a post holder"),
                    field("Next review", dcc.Input(id=ids.RISK_REVIEW, type="text"), hint="YYYY-MM-DD"),
                    linked_kpis(ids.RISK_KPIS, "the figures that would show it coming about"),
                    checklist(
                        ids.RISK_ACTIONS,
                        "Linked actions",
                        [{"label": f"{a.id}: {a.title}", "value": a.id} for a in actions.values()],
                        scroll=True,
                        hint="actions that reduce it",
                    ),
                ],
                className="form-grid",
            ),
            field("Risk", dcc.Input(id=ids.RISK_TITLE, type="text", className="wide-input")),
            field(
                "Description",
                dcc.Textarea(id=ids.RISK_DESCRIPTION, className="commentary-input"),
                hint="about the partnership's system, never a child",
            ),
            field("Controls", dcc.Textarea(id=ids.RISK_CONTROLS, className="commentary-input")),
            _scale_choice(ids.RISK_LIKELIHOOD, "Likelihood", LIKELIHOOD),
            _scale_choice(ids.RISK_IMPACT, "Impact", IMPACT),
            html.Div(
                html.Button(
                    "Add the risk", id=ids.RISK_ADD, n_clicks=0, type="button", className="button-primary"
                ),
                className="form-actions",
            ),
        ],
        className="app-form",
    )


def _rescore_form(may_close: bool) -> html.Section:
    """The form to re-score the chosen risk (and, for those who may, close it). It stays in the page,
    so redrawing the risk never clears what someone is typing; a recorded score clears it."""
    return html.Section(
        [
            html.H3("Re-score"),
            _scale_choice(ids.RISK_NEW_LIKELIHOOD, "Likelihood", LIKELIHOOD),
            _scale_choice(ids.RISK_NEW_IMPACT, "Impact", IMPACT),
            field(
                "Why", dcc.Textarea(id=ids.RISK_REASON, className="commentary-input"), hint="for closing, why"
            ),
            field("Next review", dcc.Input(id=ids.RISK_NEXT_REVIEW, type="text"), hint="YYYY-MM-DD"),
            html.Div(
                [
                    html.Button(
                        "Record the score", id=ids.RISK_RESCORE, n_clicks=0, className="button-primary"
                    ),
                    html.Button("Close the risk", id=ids.RISK_CLOSE, n_clicks=0, className="button-secondary")
                    if may_close
                    else None,
                ],
                className="form-actions",
            ),
        ]
    )


def _bands_words() -> str:
    return ", ".join(f"{low}-{top} {named.value}" for low, top, named in band_ranges())


def layout(**_query: str) -> html.Div:
    try:
        scope = current_scope()
        las = la_names()
        user = current_user()
        form = (
            _add_form(las, agency_choices(scope), _visible_actions(scope))
            if user.can(Permission.MANAGE_RISKS)
            else None
        )
    except WarehouseError as error:
        return html.Div([html.H1("Risk register"), html.P(str(error))])
    return html.Div(
        [
            html.H1("Risk register"),
            html.P(
                "The risks to the partnership's safeguarding arrangements, each scored for likelihood and "
                "impact from 1 to 5. The score is the two multiplied, in bands: "
                f"{_bands_words()}. Every review adds a score with the reason, so each risk's history "
                "shows how it moved. A review is overdue once its date has passed."
            ),
            form,
            html.P(id=ids.RISK_STATUS_MESSAGE, role="status", className="form-status"),
            dcc.Store(id=CHANGED, data=0),
            checklist(
                ids.RISKS_FILTER_STATUS,
                "Status",
                [{"label": s.value, "value": s.value} for s in RiskStatus],
                [RiskStatus.OPEN.value],
                inline=True,
            ),
            html.H2("Heat map"),
            html.Div(id=ids.RISKS_HEAT_MAP),
            html.H2("Register"),
            html.Div(
                [
                    html.Button(
                        "Download as CSV", id=ids.RISKS_CSV, n_clicks=0, className="button-secondary"
                    ),
                    html.Button(
                        "Download as Excel", id=ids.RISKS_XLSX, n_clicks=0, className="button-secondary"
                    ),
                    dcc.Download(id=ids.RISKS_DOWNLOAD),
                ],
                className="form-actions",
            ),
            html.Div(id=ids.RISKS_REGISTER),
            html.H2("A risk's scores"),
            field("Risk", select(ids.RISK_CHOSEN, prompt="Choose a risk")),
            html.Div(
                [
                    html.Div(id=ids.RISK_SELECTED),
                    html.Div(
                        _rescore_form(user.can(Permission.MANAGE_RISKS))
                        if user.can(Permission.RESCORE_RISKS)
                        else None,
                        id=ids.RISK_FORM,
                        style=HIDDEN,
                    ),
                ],
                className="challenge-selected",
            ),
        ]
    )


def _count_words(count: int) -> str:
    return "No risks match." if count == 0 else f"{count:,} risk{'' if count == 1 else 's'}."


@callback(
    Output(ids.RISKS_HEAT_MAP, "children"),
    Output(ids.RISKS_REGISTER, "children"),
    Output(ids.RISK_CHOSEN, "options"),
    Input(ids.RISKS_FILTER_STATUS, "value"),
    Input(CHANGED, "data"),
    page=PAGE,
)
def show_register(statuses: list[str] | None, _changed: int) -> tuple[html.Div, list, list[dict]]:
    scope = current_scope()
    risks = scoped_risks(scope, statuses)
    on_map = [r for r in risks if r.status == RiskStatus.OPEN.value]
    register: list[html.P | html.Div] = [html.P(_count_words(len(risks)), className="note")]
    if risks:
        register.append(register_table(risks, _visible_actions(scope), date.today()))
    options = [{"label": f"{r.id}: {r.title} ({score_words(r.score)})", "value": r.id} for r in risks]
    return heat_map_table(on_map), register, options


@callback(
    Output(ids.RISKS_DOWNLOAD, "data"),
    Input(ids.RISKS_CSV, "n_clicks"),
    Input(ids.RISKS_XLSX, "n_clicks"),
    State(ids.RISKS_FILTER_STATUS, "value"),
    prevent_initial_call=True,
    page=PAGE,
)
def export_risks(_csv: int, _xlsx: int, statuses: list[str] | None) -> dict[str, Any]:
    frame, history = register_frames(statuses)
    used = {"page": PAGE, "status": list(statuses or ())}
    named = frame.rename(columns=COLUMNS)
    if dash.ctx.triggered_id == ids.RISKS_XLSX:
        sheets = {"Risks": named, "Score history": history.rename(columns=HISTORY_COLUMNS)}
        return xlsx_download(sheets, "risks.xlsx", **used)
    return csv_download(named, "risks.csv", **used)


def _in_scope(chosen_risk: object) -> Risk | None:
    risk_id = chosen_number(chosen_risk)
    if risk_id is None:
        return None
    with session() as db:
        risk = db.get(Risk, risk_id)
    return risk if risk is not None and current_scope().covers(risk.la_code, risk.agency) else None


def _risk_panel(risk: Risk, actions: dict[int, Action], today: date) -> html.Section:
    kpis, linked = _links(risk, actions)
    overdue = " (review overdue)" if risk.is_review_overdue(today) else ""
    history = scroll_box(
        html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(h, scope="col")
                            for h in ("When", "By", "Likelihood", "Impact", "Score", "Why")
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(f"{s.at:%Y-%m-%d %H:%M}"),
                                html.Td(s.by),
                                html.Td(f"{s.likelihood} {LIKELIHOOD[s.likelihood]}"),
                                html.Td(f"{s.impact} {IMPACT[s.impact]}"),
                                html.Td(html.Span(score_words(s.score), className=_band_class(s.score))),
                                html.Td(s.reason),
                            ]
                        )
                        for s in risk.scores
                    ]
                ),
            ],
            className="risk-history",
        ),
        label="Scores over time",
        row_names=False,
    )
    return html.Section(
        [
            html.H2(f"Risk {risk.id}: {risk.status}{overdue}"),
            html.P(risk.title, className="commentary-text"),
            html.P(risk.description),
            html.P(
                f"Owner: {risk.owner} ({risk.agency}). Score {score_words(risk.score)}, {movement_words(risk)}. "
                f"Next review {risk.review_date:%d %B %Y}."
            ),
            html.P(f"Controls: {risk.controls}"),
            html.P(f"Closed: {risk.closed_note}") if risk.closed_note else None,
            html.Div(["Linked KPIs: ", html.Ul(kpis) if kpis else "none"]),
            html.Div(["Linked actions: ", html.Ul(linked) if linked else "none"]),
            html.H3("Scores"),
            history,
        ],
        **{"data-risk": str(risk.id)},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
    )


@callback(
    Output(ids.RISK_SELECTED, "children"),
    Output(ids.RISK_FORM, "style"),
    Input(ids.RISK_CHOSEN, "value"),
    Input(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def show_chosen(risk_id: int | None, _changed: int) -> tuple[html.Section | None, dict]:
    risk = _in_scope(risk_id)
    if risk is None:
        return None, HIDDEN
    may_change = current_user().can(Permission.RESCORE_RISKS) and risk.status == RiskStatus.OPEN.value
    return _risk_panel(risk, _visible_actions(current_scope()), date.today()), {} if may_change else HIDDEN


@callback(
    Output(ids.RISK_STATUS_MESSAGE, "children"),
    Output(CHANGED, "data"),
    Input(ids.RISK_ADD, "n_clicks"),
    State(ids.RISK_LA, "value"),
    State(ids.RISK_TITLE, "value"),
    State(ids.RISK_DESCRIPTION, "value"),
    State(ids.RISK_OWNER, "value"),
    State(ids.RISK_AGENCY, "value"),
    State(ids.RISK_CONTROLS, "value"),
    State(ids.RISK_LIKELIHOOD, "value"),
    State(ids.RISK_IMPACT, "value"),
    State(ids.RISK_REVIEW, "value"),
    State(ids.RISK_KPIS, "value"),
    State(ids.RISK_ACTIONS, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def add_a_risk(
    _clicks,
    la_code,
    title,
    description,
    owner,
    agency,
    controls,
    likelihood,
    impact,
    review,
    kpis,
    actions,
    changed,
):
    try:
        user = require(Permission.MANAGE_RISKS)
        scope = current_scope()
        if la_code not in scope.la_codes:
            raise ValueError("choose a local authority in your scope")
        if not agency:
            raise ValueError("choose the owning agency")
        if not scope.covers(la_code, agency):
            raise ValueError(f"you may add risks owned by {', '.join(scope.agencies)} only")
        visible = _visible_actions(scope)
        hidden = [a for a in actions or () if a not in visible]
        if hidden:
            raise ValueError(f"there is no action {hidden[0]} in your scope to link the risk to")
        with session() as db:
            risk = add_risk(
                db,
                la_code,
                title or "",
                description or "",
                owner or "",
                agency,
                controls or "",
                likelihood,
                impact,
                parse_day(review, "Next review"),
                user.username,
                kpi_ids=list(kpis or ()),
                action_ids=list(actions or ()),
            )
    except (PermissionDenied, ValueError) as error:
        return refused(error)
    return done(f"Added risk {risk.id}, scored {score_words(risk.score)}.", changed)


def _step(
    clicks: int | None,
    risk_id: object,
    changed: int | None,
    permission: Permission,
    change: Callable[[Session, int, str], Risk],
    said: Callable[[Risk], str],
) -> tuple[object, object, object, object, object, object]:
    """Change the chosen risk, if the user's role allows it and the risk is in their scope."""
    if not clicks:
        return (dash.no_update,) * 6  # drawn afresh, not pressed
    try:
        user = require(permission)
        risk = _in_scope(risk_id)
        if risk is None:
            raise ValueError("choose a risk in the register first")
        with session() as db:
            risk = change(db, risk.id, user.username)
    except (PermissionDenied, ValueError) as error:
        return (*refused(error), *(dash.no_update,) * 4)
    message, bumped = done(said(risk), changed)
    return message, bumped, None, None, "", ""  # the form cleared for the next review


FORM_OUTPUTS = (
    Output(ids.RISK_STATUS_MESSAGE, "children", allow_duplicate=True),
    Output(CHANGED, "data", allow_duplicate=True),
    Output(ids.RISK_NEW_LIKELIHOOD, "value", allow_duplicate=True),
    Output(ids.RISK_NEW_IMPACT, "value", allow_duplicate=True),
    Output(ids.RISK_REASON, "value", allow_duplicate=True),
    Output(ids.RISK_NEXT_REVIEW, "value", allow_duplicate=True),
)


@callback(
    *FORM_OUTPUTS,
    Input(ids.RISK_RESCORE, "n_clicks"),
    State(ids.RISK_CHOSEN, "value"),
    State(ids.RISK_NEW_LIKELIHOOD, "value"),
    State(ids.RISK_NEW_IMPACT, "value"),
    State(ids.RISK_REASON, "value"),
    State(ids.RISK_NEXT_REVIEW, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def rescore_a_risk(clicks, risk_id, likelihood, impact, reason, review, changed):
    return _step(
        clicks,
        risk_id,
        changed,
        Permission.RESCORE_RISKS,
        lambda db, chosen, by: rescore_risk(
            db, chosen, likelihood, impact, reason or "", parse_day(review, "Next review"), by
        ),
        lambda risk: f"Risk {risk.id} scored {score_words(risk.score)}, {movement_words(risk)}.",
    )


@callback(
    *FORM_OUTPUTS,
    Input(ids.RISK_CLOSE, "n_clicks"),
    State(ids.RISK_CHOSEN, "value"),
    State(ids.RISK_REASON, "value"),
    State(CHANGED, "data"),
    prevent_initial_call=True,
    page=PAGE,
)
def close_a_risk(clicks, risk_id, reason, changed):
    return _step(
        clicks,
        risk_id,
        changed,
        Permission.MANAGE_RISKS,
        lambda db, chosen, by: close_risk(db, chosen, reason or "", by),
        lambda risk: f"Risk {risk.id} is now closed.",
    )
