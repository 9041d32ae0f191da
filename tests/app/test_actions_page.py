"""The action tracker page (app/pages/actions.py) through HTTP, as each role calls it: a partner
limited to the police lists, exports, raises and updates only police-led actions; an executive
reads every action of their LAs and changes none; an admin sees all. The downloads are read back
with csv and openpyxl."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from appstate.actions import Action, add_action, record_progress
from appstate.db import session
from tests.app.serving import TEST_ADMIN, signed_in

CITY = "E08000021"  # Newcastle: the scoped test accounts' LA
OTHER_LA = "E06000057"
LONG_AGO = date(2020, 1, 31)  # overdue whatever day the tests run
LATER = date(2099, 12, 31)


@pytest.fixture
def actions(demo_copy):
    """Three actions: Newcastle police (overdue, a formula-like success measure), Newcastle health,
    Northumberland police."""
    made = {}
    with session() as db:
        for title, la, agency, source, ref, due, kpis, measure in (
            (
                "Police triage",
                CITY,
                "Police",
                "business plan priority",
                "Front door",
                LONG_AGO,
                ["re_referral_12m"],
                "=1+1 contacts",
            ),
            (
                "Health attendance",
                CITY,
                "Health",
                "practice review",
                "CSPR Child A",
                LATER,
                ["icpc_15wd"],
                "ICPC attendance 90%",
            ),
            ("North police", OTHER_LA, "Police", "audit", "Thresholds audit", LATER, [], "All audited"),
        ):
            made[title] = add_action(
                db, la, title, source, ref, agency, "Lead", due, measure, "chair", kpi_ids=kpis
            ).id
        record_progress(db, made["Police triage"], 2, "Slow start", "police.lead")
    return made


@pytest.fixture
def app(actions):
    from app.main import create_app

    app = create_app()
    app.server.test_client().get("/login")  # Dash sets up its callback map on the first request
    return app


def _client(app, username: str):
    return signed_in(app.server.test_client(), username)


def _call(app, client, trigger: str, values: dict[str, object]):
    """The callback fired by `trigger` (an id.property), with `values` for its inputs and state by
    id.property (anything not given is None), as a browser would post it."""
    from dash._utils import split_callback_id

    [(output, spec)] = [
        (key, spec)
        for key, spec in app.callback_map.items()
        if trigger in {f"{i['id']}.{i['property']}" for i in spec["inputs"]}
    ]

    def sent(dependencies):
        return [
            {"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}
            for d in dependencies
        ]

    payload = {
        "output": output,
        "outputs": split_callback_id(output),
        "inputs": sent(spec["inputs"]),
        "state": sent(spec["state"]),
        "changedPropIds": [trigger],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


ALL_STATUSES = {"actions-filter-status.value": ["open", "complete", "dropped"]}


def _listed(app, client, **values) -> str:
    """The summary and the grid's rows as the list callback sends them."""
    return str(_call(app, client, "actions-view.value", ALL_STATUSES | values))


def _csv_rows(app, client, **values) -> list[dict[str, str]]:
    download = _call(app, client, "actions-csv.n_clicks", ALL_STATUSES | {"actions-csv.n_clicks": 1} | values)
    return list(csv.DictReader(io.StringIO(download["actions-download"]["data"]["content"])))


def _workbook(app, client, **values):
    download = _call(
        app, client, "actions-xlsx.n_clicks", ALL_STATUSES | {"actions-xlsx.n_clicks": 1} | values
    )
    data = download["actions-download"]["data"]
    assert data["filename"] == "actions.xlsx" and data["base64"]
    return load_workbook(io.BytesIO(base64.b64decode(data["content"])))


def test_each_role_lists_and_exports_only_the_actions_in_its_scope(app):
    titles = {"Police triage", "Health attendance", "North police"}
    for username, expected in (
        ("test-partner", {"Police triage"}),
        ("test-exec", {"Police triage", "Health attendance"}),
        (TEST_ADMIN, titles),
    ):
        client = _client(app, username)
        listed = _listed(app, client)
        assert {t for t in titles if t in listed} == expected, username
        assert {row["Action"] for row in _csv_rows(app, client)} == expected, username
        assert {
            r[2] for r in _workbook(app, client)["Actions"].iter_rows(min_row=2, values_only=True)
        } == expected


def test_the_csv_and_the_workbook_hold_the_rows_the_page_lists_with_formulas_neutralised(app, actions):
    client = _client(app, "test-partner")
    [row] = _csv_rows(app, client)
    assert row == {
        "No.": str(actions["Police triage"]),
        "Local authority": "Newcastle upon Tyne",
        "Action": "Police triage",
        "Source": "business plan priority",
        "Priority, review or meeting": "Front door",
        "Lead agency": "Police",
        "Named lead": "Lead",
        "Due": "2020-01-31",
        "Status": "open",
        "Progress": "2 (some progress)",
        "Flags": "overdue",
        "Linked KPIs": "Re-referrals within 12 months",
        "Success measure": "'=1+1 contacts",
        "Raised": row["Raised"],
    }
    assert row["Raised"].endswith(" by chair")
    book = _workbook(app, client)
    assert book.sheetnames == ["Actions", "Progress history"]
    sheet = book["Actions"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == list(row)
    assert [[str(v) for v in r] for r in rows] == [list(row.values())]
    assert sheet["M2"].data_type == "s"  # text, never a formula
    history = list(book["Progress history"].iter_rows(values_only=True))
    assert [r[2:] for r in history] == [
        ("By", "Status", "Progress", "Note"),
        ("chair", "open", None, "raised"),
        ("police.lead", "open", "2 (some progress)", "Slow start"),
    ]


def test_the_views_group_and_pick_out_actions(app):
    admin = _client(app, TEST_ADMIN)
    by_agency = [r["Lead agency"] for r in _csv_rows(app, admin, **{"actions-view.value": "agency"})]
    assert by_agency == ["Health", "Police", "Police"]
    listed = _listed(app, admin, **{"actions-view.value": "agency"})
    assert "actions-summary" in listed
    priority = [r["Action"] for r in _csv_rows(app, admin, **{"actions-view.value": "priority"})]
    assert priority == ["Police triage"]  # the only business plan action
    overdue = [r["Action"] for r in _csv_rows(app, admin, **{"actions-view.value": "overdue"})]
    assert overdue == ["Police triage"]
    for_kpi = [r["Action"] for r in _csv_rows(app, admin, **{"actions-filter-kpi.value": "icpc_15wd"})]
    assert for_kpi == ["Health attendance"]
    mine = [
        r["Action"] for r in _csv_rows(app, _client(app, "test-partner"), **{"actions-view.value": "mine"})
    ]
    assert mine == ["Police triage"]  # led by the partner's agency
    assert _csv_rows(app, admin, **{"actions-view.value": "mine"}) == []  # the admin raised none


def _progress(app, client, action_id: int) -> str:
    return _call(
        app,
        client,
        "action-record.n_clicks",
        {
            "action-record.n_clicks": 1,
            "actions-grid.selectedRows": [{"id": action_id}],
            "action-progress.value": 3,
            "action-note.value": "Moving",
            "action-changed.data": 0,
        },
    )["action-status-message"]["children"]


def _raise(app, client, la: str, agency: str) -> str:
    return _call(
        app,
        client,
        "action-add.n_clicks",
        {
            "action-add.n_clicks": 1,
            "action-la.value": la,
            "action-title.value": f"New {agency} action",
            "action-source.value": "board meeting",
            "action-source-ref.value": "Board, 3 December 2026",
            "action-agency.value": agency,
            "action-lead.value": "Named lead",
            "action-due.value": "2027-03-31",
            "action-measure.value": "Measured",
            "action-kpis.value": ["cp_repeat"],
            "action-changed.data": 0,
        },
    )["action-status-message"]["children"]


def test_a_police_partner_updates_and_raises_police_actions_only(app, actions):
    partner = _client(app, "test-partner")
    refused = "Not done: select an action in the list first."
    assert _progress(app, partner, actions["Health attendance"]) == refused
    assert _progress(app, partner, actions["North police"]) == refused  # police, but another LA
    assert _progress(app, partner, actions["Police triage"]) == (
        f"Action {actions['Police triage']}: progress 3 (good progress) recorded."
    )
    for title, form in (("Police triage", {}), ("Health attendance", None)):  # Health: out of scope
        shown = _call(
            app,
            partner,
            "actions-grid.selectedRows",
            {"actions-grid.selectedRows": [{"id": actions[title]}], "action-changed.data": 0},
        )
        assert shown["action-form"]["style"] == (form if form is not None else {"display": "none"}), title
    assert _raise(app, partner, CITY, "Health") == "Not done: you may raise actions led by Police only."
    assert _raise(app, partner, OTHER_LA, "Police") == "Not done: choose a local authority in your scope."
    assert _raise(app, partner, CITY, "Police").startswith("Raised action ")
    with session() as db:
        progress = {title: db.get(Action, i).progress for title, i in actions.items()}
        assert progress == {"Police triage": 3, "Health attendance": None, "North police": None}
        assert [
            (a.title, a.created_by, a.kpi_ids)
            for a in db.query(Action).filter(Action.id > max(actions.values()))
        ] == [("New Police action", "test-partner", ("cp_repeat",))]


def test_an_executive_reads_but_changes_nothing(app, actions):
    executive = _client(app, "test-exec")
    said = "Not done: test-exec (executive) may not raise and update actions."
    assert _progress(app, executive, actions["Police triage"]) == said
    assert _raise(app, executive, CITY, "Police") == said
    shown = _call(
        app,
        executive,
        "actions-grid.selectedRows",
        {"actions-grid.selectedRows": [{"id": actions["Health attendance"]}], "action-changed.data": 0},
    )
    assert "Health attendance" in str(shown["action-selected"]["children"])
    assert shown["action-form"]["style"] == {"display": "none"}  # no form to change it
    with session() as db:
        assert db.get(Action, actions["Police triage"]).progress == 2
        assert db.query(Action).count() == 3


def test_the_page_opens_for_every_role_and_offers_a_partner_only_their_agency(app):
    from tests.app.serving import find_component, page_layout

    partner = page_layout(_client(app, "test-partner"), "/actions", "?kpi=icpc_15wd")
    agency = find_component(partner, "action-agency")["props"]
    assert [o["value"] for o in agency["options"]] == ["Police"] and agency["value"] == "Police"
    assert find_component(partner, "actions-filter-kpi")["props"]["value"] == "icpc_15wd"
    assert find_component(partner, "action-kpis")["props"]["value"] == ["icpc_15wd"]
    admin = page_layout(_client(app, TEST_ADMIN), "/actions", "")
    agencies = [o["value"] for o in find_component(admin, "action-agency")["props"]["options"]]
    assert agencies[0] == "Local authority" and {"Police", "Health"} <= set(agencies)
    executive = page_layout(_client(app, "test-exec"), "/actions", "")
    assert find_component(executive, "action-add") is None  # no form to raise one
    assert find_component(executive, "actions-grid")["props"]["rowData"] == []  # filled by the list callback


def test_the_cards_and_scorecard_rows_count_open_actions_from_one_query_per_page(app, actions, demo_copy):
    """Newcastle has two open actions: police triage (overdue, re-referrals) and health attendance
    (ICPCs); a card or row links to them only where one is linked. One query per page, not per card."""
    from sqlalchemy import event

    from appstate.db import engine_for
    from tests.app.serving import page_layout

    client = _client(app, "test-exec")
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(statement)

    engine = engine_for(f"sqlite:///{demo_copy / 'appstate.sqlite'}")
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for path in ("/", "/scorecard"):
            statements.clear()
            layout = page_layout(client, path, f"?period=R12-2026-10&la={CITY}")
            assert sum("action_kpi" in s for s in statements) == 1, path
            links = _links(layout)
            assert links == {
                "/actions?kpi=re_referral_12m": "1 open action, 1 overdue",
                "/actions?kpi=icpc_15wd": "1 open action, 0 overdue",
            }, path
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    # the ICPC action is led by health: the executive sees it on the S47 and ICPC page, the police partner not
    for username, expected in (
        ("test-exec", {"/actions?kpi=icpc_15wd": "1 open action, 0 overdue"}),
        ("test-partner", {}),
    ):
        layout = page_layout(_client(app, username), "/s47-icpc", f"?period=R12-2026-10&la={CITY}")
        assert _links(layout) == expected, username


def _links(node) -> dict[str, str]:
    """The action links in a layout: href -> words."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        props = node.get("props", {})
        if str(props.get("href", "")).startswith("/actions?kpi="):
            found[props["href"]] = props["children"]
        found |= _links(props.get("children"))
    elif isinstance(node, list):
        for child in node:
            found |= _links(child)
    return found


def _exception_sections(layout) -> dict[str, dict]:
    """The exception report's sections by KPI id."""
    found: dict[str, dict] = {}
    if isinstance(layout, dict):
        props = layout.get("props", {})
        if props.get("className") == "exception":
            found[props["data-kpi"]] = layout
        found |= _exception_sections(props.get("children"))
    elif isinstance(layout, list):
        for child in layout:
            found |= _exception_sections(child)
    return found


def test_each_exception_links_to_its_open_actions_and_to_raising_one_for_its_la(app, actions):
    from tests.app.serving import page_layout

    for username, may_raise in (("test-data", True), ("test-exec", False)):
        layout = page_layout(_client(app, username), "/exceptions", f"?la={CITY}")
        sections = _exception_sections(layout)
        assert sections, "the demo has exceptions for Newcastle"
        for kpi_id, section in sections.items():
            raise_link = {f"/actions?kpi={kpi_id}&la={CITY}": "Raise an action"} if may_raise else {}
            counted = {
                "re_referral_12m": {"/actions?kpi=re_referral_12m": "1 open action, 1 overdue"},
                "icpc_15wd": {"/actions?kpi=icpc_15wd": "1 open action, 0 overdue"},
            }.get(kpi_id, {})
            assert _links(section) == counted | raise_link, (username, kpi_id)


def test_raising_from_a_link_chooses_its_kpi_and_la(app):
    from tests.app.serving import find_component, page_layout

    layout = page_layout(_client(app, TEST_ADMIN), "/actions", f"?kpi=cp_repeat&la={OTHER_LA}")
    assert find_component(layout, "action-la")["props"]["value"] == OTHER_LA
    assert find_component(layout, "action-kpis")["props"]["value"] == ["cp_repeat"]
    outside = page_layout(_client(app, "test-exec"), "/actions", f"?la={OTHER_LA}")
    assert find_component(outside, "action-la") is None  # an executive raises none
    partner = page_layout(_client(app, "test-partner"), "/actions", f"?la={OTHER_LA}")
    assert find_component(partner, "action-la")["props"]["value"] == CITY  # not an LA in their scope
