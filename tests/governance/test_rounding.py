"""Largest-remainder rounding: exact totals, hand-computed cases, deterministic ties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import largest_remainder


@pytest.mark.parametrize(
    "weights, target, keys, expected",
    [
        # quotas 3.3333 each: one leftover tonne goes to the smallest key
        ([1, 1, 1], 10, ["c", "a", "b"], [3, 4, 3]),
        # quotas 6.6667 / 3.3333: remainders 2/3 > 1/3, so the first gets the tonne
        ([2, 1], 10, ["b", "a"], [7, 3]),
        # 305 × 760 / 805 = 287.95, 500 × 760 / 805 = 472.05 → floors 287 + 472 = 759, A takes the last tonne
        ([305, 500], 760, ["A", "B"], [288, 472]),
        ([0, 5], 3, ["a", "b"], [0, 3]),
        ([7, 9], 0, ["a", "b"], [0, 0]),
        ([4, 6], 10, ["a", "b"], [4, 6]),  # exact quotas need no extra tonne
        ([1, 1, 1, 1], 2, ["d", "c", "b", "a"], [0, 0, 1, 1]),  # ties: a and b (smallest keys) win
    ],
)
def test_hand_computed_cases(weights, target, keys, expected):
    assert largest_remainder(weights, target, keys) == expected


def test_invalid_arguments():
    with pytest.raises(ValueError, match="one key per weight"):
        largest_remainder([1, 2], 3, ["a"])
    with pytest.raises(ValueError, match="≥ 0"):
        largest_remainder([1, -2], 3, ["a", "b"])
    with pytest.raises(ValueError, match="all zero"):
        largest_remainder([0, 0], 3, ["a", "b"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text("abcxyz", min_size=1, max_size=4), st.integers(0, 10**9)), min_size=1, max_size=30,
                unique_by=lambda t: t[0]),
       st.integers(0, 10**10), st.randoms(use_true_random=False))
def test_exact_total_within_one_tonne_and_order_free(pairs, target, rnd):
    keys = [k for k, _ in pairs]
    weights = [w for _, w in pairs]
    if sum(weights) == 0:
        weights[0] = 1
    shares = largest_remainder(weights, target, keys)
    assert sum(shares) == target
    total = sum(weights)
    for w, s in zip(weights, shares):
        assert w * target // total <= s <= w * target // total + 1  # within one tonne of the exact quota
        if w == 0:
            assert s == 0
    order = list(range(len(keys)))
    rnd.shuffle(order)
    shuffled = largest_remainder([weights[i] for i in order], target, [keys[i] for i in order])
    assert {keys[i]: s for i, s in zip(order, shuffled)} == dict(zip(keys, shares))
