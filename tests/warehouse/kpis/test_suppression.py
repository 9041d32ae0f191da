"""Disclosure control: counts under 5 suppressed, the rest randomly rounded to base 5 by cell key."""

from __future__ import annotations

from warehouse.kpis.suppression import KEY_SPACE, NO_SUPPRESSION, Count, SuppressionPolicy, random_round

POLICY = SuppressionPolicy()


def key_for(draw: float) -> int:
    """A cell key whose draw is `draw` (a share of the key space), just above it."""
    return int(draw * KEY_SPACE) + 1


def test_counts_under_5_are_suppressed_zero_included_and_multiples_of_5_stay_as_they_are():
    assert [POLICY.protect(Count(n, key_for(0.99))) for n in (0, 1, 2, 3, 4, 5, 10, 120)] == [
        None,
        None,
        None,
        None,
        None,
        5,
        10,
        120,
    ]


def test_a_count_rounds_up_with_the_chance_its_remainder_gives():
    # 17 is 2 over 15: up to 20 when the key's draw is below 2/5, else down to 15.
    assert random_round(17, 0) == 20
    assert random_round(17, 2 * KEY_SPACE // 5) == 20  # 2/5 of the key space is 1,717,986,918.4
    assert random_round(17, 2 * KEY_SPACE // 5 + 1) == 15
    assert random_round(17, key_for(0.39)) == 20
    assert random_round(17, key_for(0.4)) == 15
    assert random_round(17, KEY_SPACE - 1) == 15
    # 9 is 4 over 5: up to 10 below 4/5.
    assert random_round(9, key_for(0.79)) == 10
    assert random_round(9, key_for(0.81)) == 5


def test_the_key_counts_modulo_the_key_space_so_sums_of_record_keys_can_grow():
    assert random_round(17, KEY_SPACE * 3 + key_for(0.1)) == random_round(17, key_for(0.1)) == 20


def test_rounding_is_unbiased_over_evenly_spread_keys():
    # 1,000 keys spread evenly: 400 draws fall below 2/5, so the mean is 15 + 5 * 0.4 = 17 exactly.
    rounded = [random_round(17, key_for(i / 1000)) for i in range(1000)]
    assert sum(rounded) == 17_000
    assert set(rounded) == {15, 20}


def test_the_same_records_always_give_the_same_figure():
    count = Count(318, 123_456_789)
    assert len({POLICY.protect(count) for _ in range(20)}) == 1


def test_counts_and_keys_add_up():
    assert Count(3, 10) + Count(4, 20) == Count(7, 30)


def test_nothing_is_protected_for_a_viewer_who_sees_exact_figures():
    assert [NO_SUPPRESSION.protect(Count(n, 1)) for n in (0, 3, 17)] == [0, 3, 17]
