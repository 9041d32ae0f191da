"""The model's pages (warehouse/model/builtin/pages.toml) and the app's own paths stay apart: a page of
the model may not take a path the app already serves."""

from __future__ import annotations

import dash

from warehouse.model.files import RESERVED_PAGE_IDS, active_model


def test_every_path_the_app_serves_itself_is_reserved(demo_app):
    operational = {f"/{page.id}" for page in active_model().pages}
    own = {p["path"] for p in dash.page_registry.values()} - operational - {"/"}
    routes = {rule.rule for rule in demo_app.server.url_map.iter_rules()}
    first = {path.strip("/").split("/")[0] for path in own | routes} - {""}
    # A page id is a name without dots, so file routes (/scorecard.xlsx) cannot clash with one.
    first = {segment for segment in first if not segment.startswith(("_", "<")) and "." not in segment}
    assert first <= RESERVED_PAGE_IDS, sorted(first - RESERVED_PAGE_IDS)


def test_each_model_page_is_registered_with_its_title(demo_app):
    registered = {p["path"]: p["name"] for p in dash.page_registry.values()}
    assert all(registered[f"/{page.id}"] == page.title for page in active_model().pages)
