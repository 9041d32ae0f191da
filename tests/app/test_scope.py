"""Who may change what: one permission check before every app-state write."""

from __future__ import annotations

import pytest

from app.scope import Permission, PermissionDenied, Role, User, current_user, require


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (
            Role.EXECUTIVE,
            {
                "write commentary",
                "raise and close challenges",
                "answer challenges",
                "re-score risks",
                "sign reviews off",
                "save views",
            },
        ),
        (Role.PARTNER, {"answer challenges", "raise and update actions", "save views"}),
        (
            Role.DATA_TEAM,
            {
                "set targets",
                "write commentary",
                "answer challenges",
                "raise and update actions",
                "add and close risks",
                "re-score risks",
                "record reviews, findings, audit results and their actions",
                "sign reviews off",
                "save views",
            },
        ),
        (
            Role.ADMIN,
            {
                "set targets",
                "write commentary",
                "raise and close challenges",
                "answer challenges",
                "raise and update actions",
                "add and close risks",
                "re-score risks",
                "record reviews, findings, audit results and their actions",
                "sign reviews off",
                "save views",
                "read the audit log",
            },
        ),
    ],
)
def test_each_role_has_its_permissions(role, allowed):
    assert {p.value for p in Permission if User("u", role).can(p)} == allowed


def test_the_local_operator_is_named_by_the_environment(monkeypatch):
    monkeypatch.setenv("SAFEGUARD_LOCAL_USER", "jo.bloggs")
    monkeypatch.setenv("SAFEGUARD_LOCAL_ROLE", "partner")
    assert current_user() == User("jo.bloggs", Role.PARTNER)
    with pytest.raises(PermissionDenied, match="jo.bloggs \\(partner\\) may not set targets"):
        require(Permission.SET_TARGETS)
    assert require(Permission.SAVE_VIEWS).username == "jo.bloggs"


def test_a_partner_posting_to_the_target_callback_sets_nothing(monkeypatch, tmp_path, page_module):
    from appstate.db import session
    from appstate.targets import all_targets

    monkeypatch.setenv("SAFEGUARD_HOME", str(tmp_path))
    monkeypatch.setenv("SAFEGUARD_LOCAL_ROLE", "partner")
    monkeypatch.setenv("SAFEGUARD_LOCAL_USER", "jo.partner")
    with pytest.raises(PermissionDenied, match=r"jo.partner \(partner\) may not open /targets"):
        page_module("targets").save_target(1, "re_referral_12m", "E08000021", "2025-04-01", 20, 5)
    with session() as db:
        assert all_targets(db, ("E08000021",)) == []


def test_a_scope_cuts_any_filters_asked_for_to_its_own():
    from app.scope import Scope
    from warehouse.kpis.engine import Filters
    from warehouse.kpis.suppression import SuppressionPolicy

    scope = Scope(
        la_codes=("E08000021",), policy=SuppressionPolicy(), agencies=("Police",), areas=("NCL-E", "NCL-W")
    )
    asked = Filters(("E06000057", "E08000021"), agency=("Health", "Police"), area=("NCL-N",), gender=("F",))
    assert scope.restrict(asked) == Filters(
        ("E08000021",), agency=("Police",), area=("NCL-E", "NCL-W"), gender=("F",)
    )
    # nothing asked for: the whole scope; no restriction in the scope: what was asked
    assert scope.restrict(Filters(la_codes=("E06000057",))).values("agency") == ("Police",)
    open_scope = Scope(la_codes=("E08000021",), policy=SuppressionPolicy())
    assert open_scope.restrict(asked).values("area") == ("NCL-N",)
