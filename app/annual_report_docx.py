"""The annual report as a Word document (/annual-report.docx) that the business manager edits into
the partnership's statutory annual report: headings in Word's own heading styles (so its navigation
pane and table of contents find them), the figures in real Word tables whose header row repeats on
each page, the protective marking at the head and foot of every page, the data's date and the
viewer's suppression in words. The KPI tables are on landscape pages; the rest is portrait.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from flask import Flask, Response, request, send_file

from app.access import export_route
from app.annual_report import (
    COMPLETED_HEADINGS,
    DOCX_NAME,
    OPEN_HEADINGS,
    PAGE,
    PDF_NAME,
    READY,
    RESULT_HEADINGS,
    RISK_HEADINGS,
    TITLE,
    AnnualReport,
    actions_summary,
    completed_cells,
    day_words,
    kpi_cells,
    kpi_headings,
    kpi_notes,
    open_cells,
    result_cells,
    review_summary,
    risk_cells,
    view_report,
)
from app.audit_log import log_export
from app.page_pdf import page_pdf
from app.view import page_view
from warehouse.db import WarehouseError

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
A4_SHORT, A4_LONG, MARGIN = Mm(210), Mm(297), Mm(20)
SYNTHETIC = "Synthetic demo data: these figures describe no real children."


def _furniture(section: Section, report: AnnualReport) -> None:
    """The marking at the head of the page; the data's date and the marking at its foot."""
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    section.header.paragraphs[0].text = report.marking
    footer = f"{report.partnership}: annual report {report.year.label}. Data as at {report.status.as_at}."
    section.footer.paragraphs[0].text = f"{footer} {report.marking}".strip()


def _a4(section: Section, landscape: bool) -> None:
    """The section's pages A4 (python-docx's own template is US Letter), turned for a landscape page."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, MARGIN)


def _table(document: WordDocument, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Word table: a bold header row that repeats on each page, then a row per entry."""
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, heading in zip(header.cells, headings):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values):
            cell.text = value
    document.add_paragraph()


def _cover(document: WordDocument, report: AnnualReport) -> None:
    if report.marking:
        document.add_paragraph().add_run(report.marking).bold = True
    document.add_heading(f"{TITLE} {report.year.label}", level=0)
    document.add_paragraph(report.partnership)
    document.add_paragraph(f"Showing: {report.showing}. Data as at {report.status.as_at}.")
    if report.status.synthetic:
        document.add_paragraph(SYNTHETIC)
    document.add_paragraph(report.disclosure)
    for note in report.notes:
        document.add_paragraph(note)
    document.add_paragraph(
        "Figures, targets, RAG and benchmarks are the dashboard's for the same year. Benchmarks are the "
        "latest published DfE figures for a whole year, as the Published year column says."
    )


def _kpis(document: WordDocument, report: AnnualReport) -> None:
    document.add_heading("1. Performance: the year on the year before", level=1)
    document.add_paragraph(f"The partnership's KPIs for {report.year.kpi_words}.")
    for group in report.groups:
        document.add_heading(group.title, level=2)
        if group.rows:
            _table(document, kpi_headings(report.year), [kpi_cells(row) for row in group.rows])
        for note in kpi_notes(group):
            document.add_paragraph(note)


def _actions(document: WordDocument, report: AnnualReport) -> None:
    actions, year = report.work.actions, report.year
    document.add_heading("2. Actions", level=1)
    document.add_paragraph(actions_summary(report.work, year))
    document.add_heading("Completed in the year", level=2)
    if actions.completed:
        _table(document, COMPLETED_HEADINGS, [completed_cells(done) for done in actions.completed])
    else:
        document.add_paragraph("No action was completed in the year.")
    document.add_heading(f"Still open on {day_words(year.to)}", level=2)
    overdue = {a.id for a in actions.overdue_at_end}
    if actions.open_at_end:
        _table(document, OPEN_HEADINGS, [open_cells(a, a.id in overdue) for a in actions.open_at_end])
    else:
        document.add_paragraph("No action was open at the year's end.")


def _reviews(document: WordDocument, report: AnnualReport) -> None:
    reviews = report.work.reviews
    document.add_heading("3. Reviews and audits", level=1)
    document.add_paragraph(f"{len(reviews)} held in the year." if reviews else "None held in the year.")
    for review in reviews:
        document.add_heading(review.review.title, level=2)
        document.add_paragraph(review_summary(review))
        for finding in review.review.findings:
            document.add_paragraph(f"Finding {finding.number}: {finding.text}", style="List Bullet")
        if review.comparisons:
            _table(document, RESULT_HEADINGS, result_cells(review))


def _risks(document: WordDocument, report: AnnualReport) -> None:
    year, moves = report.year, report.work.risks
    document.add_heading("4. Risk movement", level=1)
    document.add_paragraph(
        f"Each risk's score (likelihood x impact) on {day_words(year.start)} and on {day_words(year.to)}."
    )
    if moves:
        _table(document, RISK_HEADINGS, [risk_cells(move) for move in moves])
    else:
        document.add_paragraph("No risk was on the register in the year.")


def annual_report_document(report: AnnualReport) -> bytes:
    document = Document()
    document.core_properties.title = f"{TITLE} {report.year.label}"
    document.styles["Normal"].font.size = Pt(10)
    first = document.sections[0]
    _a4(first, landscape=False)
    _furniture(first, report)
    _cover(document, report)
    _a4(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    _kpis(document, report)
    _a4(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    _actions(document, report)
    _reviews(document, report)
    _risks(document, report)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def annual_report_docx() -> Response:
    """GET /annual-report.docx?<the view's query>: the view resolved as the page resolves it."""
    try:
        resolved = page_view(request.args.to_dict(flat=False))
        report = view_report(resolved)
    except WarehouseError as error:
        return Response(str(error), status=503, mimetype="text/plain")
    body = annual_report_document(report)
    used = resolved.used(PAGE) | {"period": report.year.kpi_period.code, "year": report.year.label}
    log_export(DOCX_NAME, report.kpi_rows, **used)
    return send_file(BytesIO(body), mimetype=DOCX_MIMETYPE, as_attachment=True, download_name=DOCX_NAME)


def install_annual_report_exports(server: Flask) -> None:
    """/annual-report.docx and /annual-report.pdf (the page printed), for the roles that open the page."""
    export_route(server, "/annual-report.docx", "annual_report_docx", annual_report_docx, page=PAGE)
    export_route(
        server,
        "/annual-report.pdf",
        "annual_report_pdf",
        page_pdf(PAGE, "." + READY, PDF_NAME, landscape=True),
        page=PAGE,
    )
