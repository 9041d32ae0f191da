"""The demo board (etl/demo_board.toml), applied to a copy of the demo home as `safeguard demo` does,
read by the served app's board pages: the executive summary's cards, the scorecard's priorities (page
and workbook), the pack's dashboards, and the exception report's KPIs; a partner sees them too."""

from __future__ import annotations

import json
import tomllib
import urllib.request
from io import BytesIO

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.app.serving import SESSION_COOKIE, copy_home, page_router_request, serve, session_cookie

CITY = "E08000021"
BOARD = tomllib.loads(
    __import__("etl.demo_board", fromlist=["DEMO_BOARD"]).DEMO_BOARD.read_text(encoding="utf-8")
)["board"]


@pytest.fixture(scope="module")
def board_server(demo_home, tmp_path_factory):
    from etl.cli import app
    from etl.demo_board import write_demo_board

    home = copy_home(demo_home, tmp_path_factory.mktemp("board") / "home")
    write_demo_board(home)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(home))
        result = CliRunner().invoke(app, ["model", "apply"])
    assert result.exit_code == 0, result.output
    yield from serve(home, tmp_path_factory.mktemp("board-server"))


def _get(url: str, username: str) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": f"{SESSION_COOKIE}={session_cookie(username)}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _layout(base: str, username: str, path: str, search: str) -> dict:
    """A page's layout as Dash's page router returns it to the browser."""
    payload = page_router_request(path, search)
    request = urllib.request.Request(
        base + "/_dash-update-component",
        data=json.dumps(payload).encode(),
        headers={
            "Content-Type": "application/json",
            "Cookie": f"{SESSION_COOKIE}={session_cookie(username)}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["response"]["_pages_content"]["children"]


def _all(node, key: str) -> list:
    """Every value of the prop `key` in the layout, in the order drawn."""
    found = []
    if isinstance(node, dict):
        props = node.get("props", {})
        if key in props:
            found.append(props[key])
        for value in props.values():
            found += _all(value, key)
    elif isinstance(node, list):
        for child in node:
            found += _all(child, key)
    return found


@pytest.mark.parametrize("username", ["test-exec", "test-partner"])
def test_the_executive_summary_shows_the_boards_executive_set_in_its_order(board_server, username):
    layout = _layout(board_server, username, "/", f"?la={CITY}&period=2026-09")
    cards = [
        i.removeprefix("card-") for i in _all(layout, "id") if isinstance(i, str) and i.startswith("card-")
    ]
    assert cards == BOARD["executive"]


def test_the_scorecard_page_and_workbook_show_the_boards_priorities(board_server):
    titles = [p["title"] for p in BOARD["priority"]]
    page = str(_layout(board_server, "test-partner", "/scorecard", f"?la={CITY}&period=2026-09"))
    assert all(title in page for title in titles)
    assert "Front door: the right help at the right time" not in page  # the built-in priority is replaced
    book = load_workbook(
        BytesIO(_get(f"{board_server}/scorecard.xlsx?la={CITY}&period=2026-09", "test-partner"))
    )
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    shown = [cell for cell in cells if cell in titles or any(cell.endswith(t) for t in titles)]
    assert [
        next(t for t in titles if s.endswith(t)) for s in shown
    ] == titles  # each once, in the board's order


def test_the_pack_includes_the_boards_dashboards_in_its_order(board_server):
    from warehouse.model.files import read_model

    layout = _layout(board_server, "test-exec", "/pack", f"?la={CITY}&period=2026-09")
    pages = {p.id: p.title for p in read_model().pages}
    headings = [h for h in _all(layout, "children") if isinstance(h, str) and h in pages.values()]
    assert headings == [pages[page_id] for page_id in BOARD["pack"]]
    [checklist] = [n for n in _all(layout, "options") if isinstance(n, list) and n and "value" in n[0]][:1]
    from app.pack_sections import BOARD_SECTIONS

    # the board's own sections (app/pack_sections.py), then the partnership's dashboards in its order
    assert [o["value"] for o in checklist] == [s.id for s in BOARD_SECTIONS] + BOARD["pack"]


def test_the_exception_report_covers_the_boards_kpis(board_server, demo_app):
    from tests.app.serving import signed_in
    from warehouse.model.files import read_model

    scorecard = [k for p in BOARD["priority"] for k in p["kpis"]]
    board_kpis = dict.fromkeys([*BOARD["executive"], *scorecard])
    titles = {k.id: k.title for k in read_model().kpis.values()}
    # the built-in report (every KPI) has exceptions among KPIs that are not before the board ...
    builtin = signed_in(demo_app.server.test_client(), "test-exec").get(f"/exceptions.md?la={CITY}")
    outside = [
        t for k, t in titles.items() if k not in board_kpis and f"## {t}\n" in builtin.get_data(as_text=True)
    ]
    assert outside
    # ... which the board's report leaves out, keeping those of the board's KPIs
    report = _get(f"{board_server}/exceptions.md?la={CITY}", "test-exec").decode()
    assert [t for t in outside if f"## {t}\n" in report] == []
    kept = [t for k, t in titles.items() if k in board_kpis and f"## {t}\n" in builtin.get_data(as_text=True)]
    assert kept and all(f"## {t}\n" in report for t in kept)
