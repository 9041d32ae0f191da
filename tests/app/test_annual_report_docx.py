"""The annual report (issue 22 item 5): /annual-report.docx opened with python-docx, its KPI tables'
cells read back as numbers and set beside the engine's figures for the same financial year, worked
out here with `evaluate`; its actions, reviews and risks against entries made in a copy of the demo,
dated by hand into, before and after the year; a police partner gets its own agency's actions and
risks, every review of its LA, the same protected figures as anyone, and no other LA. The page shows
the same cells as the document, and every download is written to the audit log."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO

import duckdb
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from appstate.actions import Action, Status, add_action, change_status
from appstate.audit import AuditQuery, recent_events
from appstate.db import session
from appstate.reviews import (
    ReviewKind,
    add_finding,
    add_review,
    checked_result,
    raise_review_action,
    record_results,
)
from appstate.risks import Risk, add_risk, rescore_risk
from appstate.targets import lookup
from tests.app.serving import TEST_ADMIN, page_layout, signed_in
from warehouse.kpis.assessment import assess
from warehouse.kpis.engine import Figure, Filters, evaluate
from warehouse.kpis.formatting import shown_change
from warehouse.kpis.periods import financial_year
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.model.files import active_model

CITY, OTHER_LA = "E08000021", "E06000057"
YEAR = financial_year(2025)  # 2025/26: the latest complete year of the demo (its data runs to October 2026)
PARTNER = "test-partner"  # Police, Newcastle (tests/app/serving.py)
LATER = date(2099, 12, 31)


def _action(db, la: str, title: str, agency: str, raised: date, due: date, closed=None, how=Status.COMPLETE):
    """An action raised on `raised` and, if `closed` is given, completed (or dropped) that day."""
    action = add_action(
        db, la, title, "business plan priority", "Priority 1", agency, "Lead", due, "Done", "chair"
    )
    if closed:
        change_status(db, action.id, how, "chair", note="" if how is Status.COMPLETE else "no longer needed")
    _date_action(db, action.id, raised, closed)
    return action.id


def _date_action(db, action_id: int, raised: date, closed: date | None) -> None:
    """The action's raising, and its completion if any, moved to the days given (app state stamps now)."""
    action = db.get(Action, action_id)
    action.created_at = datetime.combine(raised, datetime.min.time())
    for update in action.updates:
        closing = update.status in (Status.COMPLETE.value, Status.DROPPED.value)
        update.at = datetime.combine(closed if closing else raised, datetime.min.time())
    db.commit()


def _date_scores(db, risk_id: int, *days: date) -> None:
    for score, day in zip(db.get(Risk, risk_id).scores, days, strict=True):
        score.at = datetime.combine(day, datetime.min.time())
    db.commit()


@pytest.fixture(scope="module")
def home(demo_home, tmp_path_factory):
    """A copy of the demo home with actions, reviews and risks dated into, before and after 2025/26."""
    from tests.app.serving import copy_home

    home = copy_home(demo_home, tmp_path_factory.mktemp("annual") / "home")
    with session(f"sqlite:///{home / 'appstate.sqlite'}") as db:
        ids = {
            "police done": _action(
                db, CITY, "Police triage", "Police", date(2025, 4, 20), date(2025, 9, 30), date(2025, 6, 10)
            ),
            "police late": _action(
                db, CITY, "Police notifications", "Police", date(2025, 5, 1), date(2026, 1, 31)
            ),
            "la open at end": _action(
                db,
                CITY,
                "Front door staffing",
                "Local authority",
                date(2025, 9, 1),
                date(2026, 9, 30),
                date(2026, 5, 5),
            ),
            "police next year": _action(db, CITY, "Police next year", "Police", date(2026, 6, 1), LATER),
            "police last year": _action(
                db,
                CITY,
                "Police last year",
                "Police",
                date(2024, 6, 1),
                date(2024, 12, 31),
                date(2024, 12, 1),
            ),
            "health dropped": _action(
                db,
                CITY,
                "Health dropped",
                "Health",
                date(2025, 5, 1),
                LATER,
                date(2025, 8, 1),
                Status.DROPPED,
            ),
            "other la done": _action(
                db, OTHER_LA, "North done", "Local authority", date(2025, 5, 1), LATER, date(2025, 7, 1)
            ),
        }
        before = add_review(
            db,
            CITY,
            "Thresholds audit 2024",
            ReviewKind.AUDIT.value,
            date(2024, 11, 1),
            "Local authority",
            "chair",
        )
        record_results(db, before.id, [checked_result("Thresholds appropriate", 50, 39)], "chair")
        audit = add_review(
            db,
            CITY,
            "Thresholds audit 2025",
            ReviewKind.AUDIT.value,
            date(2025, 10, 15),
            "Local authority",
            "chair",
            themes="thresholds; information sharing",
        )
        add_finding(db, audit.id, "Schools were told late of police incidents", "chair")
        record_results(db, audit.id, [checked_result("thresholds: appropriate.", 50, 43)], "chair")
        health = raise_review_action(
            db, audit.id, "Health audit action", "Health", "Nurse", date(2025, 12, 31), "Done", "chair"
        )
        change_status(db, health.id, Status.COMPLETE, "chair")
        _date_action(db, health.id, date(2025, 10, 20), date(2025, 12, 1))
        ids["health from audit"] = health.id
        add_review(
            db,
            CITY,
            "Rapid review next year",
            ReviewKind.RAPID_REVIEW.value,
            date(2026, 4, 20),
            "Police",
            "chair",
        )
        add_review(
            db, OTHER_LA, "North audit", ReviewKind.AUDIT.value, date(2025, 6, 1), "Local authority", "chair"
        )
        capacity = add_risk(
            db,
            CITY,
            "Front door capacity",
            "Vacancies",
            "Head of service",
            "Local authority",
            "Agency staff",
            3,
            3,
            LATER,
            "chair",
        )
        rescore_risk(db, capacity.id, 4, 4, "More vacancies", LATER, "chair")
        rescore_risk(db, capacity.id, 2, 2, "Recruited", LATER, "chair")
        _date_scores(db, capacity.id, date(2024, 6, 1), date(2025, 9, 1), date(2026, 6, 1))
        sharing = add_risk(
            db,
            CITY,
            "Police data sharing",
            "Late notifications",
            "DCI",
            "Police",
            "Weekly check",
            2,
            2,
            LATER,
            "chair",
        )
        _date_scores(db, sharing.id, date(2025, 7, 1))
        later = add_risk(
            db, CITY, "Police later risk", "Later", "DCI", "Police", "None", 5, 5, LATER, "chair"
        )
        _date_scores(db, later.id, date(2026, 5, 1))
    return home, ids


@pytest.fixture(scope="module")
def app(home):
    from app import state
    from app.main import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(home[0]))
        state.reader.cache_clear()
        app = create_app()
        app.server.test_client().get("/login")  # Dash sets up its callback map on the first request
        yield app
        state.reader().close()
        state.reader.cache_clear()


def _document(app, username: str, query: str = f"?la={CITY}"):
    response = signed_in(app.server.test_client(), username).get("/annual-report.docx" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Disposition"] == "attachment; filename=annual-report.docx"
    return Document(BytesIO(response.data))


def _tables(document, first_heading: str) -> list[list[list[str]]]:
    """Every table whose header row starts with `first_heading`: its rows of cell texts, header first."""
    found = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return [rows for rows in found if rows[0][0] == first_heading]


def _number(text: str) -> tuple[float, float]:
    """A figure as written ('1,234', '45.6%', '12.30 (41.0 per 10,000)'): its value and half its last
    digit, the most that rounding it to what is written can have moved it."""
    written = re.match(r"-?[\d,]+(\.\d+)?", text)
    assert written, text
    decimals = len(written[1]) - 1 if written[1] else 0
    return float(written[0].replace(",", "")), 0.5 * 10**-decimals


def _near(cell: str, value: float) -> bool:
    written, tolerance = _number(cell.lstrip("+"))
    return abs(written - value) <= tolerance + 1e-9


def _agrees(cell: str, figure: Figure) -> bool:
    if figure.no_data:
        return cell == "no data"
    if figure.suppressed:
        return cell == "c"
    if figure.value is None:
        return cell == "n/a"
    return _near(cell, figure.value)


def _expected_kpis() -> list[str]:
    """The executive set, then the scorecard's KPIs, each once, without shares."""
    model = active_model()
    ids = [*model.executive_kpis, *(k for _title, kpis in model.scorecard_priorities for k in kpis)]
    return [k for k in dict.fromkeys(ids) if not model.kpis[k].is_share]


def test_the_kpi_tables_hold_the_engines_figures_for_the_year(app, home):
    document = _document(app, TEST_ADMIN)
    rows = [row for table in _tables(document, "KPI") for row in table[1:]]
    headers = _tables(document, "KPI")[0][0]
    assert headers[1:3] == ["2025/26", "2024/25"]
    by_title = {kpi.title: kpi.id for kpi in REGISTRY.values()}
    assert [by_title[row[0]] for row in rows] == _expected_kpis()
    policy = SuppressionPolicy()  # the test admin's figures are protected
    with duckdb.connect(str(home[0] / "warehouse.duckdb"), read_only=True) as con:
        results = {r.kpi.id: r for r in evaluate(con, _expected_kpis(), YEAR, Filters((CITY,)), policy)}
        with session(f"sqlite:///{home[0] / 'appstate.sqlite'}") as db:
            judged = {
                a.kpi.id: a for a in assess(con, _expected_kpis(), YEAR, Filters((CITY,)), policy, lookup(db))
            }
    shown = 0
    for row in rows:
        result = results[by_title[row[0]]]
        assert _agrees(row[1], result.current), (row, result.current)
        assert _agrees(row[2], result.last_year), (row, result.last_year)
        change = shown_change(result.kpi, result.current, result.last_year).absolute
        assert row[3] == "n/a" if change is None else _near(row[3], change), (row, change)
        rating, benchmark = judged[result.kpi.id].rag, judged[result.kpi.id].benchmark
        assert row[5] == (rating.words if rating else "not rated"), row
        if benchmark and benchmark.england is not None and row[6] != "a national total":
            assert _near(row[6], benchmark.england), (row, benchmark)
        shown += result.current.value is not None
    assert shown >= len(rows) // 2  # most KPIs have a figure for the year: the check compared numbers
    # A figure counted under 5 is never written out, and the document says how figures are protected.
    text = "\n".join(p.text for p in document.paragraphs)
    assert "rounded to a multiple of 5" in text and "Data as at" in text
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    # A4 throughout, the KPI tables on landscape pages.
    sizes = [(round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections]
    assert sizes == [(210, 297), (297, 210), (210, 297)]
    assert document.sections[1].orientation == WD_ORIENT.LANDSCAPE


def _column(document, heading: str, column: int = 1) -> list[str]:
    [table] = _tables(document, heading) or [[[]]]
    return [row[column] for row in table[1:]]


def test_actions_reviews_and_risks_of_the_year(app):
    document = _document(app, TEST_ADMIN)
    completed, still_open = _tables(document, "No.")[:2]
    assert [row[1] for row in completed[1:]] == ["Police triage", "Health audit action"]
    assert completed[0][-1] == "Completed on" and completed[1][-1] == "10 June 2025"
    assert completed[2][2] == "audit: Thresholds audit 2025" and completed[2][3] == "Health"
    assert [(row[1], row[-1]) for row in still_open[1:]] == [
        ("Police notifications", "overdue"),
        ("Front door staffing", ""),
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2 completed in the year; 2 still open on 31 March 2026, 1 of them overdue." in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Thresholds audit 2025" in headings
    assert not {"Thresholds audit 2024", "Rapid review next year", "North audit"} & set(headings)
    assert "Finding 1: Schools were told late of police incidents" in text
    assert "1 finding; 1 action raised from it, 0 open now." in text
    [results] = _tables(document, "Criterion")
    assert results[1] == ["thresholds: appropriate.", "50", "43", "86%", "up 8.0 points from 78%"]
    [risks] = [t for t in _tables(document, "No.") if t[0][1] == "Risk"]
    assert [row[1:6] for row in risks[1:]] == [
        [
            "Front door capacity",
            "Local authority",
            "9 (medium)",
            "16 (high)",
            "up from 9 (medium) to 16 (high)",
        ],
        ["Police data sharing", "Police", "added in the year", "4 (low)", "added in the year at 4 (low)"],
    ]


def test_a_partner_gets_its_own_agencys_work_the_same_figures_and_no_other_la(app):
    admin, partner = _document(app, TEST_ADMIN), _document(app, PARTNER, f"?la={OTHER_LA}")
    assert _tables(partner, "KPI") == _tables(admin, "KPI")  # partnership-wide, protected for both
    completed, still_open, risks = _tables(partner, "No.")
    assert [row[1] for row in completed[1:]] == ["Police triage"]
    assert [row[1] for row in still_open[1:]] == ["Police notifications"]
    assert [row[1] for row in risks[1:]] == ["Police data sharing"]
    text = "\n".join(p.text for p in partner.paragraphs)
    assert "Showing: Newcastle upon Tyne." in text  # its own LA, though the link asked for another
    assert "1 finding; 0 actions raised from it, 0 open now." in text  # the review is the partnership's


def test_the_page_shows_the_documents_cells_and_downloads_are_audited(app, home):
    client = signed_in(app.server.test_client(), TEST_ADMIN)
    layout = page_layout(client, "/annual-report", f"?la={CITY}")

    def rows(node) -> list[list[str]]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "Tr":
                found.append([_text(cell) for cell in node["props"]["children"]])
            else:
                found += rows(node.get("props", {}).get("children"))
        elif isinstance(node, list):
            found += [row for child in node for row in rows(child)]
        return found

    document = _document(app, TEST_ADMIN)
    shown = [row for table in document.tables for row in ([c.text for c in r.cells] for r in table.rows)]
    assert rows(layout) == shown
    with session(f"sqlite:///{home[0] / 'appstate.sqlite'}") as db:
        events = recent_events(db, AuditQuery(actions=("export",), username=TEST_ADMIN))
    assert events[0].subject == "annual-report.docx"
    assert '"year": "2025/26"' in events[0].detail and CITY in events[0].detail


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return "".join(_text(child) for child in node)
    return ""


class _Socket:
    """The connection a server hands the app: the PDF is printed from its loopback port."""

    def getsockname(self):
        return ("127.0.0.1", 8123)


def test_the_pdf_is_the_page_printed_landscape_and_is_audited(app, home, monkeypatch):
    printed = []

    def render(url, selector, _cookies, furniture, landscape):
        printed.append((url, selector, furniture[0], landscape))
        return b"%PDF-1.4"

    monkeypatch.setattr("app.page_pdf.render_pdf", render)
    client = signed_in(app.server.test_client(), PARTNER)
    response = client.get(
        f"/annual-report.pdf?la={CITY}&year=2026", environ_base={"werkzeug.socket": _Socket()}
    )
    assert response.status_code == 200 and response.data == b"%PDF-1.4"
    assert response.headers["Content-Disposition"] == 'attachment; filename="annual-report.pdf"'
    [(url, selector, header, landscape)] = printed
    assert url == f"http://127.0.0.1:8123/annual-report?la={CITY}&year=2026"
    assert selector == ".annual-report-ready" and landscape and "OFFICIAL-SENSITIVE" in header
    with session(f"sqlite:///{home[0] / 'appstate.sqlite'}") as db:
        [event] = recent_events(db, AuditQuery(actions=("export",), username=PARTNER, limit=1))
    assert event.subject == "annual-report.pdf"
    assert app.server.test_client().get("/annual-report.docx").status_code == 401  # nobody signed in
