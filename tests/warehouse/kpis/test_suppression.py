"""Small-number suppression: primary (1 to 4) and secondary (one more part of a total)."""

from __future__ import annotations


from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy, hidden_parts

POLICY = SuppressionPolicy()


def test_counts_of_1_to_4_are_hidden_and_0_and_5_are_shown():
    assert [POLICY.hides(n) for n in (0, 1, 2, 3, 4, 5, 120)] == [False, True, True, True, True, False, False]
    assert not NO_SUPPRESSION.hides(3)
    assert SuppressionPolicy(threshold=10).hides(9)


def test_one_small_part_of_a_total_hides_the_next_smallest_part_too():
    # Police 40, Schools 3, Health 12, Other 0; total 55: hiding 3 alone would leave 55-40-12-0 = 3.
    assert hidden_parts([40, 3, 12, 0], 55, POLICY) == [False, True, True, False]


def test_two_small_parts_need_no_secondary_suppression():
    assert hidden_parts([40, 3, 2, 10], 55, POLICY) == [False, True, True, False]


def test_a_small_total_hides_all_its_non_zero_parts():
    assert hidden_parts([3, 1, 0], 4, POLICY) == [True, True, False]


def test_nothing_is_hidden_without_suppression():
    assert hidden_parts([40, 3, 12], 55, NO_SUPPRESSION) == [False, False, False]
