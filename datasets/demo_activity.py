"""The demo market's opening: who the bank funds, the market maker's two-sided quote, the companies' orders.

``opening(seed, reference, buyers, sellers)`` plans, deterministically, what ``ets_tools.demo`` then sends
as real signed transactions on a chain that trades around the clock:

- fundings: KRW the settlement bank credits (``fund_cash``): every buyer and the market maker;
- the maker's quote: ``QUOTE_LEVELS`` bids below and asks above the reference price, the best pair
  ``QUOTE_SPREAD`` apart (≤ the KRX maker rule of KRW 500), each level ≥ ``QUOTE_MIN_TONNES`` t
  (the maker's duty) plus what the takers below take from it;
- the takers: buyers lifting the maker's best ask and sellers hitting its best bid, in an
  interleaved order, so trades fill at both sides' prices and the best levels still hold
  ``QUOTE_MIN_TONNES`` t afterwards;
- resting orders: buyers bidding under the maker's bids and sellers asking over its asks, so the
  book shows depth from several participants.

Every choice is drawn from ``random.Random(seed)`` in a fixed order; quantities are whole lots of
``LOT`` t, prices whole ticks inside the ±``BAND_BPS`` band around the reference. Integers only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Order", "Opening", "opening", "LOT", "QUOTE_SPREAD", "QUOTE_LEVELS", "QUOTE_MIN_TONNES", "BAND_BPS",
           "BUYER_FUNDING_KRW", "MAKER_FUNDING_KRW", "MAKER_ALLOWANCES", "MIN_REFERENCE"]

LOT = 100                            # tonnes: every quantity is a whole number of lots
TICK = 5                             # KRW: the chain's default tick (market_tick_size)
QUOTE_SPREAD = 200                   # KRW between the maker's best bid and best ask (KRX rule: ≤ 500)
QUOTE_STEP = 50                      # KRW between the maker's levels
QUOTE_LEVELS = 3
QUOTE_MIN_TONNES = 3_000             # KRX maker duty: at least 3,000 t on each side
BAND_BPS = 1_000                     # ±10 % around the reference price (market_band_bps)
BUYER_FUNDING_KRW = 1_000_000_000    # KRW 1 bn per demo company: about 100,000 t at KRW 10,000
MAKER_FUNDING_KRW = 5_000_000_000
MAKER_ALLOWANCES = 60_000            # tonnes a seller hands the maker to quote its asks with
MIN_REFERENCE = 5_000                # KRW: the deepest resting order (445 KRW out) stays inside a ±10 % band
_TAKES = 4                           # taker orders per side
_RESTING = 3                         # resting orders per side


@dataclass(frozen=True, slots=True)
class Order:
    """One limit order: who (a name the caller gave), side, KRW per tonne, tonnes."""

    who: str
    side: str
    price: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Opening:
    seed: int
    reference: int
    fundings: tuple[tuple[str, int], ...]   # (name, KRW) the bank funds; the maker is named "maker"
    quote: tuple[Order, ...]                 # the maker's levels, best first, bids then asks
    takers: tuple[Order, ...]                # orders that fill against the quote at once
    resting: tuple[Order, ...]               # orders that stay on the book

    @property
    def traded_tonnes(self) -> int:
        return sum(o.quantity for o in self.takers)


def _lots(rng: random.Random, low: int, high: int) -> int:
    return LOT * rng.randrange(low // LOT, high // LOT + 1)


def _check(seed: int, reference: int, buyers: Sequence[str], sellers: Sequence[str]) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not isinstance(reference, int) or isinstance(reference, bool) or reference % TICK or not MIN_REFERENCE <= reference <= 10**8:
        raise ValueError(f"reference must be a price in KRW, a multiple of {TICK} from {MIN_REFERENCE:,} to 100,000,000 "
                         f"(the quote and the resting orders must fit the ±10 % band); got {reference!r}")
    if not buyers or not sellers or len(buyers) > 10_000 or len(sellers) > 10_000:
        raise ValueError("opening needs 1 to 10,000 buyers and 1 to 10,000 sellers")
    if "maker" in buyers or "maker" in sellers or set(buyers) & set(sellers):
        raise ValueError("buyers and sellers are distinct names, none of them 'maker'")


def opening(seed: int, reference: int, buyers: Sequence[str], sellers: Sequence[str]) -> Opening:
    """The demo's opening orders around ``reference`` (KRW per tonne) between ``buyers`` (funded with KRW)
    and ``sellers`` (holding allowances); see the module docstring."""
    _check(seed, reference, buyers, sellers)
    rng = random.Random(seed)
    best_bid = reference - QUOTE_SPREAD // 2
    best_ask = reference + QUOTE_SPREAD // 2
    takes = {"buy": [], "sell": []}
    for index in range(_TAKES):
        takes["buy"].append(Order(buyers[index % len(buyers)], "buy", best_ask, _lots(rng, 200, 1_500)))
        takes["sell"].append(Order(sellers[index % len(sellers)], "sell", best_bid, _lots(rng, 200, 1_500)))
    quote = []
    for side, best, direction in (("buy", best_bid, -1), ("sell", best_ask, 1)):
        taken = sum(o.quantity for o in takes["buy" if side == "sell" else "sell"])
        for level in range(QUOTE_LEVELS):
            extra = taken if level == 0 else 0
            quote.append(Order("maker", side, best + direction * level * QUOTE_STEP,
                               QUOTE_MIN_TONNES + extra + _lots(rng, 0, 2_000)))
    takers = tuple(order for pair in zip(takes["buy"], takes["sell"]) for order in pair)
    resting = []
    deepest = QUOTE_STEP * QUOTE_LEVELS
    for index in range(_RESTING):
        below = best_bid - deepest - TICK * rng.randrange(0, 40)
        above = best_ask + deepest + TICK * rng.randrange(0, 40)
        resting.append(Order(buyers[(index + _TAKES) % len(buyers)], "buy", below, _lots(rng, 500, 3_000)))
        resting.append(Order(sellers[(index + _TAKES) % len(sellers)], "sell", above, _lots(rng, 500, 3_000)))
    fundings = (("maker", MAKER_FUNDING_KRW),) + tuple((name, BUYER_FUNDING_KRW) for name in buyers)
    return Opening(seed, reference, fundings, tuple(quote), takers, tuple(resting))
