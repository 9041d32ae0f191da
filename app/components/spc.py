"""SPC on the page: the variation and assurance icons, their legend, and the XmR chart.

The icons follow NHS England's "Making Data Count" colours (blue improving, orange concerning,
purple for a KPI with no direction of good, grey common cause), but never say it by colour alone:
each icon carries a letter (H or L for the side, P, F or ? for the target) and its meaning in
words beside it, and each chart point a shape.
"""

from __future__ import annotations

from datetime import date

from dash import html

from app.components.charts import (
    MONTH_AXIS,
    TARGET,
    chart,
    drill_id,
    gaps_note,
    plotly_text,
    reference_line,
)
from app.components.static_html import Markup
from warehouse.kpis.assessment import Assessment
from warehouse.kpis.formatting import format_number, series_word
from warehouse.kpis.spc import Assurance, Signal, SpcConfig, SpcResult, Variation, spc_for
from warehouse.settings import environment

# icon class, letter, words
VARIATION_ICONS = {
    Variation.COMMON_CAUSE: ("common", "~", "Common cause: no significant change"),
    Variation.IMPROVING_HIGH: ("improving", "H", "Special cause improvement (high)"),
    Variation.IMPROVING_LOW: ("improving", "L", "Special cause improvement (low)"),
    Variation.CONCERNING_HIGH: ("concerning", "H", "Special cause concern (high)"),
    Variation.CONCERNING_LOW: ("concerning", "L", "Special cause concern (low)"),
    Variation.NEITHER_HIGH: ("neither", "H", "Special cause, high (no direction of good)"),
    Variation.NEITHER_LOW: ("neither", "L", "Special cause, low (no direction of good)"),
    Variation.TOO_FEW_POINTS: ("few", "–", "Too few points for SPC"),
}
ASSURANCE_ICONS = {
    Assurance.CONSISTENTLY_MEETS: ("meets", "P", "Consistently meets the target"),
    Assurance.CONSISTENTLY_FAILS: ("fails", "F", "Consistently fails the target"),
    Assurance.HIT_AND_MISS: ("hit-and-miss", "?", "Hit and miss against the target"),
}
# chart point colour and marker symbol by signal; None is common cause
POINT_STYLES = {
    None: ("#7b8794", "circle", "Common cause"),
    Signal.IMPROVEMENT: ("#1f77b4", "square", "Special cause: improvement"),
    Signal.CONCERN: ("#d9730d", "diamond", "Special cause: concern"),
    Signal.NEITHER: ("#5b2a86", "triangle-up", "Special cause: no direction of good"),
}
MEAN_COLOUR = "#1d2329"
LIMIT_COLOUR = "#7b8794"


def spc_config() -> SpcConfig:
    settings = environment()
    return SpcConfig(shift_points=settings.spc_shift_points, trend_points=settings.spc_trend_points)


def spc_of(assessment: Assessment, change_points: tuple[date, ...] = ()) -> SpcResult:
    """The SPC reading of a KPI's monthly series, with the partnership's rule settings."""
    return spc_for(assessment, spc_config(), change_points)


def _icon(kind: str, css: str, letter: str, words: str) -> Markup:
    return Markup(
        "span",
        letter,
        className=f"spc-icon spc-{kind} spc-{css}",
        role="img",
        title=words,
        **{"aria-label": f"{kind.capitalize()}: {words}"},
    )


def variation_words(spc: SpcResult) -> str:
    return VARIATION_ICONS[spc.variation][2]


def assurance_words(spc: SpcResult) -> str | None:
    return ASSURANCE_ICONS[spc.assurance][2] if spc.assurance else None


def spc_icons(spc: SpcResult) -> Markup:
    """The two icons, each with its meaning in words (the assurance icon only with a target)."""
    css, letter, words = VARIATION_ICONS[spc.variation]
    items = [
        Markup(
            "span",
            [_icon("variation", css, letter, words), Markup("span", words, className="spc-words")],
            className="spc-item",
            **{"data-variation": spc.variation.value},
        )
    ]
    if spc.assurance is not None:
        css, letter, words = ASSURANCE_ICONS[spc.assurance]
        items.append(
            Markup(
                "span",
                [_icon("assurance", css, letter, words), Markup("span", words, className="spc-words")],
                className="spc-item",
                **{"data-assurance": spc.assurance.value},
            )
        )
    return Markup("div", items, className="spc-icons")


def spc_legend(opened: bool = False) -> html.Details:
    """What the icons mean, once per page that shows them; opened where it is printed."""
    variation = [
        html.Li([_icon("variation", css, letter, words), f" {words}"])
        for css, letter, words in dict.fromkeys(VARIATION_ICONS.values())
    ]
    assurance = [
        html.Li([_icon("assurance", css, letter, words), f" {words}"])
        for css, letter, words in ASSURANCE_ICONS.values()
    ]
    return html.Details(
        [
            html.Summary("What the SPC icons mean"),
            html.P(
                "Statistical process control (XmR chart) of the monthly figures: a special cause is a point "
                "outside the process limits, a run of points on one side of the mean, a run of points rising "
                "or falling, or two of three points near a limit. Improvement and concern follow the KPI's "
                "direction of good. H and L say whether the special cause is high or low."
            ),
            html.Div(
                [
                    html.Div([html.H4("Variation"), html.Ul(variation)]),
                    html.Div([html.H4("Assurance (with a target for a monthly figure)"), html.Ul(assurance)]),
                ],
                className="spc-legend-lists",
            ),
        ],
        className="spc-legend",
        open=opened,
    )


def _signal_words(spc: SpcResult) -> str:
    special = [p for p in spc.points if p.signal is not None]
    if not special:
        return "No special causes."
    listed = "; ".join(f"{p.month:%b %Y} {POINT_STYLES[p.signal][2].split(': ')[-1]}" for p in special)
    return f"Special causes: {listed}."


def spc_chart(assessment: Assessment, name: str, change_points: tuple[date, ...] = ()) -> html.Figure:
    """The XmR chart of the monthly series: points shaped and coloured by signal, the mean, the
    process limits (per segment, from each change point) and the target. Clicking a month shows
    that month, as on the trend."""
    kpi, spc = assessment.kpi, spc_of(assessment, change_points)
    # A point's period, as a click shows it: its month, or a submitted dataset's quarter.
    codes = {f.period.first_month: f.period.code for f in assessment.result.series}
    data: list[dict[str, object]] = []
    for signal, (colour, symbol, label) in POINT_STYLES.items():
        points = [p for p in spc.points if p.signal == signal]
        if points or signal is None:
            data.append(
                {
                    "type": "scatter",
                    "x": [p.month for p in points],
                    "y": [p.value for p in points],
                    "mode": "markers",
                    "name": label,
                    "marker": {"color": colour, "symbol": symbol, "size": 9 if signal else 7},
                    "customdata": [codes.get(p.month, f"{p.month:%Y-%m}") for p in points],
                    "text": [
                        plotly_text(f"{p.month:%B %Y}: {format_number(p.value, kpi.unit)} ({label.lower()})")
                        for p in points
                    ],
                    "hovertemplate": "%{text}<extra></extra>",
                }
            )
    months = [p.month for p in spc.points]
    data.append(
        {
            "type": "scatter",
            "x": months,
            "y": [p.value for p in spc.points],
            "mode": "lines",
            "line": {"color": "#b8c0c8", "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    lines: tuple[tuple[str, str | None, dict[str, str]], ...] = (
        ("mean", "Mean", {"color": MEAN_COLOUR}),
        ("upper", "Process limits", {"color": LIMIT_COLOUR, "dash": "dash"}),
        ("lower", None, {"color": LIMIT_COLOUR, "dash": "dash"}),
    )
    for line, legend, style in lines:
        data.append(
            {
                "type": "scatter",
                "x": months,
                "y": [getattr(p.limits, line) for p in spc.points],
                "mode": "lines",
                "line": {**style, "width": 1.5, "shape": "hv"},
                "name": legend,
                "showlegend": legend is not None,
                "hoverinfo": "skip",
            }
        )
    figure: dict = {"data": data, "layout": {"xaxis": dict(MONTH_AXIS)}}
    notes = []
    limits = spc.latest_limits
    if limits is not None:
        since = f" from {limits.first_month:%B %Y}" if len({p.limits for p in spc.points}) > 1 else ""
        notes.append(
            f"mean{since} {format_number(limits.mean, kpi.unit)}, process limits "
            f"{format_number(limits.lower, kpi.unit)} to {format_number(limits.upper, kpi.unit)}"
        )
    if spc.target is not None and months:
        target = f"Target {format_number(spc.target, kpi.unit)}"
        data.append(reference_line(months[0], months[-1], spc.target, TARGET, "dot", target))
        notes.append(target.lower())
    title = f"{kpi.title}, {series_word(assessment.result.series)} (SPC)"
    reading = variation_words(spc) + (f"; {assurance_words(spc)}" if spc.assurance else "")
    if not spc.enough_points:
        reading = f"Too few points for SPC: {len(spc.points)} of the {spc.config.min_points} needed"
    described = "; ".join(notes)
    alternative = f"{title}. {reading}. {described[:1].upper() + described[1:]}. {_signal_words(spc)}"
    return chart(
        figure,
        title,
        kpi.unit,
        alternative,
        spc_icons(spc),
        gaps_note(assessment.result.series),
        graph_id=drill_id("month", name),
    )
