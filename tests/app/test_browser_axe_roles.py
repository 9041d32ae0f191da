"""Every page as each role other than the admin sees it (its forms, its scope) against WCAG 2.2 AA,
at 1440 px: the pages drawn by one template for every role are the admin's pass's alone
(tests/app/test_browser_axe.py)."""

from __future__ import annotations

import pytest

from tests.app.axe import EVERY_PAGE, ONE_TEMPLATE, pages_violations
from tests.app.serving import ROLE_USERS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ROLE_USERS)
def test_brw013_every_page_meets_wcag_22_aa_as_each_role_sees_it(server, page_as, username):
    paths = [path for path in EVERY_PAGE if path not in ONE_TEMPLATE]
    assert pages_violations(server, page_as(username), paths) == ({}, {}, {})
