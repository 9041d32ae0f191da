"""The exception report as the app serves it: worked out once per request from the page view,
for the /exceptions page and for its Markdown download, /exceptions.md.

The report covers the 6 months ending at the view's period end month, so it follows the filter
bar; its commentary is keyed by that 6-month period's code (R6-YYYY-MM).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from flask import Response, request

from app.audit_log import log_export
from app.components.status import data_status
from app.state import reader
from app.view import CACHED, PageView, commentary_link, page_view
from appstate.commentary import Commentary, current_commentary
from appstate.db import session
from appstate.targets import lookup
from warehouse.db import WarehouseError
from warehouse.kpis.engine import Figure
from warehouse.kpis.exceptions import ExceptionReport, KpiException, Thresholds, exception_report
from warehouse.kpis.formatting import figure_period_label, format_figure, format_number, format_rate
from warehouse.kpis.model import Kpi, Unit
from warehouse.kpis.periods import rolling_6

MARKDOWN_FILENAME = "exception-report.md"
FILTERED_COMMENTARY = "Commentary is written for the whole local authority: clear the filters to see it."


def rules_in_words(thresholds: Thresholds) -> str:
    points, relative = f"{thresholds.percentage_points:g}", f"{thresholds.relative_percent:g}"
    return (
        "A KPI is an exception when it is off target (red), when it has moved the wrong way on the "
        f"previous 6 months by more than {points} percentage points (a percentage) or {relative}% "
        "(a count, rate or ratio), or when it lies outside the range of its statistical neighbours' "
        "latest published figures. A suppressed figure (c) never makes an exception."
    )


def summary_words(report: ExceptionReport) -> str:
    if report.exceptions:
        return f"{len(report.exceptions)} of the {len(report.assessed)} KPIs are exceptions."
    return (
        f"No KPI is an exception: none of the {len(report.assessed)} KPIs is off target, worse by more "
        "than the thresholds, or outside its statistical neighbours' range."
    )


def figure_detail(kpi: Kpi, figure: Figure) -> str:
    """What is behind a value: ' (123 of 485)', ' (559 ÷ 165)' for a ratio or ' (201.6 per 10,000
    children)'; nothing when suppressed."""
    if figure.suppressed:
        return ""
    if kpi.per_10k and figure.rate_per_10k is not None:
        return f" ({format_rate(figure)} per 10,000 children)"
    if kpi.denominator and figure.numerator is not None and figure.denominator is not None:
        between = "÷" if kpi.unit is Unit.RATIO else "of"
        return f" ({figure.numerator:,} {between} {figure.denominator:,})"
    return ""


def value_words(kpi: Kpi, figure: Figure) -> str:
    """'25.4% (123 of 485)' or '1,234 (201.6 per 10,000 children)'; 'c' alone when suppressed."""
    return format_figure(kpi, figure) + figure_detail(kpi, figure)


@dataclass(frozen=True)
class ServedReport:
    page: PageView
    report: ExceptionReport
    la_name: str
    data_as_at: str
    synthetic: bool
    commentary: dict[str, Commentary]

    @property
    def commentary_applies(self) -> bool:
        """Commentary is written for a whole LA's report, not for a filtered one."""
        return not self.report.filters.active()

    @property
    def showing(self) -> str:
        return replace(self.page.view, period=self.report.period.code).describe(self.page.options)

    @property
    def compared_with(self) -> str:
        return f"the previous {self.report.period.previous().label}"

    def commentary_href(self, kpi_id: str) -> str | None:
        return commentary_link(kpi_id, self.report.la_code, self.report.period.code)


def served_report(page: PageView) -> ServedReport | None:
    """The report for the view, or None when the view is not one LA."""
    filters = page.filters
    if len(filters.la_codes) != 1:
        return None
    period = rolling_6(page.view.period_value.last_month)
    with session() as db:
        report = exception_report(
            reader().connection(), filters, page.scope.policy, lookup(db), CACHED, period=period
        )
        commentary = current_commentary(db, report.la_code, period.code) if not filters.active() else {}
    status = data_status()
    return ServedReport(
        page,
        report,
        page.options.las.get(report.la_code, report.la_code),
        status.as_at,
        status.synthetic,
        commentary,
    )


# ---------------------------------------------------------------------------------------------
# Markdown

_INLINE_MARKUP = re.compile(r"([\\`*_\[\]~|])")
_BLOCK_MARKER = re.compile(r"^([#+\-=])")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def markdown_text(text: str) -> str:
    """Text that a Markdown viewer shows exactly as typed: markup characters are backslashed and
    <, > and & become entities, so nothing in it can become a link, emphasis or HTML."""
    return html.escape(_INLINE_MARKUP.sub(r"\\\1", text), quote=False)


def _inert_line(line: str) -> str:
    # Leading spaces would make a code block, and a leading #, -, + or "1." a heading or a list.
    line = markdown_text(line.lstrip())
    return _LIST_NUMBER.sub(r"\1\\\2", _BLOCK_MARKER.sub(r"\\\1", line))


def markdown_quote(text: str) -> str:
    """Text as a block quote, its line breaks kept, every line inert."""
    lines = [_inert_line(line) for line in text.split("\n")]
    return "\n".join(f"> {line}  " if line else ">" for line in lines).rstrip()


def _exception_markdown(served: ServedReport, found: KpiException) -> list[str]:
    kpi, result = found.kpi, found.assessment.result
    target = found.assessment.target
    lines = [
        f"## {kpi.title}",
        "",
        f"- Value: **{value_words(kpi, result.current)}**, {figure_period_label(kpi, result.current.period)}",
        f"- Previous: {value_words(kpi, result.previous)}, {figure_period_label(kpi, result.previous.period)}",
    ]
    if target is not None:
        demo = " (demo target)" if target.is_demo else ""
        lines.append(f"- Target: {format_number(target.value, kpi.unit)}{demo}")
    lines += [
        "",
        "Why it is an exception:",
        "",
        *[f"- {reason.words}" for reason in found.reasons],
        "",
        "### What is the data telling us?",
        "",
    ]
    written = served.commentary.get(kpi.id)
    if written is not None:
        lines += [
            markdown_quote(written.text),
            "",
            f"{markdown_text(written.author)}, {written.written_at:%d %B %Y}",
        ]
    elif served.commentary_applies:
        href = served.commentary_href(kpi.id)
        lines.append(
            "No commentary yet."
            if href is None
            else f"No commentary yet: [Write commentary]({request.host_url.rstrip('/')}{href})"
        )
    else:
        lines.append(FILTERED_COMMENTARY)
    return [*lines, ""]


def report_markdown(served: ServedReport) -> str:
    report = served.report
    lines = [
        f"# Exception report: {markdown_text(served.la_name)}",
        "",
        f"- Period: **{report.period.label}**, compared with {served.compared_with}",
        f"- Showing: {markdown_text(served.showing)}",
        f"- Data as at: {served.data_as_at}",
    ]
    if served.synthetic:
        lines.append("- Synthetic demo data: these figures describe no real children.")
    lines.append(f"- {served.page.scope.policy.explanation}")
    lines += ["", rules_in_words(report.thresholds), "", summary_words(report), ""]
    for found in report.exceptions:
        lines += _exception_markdown(served, found)
    return "\n".join(lines).rstrip() + "\n"


def exceptions_markdown() -> Response:
    """/exceptions.md: the report for the request's view, with the server's scope and suppression."""
    try:
        page = page_view(request.args.to_dict(flat=False))
    except WarehouseError as error:
        return Response(str(error), status=503, mimetype="text/plain")
    served = served_report(page)
    if served is None:
        choices = ", ".join(f"la={code} ({name})" for code, name in page.options.las.items())
        return Response(
            f"The exception report is for one local authority: add one to the address ({choices}).",
            status=400,
            mimetype="text/plain",
        )
    log_export(MARKDOWN_FILENAME, len(served.report.exceptions), **page.used("/exceptions"))
    return Response(
        report_markdown(served),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{MARKDOWN_FILENAME}"'},
    )
