"""Steps the auction and stabilisation tests share: trading days that leave known daily bars, the governed
calendar, bids."""

from __future__ import annotations

import json
from typing import Any

from protocol.calendar import DAY, day_start
from protocol.codes import Code
from abci_harness import Actors, Node, approve, proposal_id

__all__ = ["ok", "trade_day", "schedule", "bid", "cancel", "governed", "noon", "fund"]


def ok(result) -> dict[str, Any]:
    assert result.code == Code.OK, result.log
    return json.loads(result.data) if result.data else {}


def noon(day: int) -> int:
    """12:00 KST of KST day number ``day``."""
    return day_start(day) + DAY // 2


def fund(node: Node, actors: Actors, company, amount: int) -> None:
    ok(node.run(actors.bank, {"type": "fund_cash", "to": company.address, "amount": amount}))


def trade_day(node: Node, actors: Actors, day: int, price: int, tonnes: int, instrument: str = "KAU26") -> None:
    """One trade of ``tonnes`` at ``price`` on KST day ``day`` (around-the-clock market): a daily bar with
    exactly that price and volume. The seller is the last company, the buyer the second last."""
    seller, buyer = actors.companies[-1], actors.companies[-2]
    t = noon(day)
    ok(node.run(seller, {"type": "place_order", "instrument": instrument, "side": "sell", "price": price, "quantity": tonnes}, t))
    ok(node.run(buyer, {"type": "place_order", "instrument": instrument, "side": "buy", "price": price, "quantity": tonnes}, t + 5))


def governed(node: Node, actors: Actors, action: dict[str, Any], time: int | None = None) -> Any:
    """Propose ``action`` and approve it (m = 2); returns the approval's result."""
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": action}, time))
    return node.run(actors.gov[1], approve(pid), time + 5 if time else None)


def schedule(node: Node, actors: Actors, *entries: dict[str, Any], time: int | None = None) -> None:
    ok(governed(node, actors, {"type": "schedule_auctions", "auctions": list(entries)}, time))


def bid(node: Node, company, auction_id: int, price: int, quantity: int, time: int | None = None):
    return node.run(company, {"type": "auction_bid", "auction_id": auction_id, "price": price, "quantity": quantity}, time)


def cancel(node: Node, company, auction_id: int, bid_id: int, time: int | None = None):
    return node.run(company, {"type": "auction_cancel_bid", "auction_id": auction_id, "bid_id": bid_id}, time)
