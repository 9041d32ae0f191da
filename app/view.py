"""What a page is asked to show: the viewer's scope, the filter options it allows, and the view
from the URL, resolved once per request on the server."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import duckdb
from dash import NoUpdate, callback_context, no_update
from flask import has_request_context, request

from app.components.spc import spc_of
from app.filters import FilterOptions, ViewFilters, filter_options, parse_query
from app.scope import Scope, current_scope, current_user, may_write_commentary
from app.state import per_warehouse_file, reader
from appstate.actions import ActionQuery, KpiActions, open_actions_by_kpi
from appstate.commentary import Commentary, current_commentary
from appstate.db import session
from appstate.targets import lookup
from warehouse.kpis.assessment import Assessment, Benchmark, FigureSources, assess, benchmark_id, benchmark_in
from warehouse.kpis.engine import SERIES_MONTHS, Filters, KpiResult, evaluate
from warehouse.kpis.model import Kpi
from warehouse.kpis.narrative import draft_commentary
from warehouse.kpis.periods import Period
from warehouse.kpis.published import held_comparisons
from warehouse.kpis.registry import get_kpi
from warehouse.kpis.suppression import SuppressionPolicy
from warehouse.settings import environment


@dataclass(frozen=True)
class PageView:
    scope: Scope
    options: FilterOptions
    view: ViewFilters

    @property
    def filters(self) -> Filters:
        return self.scope.restrict(self.view.engine_filters(self.scope.la_codes))

    def used(self, page: str) -> dict[str, object]:
        """The page, period and filters as the server used them (cut to the viewer's scope), for
        the audit log of an export."""
        used = self.filters
        filters = {"la_codes": list(used.la_codes)} | {dimension: list(v) for dimension, v in used.wanted}
        return {"page": page, "period": self.view.period_value.code, "filters": filters}

    @property
    def whole_la(self) -> str | None:
        """The LA when the view is one whole LA (no other filters): what targets and commentary are set for."""
        filters = self.filters
        return filters.la_codes[0] if len(filters.la_codes) == 1 and not filters.active() else None

    def comparison_notes(self) -> list[str]:
        """Why targets and benchmarks are missing beside the figures, when they are."""
        filters = self.filters
        if len(filters.la_codes) > 1:
            return ["Targets and published benchmarks are per local authority: choose one to see them."]
        if filters.active():
            return [
                (
                    "Targets and published benchmarks are for whole local authorities, so they are not shown "
                    "beside filtered figures (missing-episode benchmarks need 'In care' alone)."
                )
            ]
        return []

    def commentary(self) -> dict[str, Commentary]:
        """The current "What is the data telling us?" text per KPI, for a whole-LA view."""
        if self.whole_la is None:
            return {}
        with session() as db:
            return current_commentary(db, self.whole_la, self.view.period)

    def open_actions(self) -> dict[str, KpiActions]:
        """The open actions linked to each KPI, in the view's LAs and (for a partner) agencies: one
        query for every card or row of a page."""
        with session() as db:
            query = ActionQuery(la_codes=self.filters.la_codes, agencies=self.scope.agencies)
            return open_actions_by_kpi(db, query, date.today())

    def commentary_href(self, kpi_id: str) -> str | None:
        """The link to write a KPI's commentary on this whole-LA view, for someone who may."""
        return None if self.whole_la is None else commentary_link(kpi_id, self.whole_la, self.view.period)

    def region_name(self) -> str | None:
        return None if self.whole_la is None else _region_name(self.whole_la)

    def draft(self, assessment: Assessment) -> str | None:
        """A first draft of the commentary, made from the figures the viewer sees, for someone who
        may write commentary on a whole-LA view. It is only ever offered: saving it is a person's act."""
        if self.whole_la is None or not may_write_commentary(current_user(), assessment.kpi):
            return None
        return draft_commentary(assessment, spc_of(assessment), self.region_name())

    def records_href(self, kpi_id: str) -> str | None:
        """The link to the events behind a figure, where the viewer may list some of them: roles
        that see exact figures, and a partner its own agency's (Scope.record_filters). A published
        figure has no records of ours behind it."""
        kpi = get_kpi(kpi_id)
        if kpi.is_published or self.scope.record_filters(self.filters, kpi.dataset_id) is None:
            return None
        return "/records" + self.view.with_values({"kpi": (kpi_id,), "year": (), "section": ()}).to_query()

    def assessments(self, kpi_ids: tuple[str, ...], series_months: int = SERIES_MONTHS) -> list[Assessment]:
        """The KPIs judged for this view: targets from app state, figures from the cache."""
        with session() as db:
            return assess(
                reader().connection(),
                kpi_ids,
                self.view.period_value,
                self.filters,
                self.scope.policy,
                lookup(db),
                series_months=series_months,
                sources=CACHED,
            )


def commentary_link(kpi_id: str, la_code: str, period_code: str) -> str | None:
    """The link to write or edit a KPI's commentary for an LA and period, for a viewer who may (a
    partner: its own agency's KPIs only)."""
    if not may_write_commentary(current_user(), get_kpi(kpi_id)):
        return None
    return "/commentary?" + urlencode({"kpi": kpi_id, "la": la_code, "period": period_code})


@per_warehouse_file(maxsize=2048)
def _evaluate(
    kpi_ids: tuple[str, ...],
    period: Period,
    filters: Filters,
    policy: SuppressionPolicy,
    series_months: int,
    also: tuple[Period, ...],
) -> tuple[KpiResult, ...]:
    con = reader().connection()
    return tuple(evaluate(con, kpi_ids, period, filters, policy, series_months=series_months, also=also))


def cached_evaluate(
    con: duckdb.DuckDBPyConnection,
    kpi_ids: Iterable[str],
    period: Period,
    filters: Filters,
    policy: SuppressionPolicy,
    series_months: int = SERIES_MONTHS,
    also: tuple[Period, ...] = (),
) -> list[KpiResult]:
    """The engine's results, kept per published warehouse file, KPIs, period, filters (with the
    scope's LAs) and suppression, so a new load is never served from the cache."""
    return list(_evaluate(tuple(kpi_ids), period, filters, policy, series_months, also))


@per_warehouse_file(maxsize=4096)
def _benchmark(kpi_id: str, la_code: str, period: Period) -> Benchmark | None:
    kpi = get_kpi(kpi_id)
    measure = benchmark_id(kpi)
    frame = held_comparisons(reader().connection(), la_code).get(measure) if measure else None
    return None if frame is None else benchmark_in(frame, kpi, period)


def cached_benchmark(
    _con: duckdb.DuckDBPyConnection, kpi: Kpi, la_code: str, period: Period
) -> Benchmark | None:
    """`find_benchmark` from the LA's published comparisons, read in one query, each benchmark kept
    per published warehouse file like the engine's results (they change only with a load), so that
    a page drawn again does not select it from its comparison again."""
    return _benchmark(kpi.id, la_code, period)


# The engine's results and the published benchmarks, each kept per published warehouse file.
CACHED = FigureSources(cached_evaluate, cached_benchmark)


_filter_options = per_warehouse_file(maxsize=256)(filter_options)


@per_warehouse_file(maxsize=256)
def _region_name(la_code: str) -> str | None:
    """The LA's region by name; asked once per draft, so once per card of a meeting pack."""
    found = reader().query("la_region", la_code=la_code)
    return None if found.empty else str(found["region_name"].iloc[0])


def scoped_options(scope: Scope) -> FilterOptions:
    """What the filters may hold for this scope's LAs, kept per published warehouse file: the values
    change only with a load. A partner filters the partnership-wide figures by any agency or area;
    its own limit only the records it lists (Scope.record_filters)."""
    return _filter_options(scope.la_codes)


def la_names() -> dict[str, str]:
    """The signed-in user's LAs, code -> name: every page that names an LA asks here (a code the
    warehouse has no name for stays a code)."""
    scope = current_scope()
    names = scoped_options(scope).las
    return {code: names.get(code, code) for code in scope.la_codes}


def la_name(la_code: str) -> str:
    """An LA's name, if it is one of the user's; else its code as given."""
    return la_names().get(la_code, la_code)


# The LAs this browser last chose: where a link names none, a page shows them (parse_query).
LAST_LAS_COOKIE = "safeguard_last_las"
LAST_LAS_DAYS = 365


def last_las() -> tuple[str, ...]:
    """The LAs this browser last chose; what they are is checked against the scope where used."""
    if not has_request_context():
        return ()
    return tuple(code for code in request.cookies.get(LAST_LAS_COOKIE, "").split(",") if code)


def remember_las(la_codes: tuple[str, ...]) -> None:
    """Keep the LAs of the view on screen as this browser's last choice (from a callback)."""
    if not has_request_context() or la_codes == last_las():
        return
    callback_context.response.set_cookie(
        LAST_LAS_COOKIE,
        ",".join(la_codes),
        max_age=LAST_LAS_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=environment().secure_cookies,
    )


def page_view(query: Mapping[str, str | list[str]]) -> PageView:
    """The view for a page layout's query arguments; raises WarehouseError if there is no data."""
    scope = current_scope()
    options = scoped_options(scope)
    return PageView(scope, options, parse_query("?" + urlencode(query, doseq=True), options, last_las()))


def updated_search(
    search: str | None, changes: Mapping[str, Iterable[str]] | None = None, period: str | None = None
) -> str | NoUpdate:
    """The URL query with some parameters' values or its period changed (checked like any other), or
    no_update."""
    options = scoped_options(current_scope())
    changed = parse_query(search, options, last_las()).with_values(changes or {}, period)
    query = parse_query(changed.to_query(), options).to_query()
    return query if query != search else no_update
