"""The filter bar's state, kept in the URL query string so a link reproduces the view.

`ViewFilters` is the one form of the state: parsed from the URL, checked against the values the
scope allows (anything else is dropped, never passed on), turned back into a query string, into
the engine's Filters, and into words for the "showing" line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import parse_qs, urlencode

import dash

from warehouse.kpis.engine import Filters
from warehouse.kpis.periods import Period, PeriodKind, add_months, parse_period, period_ending
from warehouse.kpis.registry import REGISTRY
from warehouse.model.files import active_model
from warehouse.model.specs import Dimension

PERIOD_KINDS = {
    PeriodKind.ROLLING_12: "12 months to",
    PeriodKind.FINANCIAL_YEAR: "Financial year",
    PeriodKind.QUARTER: "Quarter",
    PeriodKind.MONTH: "Month",
}

SINGLE_VALUED = ("kpi", "year", "chart", "limits")
CHART_KINDS = {"spc": "SPC (XmR) chart"}  # the trends' view; a run chart when not set

# The filter dimensions, from the model: URL key -> declaration (warehouse/model/builtin/dimensions.toml).
DIMENSIONS: dict[str, Dimension] = {d.url_key: d for d in active_model().dimensions}
# Chosen on a page rather than in the bar: the benchmarks page's KPI and published year, the pack's
# sections, the trends' chart kind, and the SPC change points.
PAGE_CHOICES = ("kpi", "year", "section", "chart", "limits")
URL_PARAMS = ("la", *DIMENSIONS, *PAGE_CHOICES)  # after "period", in this order


def pack_section_titles() -> dict[str, str]:
    """The sections a meeting pack offers (app/pack_sections.py), id -> title, as the pack page
    declares them where it is registered (`dash.register_page(..., pack_sections=...)`): read from
    the page registry, because the sections are drawn with the views this module makes. Outside the
    app, where no page is registered, there are none."""
    pack = next((p for p in dash.page_registry.values() if "pack_sections" in p), None)
    return {} if pack is None else {s.id: s.title for s in pack["pack_sections"]()}


@dataclass(frozen=True)
class FilterOptions:
    """What each filter may hold for the viewer's scope: value -> label."""

    las: dict[str, str]
    dimension_values: dict[str, dict[str, str]]  # dimension id -> value -> label, read from the warehouse
    first_month: date
    last_month: date

    def values_of(self, dimension: Dimension) -> dict[str, str]:
        fixed = dimension.fixed_values()
        return fixed if fixed is not None else self.dimension_values.get(dimension.id, {})

    def labels(self, dimension_id: str) -> dict[str, str]:
        """The values a dimension (by model id) may hold here: value -> label."""
        return self.values_of(active_model().dimension(dimension_id))

    def allowed(self, param: str) -> dict[str, str]:
        if param in DIMENSIONS:
            return self.values_of(DIMENSIONS[param])
        if param == "la":
            return self.las
        if param == "limits":
            return self.months
        if param == "kpi":
            return {k.id: k.title for k in REGISTRY.values() if not k.is_share}
        if param == "year":
            return {str(y): f"{y - 1}/{y % 100:02d}" for y in range(2013, self.last_month.year + 2)}
        if param == "section":
            return pack_section_titles()
        if param == "chart":
            return CHART_KINDS
        raise KeyError(f"no URL parameter {param!r}")

    def periods(self, kind: PeriodKind) -> list[Period]:
        """Every complete period of `kind` the data covers, newest first."""
        found = []
        month = self.last_month
        while month >= self.first_month:
            period = period_ending(kind, month)
            covered = period.last_month <= self.last_month and period.first_month >= self.first_month
            if covered and period not in found:
                found.append(period)
            month = add_months(month, -1)
        return found

    @cached_property
    def months(self) -> dict[str, str]:
        """Every month the data covers, newest first: code -> label."""
        return {p.code: p.label for p in self.periods(PeriodKind.MONTH)}

    def default_period(self) -> Period:
        return period_ending(PeriodKind.ROLLING_12, self.last_month)


@dataclass(frozen=True, init=False)
class ViewFilters:
    """A view's period, LAs, dimension filters (by URL key) and page choices."""

    period: str
    la: tuple[str, ...]
    dimensions: tuple[tuple[str, tuple[str, ...]], ...]  # (URL key, values) in the model's order, non-empty
    kpi: tuple[str, ...]
    year: tuple[str, ...]
    section: tuple[str, ...]  # the sections a meeting pack includes (app/pack_sections.py)
    chart: tuple[str, ...]  # ("spc",): trends drawn as SPC charts
    limits: tuple[str, ...]  # ("2025-04",): SPC limits recalculated from that month (a change point)

    def __init__(
        self,
        period: str,
        la: Iterable[str] = (),
        dimensions: Iterable[tuple[str, Iterable[str]]] = (),
        kpi: Iterable[str] = (),
        year: Iterable[str] = (),
        section: Iterable[str] = (),
        chart: Iterable[str] = (),
        limits: Iterable[str] = (),
        **by_url_key: Iterable[str],
    ) -> None:
        unknown = sorted(set(by_url_key) - set(DIMENSIONS))
        if unknown:
            raise TypeError(f"no filter {', '.join(unknown)}; the dimensions are {', '.join(DIMENSIONS)}")
        wanted = dict(dimensions) | by_url_key
        values = {key: tuple(wanted.get(key, ())) for key in DIMENSIONS}
        chosen = {"la": la, "kpi": kpi, "year": year, "section": section, "chart": chart, "limits": limits}
        object.__setattr__(self, "period", period)
        object.__setattr__(self, "dimensions", tuple((key, v) for key, v in values.items() if v))
        for name, given in chosen.items():
            object.__setattr__(self, name, tuple(given))

    def values(self, param: str) -> tuple[str, ...]:
        """The values chosen for a URL parameter: a dimension's key, "la", or a page choice."""
        if param in DIMENSIONS:
            return dict(self.dimensions).get(param, ())
        return getattr(self, param)

    def with_values(self, changes: Mapping[str, Iterable[str]], period: str | None = None) -> ViewFilters:
        """This view with some URL parameters' values (dimensions by URL key), or its period, replaced."""
        params = {name: self.values(name) for name in URL_PARAMS} | {k: tuple(v) for k, v in changes.items()}
        return ViewFilters.from_params(period or self.period, params)

    @staticmethod
    def from_params(period: str, params: Mapping[str, Iterable[str]]) -> ViewFilters:
        """A view from each URL parameter's values: "la", the dimensions' keys and the page choices."""
        unknown = sorted(set(params) - set(URL_PARAMS))
        if unknown:
            raise TypeError(f"no URL parameter {', '.join(unknown)}")
        chosen = {name: tuple(params.get(name, ())) for name in PAGE_CHOICES}
        dimensions = [(key, tuple(params.get(key, ()))) for key in DIMENSIONS]
        return ViewFilters(period, tuple(params.get("la", ())), dimensions, **chosen)

    @property
    def period_value(self) -> Period:
        return parse_period(self.period)

    @property
    def change_points(self) -> tuple[date, ...]:
        return tuple(parse_period(code).first_month for code in self.limits)

    def to_query(self) -> str:
        pairs = [("period", self.period)]
        for param in URL_PARAMS:
            pairs += [(param, value) for value in self.values(param)]
        return "?" + urlencode(pairs)

    def filters_only(self) -> ViewFilters:
        """The period, LAs and dimension filters, without what one page chose for itself."""
        return self.with_values({name: () for name in PAGE_CHOICES})

    def engine_filters(self, scope_la_codes: tuple[str, ...]) -> Filters:
        allowed = tuple(code for code in self.la if code in scope_la_codes) or scope_la_codes
        return Filters(allowed, **{DIMENSIONS[key].id: values for key, values in self.dimensions})

    def describe(self, options: FilterOptions) -> str:
        """The active filters in words, always shown above the figures."""
        period = self.period_value
        parts = [period.label]
        las = [options.las.get(code, code) for code in self.la] or ["all local authorities in your scope"]
        parts.append(", ".join(las))
        for key, values in self.dimensions:
            labels = options.allowed(key)
            parts.append(f"{DIMENSIONS[key].describe}: " + ", ".join(labels.get(v, v) for v in values))
        return "; ".join(parts)


def parse_query(search: str | None, options: FilterOptions, last_las: Iterable[str] = ()) -> ViewFilters:
    """The view a URL asks for, keeping only values the scope allows. The LA is always in the view,
    so a link names the LAs it shows: if the URL names none of the scope's, the account's last
    choice (`last_las`), else its first LA. The total of several LAs is asked for by choosing them."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    period = _valid_period((query.get("period") or [""])[0], options)
    kept: dict[str, tuple[str, ...]] = {}
    for param in URL_PARAMS:
        allowed = options.allowed(param)
        kept[param] = tuple(dict.fromkeys(v for v in query.get(param, []) if v in allowed))
        if param in SINGLE_VALUED:
            kept[param] = kept[param][:1]
    if not kept["la"]:
        kept["la"] = tuple(dict.fromkeys(c for c in last_las if c in options.las)) or tuple(options.las)[:1]
    return ViewFilters.from_params(period, kept)


def refused_in_link(search: str | None, options: FilterOptions) -> list[str]:
    """What a URL asks for that the account's scope does not cover, counted in words ("1 local
    authority"): a shared link shows such a viewer less than it shows its sender, and the page says
    so. The values are not repeated: a page never echoes what a link's author wrote into it."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    refused = []
    for param in ("la", *DIMENSIONS):
        allowed = options.allowed(param)
        n = len({value for value in query.get(param, []) if value not in allowed})
        if n:
            what = (
                "local authorit" + ("y" if n == 1 else "ies")
                if param == "la"
                else f"{DIMENSIONS[param].describe} value" + ("s" if n > 1 else "")
            )
            refused.append(f"{n} {what}")
    return refused


def _valid_period(code: str, options: FilterOptions) -> str:
    try:
        period = parse_period(code)
    except ValueError:
        return options.default_period().code
    if period.last_month > options.last_month or period.first_month < options.first_month:
        return options.default_period().code
    return period.code


def with_period_kind(view: ViewFilters, kind: PeriodKind, options: FilterOptions) -> ViewFilters:
    """Switching the kind keeps the same end month where the data allows."""
    end = min(view.period_value.last_month, options.last_month)
    candidates = [p for p in options.periods(kind) if p.last_month <= end] or options.periods(kind)
    return view.with_values({}, candidates[0].code)


def filter_options(la_codes: tuple[str, ...]) -> FilterOptions:
    """The values each filter may take for these LAs, from the warehouse."""
    from app.state import reader

    rows = reader().query("filter_options", la_codes=list(la_codes))
    by_filter = {
        str(name): dict(zip(group["value"], group["label"])) for name, group in rows.groupby("filter")
    }
    las = by_filter.pop("la", {})
    for dimension in active_model().dimensions:
        if dimension.reference and dimension.reference.by_la and len(las) > 1:
            # Values of several LAs (areas) say whose they are.
            in_la = dict(zip(rows["value"], rows["la_code"]))
            by_filter[dimension.id] = {
                code: f"{label} ({las.get(in_la[code], in_la[code])})"
                for code, label in by_filter.get(dimension.id, {}).items()
            }
    months = reader().query("data_months", la_codes=list(la_codes)).iloc[0]
    return FilterOptions(
        las=las,
        dimension_values=by_filter,
        first_month=months["first_month"].date(),
        last_month=months["last_month"].date(),
    )
