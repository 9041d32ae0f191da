"""The quarterly scorecard for a view, and its Excel download (/scorecard.xlsx).

The page and the workbook both start from `view_scorecard`, so the download holds exactly the
figures the page shows, with the same server-side scope and suppression.
"""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

from flask import Response, request, send_file
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from app.audit_log import log_export
from app.components.spc import assurance_words, spc_config, variation_words
from app.components.status import DataStatus, data_status
from app.state import reader
from app.view import CACHED, PageView, page_view
from appstate.db import session
from appstate.targets import lookup
from etl.spreadsheets import CellValue, neutralise
from warehouse.db import WarehouseError
from warehouse.kpis.assessment import counts_a_year
from warehouse.kpis.formatting import NO_DATA, NOT_AVAILABLE
from warehouse.kpis.model import Kpi, Unit
from warehouse.kpis.periods import Period
from warehouse.kpis.rag import Rag
from warehouse.kpis.scorecard import (
    REPEATED,
    Scorecard,
    ScorecardConfigError,
    ScorecardRow,
    build_scorecard,
    is_year_figure,
    latest_quarter_ending_by,
    repeated_words,
    year_figure_words,
)
from warehouse.kpis.suppression import SUPPRESSED

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "Multi-agency performance scorecard"
NOT_RATED = "not rated"
# The LA's own published rate, of the same year as England's: the page writes it under England's.
THIS_LA = "This LA, published"


def view_scorecard(resolved: PageView) -> Scorecard:
    """The five quarters to the latest complete quarter ending by the view's period end."""
    end = latest_quarter_ending_by(resolved.view.period_value.end)
    with session() as db:
        return build_scorecard(
            reader().connection(),
            end,
            resolved.filters,
            resolved.scope.policy,
            lookup(db),
            sources=CACHED,
            spc_config=spc_config(),
        )


def scorecard_showing(resolved: PageView, scorecard: Scorecard) -> str:
    """The quarters and the filters in words: 'Q2 2025/26 to Q2 2026/27; Newcastle upon Tyne'."""
    described = replace(resolved.view, period=scorecard.end.code).describe(resolved.options)
    return f"{scorecard.quarters[0].label} to {described}"


# --- the workbook ---

# The page's RAG colours (style.css .rag-*), so the printout and the workbook agree.
RAG_FILLS = {
    Rag.GREEN: PatternFill("solid", fgColor="DFF0D8"),
    Rag.AMBER: PatternFill("solid", fgColor="FFF0C2"),
    Rag.RED: PatternFill("solid", fgColor="FBDCDC"),
}
PRIORITY_FILL = PatternFill("solid", fgColor="F3F5F7")
HEADER_FILL = PatternFill("solid", fgColor="0B4F6C")
NUMBER_FORMATS = {Unit.PERCENT: "0.0%", Unit.RATIO: "0.00", Unit.RATE: "#,##0.0", Unit.COUNT: "#,##0"}
RATE_FORMAT = "0.0"


def _excel_number(value: float | None, unit: Unit) -> float | None:
    # Excel keeps a percentage as a fraction and shows it with the % format.
    if value is None:
        return None
    return value / 100 if unit is Unit.PERCENT else value


def _put(sheet: Worksheet, row: int, column: int, value: CellValue, number_format: str | None = None) -> Cell:
    cell = sheet.cell(row=row, column=column, value=neutralise(value))
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def _headings(scorecard: Scorecard) -> list[str]:
    return [
        "KPI",
        *(q.label for q in scorecard.quarters),
        "Target",
        "RAG",
        "Direction of travel",
        "England",
        THIS_LA,
        "Statistical neighbours",
        "Published year",
        "SPC variation",
        "SPC assurance",
    ]


def _kpi_row(sheet: Worksheet, row: int, line: ScorecardRow, quarters: tuple[Period, ...]) -> None:
    kpi: Kpi = line.kpi
    unit_format = NUMBER_FORMATS[kpi.unit]
    _put(sheet, row, 1, kpi.title)
    column = 2
    for figure, repeated, quarter in zip(line.figures, line.repeats, quarters, strict=True):
        note: str | None
        if repeated:
            note = repeated_words(figure)
        elif is_year_figure(figure, quarter):  # as the page writes the year under it
            note = year_figure_words(figure)
        else:
            note = figure.no_data
        if repeated:
            value: CellValue = REPEATED
        elif figure.no_data:
            value = NO_DATA
        elif figure.suppressed:
            value = SUPPRESSED
        elif figure.value is None:
            value = NOT_AVAILABLE
        else:
            value = _excel_number(figure.value, kpi.unit)
        cell = _put(sheet, row, column, value, unit_format)
        cell.alignment = Alignment(horizontal="right")
        if note:
            cell.comment = Comment(note, TITLE)
        column += 1
    target = line.target
    _put(sheet, row, column, _excel_number(target.value, kpi.unit) if target else None, unit_format)
    rag_cell = _put(sheet, row, column + 1, line.rag.words if line.rag else NOT_RATED)
    if line.rag:
        rag_cell.fill = RAG_FILLS[line.rag]
    _put(sheet, row, column + 2, line.travel.value)
    benchmark = line.benchmark
    if benchmark:
        shown_as = RATE_FORMAT if benchmark.is_rate else unit_format
        unit = Unit.COUNT if benchmark.is_rate else kpi.unit  # a rate is a plain number per 10,000
        total = line.national_is_total  # England's count is a national total: not beside one LA's
        _put(sheet, row, column + 3, None if total else _excel_number(benchmark.england, unit), shown_as)
        # A published rate is not the quarter's count beside it: the LA's own published rate of the
        # same year stands beside England's, as the page writes it under England's ("this LA").
        own = benchmark.la_value if benchmark.is_rate and not total else None
        _put(sheet, row, column + 4, own, shown_as)
        _put(sheet, row, column + 5, _excel_number(benchmark.neighbour_mean, unit), shown_as)
        per = ", per 10,000 children aged 0 to 17" if benchmark.is_rate else ""
        notes = (", a year" if counts_a_year(kpi, benchmark) else "") + (
            "; England's is a national total, not shown" if total else ""
        )
        _put(sheet, row, column + 6, benchmark.financial_year + per + notes)
    _put(sheet, row, column + 7, variation_words(line.spc))
    _put(sheet, row, column + 8, assurance_words(line.spc) or "no monthly target")


def scorecard_workbook(scorecard: Scorecard, showing: str, status: DataStatus, disclosure: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "Scorecard"
    headings = _headings(scorecard)
    _put(sheet, 1, 1, TITLE).font = Font(bold=True, size=14)
    _put(sheet, 2, 1, f"Showing: {showing}")
    _put(sheet, 3, 1, f"Data as at {status.as_at}.")
    notes = [disclosure]
    if status.synthetic:
        notes.append("Synthetic demo data: these figures describe no real children.")
    if any(line.target and line.target.is_demo for p in scorecard.priorities for line in p.rows):
        notes.append("Targets are demo values.")
    _put(sheet, 4, 1, " ".join(notes))
    header_row = 6
    for column, heading in enumerate(headings, start=1):
        cell = _put(sheet, header_row, column, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    row = header_row + 1
    for priority in scorecard.priorities:
        for column in range(1, len(headings) + 1):
            sheet.cell(row=row, column=column).fill = PRIORITY_FILL
        _put(sheet, row, 1, priority.title).font = Font(bold=True)
        row += 1
        for line in priority.rows:
            _kpi_row(sheet, row, line, scorecard.quarters)
            row += 1
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2).coordinate
    widths = [46, *([12] * len(scorecard.quarters)), 10, 14, 18, 11, 11, 13, 40]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def scorecard_xlsx() -> Response:
    """GET /scorecard.xlsx?<the view's query>: the view resolved as a page resolves it."""
    try:
        resolved = page_view(request.args.to_dict(flat=False))
        scorecard = view_scorecard(resolved)
    except WarehouseError as error:
        return Response(str(error), status=503, mimetype="text/plain")
    except ScorecardConfigError as error:
        return Response(str(error), status=500, mimetype="text/plain")
    body = scorecard_workbook(
        scorecard, scorecard_showing(resolved, scorecard), data_status(), resolved.scope.policy.explanation
    )
    log_export(
        "scorecard.xlsx", sum(len(p.rows) for p in scorecard.priorities), **resolved.used("/scorecard")
    )
    return send_file(
        BytesIO(body), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name="scorecard.xlsx"
    )
