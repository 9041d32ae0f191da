"""Figures submitted by a police partner in a browser: the template downloaded, filled in with
openpyxl and uploaded; the figures in the page's history and on a dashboard's card; a correction; the tracker moving from late
to received (late); a bad upload told its sheet, row and field, losing nothing already loaded.

The demo home's copy has a model file declaring the police's quarterly figures (expected from
2025-26 Q1, due 20 days after each quarter), a KPI over them and a page showing it, applied as
`safeguard model apply` does."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.app.axe import axe_violations, settled_scroll_width
from tests.app.conftest import _signed_in_page
from tests.app.serving import copy_home, serve

pytestmark = pytest.mark.browser

CITY = "E08000021"
POLICE_FIGURES = """
[[dataset]]
name = "police_quarterly"
title = "Police quarterly figures"
kind = "figures"
agency = "Police"
cadence = "quarterly"
deadline_days = 20
expected_from = 2025-04-01

[[measure]]
id = "pq_encompass"
dataset = "police_quarterly"
timing = "flow"
description = "Operation Encompass notifications to schools."

[[measure]]
id = "pq_incidents"
dataset = "police_quarterly"
timing = "flow"
description = "Domestic abuse incidents with children present."

[[kpi]]
id = "police_encompass_quarterly"
title = "Operation Encompass notifications"
dataset = "police_quarterly"
agency = "Police"
unit = "count"
direction = "higher"
timing = "flow"
numerator = "pq_encompass"
local_definition = true
definition = "Operation Encompass notifications to schools in the quarter, as the police submit them."

[[page]]
id = "police-quarterly"
title = "Police quarterly"
intro = "The figures the police submit each quarter."
kpis = ["police_encompass_quarterly"]
trends = ["police_encompass_quarterly"]
"""
CARD = "#card-police_encompass_quarterly"
TRACKER_ROWS = "#submissions-tracker-grid .ag-center-cols-container .ag-row"
HISTORY_ROWS = "#submissions-history-grid .ag-center-cols-container .ag-row"


@pytest.fixture(scope="module")
def figures_server(demo_home, tmp_path_factory):
    from typer.testing import CliRunner

    from etl.cli import app

    home = copy_home(demo_home, tmp_path_factory.mktemp("submissions") / "home")
    (home / "model").mkdir(exist_ok=True)
    (home / "model" / "police_figures.toml").write_text(POLICE_FIGURES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(home))
        result = CliRunner().invoke(app, ["model", "apply"])
    assert result.exit_code == 0, result.output
    yield from serve(home, tmp_path_factory.mktemp("submissions-server"))


@pytest.fixture
def police(browser):
    context, page = _signed_in_page(browser, "test-partner")
    yield page
    context.close()


def _choose(page, select_id: str, option: str) -> None:
    page.select_option(f"#{select_id}", label=option)


def _q1_state(page) -> str:
    row = page.locator(TRACKER_ROWS, has_text="Q1 2025/26")
    return row.inner_text()


def _card(page, server: str) -> str:
    """The figure on the KPI's card on its dashboard, for the first quarter of 2025/26; then back to
    the Submissions page."""
    page.goto(server + f"/police-quarterly?la={CITY}&period=2025-26-Q1")
    page.wait_for_selector(f"{CARD} .card-value")
    shown = page.inner_text(f"{CARD} .card-value").strip()
    page.goto(server + "/submissions")  # back to where the partner uploads
    page.wait_for_selector(HISTORY_ROWS)
    return shown


def _upload(page, path) -> str:
    """Upload the file as a user does, choosing it from the file chooser the upload box opens, and
    wait for its outcome (one naming the file, or a new submission)."""
    outcome = page.locator("#submissions-upload-outcome")
    before = outcome.inner_text()
    with page.expect_file_chooser() as chooser:
        page.click("#submissions-upload")
    chooser.value.set_files(str(path))
    page.wait_for_function(
        "before => document.querySelector('#submissions-upload-outcome').innerText.trim() !== before.trim()"
        " && document.querySelector('#submissions-upload-outcome p') !== null",
        arg=before,
    )
    return outcome.inner_text()


def test_brw_a_police_partner_submits_corrects_and_sees_the_tracker_move(figures_server, police, tmp_path):
    police.goto(figures_server + "/submissions")
    police.wait_for_selector(TRACKER_ROWS)
    assert "\nlate\n" in _q1_state(police) + "\n"
    _choose(police, "submissions-template-period", "Q1 2025/26")
    with police.expect_download() as download:
        police.click("#submissions-template-xlsx")
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "police-2025-26-Q1.xlsx"

    book = load_workbook(template)
    sheet = book["Figures"]
    header = [cell.value for cell in sheet[1]]
    rows = {
        (r[header.index("la_code")], r[header.index("measure")]): n
        for n, r in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2)
    }
    value = header.index("value") + 1

    def fill(figures: dict[str, object], name: str):
        for (la_code, measure), row_number in rows.items():
            sheet.cell(row_number, value).value = figures[measure] if la_code == CITY else None
        # Only Newcastle's figures are sent: the partner's LA (the template has only the partner's LAs).
        path = tmp_path / name
        book.save(path)
        return path

    assert {la for la, _ in rows} == {CITY}
    # Multiples of 5, which the partner's protected figures show as they are (they round to base 5).
    shown = _upload(police, fill({"pq_encompass": 35, "pq_incidents": 15}, "q1.xlsx"))
    assert (
        "Accepted" in shown
        and "Police quarterly figures of Newcastle upon Tyne (E08000021) for Q1 2025/26" in shown
    )
    assert "2 figures" in shown
    police.locator(TRACKER_ROWS, has_text="received late").wait_for()
    assert "received late" in _q1_state(police) and "test-partner" in _q1_state(police)
    police.locator(HISTORY_ROWS, has_text="35").first.wait_for()
    assert _card(police, figures_server) == "35"

    corrected = _upload(police, fill({"pq_encompass": 40, "pq_incidents": 15}, "q1-corrected.xlsx"))
    assert "correcting 1 figure" in corrected
    police.locator(HISTORY_ROWS, has_text="superseded").first.wait_for()
    history = police.locator(HISTORY_ROWS).all_inner_texts()
    encompass = [
        " ".join(h.split()) for h in history if "Operation Encompass" in h
    ]  # the measure as described
    assert any("40" in h and "current" in h for h in encompass)
    assert any("35" in h and "superseded" in h for h in encompass)
    assert _card(police, figures_server) == "40"

    bad = _upload(police, fill({"pq_encompass": -1, "pq_incidents": 2.5}, "q1-bad.xlsx"))
    assert "Not loaded" in bad
    assert "q1-bad.xlsx, sheet Figures, row" in bad and ", value: -1 is negative" in bad
    assert ", value: 2.5 is not a whole number" in bad
    police.reload()
    police.wait_for_selector(HISTORY_ROWS)
    history = [" ".join(h.split()) for h in police.locator(HISTORY_ROWS).all_inner_texts()]
    assert any("Operation Encompass" in h and "40" in h and "current" in h for h in history)  # nothing lost
    assert police.console_errors == []


def test_brw_the_page_with_every_form_meets_wcag_22_aa_and_reads_at_320_px(figures_server, exact_page):
    """The data team's page has every section (tracker, template, upload, entry, history,
    reminders): axe finds nothing of ours, and at 320 px only the grids scroll, in their own boxes."""
    exact_page.goto(figures_server + "/submissions")
    exact_page.wait_for_selector("#submissions-remind")
    exact_page.wait_for_selector(TRACKER_ROWS)
    exact_page.wait_for_load_state("networkidle")
    assert axe_violations(exact_page) == []
    exact_page.set_viewport_size({"width": 320, "height": 640})
    exact_page.wait_for_load_state("networkidle")
    assert settled_scroll_width(exact_page, 320) <= 320
