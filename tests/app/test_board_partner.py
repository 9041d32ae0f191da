"""A police partner at the board table (issue 20 item 4): the partnership-wide board pages and their
exports with its figures protected, the same as a protected executive's on the same link; its own
agency's records and no other's, however a request asks; commentary for its own agency's KPIs only."""

from __future__ import annotations

import re
from io import BytesIO

import duckdb
import pytest
from openpyxl import load_workbook

from tests.app.serving import find_component, page_layout, signed_in
from warehouse.kpis.engine import Filters, records
from warehouse.kpis.periods import parse_period
from warehouse.kpis.registry import REGISTRY, get_kpi
from warehouse.kpis.suppression import NO_SUPPRESSION

CITY = "E08000021"
OTHER_LA = "E06000057"
BOARD_PAGES = ("/", "/scorecard", "/exceptions", "/pack", "/present")


def _by_class(node, class_name: str) -> list:
    """The children of every component of `class_name`, in the order drawn."""
    found = []
    if isinstance(node, dict):
        props = node.get("props", {})
        if class_name in str(props.get("className", "")).split():
            found.append(props.get("children"))
        found += _by_class(props.get("children"), class_name)
    elif isinstance(node, list):
        for child in node:
            found += _by_class(child, class_name)
    return found


def _counts_in(text: str) -> list[int]:
    """Every 'n of d' and 'n ÷ d' pair's counts in a report."""
    return [int(n.replace(",", "")) for pair in re.findall(r"([\d,]+) (?:of|÷) ([\d,]+)", text) for n in pair]


@pytest.mark.parametrize("path", BOARD_PAGES)
def test_a_partner_opens_each_board_page_with_the_executives_protected_figures(demo_app, path):
    search = f"?la={CITY}&period=2026-09"
    partner = page_layout(signed_in(demo_app.server.test_client(), "test-partner"), path, search)
    executive = page_layout(signed_in(demo_app.server.test_client(), "test-exec"), path, search)
    assert "Not available to your role" not in str(partner)
    values = _by_class(partner, "card-value")
    assert values == _by_class(executive, "card-value")
    # the 'n of d' under each card's figure: protected counts only (no count of 1 to 4, all rounded to 5)
    counts = _counts_in(str(_by_class(partner, "card-period")))
    assert all(n >= 5 and n % 5 == 0 for n in counts), counts
    if path in ("/", "/pack", "/present"):  # the cards' pages (the others': the exports' test below)
        assert values and counts
    if path == "/scorecard":  # the table, figure for figure
        assert find_component(partner, "scorecard") == find_component(executive, "scorecard") is not None


def test_a_partners_board_exports_hold_only_protected_counts_the_same_as_the_executives(demo_app):
    partner = signed_in(demo_app.server.test_client(), "test-partner")
    executive = signed_in(demo_app.server.test_client(), "test-exec")
    search = f"?la={CITY}&period=2026-09"
    markdown = partner.get("/exceptions.md" + search)
    assert markdown.status_code == 200
    text = markdown.get_data(as_text=True)
    counts = _counts_in(text)
    assert counts and all(n >= 5 and n % 5 == 0 for n in counts), counts
    # the same figures; only the executive is offered to write commentary
    offered = r"No commentary yet: \[Write commentary\]\(\S+\)"
    executives = executive.get("/exceptions.md" + search).get_data(as_text=True)
    assert re.search(offered, executives)
    assert text == re.sub(offered, "No commentary yet.", executives)

    def cells(client) -> list:
        response = client.get("/scorecard.xlsx" + search)
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(response.data)).active
        return [c.value for row in sheet.iter_rows() for c in row if c.value is not None]

    def counted(client) -> list:
        """The cells of the rows counted from records: a published KPI's row holds the LA's published
        figure (107 children in care per 10,000, say), public and made of no counts of ours."""
        response = client.get("/scorecard.xlsx" + search)
        sheet = load_workbook(BytesIO(response.data)).active
        published = {kpi.title for kpi in REGISTRY.values() if kpi.is_published}
        return [
            c.value
            for row in sheet.iter_rows()
            if row[0].value not in published
            for c in row
            if c.value is not None
        ]

    shown = cells(partner)
    assert any("rounded to a multiple of 5" in str(v) for v in shown)
    whole_counts = [v for v in counted(partner) if isinstance(v, int) and not isinstance(v, bool) and v > 31]
    assert whole_counts and all(v % 5 == 0 for v in whole_counts), whole_counts
    assert shown == cells(executive)


@pytest.fixture(scope="module")
def con(demo_home):
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def _police_incidents(con, month: str) -> list[str]:
    """The true list of Newcastle's domestic abuse incidents (the police's own dataset) in `month`."""
    found = records(
        con, get_kpi("police_da_incidents"), parse_period(month), Filters((CITY,)), NO_SUPPRESSION
    )
    return sorted(found.rows["subject_id"])


def _download(client, search: str):
    payload = {
        "output": "records-download.data",
        "outputs": {"id": "records-download", "property": "data"},
        "inputs": [{"id": "records-export", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["records-export.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    return client.post("/_dash-update-component", json=payload)


@pytest.mark.parametrize("asked", ["", f"&la={OTHER_LA}"])  # its own LA, and another's asked for
def test_a_partner_lists_its_own_agencys_dataset_and_nothing_of_another(demo_app, con, asked):
    import csv
    import io

    client = signed_in(demo_app.server.test_client(), "test-partner")
    search = f"?period=2025-09&la={CITY}&kpi=police_da_incidents{asked}"
    truth = _police_incidents(con, "2025-09")
    assert truth  # the demo has incidents that month
    layout = page_layout(client, "/records", search)
    grid = find_component(layout, "records-grid")
    assert sorted(row["subject_id"] for row in grid["props"]["rowData"]) == truth
    assert "Your own agency's records only (Police)" in str(layout)
    response = _download(client, search)  # the export: the same list, never more
    content = response.get_json()["response"]["records-download"]["data"]["content"]
    listed = csv.DictReader(io.StringIO(content))
    id_column = next(name for name in listed.fieldnames or () if name.endswith("_id"))
    assert sorted(row[id_column] for row in listed) == truth
    # social care's contacts, the ones the police made too, are neither listed nor exported
    for contacts in (
        f"?period=2025-09&la={CITY}&kpi=contacts",
        f"?period=2025-09&la={CITY}&kpi=contacts&agency=Police",
    ):
        assert find_component(page_layout(client, "/records", contacts), "records-grid") is None
        refused = _download(client, contacts)
        assert "records-download" not in refused.get_data(as_text=True), refused.get_data(as_text=True)[:300]


def test_a_partners_cards_link_to_its_records_and_not_to_commentary_it_may_not_write(demo_app):
    client = signed_in(demo_app.server.test_client(), "test-partner")
    own = str(page_layout(client, "/police-domestic-abuse", f"?la={CITY}&period=2026-09"))
    assert "View the records" in own  # the police's own dataset
    cards = str(page_layout(client, "/", f"?la={CITY}&period=2026-09"))
    assert "View the records" not in cards  # social care's KPIs: none of their records are the police's
    # every KPI on main is the local authority's work, so the police write none of their commentary
    assert "/commentary?" not in cards
    # nor on the exception report, where an executive is offered it
    report = str(page_layout(client, "/exceptions", f"?la={CITY}"))
    assert "Write commentary" not in report and "Edit the commentary" not in report
    # nor in the report's Markdown download, which says there is none yet
    markdown = client.get(f"/exceptions.md?la={CITY}").get_data(as_text=True)
    assert "No commentary yet." in markdown and "/commentary?" not in markdown
    executive = signed_in(demo_app.server.test_client(), "test-exec")
    assert "Write commentary" in str(page_layout(executive, "/exceptions", f"?la={CITY}"))
    assert "[Write commentary](http://localhost/commentary?" in executive.get(
        f"/exceptions.md?la={CITY}"
    ).get_data(as_text=True)


def _save_commentary(client, search: str, text: str) -> str:
    client.get("/login")
    payload = {
        "output": "..commentary-status.children...commentary-history.children..",
        "outputs": [
            {"id": "commentary-status", "property": "children"},
            {"id": "commentary-history", "property": "children"},
        ],
        "inputs": [{"id": "commentary-save", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["commentary-save.n_clicks"],
        "state": [
            {"id": "commentary-text", "property": "value", "value": text},
            {"id": "url", "property": "search", "value": search},
        ],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]["commentary-status"]["children"]


def test_a_partner_writes_the_commentary_of_its_own_agencys_kpis_only(demo_copy):
    from app.main import create_app
    from appstate.commentary import commentary_history
    from appstate.db import session
    from appstate.users import add_user
    from tests.app.serving import TEST_PASSWORD

    with session() as db:
        add_user(
            db,
            "la-partner",
            "partner",
            created_by="tests",
            password=TEST_PASSWORD,
            la_codes=(CITY,),
            agencies=("Local authority",),
        )
    app = create_app()
    search = f"?kpi=referrals&la={CITY}&period=2026-09"
    police = signed_in(app.server.test_client(), "test-partner")
    page = page_layout(police, "/commentary", search)
    assert find_component(page, "commentary-text") is None  # no editor for another agency's KPI
    assert "written by Local authority, whose work it measures" in str(page)
    refused = _save_commentary(police, search, "Police words")
    assert refused == (
        "Not saved: test-partner (partner) may not write the commentary of Referrals (Local authority's)."
    )
    la = signed_in(app.server.test_client(), "la-partner")
    assert find_component(page_layout(la, "/commentary", search), "commentary-text") is not None
    assert _save_commentary(la, search, "Our words") == "Saved as version 1 by la-partner."
    with session() as db:
        assert [e.text for e in commentary_history(db, "referrals", CITY, "2026-09")] == ["Our words"]
