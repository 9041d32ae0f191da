"""The audit log records exports (who, what, filters, rows) and changes; only admins read it."""

from __future__ import annotations

import json

import pytest

from appstate.audit import AuditQuery, recent_events
from appstate.db import session
from tests.app.serving import signed_in


@pytest.fixture
def app(demo_copy):
    from sqlalchemy import delete

    from app.main import create_app
    from appstate.audit import AuditEvent

    # The copy's log starts with no exports: what other tests exported from the shared demo home is
    # not this test's (the demo's own events, its targets set, stay).
    with session() as db:
        db.execute(delete(AuditEvent).where(AuditEvent.action == "export"))
        db.commit()
    return create_app()


def _post(client, output: str, inputs: list[dict], states: list[dict], referer: str = ""):
    component, prop = output.split(".")
    payload = {
        "output": output,
        "outputs": {"id": component, "property": prop},
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": states,
    }
    return client.post("/_dash-update-component", json=payload, headers={"Referer": referer})


def test_a_csv_export_is_logged_with_its_user_the_filters_it_used_and_rows(app):
    client = signed_in(app.server.test_client(), "test-exec")
    response = _post(
        client,
        "front-door-download.data",
        [{"id": "front-door-export", "property": "n_clicks", "value": 1}],
        [{"id": "url", "property": "search", "value": "?period=2025-26&la=E08000021&gender=F"}],
        referer="http://localhost/missing?la=E06000057&gender=M",
    )  # the client writes the Referer
    assert response.status_code == 200
    with session() as db:
        [event] = recent_events(db, AuditQuery(actions=("export",)))
    # the front door's grid is 25 months: one row each
    assert (event.username, event.subject, event.rows) == ("test-exec", "front-door-2025-26.csv", 25)
    assert json.loads(event.detail) == {
        "page": "/front-door",
        "period": "2025-26",
        "filters": {"la_codes": ["E08000021"], "gender": ["F"]},
    }


def test_a_records_export_is_logged_with_the_filters_it_used(app):
    client = signed_in(
        app.server.test_client(), "test-data"
    )  # records are listed for exact-figure roles only
    response = _post(
        client,
        "records-download.data",
        [{"id": "records-export", "property": "n_clicks", "value": 1}],
        [{"id": "url", "property": "search", "value": "?period=2025-09&la=E08000021&kpi=contacts&gender=M"}],
    )
    assert response.status_code == 200
    with session() as db:
        [event] = recent_events(db, AuditQuery(actions=("export",)))
    assert event.subject == "records-contacts-2025-09.csv" and event.rows > 0
    assert json.loads(event.detail) == {
        "page": "/records",
        "period": "2025-09",
        "filters": {"la_codes": ["E08000021"], "gender": ["M"]},
    }


def test_an_export_logs_the_scope_it_was_cut_to_not_what_was_asked(app):
    client = signed_in(app.server.test_client(), "test-partner")  # Newcastle, Police
    response = _post(
        client,
        "missing-download.data",
        [{"id": "missing-export", "property": "n_clicks", "value": 1}],
        [{"id": "url", "property": "search", "value": "?period=2025-26&la=E06000057&agency=Health"}],
    )
    assert response.status_code == 200
    with session() as db:
        [event] = recent_events(db, AuditQuery(actions=("export",)))
    assert json.loads(event.detail) == {
        "page": "/missing",
        "period": "2025-26",
        # its own LA, and the agency asked for: a partner's figures are partnership-wide
        "filters": {"la_codes": ["E08000021"], "agency": ["Health"]},
    }


def test_a_workbook_export_and_a_target_are_logged(app):
    from datetime import date

    from appstate.targets import set_target

    client = signed_in(app.server.test_client(), "test-data")
    assert client.get("/scorecard.xlsx?la=E08000021").status_code == 200
    with session() as db:
        set_target(db, "cp_repeat", "E08000021", date(2026, 4, 1), 22.0, set_by="test-data")
        exports = recent_events(db, AuditQuery(actions=("export",)))
        [target] = recent_events(db, AuditQuery(actions=("target_set",), username="test-data"))
    assert [(e.username, e.subject) for e in exports] == [("test-data", "scorecard.xlsx")]
    # every KPI row of the scorecard: the core priorities', those over figures agencies submit, the
    # record-level packs' and the published figures'
    assert exports[0].rows == 21 + 7 + 12 + 5
    assert json.loads(exports[0].detail)["filters"] == {"la_codes": ["E08000021"]}
    assert target.subject == "cp_repeat for E08000021"
    assert json.loads(target.detail)["value"] == 22.0


def test_only_admins_read_the_audit_log(app):
    inputs = [{"id": "audit-actions", "property": "value", "value": None}]
    for username in ("test-exec", "test-data", "test-partner"):
        response = _post(signed_in(app.server.test_client(), username), "audit-grid.children", inputs, [])
        assert response.status_code == 403, username
    admin = _post(signed_in(app.server.test_client(), "test-admin"), "audit-grid.children", inputs, [])
    assert admin.status_code == 200
    rows = admin.get_json()["response"]["audit-grid"]["children"]["props"]["rowData"]
    # the demo's 52 targets (2 LAs x 13 KPIs x 2 dates) were set by "demo" when the home was made
    assert sum(1 for r in rows if r["action"] == "Target set" and r["username"] == "demo") == 52
    # Each of them is of a KPI and an LA by name, its details in words: no code, no JSON.
    targets = [r for r in rows if r["action"] == "Target set" and r["subject"].startswith("Repeat CP")]
    assert {r["subject"] for r in targets} == {
        "Repeat CP plans for Newcastle upon Tyne",
        "Repeat CP plans for Northumberland",
    }
    assert all("E0" not in r["subject"] + r["detail"] and "{" not in r["detail"] for r in rows)
    assert all(r["at"][:4].isdigit() for r in rows)  # kept as ISO to sort; the grid writes it in words


def test_an_events_details_are_written_in_words():
    from app.audit_log import details_words

    names = {"E08000021": "Newcastle upon Tyne"}
    export = (
        '{"filters": {"la_codes": ["E08000021"], "gender": ["F"]}, "page": "/pack", "period": "R12-2026-11"}'
    )
    assert details_words(export, names) == (
        "filters: LAs Newcastle upon Tyne; gender F; page: /pack; "
        "period: 12 months to November 2026 (Dec 2025 to Nov 2026)"
    )
    target = '{"demo": true, "effective_from": "2025-04-01", "tolerance_percent": 5.0, "value": 90.0}'
    assert (
        details_words(target, names)
        == "demo target: yes; from: 1 April 2025; tolerance (%): 5.0; value: 90.0"
    )
    load = (
        '{"dataset": "contacts", "la_code": "E08000021", "rejected": 6, "status": "loaded_with_rejections"}'
    )
    assert details_words(load, names) == (
        "dataset: Contacts; LA: Newcastle upon Tyne; rejected: 6; status: loaded with rejections"
    )
    assert details_words(None, names) == details_words("{}", names) == ""
    assert details_words('{"la_codes": "", "role": "admin"}', names) == "LAs: all; role: admin"
