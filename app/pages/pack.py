"""The meeting pack: a print-ready executive summary and chosen sections for a period, with the
filters in words and the data freshness date. /pack.pdf prints this page to PDF. The sections offered
are the board's own (actions, the exception report, the scorecard, the challenge log) and the
partnership's dashboards (app/pack_sections.py); those included when the link names none, the
dashboards' order and which are offered are the partnership's (`pack` in its [board])."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from urllib.parse import parse_qs, urlencode

import dash
import pandas as pd
from dash import html
from dash.development.base_component import Component

from app import ids
from app.access import callback
from app.components.choices import checklist, chosen_number
from app.components.headline import headline_banner
from app.components.spc import spc_legend
from app.components.status import data_status
from app.components.table_scroll import scroll_box
from app.pack_sections import (
    Drawn,
    PackContext,
    agenda_section,
    draw_sections,
    pack_sections,
    previous_actions_section,
)
from app.partnership import partnership_name
from app.scope import BOARD, BOARD_PAGES
from app.state import reader
from app.view import PageView, la_names, page_view, updated_search
from appstate.db import session
from appstate.meetings import Meeting, get_meeting
from warehouse.db import WarehouseError
from warehouse.kpis.assessment import Assessment
from warehouse.kpis.formatting import day_words, moment_words
from warehouse.kpis.headline import headline
from warehouse.kpis.periods import Period
from warehouse.kpis.registry import EXECUTIVE_KPIS
from warehouse.model.files import active_model
from warehouse.settings import environment
from warehouse.tracker import LATE, submission_tracker, tracker_frame

PAGE = "/pack"
dash.register_page(
    __name__,
    path=PAGE,
    name="Meeting pack",
    order=8,
    group=BOARD_PAGES,
    title="Meeting pack - Safeguarding performance",
    filters=True,
    roles=BOARD,
    pack_sections=pack_sections,  # what a link's `section` may name (app/filters.py)
    own_params=("meeting",),  # a meeting's pack: kept in the link when the filters rewrite it
)


def layout(meeting: str | None = None, **query: str | list[str]) -> html.Div:
    try:
        resolved = page_view(query)
        # A meeting's pack (?meeting=N, from the Meetings page): the meeting's LAs, if the viewer's
        # scope holds them all; a meeting out of scope is as if there were none.
        chosen_meeting = _meeting(resolved, meeting)
    except WarehouseError as error:
        return html.Div([html.H1("Meeting pack"), html.P(str(error))])
    if chosen_meeting is not None:
        resolved = replace(resolved, view=resolved.view.with_values({"la": chosen_meeting.la_codes}))
    view = resolved.view
    model = active_model()
    executive = resolved.assessments(EXECUTIVE_KPIS)
    context = PackContext(resolved, resolved.commentary(), date.today())
    if chosen_meeting is not None:
        # The agenda first, the previous meeting's actions, then the agenda's sections in its order.
        drawn = [
            agenda_section(chosen_meeting),
            previous_actions_section(chosen_meeting, context),
            *draw_sections(context, [item.section_id for item in chosen_meeting.agenda]),
        ]
        controls: list[Component] = [
            _pdf_link("/pack.pdf" + view.to_query() + "&" + urlencode({"meeting": chosen_meeting.id}))
        ]
        title = [html.H1("Meeting pack"), html.P(html.Strong(chosen_meeting.label), className="pack-meeting")]
    else:
        # The sections in the pack's order (app/pack_sections.py); where the link names none, the
        # partnership's dashboards (its [board]).
        offered = pack_sections()
        chosen = _chosen_sections(view.section)
        summary = Drawn(
            html.Section(
                [
                    html.H2("Executive summary"),
                    html.Div([context.card(a) for a in executive], className="card-grid"),
                ],
                className="pack-section",
            ),
            f"Executive summary: {len(executive)} KPIs",
        )
        context.printed |= {a.kpi.id for a in executive}
        drawn = [summary, *draw_sections(context, chosen)]
        controls = [
            checklist(
                ids.PACK_SECTIONS,
                "Sections to include",
                [{"label": s.title, "value": s.id} for s in offered],
                chosen,
                inline=True,
            ),
            _pdf_link("/pack.pdf" + view.to_query()),
        ]
        title = [html.H1("Meeting pack")]
    sections = [d.section for d in drawn]
    if model.figures:
        sections.append(_submissions_section(view.la, view.period_value, la_names()))
    return html.Div(
        [
            html.Div(controls, className="pack-controls no-print"),
            _cover(resolved, title, executive, drawn),
            *sections,
        ]
    )


def _meeting(resolved: PageView, meeting: str | None) -> Meeting | None:
    meeting_id = chosen_number(meeting)
    if meeting_id is None:
        return None
    with session() as db:
        return get_meeting(db, meeting_id, resolved.scope.la_codes)


def _pdf_link(href: str) -> html.A:
    return html.A(
        "Download the pack as PDF",
        href=href,
        id=ids.PACK_PDF,
        className="button-primary pdf-link",
        target="_blank",
    )


def _cover(resolved: PageView, title: list, executive: list[Assessment], drawn: list[Drawn]) -> html.Header:
    """The pack's first page: the partnership, the period, the data's date, the RAG at a glance and
    the contents."""
    options, view = resolved.options, resolved.view
    status = data_status()
    marking = environment().protective_marking
    return html.Header(
        [
            html.P(marking, className="marking") if marking else None,
            html.P(partnership_name(view.la, options.las), className="pack-partnership"),
            *title,
            html.P(["Period: ", html.Strong(view.period_value.label)]),
            # On screen the filter bar says it; the bar is not printed, so the cover prints it.
            html.P(["Showing: ", view.describe(options)], className="print-only"),
            html.P(["Data as at ", html.Strong(status.as_at), "."]),
            html.P(
                "Synthetic demo data: these figures describe no real children.",
                className="banner banner-demo",
            )
            if status.synthetic
            else None,
            html.H2("At a glance", className="pack-cover-heading"),
            headline_banner(headline(executive)),
            html.H2("Contents", className="pack-cover-heading"),
            html.Ol([html.Li(d.contents) for d in drawn], className="pack-contents"),
            html.P(resolved.scope.policy.explanation),
            html.P("RAG is against the partnership's targets; benchmarks are published DfE figures."),
            spc_legend(opened=True),  # the key to every card of the pack, on its first page
        ],
        className="pack-cover",
    )


def _submissions_section(la_codes: tuple[str, ...], period: Period, las: dict[str, str]) -> html.Section:
    """What the agencies were due to send for the pack's period (their periods that overlap it), for
    its LAs: late or received, in words."""
    rows = [
        r
        for r in submission_tracker(reader().connection(), active_model(), date.today(), la_codes)
        if r.period.start <= period.end and r.period.end >= period.start
    ]
    # One LA's pack names it on its cover: a column repeating it on every row only squeezes the rest.
    columns = [c for c in PACK_TRACKER_COLUMNS if c != "Local authority" or len(la_codes) > 1]
    frame = tracker_frame(rows, las)[columns]
    frame["Due"] = [day_words(day) for day in frame["Due"]]
    frame["Received"] = ["" if pd.isna(at) else moment_words(at) for at in frame["Received"]]
    late = sum(r.state == LATE for r in rows)
    return html.Section(
        [
            html.H2("Submissions", id="pack-submissions-heading"),
            html.P(
                f"Figures the partner agencies were due to send for {period.label}: {len(rows)} due, "
                f"{late} late (nothing has arrived and the due date has passed)."
                if rows
                else f"No agency's figures were due for {period.label}."
            ),
            scroll_box(
                html.Table(
                    [
                        html.Thead(html.Tr([html.Th(c, scope="col") for c in frame.columns])),
                        html.Tbody(
                            [html.Tr([html.Td(str(v)) for v in row]) for row in frame.itertuples(index=False)]
                        ),
                    ],
                    className="pack-table",
                    **{"aria-labelledby": "pack-submissions-heading"},  # type: ignore[arg-type]  # Dash types each prop; aria-*/data-* have none
                ),
                labelled_by="pack-submissions-heading",
                row_names=False,
            )
            if rows
            else None,
        ],
        className="pack-section pack-submissions",
    )


# The tracker's columns the pack prints: what is late and received, not who sent it.
PACK_TRACKER_COLUMNS = ("Agency", "Figures", "Local authority", "Period", "Due", "State", "Received")


@callback(
    dash.Output(ids.URL, "search", allow_duplicate=True),
    dash.Input(ids.PACK_SECTIONS, "value"),
    dash.State(ids.URL, "search"),
    prevent_initial_call=True,
    page=PAGE,
)
def choose_sections(sections: list[str], search: str | None) -> str | dash.NoUpdate:
    # The checklist reports its value when it is drawn as well as when it is changed: a link that
    # already shows these sections is left alone, or the whole pack would be drawn a second time.
    named = parse_qs((search or "").lstrip("?")).get("section", [])
    if list(sections or ()) == _chosen_sections(named):
        return dash.no_update
    return updated_search(search, {"section": tuple(sections or ())})


def _chosen_sections(named: Sequence[str]) -> list[str]:
    """The sections a pack shows, in the pack's order (app/pack_sections.py): those its link names,
    else the partnership's dashboards (its [board])."""
    included = named or active_model().pack_included
    return [s.id for s in pack_sections() if s.id in included]
