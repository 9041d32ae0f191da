"""A load swaps in a new warehouse file; what people wrote in the app lives elsewhere and stays."""

from __future__ import annotations

from datetime import date

from appstate.challenges import ChallengeQuery, list_challenges, raise_challenge
from appstate.commentary import current_commentary, write_commentary
from appstate.db import database_url, session
from appstate.saved_views import save_view, views_for
from appstate.targets import set_target, target_in_force
from etl.docs import EXAMPLES_DIR

LA = "E08000021"


def test_targets_commentary_challenges_and_views_survive_loads(settings, load, query):
    load(EXAMPLES_DIR / "referrals.csv")
    with session() as db:
        set_target(db, "re_referral_12m", LA, date(2025, 4, 1), 21.5, set_by="alice")
        write_commentary(db, "re_referral_12m", LA, "2025-26", "Falling since the MASH review.", "alice")
        raise_challenge(
            db, LA, "Why are police contacts down?", "Police", date(2026, 1, 31), "chair", agency="Police"
        )
        save_view(db, "Police view", "/front-door", "?agency=police", "alice")

    load(EXAMPLES_DIR / "contacts.csv")  # a new warehouse file, swapped in
    load(EXAMPLES_DIR / "referrals.csv", force=True)  # and the same file again, forced
    assert query("SELECT dataset, status FROM etl_load ORDER BY load_id") == [
        ("referrals", "loaded"),
        ("contacts", "loaded"),
        ("referrals", "loaded"),
    ]
    assert database_url() == f"sqlite:///{settings.home / 'appstate.sqlite'}"

    with session() as db:
        assert target_in_force(db, "re_referral_12m", LA, date(2025, 6, 30)).value == 21.5
        assert (
            current_commentary(db, LA, "2025-26")["re_referral_12m"].text == "Falling since the MASH review."
        )
        assert [c.question for c in list_challenges(db, ChallengeQuery(), date(2026, 1, 1))] == [
            "Why are police contacts down?"
        ]
        assert [v.name for v in views_for(db, "alice")] == ["Police view"]
