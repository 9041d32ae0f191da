"""The Submissions page through HTTP, as the browser calls it: the tracker, the template, the upload,
figures entered by hand, their history and reminders, each for the roles and agencies that may.

The warehouse is tests/etl/submission_fixtures.py's: the police's quarterly returns (expected from
2025-26 Q1, due 20 days after each quarter) and the council's yearly training returns, with the
council's 2024-25 training figures already in for both LAs (so both LAs have data loaded)."""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import io
from datetime import date, timedelta

import duckdb
import pytest
from openpyxl import load_workbook

from etl.readers.figures import COLUMNS
from etl.submissions.entry import enter_figure
from etl.validate.figures import Submitter
from tests.app.serving import find_component, page_layout, signed_in
from tests.etl import submission_fixtures
from tests.etl.submission_fixtures import NEWCASTLE, NORTHUMBERLAND, POLICE_PARTNER
from tests.helpers import local_smtp_server
from warehouse.model.files import served_model

figures_base, figures_home = submission_fixtures.figures_base, submission_fixtures.figures_home
EXECUTIVE, DATA_TEAM = "chair", "data-team"
PAGE = "/submissions"


@pytest.fixture
def app(figures_home, monkeypatch):
    from app import state
    from app.main import create_app
    from appstate.db import session
    from appstate.users import add_user

    monkeypatch.delenv("SAFEGUARD_APPSTATE_URL", raising=False)
    with session() as db:
        add_user(db, EXECUTIVE, "executive", "tests", la_codes=(NEWCASTLE,))
        add_user(db, DATA_TEAM, "data_team", "tests", la_codes=(NEWCASTLE, NORTHUMBERLAND), unsuppressed=True)
    operator = Submitter("tests", via="manual")
    for la_code in (NEWCASTLE, NORTHUMBERLAND):
        outcome = enter_figure(
            figures_home,
            measure="tr_attendees",
            la_code=la_code,
            period="2024-25",
            value="40",
            submitter=operator,
        )
        assert outcome.status == "loaded", outcome.rejections
    state.reader.cache_clear()
    served_model.cache_clear()  # this warehouse's model, which declares the figures
    dash_app = create_app()
    dash_app.server.test_client().get("/login")  # Dash sets up its callbacks on the first request
    yield dash_app
    state.reader().close()
    state.reader.cache_clear()
    served_model.cache_clear()


def call(app, client, output: str, inputs: dict, state: dict | None = None) -> dict:
    """Run the page's callback whose first output is `output` as the browser would, with the inputs
    (id.property -> value, the first one changed) and states given; its response by output id."""
    key = next(k for k in app.callback_map if k.lstrip(".").startswith(output + "."))
    spec = app.callback_map[key]
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    values = inputs | (state or {})

    def dependencies(declared: list[dict]) -> list[dict]:
        return [
            {"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}
            for d in declared
        ]

    payload = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": dependencies(spec["inputs"]),
        "changedPropIds": [next(iter(inputs))],
        "state": dependencies(spec["state"]),
    }
    response = client.post("/_dash-update-component", json=payload)
    if response.status_code != 200:
        return {"status": response.status_code, "text": response.get_data(as_text=True)}
    return response.get_json()["response"]


def text(node) -> str:
    """The text a component tree shows."""
    if isinstance(node, dict):
        return text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return " ".join(text(child) for child in node)
    return "" if node is None else str(node)


def tracker(app, client) -> list[dict[str, str]]:
    response = call(app, client, "submissions-tracker-download", {"submissions-tracker-export.n_clicks": 1})
    return list(csv.DictReader(io.StringIO(response["submissions-tracker-download"]["data"]["content"])))


def police_template(app, client, period: str) -> bytes:
    response = call(
        app,
        client,
        "submissions-template-download",
        {"submissions-template-xlsx.n_clicks": 1},
        {"submissions-template-agency.value": "Police", "submissions-template-period.value": period},
    )
    download = response["submissions-template-download"]["data"]
    assert download["filename"] == f"police-{period}.xlsx"
    return base64.b64decode(download["content"])


def filled(template: bytes, values: list) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book["Figures"]
    for row_number, value in enumerate(values, start=2):
        sheet.cell(row_number, COLUMNS.index("value") + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(app, client, name: str, data: bytes) -> dict:
    contents = "data:application/octet-stream;base64," + base64.b64encode(data).decode()
    return call(
        app,
        client,
        "submissions-upload-outcome",
        {"submissions-upload.contents": contents},
        {"submissions-upload.filename": name, "submissions-changed.data": 0},
    )


def current_figures(home) -> list[tuple]:
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT la_code, measure, part, value FROM current_figure WHERE dataset = 'police_returns' "
            "ORDER BY measure, part"
        ).fetchall()


def ended_quarters(today: date) -> list[str]:
    """The financial-year quarters from 2025-26 Q1 that ended before `today`, worked out month by month."""
    quarters, year, number = [], 2025, 1
    while True:
        last_month = 4 + 3 * number - 1  # June, September, December, March (15 = March of next year)
        end_year, end_month = (year, last_month) if last_month <= 12 else (year + 1, last_month - 12)
        end = date(end_year + end_month // 12, end_month % 12 + 1, 1) - timedelta(days=1)
        if end >= today:
            return quarters
        quarters.append(f"{year}-{(year + 1) % 100:02d}-Q{number}")
        year, number = (year, number + 1) if number < 4 else (year + 1, 1)


def test_a_police_partner_downloads_fills_uploads_and_corrects_its_figures(app, figures_home):
    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    quarters = ended_quarters(date.today())
    periods = call(
        app, police, "submissions-template-period", {"submissions-template-agency.value": "Police"}
    )
    assert periods["submissions-template-period"] == {
        # "2025-26-Q1" is written "Q1 2025/26"
        "options": [{"label": f"{q[-2:]} {q[:4]}/{q[5:7]}", "value": q} for q in quarters[::-1][:6]],
        "value": quarters[-1],
    }
    before = [r for r in tracker(app, police) if r["Period"] == "Q1 2025/26"]
    assert [(r["Agency"], r["Local authority"], r["Due"], r["State"]) for r in before] == [
        ("Police", "Newcastle upon Tyne", "2025-07-20", "late")
    ]
    template = police_template(app, police, "2025-26-Q1")
    response = upload(app, police, "police Q1.xlsx", filled(template, [5, 6, 7, 8.5]))
    shown = text(response["submissions-upload-outcome"]["children"])
    assert (
        "Accepted" in shown
        and f"Police returns of Newcastle upon Tyne ({NEWCASTLE}) for Q1 2025/26: submission 3, 4 figures"
        in shown
    )
    assert response["submissions-changed"]["data"] == 1
    assert current_figures(figures_home) == [
        (NEWCASTLE, "pr_encompass", "", 7.0),
        (NEWCASTLE, "pr_incidents", "0-12", 5.0),
        (NEWCASTLE, "pr_incidents", "13-17", 6.0),
        (NEWCASTLE, "pr_satisfaction", "", 8.5),
    ]
    after = [r for r in tracker(app, police) if r["Period"] == "Q1 2025/26"]
    assert [(r["State"], r["Received from"], r["Corrections"], r["Figures given"]) for r in after] == [
        ("received late", POLICE_PARTNER, "0", "4 of 4")
    ]
    correction = upload(app, police, "police Q1 v2.xlsx", filled(template, [5, 6, 9, 8.5]))
    assert "submission 4, 4 figures, correcting 1 figure" in text(
        correction["submissions-upload-outcome"]["children"]
    )
    (corrected,) = [r for r in tracker(app, police) if r["Period"] == "Q1 2025/26"]
    assert (corrected["State"], corrected["Corrections"], corrected["Corrected by"]) == (
        "received late",
        "1",
        POLICE_PARTNER,
    )
    history = call(
        app, police, "submissions-history", {"submissions-history-dataset.value": "police_returns"}
    )
    rows = history["submissions-history"]["children"]["props"]["rowData"]
    notifications = (
        "Operation Encompass notifications to schools."  # the measure, as the fixture describes it
    )
    encompass = [(r["value"], r["revision"], r["current"]) for r in rows if r["measure"] == notifications]
    assert encompass == [("9", 1, "current"), ("7", 0, "superseded")]


def test_a_bad_upload_names_sheet_row_and_field_and_loses_nothing(app, figures_home):
    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    template = police_template(app, police, "2025-26-Q1")
    upload(app, police, "good.xlsx", filled(template, [5, 6, 7, 8]))
    response = upload(app, police, "bad.xlsx", filled(template, [5, -6, 2.5, 8]))
    shown = text(response["submissions-upload-outcome"]["children"])
    assert "Not loaded: bad.xlsx (Figures) was refused" in shown
    assert "bad.xlsx, sheet Figures, row 3, value: -6 is negative" in shown
    assert "bad.xlsx, sheet Figures, row 4, value: 2.5 is not a whole number" in shown
    assert "submissions-changed" not in response  # nothing loaded: the tracker stays as it was
    assert [v for *_, v in current_figures(figures_home)] == [7.0, 5.0, 6.0, 8.0]


def test_a_police_partner_cannot_upload_health_figures_or_see_them(app, figures_home):
    from etl.submissions.template import make_template, write_workbook
    from warehouse.model.files import ModelFile, read_model

    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    # Only its own agency's datasets, tracker rows and templates.
    assert {r["Agency"] for r in tracker(app, police)} == {"Police"}
    refused = call(
        app,
        police,
        "submissions-template-download",
        {"submissions-template-xlsx.n_clicks": 1},
        {
            "submissions-template-agency.value": "Local authority",
            "submissions-template-period.value": "2025-26",
        },
    )
    assert refused["submissions-template-download"]["data"] is None
    assert refused["submissions-template-status"]["children"] == (
        f"{POLICE_PARTNER} (partner) does not submit Local authority's figures."
    )
    history = call(
        app, police, "submissions-history", {"submissions-history-dataset.value": "training_returns"}
    )
    assert text(history["submissions-history"]["children"]) == (
        f"{POLICE_PARTNER} (partner) does not see the submissions of Local authority."
    )
    # A crafted upload of the council's training figures (a template made for it) is refused on the server.
    model = read_model([ModelFile("figures.toml", submission_fixtures.FIGURES_MODEL)])
    stream = io.BytesIO()
    write_workbook(make_template(model, "Local authority", "2025-26", {NEWCASTLE: "Newcastle"}), stream)
    response = upload(app, police, "training.xlsx", filled(stream.getvalue(), [12]))
    shown = text(response["submissions-upload-outcome"]["children"])
    assert "Not loaded" in shown and "agency" in shown and POLICE_PARTNER in shown
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM submission WHERE dataset = 'training_returns'"
        ).fetchone() == (2,)


def test_an_executive_reads_the_tracker_and_acts_on_nothing(app):
    chair = signed_in(app.server.test_client(), EXECUTIVE)
    page = page_layout(chair, PAGE, "")
    assert find_component(page, "submissions-tracker") is not None
    for absent in (
        "submissions-upload",
        "submissions-entry-save",
        "submissions-remind",
        "submissions-template-xlsx",
    ):
        assert find_component(page, absent) is None
    rows = tracker(app, chair)
    assert {(r["Agency"], r["Local authority"]) for r in rows} == {
        ("Local authority", "Newcastle upon Tyne"),
        ("Police", "Newcastle upon Tyne"),
    }
    crafted = upload(app, chair, "police.xlsx", b"anything")
    assert text(crafted["submissions-upload-outcome"]["children"]) == (
        "✖ Not loaded: chair is an executive account, which does not submit figures."
    )


def test_figures_entered_by_hand_are_recorded_with_who_and_audited(app, figures_home):
    from appstate.audit import AuditEvent
    from appstate.db import session

    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    choices = call(
        app, police, "submissions-entry-period", {"submissions-entry-measure.value": "pr_incidents"}
    )
    assert choices["submissions-entry-part"] == {
        "options": [
            {"label": "Children aged 0 to 12", "value": "0-12"},
            {"label": "Aged 13 to 17", "value": "13-17"},
        ],
        "value": "0-12",
    }
    state = {
        "submissions-entry-measure.value": "pr_incidents",
        "submissions-entry-la.value": NEWCASTLE,
        "submissions-entry-period.value": "2025-26-Q2",
        "submissions-entry-part.value": "13-17",
        "submissions-entry-value.value": "4",
        "submissions-entry-not-available.value": [],
        "submissions-entry-note.value": "from the MASH log",
        "submissions-changed.data": 0,
    }
    saved = call(app, police, "submissions-entry-outcome", {"submissions-entry-save.n_clicks": 1}, state)
    assert text(saved["submissions-entry-outcome"]["children"]) == (
        f"✔ Police returns of Newcastle upon Tyne ({NEWCASTLE}) for Q2 2025/26: submission 3, 1 figure"
    )
    wrong = call(
        app,
        police,
        "submissions-entry-outcome",
        {"submissions-entry-save.n_clicks": 2},
        state | {"submissions-entry-la.value": NORTHUMBERLAND},
    )
    assert f"la_code: {POLICE_PARTNER} submits for {NEWCASTLE}, not {NORTHUMBERLAND}" in text(
        wrong["submissions-entry-outcome"]["children"]
    )
    with duckdb.connect(str(figures_home.warehouse_path), read_only=True) as con:
        assert con.execute(
            "SELECT measure, part, value, submitted_by, source, note FROM figure_history WHERE dataset = 'police_returns'"
        ).fetchall() == [("pr_incidents", "13-17", 4.0, POLICE_PARTNER, "manual", "from the MASH log")]
    with session() as db:
        events = [
            (e.username, e.action, e.rows)
            for e in db.query(AuditEvent).filter(AuditEvent.action == "figure_entered")
        ]
    assert events == [(POLICE_PARTNER, "figure_entered", 1), (POLICE_PARTNER, "figure_entered", 0)]


def test_uploads_are_in_the_audit_log(app):
    from appstate.audit import AuditEvent
    from appstate.db import session

    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    upload(app, police, "q1.xlsx", filled(police_template(app, police, "2025-26-Q1"), [1, 2, 3, 4]))
    with session() as db:
        events = [
            (e.username, e.action, e.subject, e.rows)
            for e in db.query(AuditEvent).filter(AuditEvent.action.in_(("figures_uploaded", "export")))
        ]
    assert events == [
        (POLICE_PARTNER, "export", "police-2025-26-Q1 template", None),
        (POLICE_PARTNER, "figures_uploaded", "q1.xlsx", 4),
    ]


def test_the_data_team_sends_reminders_received_by_a_local_smtp_server(app, monkeypatch):
    data = signed_in(app.server.test_client(), DATA_TEAM)
    unconfigured = call(app, data, "submissions-remind-outcome", {"submissions-remind.n_clicks": 1})
    assert "Reminders are not configured: set SAFEGUARD_SMTP_HOST and SAFEGUARD_SMTP_FROM" in text(
        unconfigured["submissions-remind-outcome"]["children"]
    )
    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    refused = call(app, police, "submissions-remind-outcome", {"submissions-remind.n_clicks": 1})
    assert text(refused["submissions-remind-outcome"]["children"]) == (
        f"{POLICE_PARTNER} (partner) does not send reminders: the data team does."
    )
    with local_smtp_server() as server:
        monkeypatch.setenv("SAFEGUARD_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SAFEGUARD_SMTP_PORT", str(server.server_address[1]))
        monkeypatch.setenv("SAFEGUARD_SMTP_FROM", "data@partnership.example")
        sent = call(app, data, "submissions-remind-outcome", {"submissions-remind.n_clicks": 2})
        received = list(server.received)
    quarters = ended_quarters(date.today())
    # The police analyst (Newcastle) hears of each ended quarter of Newcastle's: none has arrived.
    late = [q for q in quarters if date.today() > _due(q)]
    soon = [q for q in quarters if q not in late and _due(q) <= date.today() + timedelta(days=7)]
    assert text(sent["submissions-remind-outcome"]["children"]) == (
        f"Sent 1 reminder: {POLICE_PARTNER} (Police): {len(late) + len(soon)} figures late or due soon"
    )
    ((sender, recipients, content),) = received
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert (sender, recipients) == ("data@partnership.example", [POLICE_PARTNER])
    what = ", ".join(
        filter(None, [f"{len(late)} late" if late else "", f"{len(soon)} due soon" if soon else ""])
    )
    assert message["Subject"] == f"Figures for the safeguarding partnership: {what} (Police)"


def _due(quarter: str) -> date:
    """A quarter's due date: 20 days after its last day."""
    year, number = int(quarter[:4]), int(quarter[-1])
    first_month = 4 + 3 * (number - 1)
    first = date(year, first_month, 1) if first_month <= 12 else date(year + 1, first_month - 12, 1)
    after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return after - timedelta(days=1) + timedelta(days=20)


def test_the_pack_prints_what_was_late_and_received_for_its_period(app, figures_home):
    import sys

    from warehouse.kpis.periods import parse_period

    police = signed_in(app.server.test_client(), POLICE_PARTNER)
    upload(app, police, "q1.xlsx", filled(police_template(app, police, "2025-26-Q1"), [1, 2, 3, 4]))
    section = sys.modules["pages.pack"]._submissions_section(
        (NEWCASTLE,), parse_period("2025-26"), {NEWCASTLE: "Newcastle upon Tyne"}
    )
    heading, summary, scrolling = section.children
    table = scrolling.children.children  # the table in its sideways scroll box
    assert heading.children == "Submissions"
    # The year's four police quarters and the council's training year, all ended and due by now.
    assert summary.children == (
        "Figures the partner agencies were due to send for 2025/26: 5 due, 4 late "
        "(nothing has arrived and the due date has passed)."
    )
    head, body = table.children
    # one LA's pack: its cover names the LA, so no column repeats it
    assert [th.children for th in head.children.children] == [
        "Agency", "Figures", "Period", "Due", "State", "Received"
    ]  # fmt: skip
    rows = [[td.children for td in tr.children] for tr in body.children]
    assert [row[:5] for row in rows] == [
        ["Local authority", "Training returns", "2025/26", "30 April 2026", "late"],
        ["Police", "Police returns", "Q1 2025/26", "20 July 2025", "received late"],
        ["Police", "Police returns", "Q2 2025/26", "20 October 2025", "late"],
        ["Police", "Police returns", "Q3 2025/26", "20 January 2026", "late"],
        ["Police", "Police returns", "Q4 2025/26", "20 April 2026", "late"],
    ]
    today = date.today()
    assert rows[1][5].startswith(f"{today.day} {today:%B %Y}, ") and rows[0][5] == ""
