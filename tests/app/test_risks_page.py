"""The risk register page (app/pages/risks.py) through HTTP, as each role calls it: a partner
limited to the police reads only police-owned risks and changes none; an executive reads every
risk of their LAs and re-scores them but neither adds nor closes one; the data team adds, re-scores
and closes within its LAs; an admin sees all. The heat map is read cell by cell and the downloads
are read back with csv and openpyxl."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from appstate.actions import add_action
from appstate.db import session
from appstate.risks import Risk, add_risk, rescore_risk
from tests.app.serving import TEST_ADMIN, find_component, page_layout, signed_in
from tests.app.test_actions_page import _call

CITY = "E08000021"  # Newcastle: the scoped test accounts' LA
OTHER_LA = "E06000057"
LONG_AGO = date(2020, 1, 31)  # overdue whatever day the tests run
LATER = date(2099, 12, 31)
BOTH = {"risks-filter-status.value": ["open", "closed"]}


@pytest.fixture
def risks(demo_copy):
    """Newcastle: front door capacity (local authority, 4x3 then 5x4, review overdue, linked to a
    police and a health action) and police data sharing (police, 2x2); Northumberland: 5x5."""
    with session() as db:
        police = add_action(
            db, CITY, "Police triage", "audit", "Audit", "Police", "DI", LATER, "Done", "chair"
        )
        health = add_action(
            db, CITY, "Health attendance", "audit", "Audit", "Health", "Nurse", LATER, "90%", "chair"
        )
        capacity = add_risk(
            db,
            CITY,
            "Front door capacity",
            "Vacancies slow decisions",
            "Head of the front door",
            "Local authority",
            "=1+1 agency staff",
            4,
            3,
            LATER,
            "chair",
            kpi_ids=["re_referral_12m"],
            action_ids=[police.id, health.id],
        )
        rescore_risk(db, capacity.id, 5, 4, "Two more vacancies", LONG_AGO, "chair")
        sharing = add_risk(
            db,
            CITY,
            "Police data sharing",
            "Notifications arrive late",
            "DCI public protection",
            "Police",
            "Weekly check",
            2,
            2,
            LATER,
            "chair",
            action_ids=[police.id, health.id],
        )
        north = add_risk(
            db,
            OTHER_LA,
            "North capacity",
            "Vacancies",
            "Head of service",
            "Local authority",
            "None",
            5,
            5,
            LATER,
            "chair",
        )
    return {
        "capacity": capacity.id,
        "sharing": sharing.id,
        "north": north.id,
        "police action": police.id,
        "health action": health.id,
    }


@pytest.fixture
def app(risks):
    from app.main import create_app

    app = create_app()
    app.server.test_client().get("/login")  # Dash sets up its callback map on the first request
    return app


def _client(app, username: str):
    return signed_in(app.server.test_client(), username)


def _register(app, client, **values) -> dict:
    return _call(app, client, "risks-filter-status.value", BOTH | {"risk-changed.data": 0} | values)


def _csv_rows(app, client) -> list[dict[str, str]]:
    download = _call(app, client, "risks-csv.n_clicks", BOTH | {"risks-csv.n_clicks": 1})
    return list(csv.DictReader(io.StringIO(download["risks-download"]["data"]["content"])))


def _workbook(app, client):
    download = _call(app, client, "risks-xlsx.n_clicks", BOTH | {"risks-xlsx.n_clicks": 1})
    data = download["risks-download"]["data"]
    assert data["filename"] == "risks.xlsx" and data["base64"]
    return load_workbook(io.BytesIO(base64.b64decode(data["content"])))


def _text(node) -> list[str]:
    """Every string in a component tree, in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return [text for child in node for text in _text(child)]
    return []


def _cells(heat_map) -> dict[str, list[str]]:
    """The heat map's cells that list risks: "likelihood x impact" -> their words."""
    found: dict[str, list[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if "data-cell" in props and len(_text(props["children"])) > 1:
                found[props["data-cell"]] = _text(props["children"])
            walk(props.get("children"))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(heat_map)
    return found


def test_each_role_reads_and_exports_only_the_risks_in_its_scope(app):
    titles = {"Front door capacity", "Police data sharing", "North capacity"}
    for username, expected in (
        ("test-partner", {"Police data sharing"}),
        ("test-exec", {"Front door capacity", "Police data sharing"}),
        ("test-data", {"Front door capacity", "Police data sharing"}),
        (TEST_ADMIN, titles),
    ):
        client = _client(app, username)
        shown = str(_register(app, client))
        assert {t for t in titles if t in shown} == expected, username
        assert {row["Risk"] for row in _csv_rows(app, client)} == expected, username
        assert {
            r[2] for r in _workbook(app, client)["Risks"].iter_rows(min_row=2, values_only=True)
        } == expected


def test_the_heat_map_puts_each_open_risk_in_its_cell_with_its_band_in_words(app, risks):
    drawn = _register(app, _client(app, "test-exec"))
    cells = _cells(drawn["risks-heat-map"]["children"])
    assert cells == {
        "5x4": ["20 very high", f"{risks['capacity']}: Front door capacity"],
        "2x2": ["4 low", f"{risks['sharing']}: Police data sharing"],
    }
    words = _text(drawn["risks-heat-map"]["children"])
    assert words.count("25 very high") == 1 and words.count("1 low") == 1  # every cell says its band
    assert "No open risk in this view" not in str(drawn)
    assert [o["label"] for o in drawn["risk-chosen"]["options"]] == [
        f"{risks['capacity']}: Front door capacity (20 very high)",  # highest score first
        f"{risks['sharing']}: Police data sharing (4 low)",
    ]


def test_the_csv_and_the_workbook_hold_the_register_and_every_score(app, risks):
    [row, _sharing] = _csv_rows(app, _client(app, "test-data"))
    assert row == {
        "No.": str(risks["capacity"]),
        "Local authority": "Newcastle upon Tyne",
        "Risk": "Front door capacity",
        "Description": "Vacancies slow decisions",
        "Owner": "Head of the front door",
        "Owning agency": "Local authority",
        "Controls": "'=1+1 agency staff",
        "Likelihood": "5",
        "Impact": "4",
        "Score": "20",
        "Band": "very high",
        "Movement": "↑ up from 12",
        "Next review": "2020-01-31",
        "Review overdue": "overdue",
        "Status": "open",
        "Linked KPIs": "Re-referrals within 12 months",
        "Linked actions": f"{risks['police action']}: Police triage; {risks['health action']}: Health attendance",
        "Added": row["Added"],
    }
    history = list(_workbook(app, _client(app, "test-data"))["Score history"].iter_rows(values_only=True))
    assert [r[:1] + r[2:] for r in history if r[0] in ("No.", risks["capacity"])] == [
        ("No.", "By", "Likelihood", "Impact", "Score", "Band", "Why", "Next review"),
        (risks["capacity"], "chair", 4, 3, 12, "high", "first scored", "2099-12-31"),
        (risks["capacity"], "chair", 5, 4, 20, "very high", "Two more vacancies", "2020-01-31"),
    ]


def _hrefs(node) -> list[tuple[str, str]]:
    """The links in a component tree, in order: (href, words)."""
    if isinstance(node, dict):
        props = node.get("props", {})
        here = [(props["href"], props["children"])] if "href" in props else []
        return here + _hrefs(props.get("children"))
    if isinstance(node, list):
        return [link for child in node for link in _hrefs(child)]
    return []


def test_the_register_links_to_the_linked_kpis_card_on_its_page_and_to_the_actions(app, risks):
    register = _register(app, _client(app, "test-exec"))["risks-register"]["children"]
    assert _hrefs(register) == [
        # re-referrals are on the front door page (warehouse/model/builtin/pages.toml), as card-<id>
        (f"/front-door?la={CITY}#card-re_referral_12m", "Re-referrals within 12 months"),
        ("/actions", f"{risks['police action']}: Police triage"),
        ("/actions", f"{risks['health action']}: Health attendance"),
        # police data sharing, scored lower, comes next: no KPIs, the same two actions
        ("/actions", f"{risks['police action']}: Police triage"),
        ("/actions", f"{risks['health action']}: Health attendance"),
    ]


def test_a_partner_sees_only_the_linked_actions_of_their_agency(app, risks):
    register = _register(app, _client(app, "test-partner"))["risks-register"]["children"]
    words = " ".join(_text(register))
    assert f"{risks['police action']}: Police triage" in words
    assert "Health attendance" not in words and "Health" not in words


def _rescore(app, client, risk_id: int, likelihood=3, impact=3, reason="Posts filled") -> str:
    return _call(
        app,
        client,
        "risk-rescore.n_clicks",
        {
            "risk-rescore.n_clicks": 1,
            "risk-chosen.value": risk_id,
            "risk-new-likelihood.value": likelihood,
            "risk-new-impact.value": impact,
            "risk-reason.value": reason,
            "risk-next-review.value": "2027-03-31",
            "risk-changed.data": 0,
        },
    )["risk-status-message"]["children"]


def _close(app, client, risk_id: int) -> str:
    return _call(
        app,
        client,
        "risk-close.n_clicks",
        {
            "risk-close.n_clicks": 1,
            "risk-chosen.value": risk_id,
            "risk-reason.value": "Gone",
            "risk-changed.data": 0,
        },
    )["risk-status-message"]["children"]


def _add(app, client, la: str, agency: str, actions: list[int]) -> str:
    return _call(
        app,
        client,
        "risk-add.n_clicks",
        {
            "risk-add.n_clicks": 1,
            "risk-la.value": la,
            "risk-title.value": f"New {agency} risk",
            "risk-description.value": "About the system",
            "risk-owner.value": "Post holder",
            "risk-agency.value": agency,
            "risk-controls.value": "Some",
            "risk-likelihood.value": 2,
            "risk-impact.value": 5,
            "risk-review.value": "2027-01-31",
            "risk-kpis.value": ["cp_repeat"],
            "risk-actions.value": actions,
            "risk-changed.data": 0,
        },
    )["risk-status-message"]["children"]


def _scores(risk_id: int) -> list[int]:
    with session() as db:
        return [s.score for s in db.get(Risk, risk_id).scores]


def test_an_executive_rescores_but_neither_adds_nor_closes(app, risks):
    executive = _client(app, "test-exec")
    assert _rescore(app, executive, risks["capacity"]) == (
        f"Risk {risks['capacity']} scored 9 medium, ↓ down from 20."
    )
    assert _rescore(app, executive, risks["north"]) == "Not done: choose a risk in the register first."
    assert _rescore(app, executive, risks["sharing"], impact=6) == "Not done: the impact is 1 to 5; not 6."
    assert (
        _add(app, executive, CITY, "Police", [])
        == "Not done: test-exec (executive) may not add and close risks."
    )
    assert (
        _close(app, executive, risks["capacity"])
        == "Not done: test-exec (executive) may not add and close risks."
    )
    assert _scores(risks["capacity"]) == [12, 20, 9]
    assert _scores(risks["north"]) == [25] and _scores(risks["sharing"]) == [4]
    audit = _call(
        app, _client(app, TEST_ADMIN), "audit-actions.value", {"audit-actions.value": ["risk_rescored"]}
    )
    [event] = [r for r in audit["audit-grid"]["children"]["props"]["rowData"] if r["username"] == "test-exec"]
    assert (event["action"], event["subject"]) == (  # the LA by its name, not its code
        "Risk re-scored",
        f"risk {risks['capacity']} (Newcastle upon Tyne, Local authority)",
    )
    assert "previous: 20" in event["detail"] and "reason: Posts filled" in event["detail"]


def test_a_partner_changes_nothing(app, risks):
    partner = _client(app, "test-partner")
    said = "Not done: test-partner (partner) may not {}."
    assert _rescore(app, partner, risks["sharing"]) == said.format("re-score risks")
    assert _add(app, partner, CITY, "Police", []) == said.format("add and close risks")
    assert _close(app, partner, risks["sharing"]) == said.format("add and close risks")
    shown = _call(
        app, partner, "risk-chosen.value", {"risk-chosen.value": risks["sharing"], "risk-changed.data": 0}
    )
    assert "Police data sharing" in str(shown["risk-selected"]["children"])
    assert shown["risk-form"]["style"] == {"display": "none"}
    hidden = _call(
        app, partner, "risk-chosen.value", {"risk-chosen.value": risks["capacity"], "risk-changed.data": 0}
    )
    assert hidden["risk-selected"]["children"] is None  # owned by the local authority: not theirs
    assert _scores(risks["sharing"]) == [4]


def test_the_data_team_adds_and_closes_within_its_scope(app, risks):
    data = _client(app, "test-data")
    assert _add(app, data, OTHER_LA, "Police", []) == "Not done: choose a local authority in your scope."
    with session() as db:
        elsewhere = add_action(
            db, OTHER_LA, "North action", "audit", "Audit", "Police", "DI", LATER, "Done", "x"
        ).id
    assert _add(app, data, CITY, "Police", [elsewhere]) == (
        f"Not done: there is no action {elsewhere} in your scope to link the risk to."
    )
    said = _add(app, data, CITY, "Police", [risks["police action"]])
    assert said.startswith("Added risk ") and said.endswith(", scored 10 high.")
    added = int(said.split()[2].rstrip(","))
    with session() as db:
        risk = db.get(Risk, added)
        assert (risk.title, risk.created_by, risk.kpi_ids, risk.action_ids, risk.review_date) == (
            "New Police risk",
            "test-data",
            ("cp_repeat",),
            (risks["police action"],),
            date(2027, 1, 31),
        )
    assert _close(app, data, risks["sharing"]) == f"Risk {risks['sharing']} is now closed."
    assert (
        _rescore(app, data, risks["sharing"])
        == f"Not done: risk {risks['sharing']} is closed: add it again to take it further."
    )
    drawn = _register(app, data, **{"risks-filter-status.value": ["open"]})
    assert "Police data sharing" not in str(drawn)


def test_the_page_offers_each_role_only_its_forms(app):
    admin = page_layout(_client(app, TEST_ADMIN), "/risks", "")
    assert find_component(admin, "risk-add") is not None and find_component(admin, "risk-close") is not None
    agencies = [o["value"] for o in find_component(admin, "risk-agency")["props"]["options"]]
    assert agencies[0] == "Local authority" and {"Police", "Health"} <= set(agencies)
    executive = page_layout(_client(app, "test-exec"), "/risks", "")
    assert find_component(executive, "risk-add") is None and find_component(executive, "risk-close") is None
    assert find_component(executive, "risk-rescore") is not None
    assert "1-4 low, 5-9 medium, 10-16 high, 20-25 very high" in str(executive)
    partner = page_layout(_client(app, "test-partner"), "/risks", "")
    assert [find_component(partner, i) for i in ("risk-add", "risk-rescore", "risk-close")] == [None] * 3
    assert len(agencies) == len(set(agencies))  # the local authority is in the data too: offered once


def test_an_empty_heat_map_says_no_risk_is_in_it(app):
    # only closed risks asked for: none on the map of open ones (and no page module imported here,
    # which would register its page a second time, without its layout)
    drawn = _register(app, _client(app, "test-exec"), **{"risks-filter-status.value": ["closed"]})
    assert "No open risk in this view" in str(drawn["risks-heat-map"]["children"])
