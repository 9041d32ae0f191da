"""The pages as each role other than the admin sees them (its forms, its scope), at 1440 px: each page
whose forms depend on the role opens without an error in the browser's console (a callback writing
to a form the role's page does not have), and axe checks against WCAG 2.2 AA the pages whose markup
the role changes. Every page is the admin's pass's (tests/app/test_browser_axe.py); each role's
pages and figures are tests/app/test_browser_roles.py's."""

from __future__ import annotations

import pytest

from tests.app.axe import EVERY_PAGE, FORM_PAGES, ROLE_MARKUP, pages_violations
from tests.app.serving import ROLE_USERS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ROLE_USERS)
def test_brw013_every_page_meets_wcag_22_aa_as_each_role_sees_it(server, page_as, username):
    paths = [path for path in EVERY_PAGE if path in FORM_PAGES or path in ROLE_MARKUP[username]]
    axe_at = {1440: set(ROLE_MARKUP[username])}
    assert pages_violations(server, page_as(username), paths, axe_at) == ({}, {}, {})
