"""Registers one page per operational dashboard of the model (warehouse/model/builtin/pages.toml)."""

from functools import partial

import dash

from app.operational import export_callback, render
from app.scope import DASHBOARDS, EVERYONE
from warehouse.model.files import active_model

# In the navigation after the executive summary (0) and before the benchmarks (5), however many pages
# the model declares, in the model's order.
for index, page in enumerate(active_model().pages):
    dash.register_page(
        f"{__name__}.{page.id.replace('-', '_')}",
        path=f"/{page.id}",
        name=page.title,
        order=1 + index / 100,
        group=DASHBOARDS,
        title=f"{page.title} - Safeguarding performance",
        layout=partial(render, page),
        filters=True,
        roles=EVERYONE,
    )
    export_callback(page)
