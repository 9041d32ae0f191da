"""The meeting pack's board sections (app/pack_sections.py): the scorecard, the exception report, the
open and overdue actions and the challenge log's summary, ticked like the dashboards, drawn in
process through Dash's page router for each role, their figures checked against the engine's and
their counts against app-state rows made here."""

from __future__ import annotations

from datetime import date

import pytest

from appstate.actions import Status, add_action, change_status
from appstate.challenges import answer_challenge, close_challenge, raise_challenge
from appstate.db import session
from tests.app.serving import TEST_ADMIN, find_component, page_layout, signed_in

CITY = "E08000021"  # Newcastle: the scoped test accounts' LA
OTHER_LA = "E06000057"
PERIOD = "2026-09"
LONG_AGO = date(2020, 1, 31)  # overdue whatever day the tests run
LATER = date(2099, 12, 31)
BOARD_SECTIONS = ["actions", "exceptions", "scorecard", "challenges"]


def _search(*sections: str, la: str = CITY) -> str:
    return f"?period={PERIOD}&la={la}" + "".join(f"&section={s}" for s in sections)


def _text(node) -> str:
    """The text of a layout node, its children's joined by spaces."""
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return " ".join(t for t in (_text(child) for child in node) if t)
    return "" if node is None else str(node)


def _nodes(node, test) -> list[dict]:
    """Every component for which `test(props)` holds, in the order drawn."""
    found = []
    if isinstance(node, dict):
        props = node.get("props", {})
        if test(props):
            found.append(node)
        for value in props.values():
            found += _nodes(value, test)
    elif isinstance(node, list):
        for child in node:
            found += _nodes(child, test)
    return found


def _rows(table: dict) -> list[list[str]]:
    """A table's body rows, each a list of its cells' text."""
    body = next(n for n in table["props"]["children"] if isinstance(n, dict) and n["type"] == "Tbody")
    return [[_text(cell) for cell in row["props"]["children"]] for row in body["props"]["children"]]


def _table(layout, class_name: str) -> dict:
    [table] = _nodes(layout, lambda p: class_name in str(p.get("className", "")).split())
    return table


def _contents(layout) -> list[str]:
    [contents] = _nodes(layout, lambda p: p.get("className") == "pack-contents")
    return [_text(item) for item in contents["props"]["children"]]


def test_the_checklist_offers_the_boards_sections_then_the_dashboards(demo_app):
    from warehouse.model.files import active_model

    layout = page_layout(signed_in(demo_app.server.test_client(), "test-exec"), "/pack", _search())
    checklist = find_component(layout, "pack-sections")
    assert [o["value"] for o in checklist["props"]["options"]] == BOARD_SECTIONS + [
        p.id for p in active_model().pack_pages
    ]
    # none of the board's sections unless ticked: the pack as it was
    assert find_component(layout, "pack-scorecard") is None


def test_the_scorecard_section_is_the_scorecards_table_with_the_engines_figures(demo_app):
    from app.state import reader
    from appstate.targets import lookup
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.formatting import format_figure
    from warehouse.kpis.periods import parse_period
    from warehouse.kpis.scorecard import build_scorecard, latest_quarter_ending_by
    from warehouse.kpis.suppression import SuppressionPolicy

    client = signed_in(demo_app.server.test_client(), "test-exec")
    layout = page_layout(client, "/pack", _search("scorecard"))
    section = find_component(layout, "pack-scorecard")
    with session() as db:
        expected = build_scorecard(
            reader().connection(),
            latest_quarter_ending_by(parse_period(PERIOD).end),
            Filters(la_codes=(CITY,)),
            SuppressionPolicy(),  # the executive's figures are protected
            lookup(db),
        )
    first = expected.priorities[0].rows[0]
    [row] = _nodes(section, lambda p: p.get("data-kpi") == first.kpi.id)
    cells = [_text(cell) for cell in row["props"]["children"]]
    assert cells[0].startswith(first.kpi.title)
    assert cells[1:6] == [format_figure(first.kpi, f) for f in first.figures]
    # a count beside England's published rate has its own published rate under England's: referrals
    # in 2024/25, DfE's table: England 519.4 and Newcastle 512.0 per 10,000 children
    [referrals] = _nodes(section, lambda p: p.get("data-kpi") == "referrals")
    england = _text(referrals["props"]["children"][9])
    assert england == "519.4 per 10,000 a year, 2024/25 this LA 512.0"
    # every row of the scorecard, in its order, and the cover counts them
    kpis = [r.kpi.id for p in expected.priorities for r in p.rows]
    assert [n["props"]["data-kpi"] for n in _nodes(section, lambda p: "data-kpi" in p)] == kpis
    priorities = len(expected.priorities)
    assert _contents(layout) == [
        "Executive summary: 8 KPIs",
        f"Scorecard: {len(kpis)} KPIs in {priorities} priorities",
    ]
    # the scorecard page draws the same table
    page = page_layout(client, "/scorecard", _search())
    assert _nodes(page, lambda p: "data-kpi" in p) == _nodes(section, lambda p: "data-kpi" in p)


def test_the_exception_report_section_is_the_reports_body_for_one_la_only(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-exec")
    layout = page_layout(client, "/pack", _search("exceptions"))
    report = page_layout(client, "/exceptions", _search())
    section = find_component(layout, "pack-exceptions")
    listed = find_component(section, "exceptions-list")
    assert listed == find_component(report, "exceptions-list") and listed["props"]["children"]
    count = len(listed["props"]["children"])
    assert f"Exception report: {count} KPIs" in _contents(layout)
    admin = signed_in(demo_app.server.test_client(), TEST_ADMIN)  # the executive's scope is Newcastle alone
    both = page_layout(admin, "/pack", _search("exceptions") + f"&la={OTHER_LA}")
    assert find_component(both, "exceptions-list") is None
    assert "is for one local authority, and this pack shows 2" in _text(
        find_component(both, "pack-exceptions")
    )


@pytest.fixture
def board_work(demo_copy):
    """Challenges and actions in Newcastle (and one of each in Northumberland), by agency and status."""
    with session() as db:
        overdue_police = raise_challenge(
            db, CITY, "Why fewer police referrals?", "DI One", LONG_AGO, "chair", agency="Police"
        )
        raise_challenge(db, CITY, "Health visits?", "Nurse lead", LATER, "chair", agency="Health")
        answered = raise_challenge(
            db, CITY, "Re-referrals?", "Head of service", LATER, "chair", kpi_id="re_referral_12m"
        )
        answer_challenge(db, answered.id, "A cohort of siblings", "hos")
        closed = raise_challenge(
            db, CITY, "Old police question", "DI Two", LONG_AGO, "chair", agency="Police"
        )
        close_challenge(db, closed.id, "chair")
        raise_challenge(
            db, OTHER_LA, "Northumberland police?", "DI Three", LONG_AGO, "chair", agency="Police"
        )
        police = add_action(
            db,
            CITY,
            "Police triage",
            "audit",
            "Thresholds audit",
            "Police",
            "DI One",
            LONG_AGO,
            "All triaged",
            "chair",
        )
        add_action(
            db,
            CITY,
            "Health attendance",
            "practice review",
            "CSPR A",
            "Health",
            "Nurse lead",
            LATER,
            "90%",
            "chair",
        )
        done = add_action(
            db, CITY, "Done already", "audit", "Thresholds audit", "Police", "DI One", LATER, "Done", "chair"
        )
        change_status(db, done.id, Status.COMPLETE, "chair")
        add_action(
            db, OTHER_LA, "North police", "audit", "Audit", "Police", "DI Three", LONG_AGO, "All", "chair"
        )
    return {"overdue_police": overdue_police.id, "police_action": police.id}


def test_the_challenge_and_action_sections_count_what_each_viewer_may_see(board_work):
    from app.main import create_app

    app = create_app()
    sections = _search("actions", "challenges")
    executive = page_layout(signed_in(app.server.test_client(), "test-exec"), "/pack", sections)
    # Newcastle's five entries: police 1 open (overdue) and 1 closed, health 1 open, the local
    # authority (re-referrals is its KPI) 1 answered
    assert _rows(_table(executive, "pack-challenge-counts")) == [
        ["Health", "1", "0", "0", "0"],
        ["Local authority", "0", "0", "1", "0"],
        ["Police", "1", "1", "0", "1"],
        ["All agencies", "2", "1", "1", "1"],
    ]
    open_rows = _rows(_table(executive, "pack-open-challenges"))
    assert [(r[0], r[2], r[5]) for r in open_rows] == [
        (str(board_work["overdue_police"]), "Police", "Why fewer police referrals?"),
        (open_rows[1][0], "Health", "Health visits?"),
    ]
    assert open_rows[0][4] == "31 Jan 2020 (overdue)"
    actions = _rows(_table(executive, "pack-actions"))
    assert [(r[1], r[6]) for r in actions] == [
        ("Police triage", "no update yet"),
        ("Health attendance", "no update yet"),
    ]
    assert actions[0][7].startswith("overdue")
    assert _contents(executive)[1:] == [
        "Open and overdue actions: 2 open, 1 overdue",
        "Challenge log summary: 2 open, 1 overdue",
    ]
    # a partner limited to the police: its agency's entries and actions only
    partner = page_layout(signed_in(app.server.test_client(), "test-partner"), "/pack", sections)
    assert _rows(_table(partner, "pack-challenge-counts")) == [
        ["Police", "1", "1", "0", "1"],
        ["All agencies", "1", "1", "0", "1"],
    ]
    assert [r[1] for r in _rows(_table(partner, "pack-actions"))] == ["Police triage"]
