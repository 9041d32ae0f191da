"""Scope and suppression on the server, whatever a request asks for: crafted callback payloads,
URLs naming other LAs or agencies, and small numbers in the grid, the CSV and the pages."""

from __future__ import annotations

import csv
import io

import pytest

from app import state
from tests.app.serving import signed_in
from tests.helpers import engine_results
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import format_figure
from warehouse.kpis.suppression import NO_SUPPRESSION

CITY = ("E08000021",)
PERIOD = "2025-26"


@pytest.fixture(scope="module")
def app(demo_home):
    from app.main import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(demo_home))
        state.reader.cache_clear()
        yield create_app()
        state.reader().close()
        state.reader.cache_clear()


def _export(client, search: str) -> list[dict[str, str]]:
    payload = {
        "output": "front-door-download.data",
        "outputs": {"id": "front-door-download", "property": "data"},
        "inputs": [{"id": "front-door-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["front-door-export.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    content = response.get_json()["response"]["front-door-download"]["data"]["content"]
    return list(csv.DictReader(io.StringIO(content)))


def _months(results: dict, kpi_id: str) -> dict[str, str]:
    result = results[kpi_id]
    return {f.period.label: format_figure(result.kpi, f) for f in result.series}


def _column(rows: list[dict[str, str]], title: str, months: dict[str, str]) -> dict[str, str]:
    """The CSV's column for the months the engine was asked for (the CSV has 25, the engine 13)."""
    by_month = {r["Month"]: r[title] for r in rows}
    return {month: by_month[month] for month in months}


def test_a_partner_asking_for_another_la_and_agency_gets_only_their_own(app, demo_home):
    client = signed_in(app.server.test_client(), "test-partner")  # Newcastle, Police only
    rows = _export(client, f"?period={PERIOD}&la=E06000057&agency=Health&agency=Schools+and+education")
    police = engine_results(demo_home, ("contacts", "referrals"), PERIOD, Filters(la_codes=CITY, agencies=("Police",)))
    everyone = engine_results(demo_home, ("contacts",), PERIOD, Filters(la_codes=CITY))
    expected = _months(police, "contacts")
    assert _column(rows, "Contacts", expected) == expected
    assert expected != _months(everyone, "contacts")  # so the restriction is visible in the figures
    assert _column(rows, "Referrals", _months(police, "referrals")) == _months(police, "referrals")


def test_an_executive_cannot_reach_another_partnerships_la(app, demo_home):
    client = signed_in(app.server.test_client(), "test-exec")  # Newcastle only
    rows = _export(client, f"?period={PERIOD}&la=E06000057")
    city = engine_results(demo_home, ("contacts",), PERIOD, Filters(la_codes=CITY))
    assert _column(rows, "Contacts", _months(city, "contacts")) == _months(city, "contacts")


def _small_count_view(demo_home) -> tuple[str, dict[str, str]]:
    """A filtered view of Newcastle police contacts with months of 1 to 4 (found in the warehouse)."""
    import duckdb

    from warehouse.kpis.engine import evaluate
    from warehouse.kpis.periods import parse_period

    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        for gender in ("N", "U"):
            filters = Filters(la_codes=CITY, agencies=("Police",), genders=(gender,))
            [result] = evaluate(con, ["contacts"], parse_period(PERIOD), filters, NO_SUPPRESSION)
            small = {f.period.label: str(int(f.value)) for f in result.series if f.value and 0 < f.value < 5}
            if small:
                return f"?period={PERIOD}&la=E08000021&agency=Police&gender={gender}", small
    raise AssertionError("the demo has no small police counts to test with")


def test_small_numbers_are_c_for_a_partner_and_shown_to_the_data_team(app, demo_home):
    search, small = _small_count_view(demo_home)
    partner = {r["Month"]: r["Contacts"] for r in _export(signed_in(app.server.test_client(), "test-partner"), search)}
    data_team = {r["Month"]: r["Contacts"] for r in _export(signed_in(app.server.test_client(), "test-data"), search)}
    assert all(partner[month] == "c" for month in small)
    assert all(data_team[month] == count for month, count in small.items())


def test_a_partner_gets_403_for_the_data_page_callbacks_and_the_board_exports(app):
    client = signed_in(app.server.test_client(), "test-partner")
    payload = {
        "output": "data-download.data", "outputs": {"id": "data-download", "property": "data"},
        "inputs": [{"id": "data-loads-export", "property": "n_clicks", "value": 1},
                   {"id": "data-rejections-export", "property": "n_clicks", "value": None}],
        "changedPropIds": ["data-loads-export.n_clicks"],
        "state": [{"id": "data-loads-grid", "property": "selectedRows", "value": None}],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 403
    assert "may not open /data" in response.get_data(as_text=True)
    for path in ("/scorecard.xlsx?la=E08000021", "/exceptions.md?la=E08000021", "/pack.pdf?la=E08000021"):
        assert client.get(path).status_code == 403, path


def _page(client, path: str, search: str) -> dict:
    """A page's layout as Dash's page router returns it to the browser."""
    payload = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]["_pages_content"]["children"]


def _find(node, component_id: str):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        children = node.get("props", {}).get("children")
        return _find(children, component_id)
    if isinstance(node, list):
        return next((found for child in node if (found := _find(child, component_id)) is not None), None)
    return None


def test_the_pages_grid_suppresses_for_a_partner_and_not_for_the_data_team(app, demo_home):
    search, small = _small_count_view(demo_home)
    grids = {}
    for username in ("test-partner", "test-data"):
        layout = _page(signed_in(app.server.test_client(), username), "/front-door", search)
        rows = _find(layout, "front-door-grid")["props"]["rowData"]
        grids[username] = {r["Month"]: r["Contacts"] for r in rows}
    assert all(grids["test-partner"][month] == "c" for month in small)
    assert all(grids["test-data"][month] == count for month, count in small.items())


def test_a_board_page_drawn_for_a_partner_says_so_and_holds_no_figures(app):
    layout = _page(signed_in(app.server.test_client(), "test-partner"), "/", "?la=E08000021")
    assert _find(layout, "executive-cards") is None
    assert "Not available to your role" in str(layout)
