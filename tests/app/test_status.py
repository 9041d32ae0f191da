"""How fresh the data is: the stale-data banner's sentences and the readiness endpoint."""

from __future__ import annotations

import json
from datetime import date

from app.components.status import stale_datasets

CITY = {"E08000021": "Newcastle upon Tyne"}


def test_a_dataset_is_stale_once_its_data_ends_longer_ago_than_its_cadence(demo_copy, monkeypatch):
    # the demo's data ends on 31 October 2026; the default cadence is 45 days
    assert stale_datasets(tuple(CITY), CITY, date(2026, 12, 15)) == []
    [note] = stale_datasets(tuple(CITY), CITY, date(2026, 12, 16))
    # ten datasets end that day, expected as often: one sentence names them all, in the order of
    # their names (assessments, contacts, cp_plans, early_help_episodes, exploitation_panel,
    # lado_allegations, missing_episodes, police_da_incidents, referrals, s47)
    assert note == (
        "Assessments, Contacts, Child protection plans, Early help episodes, Child exploitation panel, "
        "Allegations against people who work with children (LADO), Missing episodes, Domestic abuse "
        "incidents with children (police), Referrals and Section 47 enquiries and ICPCs for Newcastle "
        "upon Tyne end on 31 October 2026, 46 days ago (expected at least every 45 days)."
    )
    monkeypatch.setenv("SAFEGUARD_CADENCE_BY_DATASET", json.dumps({"missing_episodes": 14}))
    assert stale_datasets(tuple(CITY), CITY, date(2026, 11, 15)) == [
        (
            "Missing episodes for Newcastle upon Tyne end on 31 October 2026, 15 days ago (expected at least every "
            "14 days)."
        )
    ]


def test_readiness_says_the_data_version_and_date_and_503_without_a_warehouse(
    demo_copy, tmp_path, monkeypatch
):
    from app import state
    from app.main import create_app

    ready = create_app().server.test_client().get("/readyz")
    assert ready.status_code == 200
    assert (ready.get_json()["status"], ready.get_json()["data_as_at"]) == ("ready", "2026-10-31")
    assert create_app().server.test_client().get("/healthz").get_json() == {"status": "ok"}
    monkeypatch.setenv("SAFEGUARD_HOME", str(tmp_path / "empty"))
    state.reader.cache_clear()
    missing = create_app().server.test_client().get("/readyz")
    assert (missing.status_code, missing.get_json()["status"]) == (503, "not ready")
