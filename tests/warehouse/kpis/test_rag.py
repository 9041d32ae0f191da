"""RAG follows the direction of good, with a tolerance band; neutral KPIs have none."""

from __future__ import annotations

import pytest

from warehouse.kpis.model import Direction
from warehouse.kpis.rag import Rag, rag

H, L, N = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.NEUTRAL


@pytest.mark.parametrize(
    "value, target, direction, expected",
    [
        (85.0, 85.0, H, Rag.GREEN),  # on target
        (90.0, 85.0, H, Rag.GREEN),
        (80.75, 85.0, H, Rag.AMBER),  # 4.25 short: exactly 5% of 85
        (80.7, 85.0, H, Rag.RED),
        (20.0, 22.0, L, Rag.GREEN),  # below a lower-is-better target is green
        (23.1, 22.0, L, Rag.AMBER),  # 1.1 over: exactly 5% of 22
        (23.2, 22.0, L, Rag.RED),
        (10.0, 22.0, N, None),
        (None, 22.0, L, None),
    ],
)
def test_rag(value, target, direction, expected):
    assert rag(value, target, direction, 5.0) == expected


def test_a_wider_band_turns_red_to_amber():
    assert rag(23.2, 22.0, L, 10.0) == Rag.AMBER


def test_rag_has_words_as_well_as_a_colour():
    assert [r.words for r in Rag] == ["On target", "Near target", "Off target"]


def test_changes_are_written_with_their_unit_and_never_as_minus_zero():
    from warehouse.kpis.engine import Change
    from warehouse.kpis.formatting import format_change
    from warehouse.kpis.registry import get_kpi

    assert format_change(get_kpi("cp_repeat"), Change(0.0, 0.0)) == "0.0 points (0.0%)"
    assert format_change(get_kpi("cp_repeat"), Change(-0.3, -1.1)) == "-0.3 points (-1.1%)"
    assert format_change(get_kpi("referrals"), Change(-50, -0.8)) == "-50 (-0.8%)"
    assert format_change(get_kpi("referrals"), Change(12, None)) == "+12 (n/a)"
