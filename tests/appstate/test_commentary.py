"""Commentary keeps every version, shows the latest, and stores text only as text."""

from __future__ import annotations

import pytest

from appstate.commentary import clean_text, commentary_history, current_commentary, write_commentary

LA, PERIOD = "E08000021", "2025-26-Q2"


def test_an_edit_adds_a_version_and_loses_nothing(db):
    write_commentary(db, "re_referral_12m", LA, PERIOD, "First view.", "alice")
    write_commentary(db, "re_referral_12m", LA, PERIOD, "Second view.", "bob")
    history = commentary_history(db, "re_referral_12m", LA, PERIOD)
    assert [(c.version, c.text, c.author) for c in history] == [
        (2, "Second view.", "bob"),
        (1, "First view.", "alice"),
    ]
    assert current_commentary(db, LA, PERIOD)["re_referral_12m"].text == "Second view."


def test_commentary_is_per_kpi_la_and_period(db):
    write_commentary(db, "re_referral_12m", LA, PERIOD, "Newcastle, Q2.", "alice")
    write_commentary(db, "re_referral_12m", "E06000057", PERIOD, "Northumberland, Q2.", "alice")
    write_commentary(db, "icpc_15wd", LA, "2025-26-Q1", "ICPCs, Q1.", "alice")
    assert {k: c.text for k, c in current_commentary(db, LA, PERIOD).items()} == {
        "re_referral_12m": "Newcastle, Q2."
    }
    assert current_commentary(db, LA, "2025-26-Q1")["icpc_15wd"].version == 1


def test_an_empty_version_withdraws_the_text_but_keeps_the_history(db):
    write_commentary(db, "cp_repeat", LA, PERIOD, "Said too soon.", "alice")
    write_commentary(db, "cp_repeat", LA, PERIOD, "   ", "alice")
    assert current_commentary(db, LA, PERIOD) == {}
    assert [c.text for c in commentary_history(db, "cp_repeat", LA, PERIOD)] == ["", "Said too soon."]


def test_markup_is_kept_as_typed_and_control_characters_are_dropped(db):
    typed = "<script>alert('x')</script>\r\nFewer than <5 children & rising\x00\x1b\n\n\n\nNext."
    entry = write_commentary(db, "cp_repeat", LA, PERIOD, typed, "alice")
    # stored as plain text: shown as text everywhere, so it needs no escaping here and loses no meaning
    assert entry.text == "<script>alert('x')</script>\nFewer than <5 children & rising\n\nNext."
    assert clean_text("  a  \n  b  ") == "a\n  b"


def test_unknown_kpis_and_overlong_text_are_refused(db):
    with pytest.raises(KeyError):
        write_commentary(db, "no_such_kpi", LA, PERIOD, "x", "alice")
    with pytest.raises(ValueError, match="limited to 4,000 characters; this has 4,001"):
        write_commentary(db, "cp_repeat", LA, PERIOD, "x" * 4001, "alice")
    assert commentary_history(db, "cp_repeat", LA, PERIOD) == []
