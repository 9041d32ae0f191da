"""The benchmarks' random views are what the filter bar can ask for: every filter of the model is
drawn, with values the app accepts, and an area only with its own LA."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

LAS = ("E08000021", "E06000057")  # the demo's Newcastle and Northumberland


@pytest.fixture(scope="module")
def views(demo_home):
    from app import state

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARD_HOME", str(demo_home))
        state.reader.cache_clear()
        from bench.views import RandomViews

        yield RandomViews(LAS, seed=7)
        state.reader().close()
        state.reader.cache_clear()


def test_every_filter_of_the_model_is_drawn_with_values_the_app_accepts(views):
    from app.filters import DIMENSIONS, URL_PARAMS, filter_options
    from bench.views import search_string

    queries = [views.query() for _ in range(400)]
    drawn = {key for query in queries for key in query}
    assert set(DIMENSIONS) <= drawn
    options = {la: filter_options((la,)) for la in LAS}
    both = filter_options(LAS)
    for query in queries:
        assert set(query) <= {"period", *URL_PARAMS}
        allowed = options[query["la"]] if "la" in query else both
        for key, value in query.items():
            if key in DIMENSIONS:
                assert value in allowed.allowed(key), (key, value, query.get("la"))
        assert parse_qs(search_string(query)[1:]) == {k: [v] for k, v in query.items()}
