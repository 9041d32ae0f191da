"""/scorecard.xlsx: the scorecard as a workbook, from the engine's figures for the view in the URL,
resolved (scope, filters and suppression) as a page resolves it."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from app import state
from appstate.db import session
from appstate.targets import lookup
from tests.app.serving import signed_in
from tests.helpers import declared_priorities, engine_results
from warehouse.kpis.assessment import assess
from warehouse.kpis.engine import Filters
from warehouse.kpis.model import Unit
from warehouse.kpis.periods import PeriodKind, quarter
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.scorecard import PriorityRows, Scorecard, quarters_to
from warehouse.kpis.suppression import SuppressionPolicy

CITY, COUNTY = "E08000021", "E06000057"
PERIOD = "R12-2026-10"  # the demo's default: the 12 months to its last complete month, October 2026
# ... so the scorecard runs to July-September 2026 (Q2 2026/27), and starts four quarters earlier.
QUARTER_CODES = ["2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2026-27-Q1", "2026-27-Q2"]
QUARTER_LABELS = ["Q2 2025/26", "Q3 2025/26", "Q4 2025/26", "Q1 2026/27", "Q2 2026/27"]
STYLE = Path(__file__).resolve().parents[2] / "app" / "assets" / "style.css"


@pytest.fixture(scope="module")
def client(demo_home):
    from app.main import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(demo_home))
        state.reader.cache_clear()
        yield signed_in(create_app().server.test_client())
        state.reader().close()
        state.reader.cache_clear()


def _sheet(client, query: str):
    response = client.get("/scorecard.xlsx" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == "attachment; filename=scorecard.xlsx"
    return load_workbook(BytesIO(response.data)).active


def _header_row(sheet) -> int:
    return next(row for row in range(1, 20) if sheet.cell(row, 1).value == "KPI")


def _column(sheet, heading: str) -> int:
    """The column under `heading` in the header row."""
    return next(cell.column for cell in sheet[_header_row(sheet)] if cell.value == heading)


def _rows_by_title(sheet) -> dict[str, int]:
    return {sheet.cell(row, 1).value: row for row in range(_header_row(sheet) + 1, sheet.max_row + 1)}


# Excel keeps a percentage as a fraction, shown with a % format.
NUMBER_FORMATS = {Unit.PERCENT: "0.0%", Unit.RATIO: "0.00", Unit.RATE: "#,##0.0", Unit.COUNT: "#,##0"}


def _excel(value: float, unit: Unit) -> float:
    return value / 100 if unit is Unit.PERCENT else value


def _page_colour(rag: str) -> str:
    """The RAG colour the page uses, from its stylesheet."""
    return re.search(rf"\.rag-{rag} {{ background: #([0-9a-f]{{6}})", STYLE.read_text()).group(1).upper()


def test_the_workbook_has_the_engines_quarters_for_newcastle(client, demo_home):
    sheet = _sheet(client, f"?period={PERIOD}&la={CITY}")
    assert sheet["A2"].value == "Showing: Q2 2025/26 to Q2 2026/27; Newcastle upon Tyne"
    assert sheet["A3"].value == "Data as at 31 October 2026."
    header = _header_row(sheet)
    assert [c.value for c in sheet[header]] == [
        "KPI",
        *QUARTER_LABELS,
        "Target",
        "RAG",
        "Direction of travel",
        "England",
        "This LA, published",
        "Statistical neighbours",
        "Published year",
        "SPC variation",
        "SPC assurance",
    ]
    assert sheet.freeze_panes == f"B{header + 1}"
    rows = _rows_by_title(sheet)
    filters = Filters(la_codes=(CITY,))
    year_figures = 0
    for priority in declared_priorities():
        assert sheet.cell(rows[priority["title"]], 2).value is None  # a group row: the title alone
        engine = [engine_results(demo_home, priority["kpis"], code, filters) for code in QUARTER_CODES]
        for kpi_id in priority["kpis"]:
            kpi = engine[0][kpi_id].kpi
            row = rows[kpi.title]
            assert rows[priority["title"]] < row
            figures = [results[kpi_id].current for results in engine]
            for column, figure in enumerate(figures, start=2):
                cell = sheet.cell(row, column)
                later = figures[column - 1] if column - 1 < len(figures) else None
                if later is not None and later.period == figure.period:  # a year's figure, shown once
                    assert kpi.is_published and cell.value == "–", (kpi_id, column)
                    assert (
                        cell.comment.text
                        == f"the next quarter's figure again: {figure.period.label}'s, published once a year"
                    )
                    continue
                if figure.period.kind is not PeriodKind.QUARTER and not figure.no_data:  # shown once, here
                    assert cell.comment.text == f"{figure.period.label}'s figure, the latest year published"
                    year_figures += 1
                if figure.suppressed:
                    assert cell.value == "c"
                elif figure.value is None:  # nothing to divide by
                    assert cell.value == "n/a"
                else:
                    assert isinstance(cell.value, (int, float))
                    assert cell.value == pytest.approx(_excel(figure.value, kpi.unit)), (kpi_id, column)
                    assert cell.number_format == NUMBER_FORMATS[kpi.unit]
    assert year_figures > 0, "the demo's scorecard shows a figure published for a year"


def test_the_spc_columns_read_the_25_months_to_the_last_quarter_in_words(client, demo_home):
    from app.components.spc import VARIATION_ICONS
    from warehouse.kpis.assessment import Assessment
    from warehouse.kpis.spc import spc_for

    sheet = _sheet(client, f"?period={PERIOD}&la={CITY}")
    rows, filters = _rows_by_title(sheet), Filters(la_codes=(CITY,))
    engine = engine_results(demo_home, ("re_referral_12m", "referrals"), QUARTER_CODES[-1], filters)
    for result in engine.values():
        assert [f.period.code for f in result.series][::24] == ["2024-09", "2026-09"]  # 25 months to Sep 2026
        row = rows[result.kpi.title]
        spc = spc_for(Assessment(result=result))  # no target: a demo target's assurance is tested on the page
        assert sheet.cell(row, _column(sheet, "SPC variation")).value == VARIATION_ICONS[spc.variation][2]
    # a flow count's target is for a period's total, so no month is judged against it
    assert sheet.cell(rows[get_kpi("referrals").title], _column(sheet, "SPC assurance")).value == (
        "no monthly target"
    )


def test_the_rag_column_has_the_assessments_words_and_the_pages_colour(client, demo_home):
    sheet = _sheet(client, f"?period={PERIOD}&la={CITY}")
    rows = _rows_by_title(sheet)
    kpi_ids = [kpi_id for p in declared_priorities() for kpi_id in p["kpis"]]
    with (
        duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con,
        session(f"sqlite:///{demo_home / 'appstate.sqlite'}") as db,
    ):
        judged = assess(
            con, kpi_ids, quarter(2026, 2), Filters(la_codes=(CITY,)), SuppressionPolicy(), lookup(db)
        )
    rated = 0
    for assessment in judged:
        row = rows[assessment.kpi.title]
        rag_cell = sheet.cell(row, 8)
        if assessment.rag is None:
            assert rag_cell.value == "not rated"
            continue
        rated += 1
        assert rag_cell.value == assessment.rag.words
        assert rag_cell.fill.fgColor.rgb[-6:] == _page_colour(assessment.rag.value)
        assert sheet.cell(row, 7).value == pytest.approx(_excel(assessment.target.value, assessment.kpi.unit))
    assert rated >= 5  # the demo targets cover most KPIs with a direction
    # c1 file, time_period 2025 (2024/25): England 22.6% of referrals were re-referrals within 12 months
    england, own, neighbours, year = (
        _column(sheet, heading)
        for heading in ("England", "This LA, published", "Statistical neighbours", "Published year")
    )
    re_referral = rows["Re-referrals within 12 months"]
    assert sheet.cell(re_referral, england).value == pytest.approx(0.226)
    assert sheet.cell(re_referral, own).value is None  # a share: the quarter's own figure is like for like
    assert sheet.cell(re_referral, year).value == "2024/25"
    # ICPCs are published as counts: England's 72,100 is a national total, never beside one LA's count
    icpc = rows["Initial child protection conferences"]
    assert sheet.cell(icpc, england).value is None and sheet.cell(icpc, neighbours).value > 0
    assert sheet.cell(icpc, own).value is None
    assert sheet.cell(icpc, year).value == "2024/25, a year; England's is a national total, not shown"
    # referrals are compared as a rate, England's a year's: 519.4 per 10,000 in 2024/25
    referrals = rows["Referrals"]
    assert round(sheet.cell(referrals, england).value, 1) == 519.4
    assert sheet.cell(referrals, year).value == "2024/25, per 10,000 children aged 0 to 17, a year"


def test_a_published_rate_has_the_las_own_beside_englands_as_the_page_has_under_it(client):
    """The page writes the LA's own published rate of the year under England's ('this LA 512.0'): a
    rate is not the quarter's count beside it. The workbook has it in the column after England's."""
    sheet = _sheet(client, f"?period={PERIOD}&la={CITY}")
    referrals = _rows_by_title(sheet)["Referrals"]
    england, own = _column(sheet, "England"), _column(sheet, "This LA, published")
    assert own == england + 1
    # DfE's C1 table, 2024/25 (time_period 2025): 632,830 referrals in England and 3,134 in Newcastle
    # upon Tyne; ONS mid-2024 children aged 0 to 17: 12,183,016 and 61,206. Per 10,000 children:
    # 632,830 / 12,183,016 x 10,000 = 519.44, and 3,134 / 61,206 x 10,000 = 512.04.
    assert round(sheet.cell(referrals, england).value, 1) == 519.4
    assert round(sheet.cell(referrals, own).value, 1) == 512.0
    assert sheet.cell(referrals, own).number_format == "0.0"


def test_a_small_count_is_c_in_the_workbook(client, demo_home):
    kpi_ids = [kpi_id for p in declared_priorities() for kpi_id in p["kpis"]]
    filters = Filters(la_codes=(COUNTY,))
    found = [
        (kpi_id, column)
        for column, code in enumerate(QUARTER_CODES, start=2)
        for kpi_id, result in engine_results(demo_home, kpi_ids, code, filters).items()
        if result.current.suppressed
    ]
    assert found, "Northumberland's demo data should have a small count to suppress"
    sheet = _sheet(client, f"?period={PERIOD}&la={COUNTY}")
    rows = _rows_by_title(sheet)
    for kpi_id, column in found:
        assert sheet.cell(rows[get_kpi(kpi_id).title], column).value == "c", kpi_id


def test_a_filtered_view_says_so_and_is_not_rated(client):
    sheet = _sheet(client, f"?period={PERIOD}&la={CITY}&age=Under+1&la=E99999999")
    # the LA outside the scope is dropped, as on a page; targets are set for whole LAs only
    assert sheet["A2"].value == "Showing: Q2 2025/26 to Q2 2026/27; Newcastle upon Tyne; age: Under 1"
    rag_values = {
        sheet.cell(row, 8).value
        for row in range(_header_row(sheet) + 1, sheet.max_row + 1)
        if sheet.cell(row, 2).value is not None
    }
    assert rag_values == {"not rated"}


def test_text_a_spreadsheet_would_run_is_shown_not_run():
    from app.components.status import DataStatus
    from app.scorecard_export import scorecard_workbook

    title = '=HYPERLINK("http://x")'  # a priority from a partnership's own scorecard.toml
    card = Scorecard(quarters=quarters_to(quarter(2026, 2)), priorities=(PriorityRows(title, ()),))
    body = scorecard_workbook(card, "Q2 2026/27", DataStatus("31 October 2026", False), "Figures are exact.")
    sheet = load_workbook(BytesIO(body)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'" + title in cells
    assert not any(value.startswith(("=", "+", "-", "@")) for value in cells)


def test_a_quarter_no_load_covers_is_no_data_with_the_reason_in_a_comment():
    from app.components.status import DataStatus
    from app.scorecard_export import scorecard_workbook
    from warehouse.kpis.assessment import Assessment
    from warehouse.kpis.engine import Change, Figure, KpiResult
    from warehouse.kpis.scorecard import ScorecardRow, Travel
    from warehouse.kpis.spc import spc_for

    quarters = quarters_to(quarter(2026, 2))
    why = "Referrals not loaded for Apr 2025 to Jun 2025"
    figures = (Figure(quarters[0], None, None, None, no_data=why),) + tuple(
        Figure(q, 100.0, 100, None) for q in quarters[1:]
    )
    kpi = get_kpi("referrals")
    result = KpiResult(kpi, figures[-1], figures[-2], figures[0], series=())
    row = ScorecardRow(
        kpi, figures, None, None, Travel.NO_CHANGE, Change(0.0, 0.0), None, spc_for(Assessment(result=result))
    )
    card = Scorecard(quarters=quarters, priorities=(PriorityRows("Front door", (row,)),))
    body = scorecard_workbook(card, "Q2 2026/27", DataStatus("31 October 2026", False), "Figures are exact.")
    sheet = load_workbook(BytesIO(body)).active
    referrals = _rows_by_title(sheet)[kpi.title]
    assert [sheet.cell(referrals, c).value for c in range(2, 7)] == ["no data", 100, 100, 100, 100]
    assert sheet.cell(referrals, 2).comment.text == why and sheet.cell(referrals, 3).comment is None
