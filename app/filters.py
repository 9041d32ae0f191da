"""The filter bar's state, kept in the URL query string so a link reproduces the view.

`ViewFilters` is the one form of the state: parsed from the URL, checked against the values the
scope allows (anything else is dropped, never passed on), turned back into a query string, into
the engine's Filters, and into words for the "showing" line.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cached_property
from urllib.parse import parse_qs, urlencode

from app.dashboards import PAGES
from warehouse.kpis.engine import Filters
from warehouse.kpis.periods import Period, PeriodKind, add_months, parse_period, period_ending
from warehouse.kpis.registry import REGISTRY

AGE_BANDS = ("Under 1", "1-4", "5-9", "10-15", "16-17", "Unknown")
IN_CARE = ("In care", "Not in care", "Not known")
PERIOD_KINDS = {
    PeriodKind.ROLLING_12: "12 months to",
    PeriodKind.FINANCIAL_YEAR: "Financial year",
    PeriodKind.QUARTER: "Quarter",
    PeriodKind.MONTH: "Month",
}

SINGLE_VALUED = ("kpi", "year", "chart", "limits")
CHART_KINDS = {"spc": "SPC (XmR) chart"}  # the trends' view; a run chart when not set

# URL parameter -> (engine Filters field, words for the "showing" line)
DIMENSION_PARAMS = {
    "area": ("areas", "area"),
    "agency": ("agencies", "agency"),
    "age": ("age_bands", "age"),
    "gender": ("genders", "gender"),
    "ethnicity": ("ethnicities", "ethnicity"),
    "category": ("categories", "category of abuse"),
    "care": ("in_care", "care status"),
}


@dataclass(frozen=True)
class FilterOptions:
    """What each filter may hold for the viewer's scope: value -> label."""

    las: dict[str, str]
    areas: dict[str, str]
    area_las: dict[str, str]  # area code -> its LA code
    agency: dict[str, str]
    ethnicity: dict[str, str]
    gender: dict[str, str]
    category: dict[str, str]
    first_month: date
    last_month: date

    def allowed(self, param: str) -> dict[str, str]:
        fixed = {
            "age": {a: a for a in AGE_BANDS},
            "care": {c: c for c in IN_CARE},
            "kpi": {k.id: k.title for k in REGISTRY.values() if not k.is_share},
            "year": {str(y): f"{y - 1}/{y % 100:02d}" for y in range(2013, self.last_month.year + 2)},
            "section": {page.slug: page.title for page in PAGES},
            "chart": CHART_KINDS,
        }
        if param == "limits":
            return self.months
        named = {"la": self.las, "area": self.areas}  # a return without area codes gives no areas
        if param in fixed:
            return fixed[param]
        return named[param] if param in named else getattr(self, param)

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


@dataclass(frozen=True)
class ViewFilters:
    period: str
    la: tuple[str, ...] = ()
    area: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    age: tuple[str, ...] = ()
    gender: tuple[str, ...] = ()
    ethnicity: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    care: tuple[str, ...] = ()
    # chosen on a page rather than in the bar (the benchmarks page's KPI and published year)
    kpi: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    section: tuple[str, ...] = ()  # the operational pages a meeting pack includes
    chart: tuple[str, ...] = ()  # ("spc",): trends drawn as SPC charts
    limits: tuple[str, ...] = ()  # ("2025-04",): SPC limits recalculated from that month (a change point)

    @property
    def period_value(self) -> Period:
        return parse_period(self.period)

    @property
    def change_points(self) -> tuple[date, ...]:
        return tuple(parse_period(code).first_month for code in self.limits)

    def to_query(self) -> str:
        pairs = [("period", self.period)]
        for field in fields(self)[1:]:
            pairs += [(field.name, value) for value in getattr(self, field.name)]
        return "?" + urlencode(pairs)

    def engine_filters(self, scope_la_codes: tuple[str, ...]) -> Filters:
        allowed = tuple(code for code in self.la if code in scope_la_codes) or scope_la_codes
        dims = {engine_field: getattr(self, param) for param, (engine_field, _) in DIMENSION_PARAMS.items()}
        return Filters(la_codes=allowed, **dims)

    def describe(self, options: FilterOptions) -> str:
        """The active filters in words, always shown above the figures."""
        period = self.period_value
        parts = [period.label]
        las = [options.las.get(code, code) for code in self.la] or ["all local authorities in your scope"]
        parts.append(", ".join(las))
        for param, (_, words) in DIMENSION_PARAMS.items():
            values = getattr(self, param)
            if values:
                labels = options.allowed(param)
                parts.append(f"{words}: " + ", ".join(labels.get(v, v) for v in values))
        return "; ".join(parts)


def parse_query(search: str | None, options: FilterOptions) -> ViewFilters:
    """The view a URL asks for, keeping only values the scope allows."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    period = _valid_period((query.get("period") or [""])[0], options)
    kept: dict[str, tuple[str, ...]] = {}
    for field in fields(ViewFilters)[1:]:
        allowed = options.allowed(field.name)
        kept[field.name] = tuple(dict.fromkeys(v for v in query.get(field.name, []) if v in allowed))
        if field.name in SINGLE_VALUED:
            kept[field.name] = kept[field.name][:1]
    return ViewFilters(period=period, **kept)


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
    return replace(view, period=candidates[0].code)


def filter_options(la_codes: tuple[str, ...]) -> FilterOptions:
    """The values each filter may take for these LAs, from the warehouse."""
    from app.state import reader

    rows = reader().query("filter_options", la_codes=list(la_codes))
    by_filter = {name: dict(zip(group["value"], group["label"])) for name, group in rows.groupby("filter")}
    las = by_filter.get("la", {})
    area_rows = rows[rows["filter"] == "area"]
    areas = {
        code: f"{label} ({las.get(la, la)})" if len(las) > 1 else label
        for code, label, la in zip(area_rows["value"], area_rows["label"], area_rows["la_code"])
    }
    months = reader().query("data_months", la_codes=list(la_codes)).iloc[0]
    return FilterOptions(
        las=las,
        areas=areas,
        area_las=dict(zip(area_rows["value"], area_rows["la_code"])),
        agency=by_filter.get("agency", {}),
        ethnicity=by_filter.get("ethnicity", {}),
        gender=by_filter.get("gender", {}),
        category=by_filter.get("category", {}),
        first_month=months["first_month"].date(),
        last_month=months["last_month"].date(),
    )
