"""Registers one page per operational dashboard of the model (warehouse/model/builtin/pages.toml)."""

from functools import partial

import dash

from app.operational import export_callback, render
from app.scope import EVERYONE
from warehouse.model.files import active_model

for order, page in enumerate(active_model().pages, start=1):
    dash.register_page(
        f"{__name__}.{page.id.replace('-', '_')}",
        path=f"/{page.id}",
        name=page.title,
        order=order,
        title=f"{page.title} - Safeguarding performance",
        layout=partial(render, page),
        filters=True,
        roles=EVERYONE,
    )
    export_callback(page)
