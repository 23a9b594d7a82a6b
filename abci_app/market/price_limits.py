"""A stabilisation measure's price floor and ceiling (``market_price_floor`` / ``market_price_ceiling``,
0 = none): the market refuses a limit order priced below the floor or above the ceiling, on either side."""

from __future__ import annotations

__all__ = ["price_limit_problem"]


def price_limit_problem(price: int, floor: int, ceiling: int) -> str | None:
    """Why ``price`` breaks the floor or ceiling in force, or None."""
    if floor and price < floor:
        return f"a price floor of {floor:,} KRW is in force (a market stabilisation measure): {price:,} is below it"
    if ceiling and price > ceiling:
        return f"a price ceiling of {ceiling:,} KRW is in force (a market stabilisation measure): {price:,} is above it"
    return None
