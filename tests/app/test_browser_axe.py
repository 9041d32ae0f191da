"""Every page against WCAG 2.2 AA as axe-core checks it, Dash's components included (the app's choice
controls are native ones, app/components/choices.py), with no allow-list: the admin's pass, at 1440 and
at 320 px. The other roles' pass is tests/app/test_browser_axe_roles.py, a file of its own so that the
two run on different workers."""

from __future__ import annotations

import pytest

from tests.app.axe import EVERY_PAGE, FRONT_DOOR_TEMPLATE, NARROW_LAYOUTS, pages_violations
from tests.app.serving import TEST_ADMIN

pytestmark = pytest.mark.browser


def test_brw013_every_page_meets_wcag_22_aa_and_reflows_at_320_px_as_the_admin_sees_it(server, page_as):
    """Every page opens without a console error and reflows at 320 px; axe checks each page's markup
    at 1440 (the dashboards of the front door's template once, on the front door) and one page of
    each layout again at 320, where the controls' sizes and the colours of what wraps are checked."""
    axe_at = {1440: set(EVERY_PAGE) - FRONT_DOOR_TEMPLATE, 320: set(NARROW_LAYOUTS)}
    assert pages_violations(server, page_as(TEST_ADMIN), EVERY_PAGE, axe_at) == ({}, {}, {})
