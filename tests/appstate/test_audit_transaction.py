"""A change to app state and its audit row are one transaction: neither is kept without the other."""

from __future__ import annotations

from datetime import date

import pytest

from appstate import challenges, commentary, targets
from appstate.audit import AuditQuery, recent_events

LA = "E08000021"


class AuditDown(Exception):
    pass


def _failing_record(*_args, **_kwargs):
    raise AuditDown("the audit row could not be written")


@pytest.mark.parametrize(
    ("module", "change"),
    [
        (targets, lambda db: targets.set_target(db, "re_referral_12m", LA, date(2025, 4, 1), 22.0, "ann")),
        (
            commentary,
            lambda db: commentary.write_commentary(db, "referrals", LA, "2025-26", "Up in June.", "ann"),
        ),
        (
            challenges,
            lambda db: challenges.raise_challenge(
                db, LA, "Why up?", "bob", date(2026, 4, 1), "ann", kpi_id="referrals"
            ),
        ),
    ],
)
def test_a_change_whose_audit_row_fails_is_not_kept(db, monkeypatch, module, change):
    with monkeypatch.context() as patch:
        patch.setattr(module, "record", _failing_record)
        with pytest.raises(AuditDown):
            change(db)
    db.rollback()
    assert targets.target_history(db, "re_referral_12m", LA) == []
    assert commentary.commentary_history(db, "referrals", LA, "2025-26") == []
    assert challenges.list_challenges(db, challenges.ChallengeQuery(), date(2026, 3, 1)) == []
    change(db)  # and with the audit working, both are kept
    assert len(recent_events(db, AuditQuery())) == 1
