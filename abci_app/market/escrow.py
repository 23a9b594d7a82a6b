"""Escrow and delivery-versus-payment: the balance movements an order or a fill causes.

Every account holds each asset (``CASH`` = KRW, or an instrument such as KAU25) in two pockets:
available and held (escrow). A ``Movement`` changes one pocket of one asset of one account.

    placing an order         buy:  price × remaining KRW   available → held
                             sell: remaining t             available → held
    a fill of q t at p       buyer:  held KRW −buy_limit × q;  available KRW +(buy_limit − p) × q
                                     (the price improvement is released);  available t +q
                             seller: held t −q;  available KRW +p × q
    cancel / expiry          what the order still holds: held → available

Each function's movements sum to zero per asset (nothing is created or destroyed), which
``asset_totals`` makes checkable. Held balances never go negative as long as the chain locks
``escrow_of(order)`` when an order enters and applies these movements for what happens to it.
Movements come netted per (account, asset, pocket), sorted, with zero changes dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .fill import Fill
from .order import Order, Side

__all__ = ["CASH", "Movement", "escrow_of", "lock_escrow", "release_escrow", "settle_fills", "net_movements", "asset_totals"]

CASH = "KRW"


@dataclass(frozen=True, slots=True, order=True)
class Movement:
    account: str
    asset: str  # CASH or an instrument
    held: bool  # True: the escrow pocket; False: available
    delta: int  # KRW or tonnes; negative = out of the pocket


def escrow_of(order: Order) -> tuple[str, int]:
    """(asset, amount) an order holds in escrow for its remaining quantity."""
    if order.side is Side.BUY:
        return CASH, order.price * order.remaining
    return order.instrument, order.remaining


def net_movements(movements: Iterable[Movement]) -> tuple[Movement, ...]:
    """Sum movements per (account, asset, pocket); sorted; zero sums dropped."""
    totals: dict[tuple[str, str, bool], int] = {}
    for m in movements:
        key = (m.account, m.asset, m.held)
        totals[key] = totals.get(key, 0) + m.delta
    return tuple(Movement(a, asset, held, delta) for (a, asset, held), delta in sorted(totals.items()) if delta)


def lock_escrow(order: Order) -> tuple[Movement, ...]:
    """An order enters: its escrow moves from available to held."""
    asset, amount = escrow_of(order)
    return net_movements((Movement(order.owner, asset, False, -amount), Movement(order.owner, asset, True, amount)))


def release_escrow(orders: Iterable[Order]) -> tuple[Movement, ...]:
    """Orders leave unfilled (cancel, expiry): what they still hold returns to available."""
    out: list[Movement] = []
    for order in orders:
        asset, amount = escrow_of(order)
        out += (Movement(order.owner, asset, True, -amount), Movement(order.owner, asset, False, amount))
    return net_movements(out)


def settle_fills(fills: Iterable[Fill]) -> tuple[Movement, ...]:
    """Delivery versus payment for fills, with the buyers' price improvement released."""
    out: list[Movement] = []
    for f in fills:
        out += (
            Movement(f.buyer, CASH, True, -f.buy_limit * f.quantity),
            Movement(f.buyer, CASH, False, f.price_improvement),
            Movement(f.seller, CASH, False, f.value),
            Movement(f.seller, f.instrument, True, -f.quantity),
            Movement(f.buyer, f.instrument, False, f.quantity),
        )
    return net_movements(out)


def asset_totals(movements: Iterable[Movement]) -> tuple[tuple[str, int], ...]:
    """Net change per asset over all accounts and pockets (all zero when value is conserved)."""
    totals: dict[str, int] = {}
    for m in movements:
        totals[m.asset] = totals.get(m.asset, 0) + m.delta
    return tuple(sorted(totals.items()))
