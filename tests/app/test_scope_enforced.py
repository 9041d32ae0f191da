"""Scope and suppression on the server, whatever a request asks for: crafted callback payloads,
URLs naming other LAs or agencies, and small numbers in the grid, the CSV and the pages."""

from __future__ import annotations

from tests.app.serving import export_rows, find_component, page_layout, signed_in
from tests.helpers import engine_results
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import format_figure
from warehouse.kpis.suppression import NO_SUPPRESSION

CITY = ("E08000021",)
PERIOD = "2025-26"


def _months(results: dict, kpi_id: str) -> dict[str, str]:
    result = results[kpi_id]
    return {f.period.label: format_figure(result.kpi, f) for f in result.series}


def _column(rows: list[dict[str, str]], title: str, months: dict[str, str]) -> dict[str, str]:
    """The CSV's column for the months the engine was asked for (the CSV has 25, the engine 13)."""
    by_month = {r["Month"]: r[title] for r in rows}
    return {month: by_month[month] for month in months}


def test_a_partner_asking_for_another_la_gets_its_own_la_with_any_agencys_figures(demo_app, demo_home):
    client = signed_in(demo_app.server.test_client(), "test-partner")  # Newcastle, Police
    rows = export_rows(client, f"?period={PERIOD}&la=E06000057&agency=Health&agency=Schools+and+education")
    # Northumberland is not the partner's: Newcastle's figures. Its agency (Police) does not cut
    # them: the Health and schools figures are the partnership's, protected as every partner's are.
    asked = Filters(la_codes=CITY, agency=("Health", "Schools and education"))
    health_schools = engine_results(demo_home, ("contacts", "referrals"), PERIOD, asked)
    police = engine_results(demo_home, ("contacts",), PERIOD, Filters(la_codes=CITY, agency=("Police",)))
    expected = _months(health_schools, "contacts")
    assert _column(rows, "Contacts", expected) == expected
    assert expected != _months(police, "contacts")  # not cut to the partner's own agency
    assert _column(rows, "Referrals", _months(health_schools, "referrals")) == _months(
        health_schools, "referrals"
    )


def test_a_partner_sees_the_same_figures_on_a_shared_link_as_an_executive(demo_app, demo_home):
    search = f"?period={PERIOD}&la=E08000021"
    partner = export_rows(signed_in(demo_app.server.test_client(), "test-partner"), search)
    executive = export_rows(signed_in(demo_app.server.test_client(), "test-exec"), search)
    everyone = engine_results(demo_home, ("contacts",), PERIOD, Filters(la_codes=CITY))  # protected
    assert partner == executive
    assert _column(partner, "Contacts", _months(everyone, "contacts")) == _months(everyone, "contacts")


def test_an_executive_cannot_reach_another_partnerships_la(demo_app, demo_home):
    client = signed_in(demo_app.server.test_client(), "test-exec")  # Newcastle only
    rows = export_rows(client, f"?period={PERIOD}&la=E06000057")
    city = engine_results(demo_home, ("contacts",), PERIOD, Filters(la_codes=CITY))
    assert _column(rows, "Contacts", _months(city, "contacts")) == _months(city, "contacts")


def _small_count_view(demo_home) -> tuple[str, dict[str, str]]:
    """A filtered view of Newcastle police contacts with months of 1 to 4 (found in the warehouse)."""
    import duckdb

    from warehouse.kpis.engine import evaluate
    from warehouse.kpis.periods import parse_period

    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        for gender in ("N", "U"):
            filters = Filters(la_codes=CITY, agency=("Police",), gender=(gender,))
            [result] = evaluate(con, ["contacts"], parse_period(PERIOD), filters, NO_SUPPRESSION)
            small = {f.period.label: str(int(f.value)) for f in result.series if f.value and 0 < f.value < 5}
            if small:
                return f"?period={PERIOD}&la=E08000021&agency=Police&gender={gender}", small
    raise AssertionError("the demo has no small police counts to test with")


def test_small_numbers_are_c_for_a_partner_and_shown_to_the_data_team(demo_app, demo_home):
    search, small = _small_count_view(demo_home)
    partner = {
        r["Month"]: r["Contacts"]
        for r in export_rows(signed_in(demo_app.server.test_client(), "test-partner"), search)
    }
    data_team = {
        r["Month"]: r["Contacts"]
        for r in export_rows(signed_in(demo_app.server.test_client(), "test-data"), search)
    }
    assert all(partner[month] == "c" for month in small)
    assert all(data_team[month] == count for month, count in small.items())


def test_a_partner_gets_403_for_the_data_page_callbacks_and_opens_the_board_exports(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-partner")
    payload = {
        "output": "data-download.data",
        "outputs": {"id": "data-download", "property": "data"},
        "inputs": [
            {"id": "data-loads-export", "property": "n_clicks", "value": 1},
            {"id": "data-rejections-export", "property": "n_clicks", "value": None},
        ],
        "changedPropIds": ["data-loads-export.n_clicks"],
        "state": [{"id": "data-loads-grid", "property": "selectedRows", "value": None}],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 403
    assert "may not open /data" in response.get_data(as_text=True)
    # the board's exports are a partner's too (their figures protected: test_board_disclosure.py)
    assert client.get("/scorecard.xlsx?la=E08000021").status_code == 200
    assert client.get("/exceptions.md?la=E08000021").status_code == 200


def test_the_pages_grid_suppresses_for_a_partner_and_not_for_the_data_team(demo_app, demo_home):
    search, small = _small_count_view(demo_home)
    grids = {}
    for username in ("test-partner", "test-data"):
        layout = page_layout(signed_in(demo_app.server.test_client(), username), "/front-door", search)
        grids[username] = {
            r["Month"]: r["Contacts"] for r in _table_rows(find_component(layout, "front-door-grid"))
        }
    assert all(grids["test-partner"][month] == "c" for month in small)
    assert all(grids["test-data"][month] == count for month, count in small.items())


def test_a_page_drawn_for_a_role_it_does_not_open_says_so_and_holds_no_figures(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-partner")
    layout = page_layout(client, "/targets", "?la=E08000021")
    assert find_component(layout, "targets-grid") is None
    assert "Not available to your role" in str(layout)
    # the executive summary is the partner's: its cards are drawn
    assert find_component(page_layout(client, "/", "?la=E08000021"), "executive-cards") is not None


def _table_rows(node: dict) -> list[dict[str, str]]:
    """A page's table of figures (app/components/table_scroll.py frame_table) as the browser gets it:
    a dict per body row, by the header's words."""
    found: list[list[str]] = []

    def walk(item) -> None:
        if isinstance(item, list):
            for child in item:
                walk(child)
        elif isinstance(item, dict):
            if item.get("type") == "Tr":
                found.append([str(cell["props"]["children"]) for cell in item["props"]["children"]])
            else:
                walk(item.get("props", {}).get("children"))

    walk(node)
    header, *rows = found
    return [dict(zip(header, row, strict=True)) for row in rows]
