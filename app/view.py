"""What a page is asked to show: the viewer's scope, the filter options it allows, and the view
from the URL, resolved once per request on the server."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from dash import no_update

from app.filters import FilterOptions, ViewFilters, filter_options, parse_query
from app.scope import Scope, current_scope
from warehouse.kpis.engine import Filters


@dataclass(frozen=True)
class PageView:
    scope: Scope
    options: FilterOptions
    view: ViewFilters

    @property
    def filters(self) -> Filters:
        return self.view.engine_filters(self.scope.la_codes)


def page_view(query: dict[str, str | list[str]]) -> PageView:
    """The view for a page layout's query arguments; raises WarehouseError if there is no data."""
    scope = current_scope()
    options = filter_options(scope.la_codes)
    return PageView(scope, options, parse_query("?" + urlencode(query, doseq=True), options))


def updated_search(search: str | None, **changes: tuple[str, ...]):
    """The URL query with some view fields changed (checked like any other), or no_update."""
    options = filter_options(current_scope().la_codes)
    changed = replace(parse_query(search, options), **changes)
    query = parse_query(changed.to_query(), options).to_query()
    return query if query != search else no_update
