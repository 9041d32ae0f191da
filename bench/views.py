"""Random dashboard views for the page benchmarks: a page and a filter combination, as a user
would pick them from the filter bar (period kind and period, one LA or the whole scope, and
now and then a value of each other filter of the model: area, agency, age band and so on).

Both the in-process render benchmark (page_latency.py) and the HTTP one (page_callbacks.py)
draw from here, so they time the same kind of views. The app is imported lazily: set
SAFEGUARD_HOME to the benchmark warehouse's home first.
"""

from __future__ import annotations

import functools
import random
from urllib.parse import urlencode

from warehouse.model.specs import Dimension

Query = dict[str, str | list[str]]

EXCLUDED_PAGES = ("/pack",)  # the meeting pack renders every dashboard at once: a print job, not a view
RECENT_PERIODS = 8  # users look at recent periods; the oldest are reached rarely
ONE_LA_SHARE, AREA_SHARE, FILTER_SHARE = 0.8, 0.3, 0.2


@functools.lru_cache(maxsize=1)
def dashboard_pages() -> dict[str, object]:
    """Path -> layout function of every page that the filter bar drives, as the app registers them."""
    import dash

    from app.main import create_app

    create_app()  # registers the pages and their guards, as a server does
    return {
        page["path"]: page["layout"]
        for page in dash.page_registry.values()
        if page.get("filters") and page["path"] not in EXCLUDED_PAGES
    }


class RandomViews:
    """Reproducible random (page, query) pairs for the LAs in `la_codes`."""

    def __init__(self, la_codes: tuple[str, ...], seed: int = 2026) -> None:
        from app.filters import DIMENSIONS, PERIOD_KINDS, filter_options

        self.rng = random.Random(seed)
        self.la_codes = la_codes
        options = filter_options(la_codes)
        self.periods = {
            kind: [p.code for p in options.periods(kind)[:RECENT_PERIODS]] for kind in PERIOD_KINDS
        }
        # Every filter of the bar, from the model, by URL key; one whose values are each LA's own
        # (the area) is drawn from the chosen LA's values.
        self.dimensions = {key: list(options.values_of(d)) for key, d in DIMENSIONS.items() if not _per_la(d)}
        self.per_la = [key for key, d in DIMENSIONS.items() if _per_la(d)]
        self._options_of_la = functools.cache(lambda la: filter_options((la,)))

    def query(self) -> Query:
        from app.filters import DIMENSIONS

        kind = self.rng.choice(list(self.periods))
        query: Query = {"period": self.rng.choice(self.periods[kind])}
        if self.rng.random() < ONE_LA_SHARE:
            la = self.rng.choice(self.la_codes)
            query["la"] = la
            for key in self.per_la:
                values = list(self._options_of_la(la).values_of(DIMENSIONS[key]))
                if values and self.rng.random() < AREA_SHARE:
                    query[key] = self.rng.choice(values)
        for param, values in self.dimensions.items():
            if values and self.rng.random() < FILTER_SHARE:
                query[param] = self.rng.choice(values)
        return query

    def view(self, pages: list[str]) -> tuple[str, Query]:
        return self.rng.choice(pages), self.query()


def _per_la(dimension: Dimension) -> bool:
    return bool(dimension.reference and dimension.reference.by_la)


def search_string(query: Query) -> str:
    """The URL's query string for a view, as the filter bar writes it."""
    return "?" + urlencode(query, doseq=True) if query else ""
