"""A saved view is offered only to those who can open its page: a data team member who sees exact
figures shares a view of the Data page (exact row counts) with their role and partnership; a
colleague of the same role whose figures are protected is not offered it."""

from __future__ import annotations

from app.scope import Role, User
from appstate.db import session
from appstate.saved_views import Audience, save_view

LAS = ("E08000021",)


def test_a_shared_view_of_a_page_one_cannot_open_is_not_offered(demo_copy, page_module):
    from app.callbacks.saved_views import openable_views

    page_module("data_loads")  # the app and its pages, registered with their roles
    exact = User("ann", Role.DATA_TEAM, la_codes=LAS, unsuppressed=True)
    protected = User("bob", Role.DATA_TEAM, la_codes=LAS)
    audience = Audience(role="data_team", la_codes=LAS)
    with session() as db:
        save_view(db, "Rejections this week", "/data", "?la=E08000021", "ann", shared=True, audience=audience)
        save_view(db, "Referrals", "/front-door", "?la=E08000021", "ann", shared=True, audience=audience)
    assert [v.name for v in openable_views(exact)] == ["Referrals", "Rejections this week"]
    assert [v.name for v in openable_views(protected)] == ["Referrals"]
