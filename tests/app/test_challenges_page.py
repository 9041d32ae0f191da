"""The challenge log page (app/pages/challenges.py) as a partner limited to agencies reads and
answers it: only the entries raised against their agencies or about their agencies' KPIs, whatever
ids a request names; it answers those its agency answers (the KPI's agency, else the entry's)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from appstate.challenges import raise_challenge
from appstate.db import session
from tests.app.serving import signed_in

CITY = "E08000021"


@pytest.fixture
def entries(demo_copy):
    """Four Newcastle entries: against the police, against health, against a KPI only (the local
    authority's ICPC timeliness), and against the police about the local authority's referrals. One
    partner account of the local authority, which answers for the local authority's KPIs."""
    from appstate.users import add_user
    from tests.app.serving import TEST_PASSWORD

    with session() as db:
        made = [
            raise_challenge(db, CITY, question, "Lead", date(2030, 1, 1), "chair", **about)
            for question, about in (
                ("Police question", {"agency": "Police"}),
                ("Health question", {"agency": "Health"}),
                ("KPI question", {"kpi_id": "icpc_15wd"}),
                ("Police about referrals", {"agency": "Police", "kpi_id": "referrals"}),
            )
        ]
        add_user(
            db,
            "la-partner",
            "partner",
            created_by="tests",
            password=TEST_PASSWORD,
            la_codes=(CITY,),
            agencies=("Local authority",),
        )
    return {entry.question: entry.id for entry in made}


@pytest.fixture
def app(entries):
    from app.main import create_app

    return create_app()


@pytest.fixture
def partner(app):
    return signed_in(app.server.test_client(), "test-partner")  # Newcastle, Police only


def _post(client, output: str, inputs: list, state: list):
    from dash._utils import split_callback_id

    payload = {
        "output": output,
        "outputs": split_callback_id(output),
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


STATUSES = {"id": "challenge-filter-status", "property": "value", "value": ["open", "answered"]}
OVERDUE = {"id": "challenge-filter-overdue", "property": "value", "value": []}


def test_a_police_partner_lists_and_exports_only_the_police_entries(partner):
    listed = _post(
        partner,
        "challenges-list.children",
        [STATUSES, OVERDUE, {"id": "challenge-changed", "property": "data", "value": 0}],
        [],
    )
    text = str(listed)
    assert "Police question" in text and "Police about referrals" in text
    assert "Health question" not in text and "KPI question" not in text
    exported = _post(
        partner,
        "challenges-download.data",
        [{"id": "challenges-export", "property": "n_clicks", "value": 1}],
        [STATUSES, OVERDUE],
    )["challenges-download"]["data"]["content"]
    # by due date, then by id: both are due on 1 January 2030
    assert [row["question"] for row in csv.DictReader(io.StringIO(exported))] == [
        "Police question",
        "Police about referrals",
    ]


def _answer(app, client, entry_id: int) -> str:
    client.get("/login")  # Dash sets up its callback map on the first request
    [output] = [
        key for key, spec in app.callback_map.items() if spec["inputs"][0]["id"] == "challenge-answer"
    ]
    response = _post(
        client,
        output,
        [{"id": "challenge-answer", "property": "n_clicks", "value": 1}],
        [
            {"id": "challenges-grid", "property": "selectedRows", "value": [{"id": entry_id}]},
            {"id": "challenge-response", "property": "value", "value": "Our answer"},
            {"id": "challenge-changed", "property": "data", "value": 0},
        ],
    )
    return response["challenge-status-message"]["children"]


def test_a_police_partner_can_answer_a_police_entry_and_no_other(app, partner, entries):
    from appstate.challenges import Challenge

    refused = "Not done: select a challenge in the list first."
    assert _answer(app, partner, entries["Health question"]) == refused
    assert _answer(app, partner, entries["KPI question"]) == refused
    # raised against the police, so listed to them, but about the local authority's KPI: its to answer
    not_theirs = _answer(app, partner, entries["Police about referrals"])
    assert not_theirs == "Not done: test-partner may answer only the challenges of Police's KPIs."
    assert (
        _answer(app, partner, entries["Police question"])
        == f"Challenge {entries['Police question']} is now answered."
    )
    with session() as db:
        assert {q: db.get(Challenge, i).status for q, i in entries.items()} == {
            "Police question": "answered",
            "Health question": "open",
            "KPI question": "open",
            "Police about referrals": "open",
        }


def test_a_local_authority_partner_answers_the_challenges_about_its_kpis(app, entries):
    from appstate.challenges import Challenge

    client = signed_in(app.server.test_client(), "la-partner")
    refused = "Not done: select a challenge in the list first."
    assert _answer(app, client, entries["Police question"]) == refused  # neither its KPI nor its agency
    for question in ("KPI question", "Police about referrals"):
        assert _answer(app, client, entries[question]) == f"Challenge {entries[question]} is now answered."
    with session() as db:
        assert {q: db.get(Challenge, i).status for q, i in entries.items()} == {
            "Police question": "open",
            "Health question": "open",
            "KPI question": "answered",
            "Police about referrals": "answered",
        }


def _panel(client, entry_id: int) -> str:
    """The selected entry's panel as the server draws it for the client's user."""
    response = _post(
        client,
        "challenge-selected.children",
        [
            {"id": "challenges-grid", "property": "selectedRows", "value": [{"id": entry_id}]},
            {"id": "challenge-changed", "property": "data", "value": 0},
        ],
        [],
    )
    return str(response["challenge-selected"]["children"])


def test_the_answer_box_is_offered_only_to_the_agency_that_answers(app, partner, entries):
    # the police see the entry about the local authority's referrals, but are not offered to answer it
    about_referrals = _panel(partner, entries["Police about referrals"])
    assert "Police about referrals" in about_referrals and "challenge-answer" not in about_referrals
    assert "challenge-answer" in _panel(partner, entries["Police question"])
    la = signed_in(app.server.test_client(), "la-partner")
    assert "challenge-answer" in _panel(la, entries["Police about referrals"])
