"""Registers one page per operational dashboard declared in app/operational.py."""

from functools import partial

import dash

from app.dashboards import PAGES
from app.operational import export_callback, render
from app.scope import EVERYONE

for order, page in enumerate(PAGES, start=1):
    dash.register_page(
        f"{__name__}.{page.slug.replace('-', '_')}",
        path=f"/{page.slug}",
        name=page.title,
        order=order,
        title=f"{page.title} - Safeguarding performance",
        layout=partial(render, page),
        filters=True,
        roles=EVERYONE,
    )
    export_callback(page)
