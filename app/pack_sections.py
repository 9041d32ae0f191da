"""The sections a meeting pack may include, declared once: each has its id (the `section` URL
parameter, an agenda item of a meeting), its title and how it is drawn. The pack's checklist, its
cover's contents, the printed pack and a meeting's agenda all come from `pack_sections()`, which the
pack page registers (app/filters.py checks a link's sections against it there).

The board's own sections (the open and overdue actions, the exception report, the scorecard, the
challenge log's summary) come first, then the partnership's dashboards (its model's pack pages, in
its [board] order). Every section is drawn for the pack's view: its LAs, cut to the viewer's scope,
with the viewer's protection (suppression) and, for a partner limited to agencies, only the actions
and challenges of those agencies. Their ids are paths of the app's own pages, which no model page
may take (warehouse/model/files.py RESERVED_PAGE_IDS), so they never clash with a dashboard's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from dash import html

from app.components.action_words import action_flags, progress_words
from app.components.exception_report import exceptions_body
from app.components.kpi_card import kpi_card
from app.components.scorecard_table import quarters_line, scorecard_tables
from app.components.table_scroll import scroll_box
from app.exceptions_export import rules_in_words, served_report
from app.operational import trend
from app.scope import challenge_agency, challenge_query
from app.scorecard_export import view_scorecard
from app.view import PageView
from appstate.actions import Action, ActionQuery, Status, list_actions
from appstate.challenges import Status as ChallengeStatus
from appstate.challenges import list_challenges
from appstate.commentary import Commentary
from appstate.db import session
from appstate.meetings import AgendaItem, Meeting, meeting_actions, previous_meeting
from warehouse.kpis.assessment import Assessment
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.scorecard import ScorecardConfigError
from warehouse.model.files import active_model
from warehouse.model.specs import Page

NO_AGENCY = "No agency named"


@dataclass
class PackContext:
    """What the sections of one pack share: its view, the commentary on its cards, and the KPIs
    whose cards are already in it (a card is printed once)."""

    page: PageView
    commentary: dict[str, Commentary]
    today: date
    printed: set[str] = field(default_factory=set)

    def card(self, assessment: Assessment) -> html.Article:
        """A card with its commentary; where none is written yet, a draft to review and accept."""
        written = self.commentary.get(assessment.kpi.id)
        draft = None if written else self.page.draft(assessment)
        return kpi_card(
            assessment,
            commentary=written,
            draft=draft,
            commentary_href=self.page.commentary_href(assessment.kpi.id) if draft else None,
        )

    @property
    def la_names(self) -> dict[str, str]:
        return self.page.options.las


@dataclass(frozen=True)
class Drawn:
    """A section as drawn, and its line in the cover's contents."""

    section: html.Section
    contents: str


@dataclass(frozen=True)
class PackSection:
    id: str
    title: str
    draw: Callable[[PackContext, str], Drawn]  # given the pack's context and the section's title


def _section(section_id: str, children: list, extra_class: str = "") -> html.Section:
    return html.Section(
        children,
        className=f"pack-section {extra_class}".strip(),
        id=f"pack-{section_id}",
    )


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


# --- the board's own sections ---


def action_table(actions: Sequence[Action], today: date, la_names: dict[str, str], caption: str) -> html.Div:
    """Actions as the pack lists them: what, where from, who leads, when due, progress and flags."""
    header = ["No.", "Action", "Source", "Lead", "Due", "Status", "Progress", "Flags"]
    several_las = len({a.la_code for a in actions}) > 1
    if several_las:
        header.insert(2, "Local authority")
    rows = []
    for a in actions:
        cells = [
            str(a.id),
            a.title,
            f"{a.source_kind}: {a.source_ref}",
            f"{a.lead} ({a.agency})",
            f"{a.due_date:%d %b %Y}",
            a.status,
            progress_words(a.progress),
            action_flags(a, today),
        ]
        if several_las:
            cells.insert(2, la_names.get(a.la_code, a.la_code))
        rows.append(html.Tr([html.Td(c) for c in cells]))
    return scroll_box(
        html.Table(
            [
                html.Caption(caption, className="visually-hidden"),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                html.Tbody(rows),
            ],
            className="pack-table pack-actions",
        ),
        label=caption,
        row_names=False,
    )


def _actions(context: PackContext, title: str) -> Drawn:
    page = context.page
    query = ActionQuery(
        la_codes=page.filters.la_codes, agencies=page.scope.agencies, status=(Status.OPEN.value,)
    )
    with session() as db:
        found = list_actions(db, query)
    overdue = sum(a.is_overdue(context.today) for a in found)
    drifting = sum(a.is_drifting(context.today) for a in found)
    summary = (
        f"{_plural(len(found), 'open action')}: {overdue} overdue, {drifting} drifting (no report for a "
        "quarter, or the last two reports 1 or 2 on the 1 to 4 scale)."
        if found
        else "No open actions."
    )
    section = _section(
        "actions",
        [
            html.H2(title),
            html.P(summary, className="pack-summary"),
            action_table(found, context.today, context.la_names, title) if found else None,
        ],
    )
    return Drawn(section, f"{title}: {len(found)} open, {overdue} overdue")


def _exceptions(context: PackContext, title: str) -> Drawn:
    page = context.page
    served = served_report(page)
    if served is None:
        words = (
            f"The exception report is for one local authority, and this pack shows "
            f"{len(page.filters.la_codes)}: choose one in the filter bar to include it."
        )
        return Drawn(_section("exceptions", [html.H2(title), html.P(words, className="note")]), title)
    report = served.report
    section = _section(
        "exceptions",
        [
            html.H2(f"{title}: {served.la_name}"),
            html.P(
                [
                    "Period: ",
                    html.Strong(report.period.label),
                    f", the 6 months ending with the pack's period, compared with {served.compared_with}.",
                ]
            ),
            html.P(rules_in_words(report.thresholds)),
            *exceptions_body(page, served),
        ],
        "exceptions-report",
    )
    return Drawn(section, f"{title}: {_plural(len(report.exceptions), 'KPI')}")


def _scorecard(context: PackContext, title: str) -> Drawn:
    page = context.page
    try:
        scorecard = view_scorecard(page)
    except ScorecardConfigError as error:
        return Drawn(_section("scorecard", [html.H2(title), html.P(str(error), className="note")]), title)
    rows = sum(len(p.rows) for p in scorecard.priorities)
    section = _section(
        "scorecard",
        [
            html.H2(title),
            html.P(quarters_line(scorecard, page.view.period_value)),
            *[html.P(note, className="note") for note in page.comparison_notes()],
            *scorecard_tables(scorecard, page.open_actions(), heading=html.H3),
        ],
        "scorecard-page",
    )
    return Drawn(
        section,
        f"{title}: {_plural(rows, 'KPI')} in {_plural(len(scorecard.priorities), 'priority', 'priorities')}",
    )


CHALLENGE_COLUMNS = ("open", "overdue", "answered", "closed")


def _challenges(context: PackContext, title: str) -> Drawn:
    page, today = context.page, context.today
    with session() as db:
        entries = list_challenges(db, challenge_query(page.scope, page.filters.la_codes), today)
    counts: dict[str, Counter[str]] = {}
    for entry in entries:
        agency = challenge_agency(entry.kpi_id, entry.agency) or NO_AGENCY
        counted = counts.setdefault(agency, Counter())
        counted[entry.status] += 1
        counted["overdue"] += entry.is_overdue(today)
    still_open = [e for e in entries if e.status == ChallengeStatus.OPEN.value]
    overdue = sum(e.is_overdue(today) for e in still_open)
    kpi_titles = {k.id: k.title for k in REGISTRY.values()}
    totals = sum(counts.values(), Counter())
    count_table = scroll_box(
        html.Table(
            [
                html.Caption("Challenges by agency and status", className="visually-hidden"),
                html.Thead(
                    html.Tr(
                        [html.Th("Agency", scope="col")]
                        + [html.Th(c.capitalize(), scope="col", className="num") for c in CHALLENGE_COLUMNS]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [html.Th(agency, scope="row")]
                            + [html.Td(str(counts[agency][c]), className="num") for c in CHALLENGE_COLUMNS]
                        )
                        for agency in sorted(counts)
                    ]
                    + [
                        html.Tr(
                            [html.Th("All agencies", scope="row")]
                            + [html.Td(str(totals[c]), className="num") for c in CHALLENGE_COLUMNS],
                            className="pack-total",
                        )
                    ]
                ),
            ],
            className="pack-table pack-challenge-counts",
        ),
        label="Challenges by agency and status",
    )
    open_table = scroll_box(
        html.Table(
            [
                html.Caption("Open challenges", className="visually-hidden"),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(h, scope="col")
                            for h in ("No.", "KPI", "Agency", "Raised", "Due", "Question")
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(str(e.id)),
                                html.Td(kpi_titles.get(e.kpi_id or "", "")),
                                html.Td(challenge_agency(e.kpi_id, e.agency) or NO_AGENCY),
                                html.Td(
                                    f"{e.raised_at:%d %b %Y} ({_plural((today - e.raised_at.date()).days, 'day')} ago)"
                                ),
                                html.Td(
                                    f"{e.due_date:%d %b %Y}" + (" (overdue)" if e.is_overdue(today) else "")
                                ),
                                html.Td(e.question),
                            ]
                        )
                        for e in still_open
                    ]
                ),
            ],
            className="pack-table pack-open-challenges",
        ),
        label="Open challenges",
        row_names=False,
    )
    section = _section(
        "challenges",
        [
            html.H2(title),
            html.P(
                f"{_plural(len(entries), 'challenge')} in the log for this pack's local authorities: "
                f"{len(still_open)} open, {overdue} of them overdue."
                if entries
                else "No challenges in the log for this pack's local authorities."
            ),
            count_table if entries else None,
            html.H3("Open challenges") if still_open else None,
            open_table if still_open else None,
        ],
    )
    return Drawn(section, f"{title}: {len(still_open)} open, {overdue} overdue")


# --- a meeting's pack: its agenda, and the previous meeting's actions ---


def agenda_item_words(item: AgendaItem) -> str:
    """An agenda item as the pack and the Meetings page name it: its section's title and who presents it."""
    titles = {s.id: s.title for s in pack_sections()}
    words = titles.get(item.section_id, item.section_id)
    return f"{words}, presented by {item.presenter}" if item.presenter else words


def agenda_section(meeting: Meeting) -> Drawn:
    """The meeting, who attends for which agency, and its agenda in order, each item with who
    presents it and its note."""
    items = []
    for item in meeting.agenda:
        words = agenda_item_words(item)
        items.append(
            html.Li([words, html.Br(), html.Span(item.note, className="note-text")] if item.note else words)
        )
    attendees = scroll_box(
        html.Table(
            [
                html.Caption("Attendees", className="visually-hidden"),
                html.Thead(html.Tr([html.Th("Name", scope="col"), html.Th("Agency", scope="col")])),
                html.Tbody(
                    [
                        html.Tr([html.Td(a.name), html.Td(a.agency)])
                        for a in sorted(meeting.attendees, key=lambda a: (a.agency.casefold(), a.id))
                    ]
                ),
            ],
            className="pack-table pack-attendees",
        ),
        label="Attendees",
        row_names=False,
    )
    section = _section(
        "agenda",
        [
            html.H2("Agenda"),
            html.P(html.Strong(meeting.label)),
            html.Ol(items, className="pack-agenda") if items else html.P("The agenda is empty."),
            html.H3("Attendees"),
            attendees if meeting.attendees else html.P("No attendees recorded."),
        ],
    )
    return Drawn(section, f"Agenda: {_plural(len(items), 'item')}")


def previous_actions_section(meeting: Meeting, context: PackContext) -> Drawn:
    """The actions raised at the previous meeting for the same LAs (those the viewer may see), and
    where each stands now."""
    title = "Actions from the previous meeting and their status"
    with session() as db:
        previous = previous_meeting(db, meeting)
        actions = [] if previous is None else meeting_actions(db, previous, context.page.scope.agencies)
    if previous is None:
        words = "This is the first meeting recorded for these local authorities."
    elif not actions:
        words = f"The previous meeting ({previous.label}) raised no actions."
    else:
        done = sum(a.status != Status.OPEN.value for a in actions)
        overdue = sum(a.is_overdue(context.today) for a in actions)
        words = (
            f"The previous meeting ({previous.label}) raised {_plural(len(actions), 'action')}: "
            f"{done} complete or dropped, {len(actions) - done} open, {overdue} of them overdue."
        )
    section = _section(
        "previous-actions",
        [
            html.H2(title),
            html.P(words),
            action_table(actions, context.today, context.la_names, title) if actions else None,
        ],
    )
    return Drawn(section, f"{title}: {len(actions)}")


# --- the partnership's dashboards (its model's pack pages) ---


def _dashboard(page: Page, context: PackContext, title: str) -> Drawn:
    found = context.page.assessments(page.kpis)
    by_id = {a.kpi.id: a for a in found}
    # A card is printed once: a KPI already in the pack is named, not printed again.
    again = [a.kpi.title for a in found if a.kpi.id in context.printed]
    cards = [a for a in found if not a.kpi.is_share and a.kpi.id not in context.printed]
    context.printed |= {a.kpi.id for a in cards}
    section = _section(
        page.id,
        [
            html.H2(title),
            html.P(f"Also on this dashboard, earlier in the pack: {', '.join(again)}.", className="note")
            if again
            else None,
            html.Div([context.card(a) for a in cards], className="card-grid"),
            html.Div(
                [trend(by_id[k], f"pack-{page.id}-{k}", context.page.view) for k in page.trends],
                className="chart-grid",
            ),
        ],
    )
    return Drawn(section, f"{title}: {_plural(len(page.kpis), 'KPI')}")


BOARD_SECTIONS = (
    PackSection("actions", "Open and overdue actions", _actions),
    PackSection("exceptions", "Exception report", _exceptions),
    PackSection("scorecard", "Scorecard", _scorecard),
    PackSection("challenges", "Challenge log summary", _challenges),
)


def pack_sections() -> tuple[PackSection, ...]:
    """Every section a pack may include, in the pack's order: the board's own, then the
    partnership's dashboards."""
    dashboards = tuple(PackSection(p.id, p.title, partial(_dashboard, p)) for p in active_model().pack_pages)
    return BOARD_SECTIONS + dashboards


def draw_sections(context: PackContext, section_ids: Sequence[str]) -> list[Drawn]:
    """The sections named, in the order named; an id no section has is left out."""
    by_id = {s.id: s for s in pack_sections()}
    return [by_id[i].draw(context, by_id[i].title) for i in section_ids if i in by_id]
