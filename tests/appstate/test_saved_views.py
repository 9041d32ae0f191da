"""Saved views: named links to a page and its filters, private or shared."""

from __future__ import annotations

import pytest

from appstate.saved_views import Audience, delete_view, save_view, views_for

BOARD_NCL = Audience("executive", ("E08000037", "E08000021"))


def test_a_user_sees_their_own_views_and_the_ones_shared_with_their_role_and_partnership(db):
    save_view(db, "Police referrals", "/front-door", "?period=2025-26&agency=police", "alice")
    save_view(db, "Board view", "/", "period=2025-26", "bob", shared=True, audience=BOARD_NCL)
    save_view(db, "Bob's own", "/missing", "", "bob")
    assert [
        (v.name, v.href) for v in views_for(db, "alice", Audience("executive", ("E08000021", "E08000037")))
    ] == [
        ("Board view", "/?period=2025-26"),
        ("Police referrals", "/front-door?period=2025-26&agency=police"),
    ]
    assert [v.name for v in views_for(db, "bob", BOARD_NCL)] == ["Board view", "Bob's own"]


@pytest.mark.parametrize(
    "audience",
    [
        Audience("partner", BOARD_NCL.la_codes),
        Audience("executive", ("E08000021",)),
        Audience("executive", ("E06000057",)),
        Audience("admin", ()),
        None,
    ],
)
def test_a_shared_view_reaches_no_other_role_or_partnership(db, audience):
    save_view(db, "Board view", "/", "period=2025-26", "bob", shared=True, audience=BOARD_NCL)
    assert views_for(db, "carol", audience) == []


def test_a_shared_view_needs_its_audience(db):
    with pytest.raises(ValueError, match="needs the role and partnership"):
        save_view(db, "Board view", "/", "", "bob", shared=True)


@pytest.mark.parametrize(
    "path", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "front-door"]
)
def test_a_view_is_only_ever_a_page_of_this_dashboard(db, path):
    with pytest.raises(ValueError, match="is not a page of this dashboard"):
        save_view(db, "x", path, "", "alice")


def test_only_the_owner_deletes_a_view(db):
    view = save_view(db, "Mine", "/", "", "alice", shared=True, audience=BOARD_NCL)
    with pytest.raises(ValueError, match="only the person who saved"):
        delete_view(db, view.id, "bob")
    delete_view(db, view.id, "alice")
    assert views_for(db, "alice", BOARD_NCL) == []


def test_a_view_needs_a_name(db):
    with pytest.raises(ValueError, match="needs a name"):
        save_view(db, "  ", "/", "", "alice")
