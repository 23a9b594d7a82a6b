"""Largest-remainder rounding: split a whole number of tonnes in proportion to integer weights.

Each share is ``target × weight / total`` rounded down; the tonnes still missing are handed out
one each to the shares with the largest remainders, ties broken by key in ascending order. The
shares therefore add up to exactly ``target``, each differs from its exact quota by less than one
tonne, a weight of zero always gets zero, and the result depends only on the (key, weight) pairs,
never on the order they are given in. Integers only.
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["largest_remainder"]


def largest_remainder(weights: Sequence[int], target: int, keys: Sequence[str]) -> list[int]:
    """Shares of ``target`` proportional to ``weights`` (same order), summing to exactly ``target``.

    ``keys`` (distinct, e.g. company ids) break ties between equal remainders: the smaller key
    gets the extra tonne first. ``weights`` must be ≥ 0 and, unless ``target`` is 0, not all 0.
    """
    if len(weights) != len(keys):
        raise ValueError("largest_remainder needs one key per weight")
    if target < 0 or any(w < 0 for w in weights):
        raise ValueError("largest_remainder needs a target and weights ≥ 0")
    total = sum(weights)
    if target == 0:
        return [0] * len(weights)
    if total == 0:
        raise ValueError(f"cannot split {target} in proportion to weights that are all zero")
    shares: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        share, remainder = divmod(weight * target, total)
        shares.append(share)
        remainders.append(remainder)
    leftover = target - sum(shares)
    if leftover:
        candidates = [i for i, r in enumerate(remainders) if r]
        candidates.sort(key=lambda i: (-remainders[i], keys[i]))
        for i in candidates[:leftover]:
            shares[i] += 1
    return shares
