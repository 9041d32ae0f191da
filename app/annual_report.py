"""The annual report for a view: the year's KPIs (warehouse/annual_report.py) and the year's
partnership work (appstate/annual_report.py), gathered once for the viewer's scope, with each table's
cells in words. The page (app/pages/annual_report.py), the Word document (app/annual_report_docx.py)
and the PDF (the page printed) all start from `view_report`, so they hold the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.components.action_words import progress_words
from app.components.status import DataStatus, data_status
from app.partnership import partnership_name
from app.state import reader
from app.view import CACHED, PageView
from appstate.actions import Action, Status
from appstate.annual_report import CompletedAction, RiskMove, YearReview, YearWork, year_work
from appstate.db import session
from appstate.reviews import percent_words
from appstate.risks import band
from appstate.targets import lookup
from warehouse.annual_report import KpiGroup, ReportYear, YearRow, default_year, report_years, year_kpis
from warehouse.kpis.assessment import counts_a_year
from warehouse.kpis.engine import Filters
from warehouse.kpis.formatting import (
    NOT_AVAILABLE,
    day_words,
    format_change,
    format_figure,
    format_number,
    format_published,
    format_rate,
)
from warehouse.kpis.scorecard import Travel
from warehouse.model.files import active_model
from warehouse.settings import environment

PAGE = "/annual-report"
TITLE = "Annual report"
DOCX_NAME = "annual-report.docx"
PDF_NAME = "annual-report.pdf"
READY = "annual-report-ready"  # the class the page carries once drawn: the PDF is printed then
NOT_RATED = "not rated"


@dataclass(frozen=True)
class AnnualReport:
    year: ReportYear
    years: tuple[ReportYear, ...]  # every year the data offers, newest first
    partnership: str
    showing: str  # the LAs, in words
    groups: tuple[KpiGroup, ...]
    work: YearWork
    status: DataStatus
    disclosure: str  # the viewer's suppression, in one line
    notes: tuple[str, ...]  # why targets or benchmarks are missing, when they are
    marking: str

    @property
    def kpi_rows(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def chosen_year(resolved: PageView, today: date) -> tuple[ReportYear, tuple[ReportYear, ...]]:
    """The year the view's `year` names (the calendar year it ends in), else the default."""
    options = resolved.options
    years = tuple(report_years(options.first_month, options.last_month, today))
    wanted = resolved.view.year[0] if resolved.view.year else None
    return next((y for y in years if y.code == wanted), default_year(list(years))), years


def view_report(resolved: PageView, today: date | None = None) -> AnnualReport:
    """The report for the view's LAs, whole (the figures are for whole LAs, as targets and published
    figures are: the view's other filters do not apply), for the year it names."""
    today = today or date.today()
    year, years = chosen_year(resolved, today)
    scope = resolved.scope
    filters = Filters(resolved.filters.la_codes)
    with session() as db:
        groups = year_kpis(
            reader().connection(),
            year,
            filters,
            scope.policy,
            lookup(db),
            active_model(),
            sources=CACHED,
        )
        work = year_work(db, filters.la_codes, scope.agencies, year.start, year.to)
    las = resolved.options.las
    notes = (
        ("Targets and published benchmarks are per local authority: choose one to see them.",)
        if len(filters.la_codes) > 1
        else ()
    )
    return AnnualReport(
        year=year,
        years=years,
        partnership=partnership_name(filters.la_codes, las),
        showing=", ".join(las.get(code, code) for code in filters.la_codes),
        groups=groups,
        work=work,
        status=data_status(),
        disclosure=scope.policy.explanation,
        notes=notes,
        marking=environment().protective_marking,
    )


# --- each table's cells, in words: the page and the Word document show these ---


def kpi_headings(year: ReportYear) -> list[str]:
    this, last = year.kpi_period, year.kpi_period.same_period_last_year()
    return [
        "KPI",
        this.short_label,
        last.short_label,
        "Change",
        "Target",
        "RAG",
        "England",
        "Region",
        "Statistical neighbours",
        "Published year",
    ]


def _change_words(row: YearRow) -> str:
    if row.travel is Travel.NO_COMPARISON:
        return NOT_AVAILABLE
    return f"{format_change(row.result.kpi, row.change)}, {row.travel.value}"


def _this_year(row: YearRow) -> str:
    """The year's figure, and beside it its rate per 10,000 where the benchmarks are rates."""
    kpi, benchmark = row.result.kpi, row.assessment.benchmark
    shown = format_figure(kpi, row.this_year)
    if benchmark and benchmark.is_rate and row.this_year.rate_per_10k is not None:
        shown += f" ({format_rate(row.this_year)} per 10,000)"
    return shown


def _benchmark_cells(row: YearRow) -> list[str]:
    kpi, benchmark = row.result.kpi, row.assessment.benchmark
    if benchmark is None:
        return [NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE, "none published"]
    per = " per 10,000" if benchmark.is_rate else ""

    def shown(value: float | None) -> str:
        written = format_published(value, kpi.unit, benchmark.is_rate)
        return written + per if value is not None else written

    national = "a national total" if row.assessment.national_is_total else None
    # a count published for a whole year, beside a year that may be to date
    year = benchmark.financial_year + (", the whole year" if counts_a_year(kpi, benchmark) else "")
    return [
        national or shown(benchmark.england),
        "a regional total" if national else shown(benchmark.region),
        shown(benchmark.neighbour_mean),
        year,
    ]


def kpi_cells(row: YearRow) -> list[str]:
    kpi, target, rating = row.result.kpi, row.assessment.target, row.assessment.rag
    return [
        kpi.title,
        _this_year(row),
        format_figure(kpi, row.last_year),
        _change_words(row),
        "none"
        if target is None
        else format_number(target.value, kpi.unit) + (" (demo)" if target.is_demo else ""),
        rating.words if rating else NOT_RATED,
        *_benchmark_cells(row),
    ]


def kpi_notes(group: KpiGroup) -> list[str]:
    """What a figure of the group is for when it is not the year asked, or why it has none."""
    notes = []
    for row in group.rows:
        title = row.result.kpi.title
        if row.result.period_note:
            notes.append(f"{title}: {row.result.period_note}.")
        for figure in (row.this_year, row.last_year):
            if figure.no_data:
                notes.append(f"{title}, {figure.period.short_label}: {figure.no_data}.")
    if group.earlier:
        notes.append(f"Also under this heading, in a table above: {', '.join(group.earlier)}.")
    return notes


def _source(action: Action) -> str:
    return f"{action.source_kind}: {action.source_ref}"


COMPLETED_HEADINGS = ["No.", "Action", "Source", "Lead agency", "Named lead", "Completed on"]
OPEN_HEADINGS = ["No.", "Action", "Source", "Lead agency", "Due", "Progress", "Overdue at year end"]
RESULT_HEADINGS = ["Criterion", "Cases audited", "Cases meeting it", "Met", "Against the previous audit"]
RISK_HEADINGS = ["No.", "Risk", "Owning agency", "Score at start", "Score at end", "Movement", "Status now"]


def completed_cells(done: CompletedAction) -> list[str]:
    action = done.action
    return [
        str(action.id),
        action.title,
        _source(action),
        action.agency,
        action.lead,
        day_words(done.completed_on),
    ]


def open_cells(action: Action, overdue: bool) -> list[str]:
    return [
        str(action.id),
        action.title,
        _source(action),
        action.agency,
        day_words(action.due_date),
        progress_words(action.progress),
        "overdue" if overdue else "",
    ]


def actions_summary(work: YearWork, year: ReportYear) -> str:
    actions = work.actions
    return (
        f"{len(actions.completed)} completed in the year; {len(actions.open_at_end)} still open on "
        f"{day_words(year.to)}, {len(actions.overdue_at_end)} of them overdue."
    )


def result_cells(review: YearReview) -> list[list[str]]:
    return [
        [c.result.criterion, str(c.result.cases), str(c.result.met), percent_words(c.result.percent), c.words]
        for c in review.comparisons
    ]


def review_summary(review: YearReview) -> str:
    """'Multi-agency audit held on 12 June 2025, led by Police. Themes: ... 3 findings; 2 actions
    raised from it, 1 open now.'"""
    r = review.review
    open_now = sum(a.status == Status.OPEN.value for a in review.actions)
    themes = f" Themes: {', '.join(r.themes)}." if r.themes else ""
    signed = f" Signed off on {day_words(r.signed_off_on)}." if r.signed_off_on else ""
    return (
        f"{r.kind[0].upper()}{r.kind[1:]} held on {day_words(r.held_on)}, led by {r.agency}.{themes} "
        f"{_counted(len(r.findings), 'finding')}; {_counted(len(review.actions), 'action')} raised from it, "
        f"{open_now} open now.{signed}"
    )


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def risk_cells(move: RiskMove) -> list[str]:
    start = "added in the year" if move.at_start is None else _score(move.at_start.score)
    return [
        str(move.risk.id),
        move.risk.title,
        move.risk.agency,
        start,
        _score(move.at_end.score),
        move.words,
        move.risk.status,
    ]


def _score(score: int) -> str:
    return f"{score} ({band(score).value})"
