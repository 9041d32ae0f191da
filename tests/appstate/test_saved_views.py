"""Saved views: named links to a page and its filters, private or shared."""

from __future__ import annotations

import pytest

from appstate.saved_views import delete_view, save_view, views_for


def test_a_user_sees_their_own_views_and_the_shared_ones(db):
    save_view(db, "Police referrals", "/front-door", "?period=2025-26&agency=police", "alice")
    save_view(db, "Board view", "/", "period=2025-26", "bob", shared=True)
    save_view(db, "Bob's own", "/missing", "", "bob")
    assert [(v.name, v.href) for v in views_for(db, "alice")] == [
        ("Board view", "/?period=2025-26"), ("Police referrals", "/front-door?period=2025-26&agency=police")]
    assert [v.name for v in views_for(db, "bob")] == ["Board view", "Bob's own"]


@pytest.mark.parametrize("path", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "front-door"])
def test_a_view_is_only_ever_a_page_of_this_dashboard(db, path):
    with pytest.raises(ValueError, match="is not a page of this dashboard"):
        save_view(db, "x", path, "", "alice")


def test_only_the_owner_deletes_a_view(db):
    view = save_view(db, "Mine", "/", "", "alice", shared=True)
    with pytest.raises(ValueError, match="only the person who saved"):
        delete_view(db, view.id, "bob")
    delete_view(db, view.id, "alice")
    assert views_for(db, "alice") == []


def test_a_view_needs_a_name(db):
    with pytest.raises(ValueError, match="needs a name"):
        save_view(db, "  ", "/", "", "alice")
