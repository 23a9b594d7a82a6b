"""Government auctions (유상할당): the reserve price and the clearing rule, pure integer functions.

Reserve price (DOMAIN.md), from the chain's own daily bars of the auctioned instrument before the
auction day D (KST):

    a3m = VWAP of the bars of the 90 calendar days before D      (3-month average)
    a1m = VWAP of the bars of the 30 calendar days before D      (last-month average)
    a3d = VWAP of the last 3 bars (trading days) before D        (3-day average)
    VWAP of bars = Σ value / Σ volume, rounded to the nearest KRW, halves up
    reserve = (a3m + a1m + a3d) / 3, rounded UP to the tick (never below the formula)

A window without bars takes the instrument's reference price instead (the previous close, or the
genesis placeholder before any trade), so the rule is defined from the first day.

Clearing (``clear``) of sealed bids for ``volume`` tonnes with a per-bidder ``cap`` in tonnes:

 1. Bids are ranked by price, highest first, then by sequence (arrival order on chain).
 2. Each bid's *eligible* tonnes are its quantity, less what the bidder's higher-ranked bids are
    already eligible for beyond the cap: no bidder is ever allocated more than ``cap``.
 3. Fill from the highest price down. At the marginal price, where the remaining volume is less
    than the eligible tonnes bid at that price, the remaining volume is split **pro rata** in whole
    tonnes: floor(remaining × eligible_i / eligible_at_price); the tonnes left over from rounding
    (fewer than the bids at that price) go one each to the bids at that price in sequence order.
 4. The uniform price is the lowest winning bid's price; every winner pays it for every tonne.
 5. Volume not sold (demand short of the volume) rolls to the next auction of the instrument.

Every bid below the margin, or capped to zero, is allocated 0 (rejected) and refunded in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = ["Bid", "Allocation", "Clearing", "clear", "vwap_of", "reserve_price", "cap_tonnes"]


@dataclass(frozen=True, slots=True)
class Bid:
    sequence: int  # arrival order on chain (unique within an auction)
    bidder: str
    price: int  # KRW per tonne
    quantity: int  # tonnes


@dataclass(frozen=True, slots=True)
class Allocation:
    sequence: int
    bidder: str
    price: int
    quantity: int
    eligible: int  # tonnes left after the per-bidder cap
    allocated: int  # tonnes won (0 = rejected)


@dataclass(frozen=True, slots=True)
class Clearing:
    price: int | None  # the uniform price; None when nothing sold
    sold: int
    unsold: int
    allocations: tuple[Allocation, ...]  # in sequence order

    @property
    def winners(self) -> int:
        return len({a.bidder for a in self.allocations if a.allocated})


def cap_tonnes(volume: int, cap_bps: int) -> int:
    """The per-bidder cap in whole tonnes: floor(volume × cap_bps / 10,000)."""
    return volume * cap_bps // 10_000


def clear(bids: Iterable[Bid], volume: int, cap: int) -> Clearing:
    """The uniform-price clearing of ``bids`` for ``volume`` tonnes, at most ``cap`` tonnes per bidder."""
    ranked = sorted(bids, key=lambda b: (-b.price, b.sequence))
    counted: dict[str, int] = {}
    eligible: dict[int, int] = {}
    for bid in ranked:
        room = max(0, cap - counted.get(bid.bidder, 0))
        eligible[bid.sequence] = min(bid.quantity, room)
        counted[bid.bidder] = counted.get(bid.bidder, 0) + eligible[bid.sequence]
    allocated: dict[int, int] = {}
    remaining = volume
    for price, level in _levels(ranked):
        wanted = sum(eligible[b.sequence] for b in level)
        if remaining == 0 or wanted == 0:
            continue
        if wanted <= remaining:
            for bid in level:
                allocated[bid.sequence] = eligible[bid.sequence]
            remaining -= wanted
            continue
        _pro_rata(level, eligible, remaining, allocated)
        remaining = 0
    out = tuple(Allocation(b.sequence, b.bidder, b.price, b.quantity, eligible[b.sequence], allocated.get(b.sequence, 0))
                for b in sorted(ranked, key=lambda b: b.sequence))
    prices = [a.price for a in out if a.allocated]
    return Clearing(min(prices) if prices else None, volume - remaining, remaining, out)


def _levels(ranked: Sequence[Bid]) -> list[tuple[int, list[Bid]]]:
    levels: list[tuple[int, list[Bid]]] = []
    for bid in ranked:
        if levels and levels[-1][0] == bid.price:
            levels[-1][1].append(bid)
        else:
            levels.append((bid.price, [bid]))
    return levels


def _pro_rata(level: list[Bid], eligible: dict[int, int], remaining: int, allocated: dict[int, int]) -> None:
    """Split ``remaining`` (< the level's eligible tonnes) pro rata; rounding leftovers one each by sequence."""
    wanted = sum(eligible[b.sequence] for b in level)
    for bid in level:
        allocated[bid.sequence] = remaining * eligible[bid.sequence] // wanted
    leftover = remaining - sum(allocated[b.sequence] for b in level)
    for bid in sorted(level, key=lambda b: b.sequence):  # level is already in sequence order; stated for the reader
        if leftover == 0:
            break
        if allocated[bid.sequence] < eligible[bid.sequence]:
            allocated[bid.sequence] += 1
            leftover -= 1


def vwap_of(bars: Iterable[tuple[int, int]]) -> int | None:
    """VWAP of (value KRW, volume t) pairs, nearest KRW with halves up; None without volume."""
    value = volume = 0
    for v, q in bars:
        value += v
        volume += q
    return None if volume == 0 else (2 * value + volume) // (2 * volume)


def reserve_price(three_months: int, last_month: int, three_days: int, tick: int) -> int:
    """(a3m + a1m + a3d) / 3 rounded up to the tick."""
    total = three_months + last_month + three_days
    return -(-total // (3 * tick)) * tick
