"""Every page against WCAG 2.2 AA as axe-core checks it, Dash's components included (the app's choice
controls are native ones, app/components/choices.py), with no allow-list: the admin's pass, at 1440 and
at 320 px. The other roles' pass is tests/app/test_browser_axe_roles.py, a file of its own so that the
two run on different workers."""

from __future__ import annotations

import pytest

from tests.app.axe import EVERY_PAGE, pages_violations
from tests.app.serving import TEST_ADMIN

pytestmark = pytest.mark.browser


def test_brw013_every_page_meets_wcag_22_aa_and_reflows_at_320_px_as_the_admin_sees_it(server, page_as):
    """The layout is the same for every role (only the forms and figures differ, checked at 1440 in
    the roles' pass), so the admin's pass is the one that lays every page out again at 320 px."""
    assert pages_violations(server, page_as(TEST_ADMIN), EVERY_PAGE, widths=(1440, 320)) == ({}, {}, {})
