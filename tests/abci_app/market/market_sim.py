"""A test harness that drives the market engine the way the chain will, with a balance ledger.

``Sim`` keeps one book, a ledger of (account, asset, held) balances and every fill. ``apply`` runs
one action and checks the invariants the chain relies on; ``random_actions`` makes a reproducible
stream of actions from an explicit seed.

    ("order", account, side, ticks from the reference, tonnes)
    ("cancel", pick, by_owner)   cancel the pick-th resting order (by id), by its owner or by another
    ("call",)                    continuous → closing call (orders rest without matching)
    ("uncross",)                 run the call auction, back to continuous
    ("expire",)                  end of day: uncross if in a call, then every order expires
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from abci_app.market import (
    CASH,
    Book,
    Fill,
    MarketError,
    MarketRules,
    Movement,
    NotOwner,
    Order,
    Phase,
    Side,
    asset_totals,
    book_from_json,
    book_to_json,
    cancel_order,
    escrow_of,
    expire_day_orders,
    is_crossed,
    lock_escrow,
    place_order,
    release_escrow,
    settle_fills,
    uncross,
)

INSTRUMENT = "KAU25"
ACCOUNTS = ("acct-a", "acct-b", "acct-c", "acct-d", "acct-e")


@dataclass
class Sim:
    rules: MarketRules = field(default_factory=MarketRules)
    reference: int = 10_000
    cash: int = 3_000_000
    allowances: int = 400
    check: bool = True
    book: Book = field(default_factory=lambda: Book(INSTRUMENT))
    phase: Phase = Phase.CONTINUOUS
    ledger: dict[tuple[str, str, bool], int] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    next_id: int = 1
    height: int = 1

    def __post_init__(self) -> None:
        if not self.ledger:
            for account in ACCOUNTS:
                self.ledger[(account, CASH, False)] = self.cash
                self.ledger[(account, INSTRUMENT, False)] = self.allowances

    # ------------------------------------------------------------ state

    def snapshot(self) -> dict[str, Any]:
        """Everything the chain would store, in canonical form."""
        return {
            "book": book_to_json(self.book).decode(),
            "phase": self.phase.value,
            "ledger": sorted([list(k) + [v] for k, v in self.ledger.items()]),
            "fills": [f.to_dict() for f in self.fills],
            "refused": self.refused,
            "next_id": self.next_id,
            "height": self.height,
        }

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.snapshot(), sort_keys=True).encode()).hexdigest()

    def reloaded(self) -> "Sim":
        """A copy whose book went through its canonical JSON (as after a restart)."""
        copy = Sim(self.rules, self.reference, self.cash, self.allowances, self.check,
                   book_from_json(book_to_json(self.book)), self.phase, dict(self.ledger), list(self.fills),
                   list(self.refused), self.next_id, self.height)
        return copy

    def _move(self, movements: tuple[Movement, ...]) -> None:
        if self.check:
            assert all(total == 0 for _, total in asset_totals(movements)), movements
        for m in movements:
            key = (m.account, m.asset, m.held)
            self.ledger[key] = self.ledger.get(key, 0) + m.delta

    def _settle(self, fills: tuple[Fill, ...]) -> None:
        self._move(settle_fills(fills))
        self.fills += fills

    # ------------------------------------------------------------ actions

    def apply(self, action: tuple) -> None:
        kind = action[0]
        self.height += 1
        if kind == "order":
            self._order(*action[1:])
        elif kind == "cancel":
            self._cancel(*action[1:])
        elif kind == "call":
            self.phase = Phase.CLOSING_CALL
        elif kind == "uncross":
            self._uncross()
        elif kind == "expire":
            self._uncross()
            self.book, expired = expire_day_orders(self.book)
            self._move(release_escrow(expired))
        else:
            raise ValueError(f"unknown action {action!r}")
        if self.check:
            self.check_invariants()

    def _order(self, account: int, side: Side, ticks: int, quantity: int) -> None:
        owner = ACCOUNTS[account % len(ACCOUNTS)]
        price = self.reference + ticks * self.rules.tick_size
        order = Order(self.next_id, self.next_id, owner, INSTRUMENT, side, price, quantity)
        self.next_id += 1
        try:
            self.rules.check_order(order, self.reference)
        except MarketError as exc:
            self.refused.append(exc.reason)
            return
        asset, amount = escrow_of(order)
        if self.ledger.get((owner, asset, False), 0) < amount:
            self.refused.append("insufficient_balance")  # the chain's own check, before the engine
            return
        self._move(lock_escrow(order))
        before = self.book
        result = place_order(self.book, order, self.phase, height=self.height)
        self.book = result.book
        self._settle(result.fills)
        if self.check:
            assert result.order.remaining + sum(f.quantity for f in result.fills) == order.quantity
            for f in result.fills:
                maker_limit = f.sell_limit if side is Side.BUY else f.buy_limit
                assert f.price == maker_limit and f.taker_side is side
            if self.phase is Phase.CONTINUOUS:
                assert not is_crossed(self.book)
            else:
                assert result.fills == () and len(self.book) == len(before) + 1

    def _cancel(self, pick: int, by_owner: bool) -> None:
        resting = sorted(self.book.orders(), key=lambda o: o.order_id)
        if not resting:
            return
        target = resting[pick % len(resting)]
        if by_owner:
            self.book, cancelled = cancel_order(self.book, target.order_id, target.owner)
            assert cancelled == target
            self._move(release_escrow([cancelled]))
        else:
            intruder = next(a for a in ACCOUNTS if a != target.owner)
            before = self.book
            try:
                cancel_order(self.book, target.order_id, intruder)
            except NotOwner:
                self.refused.append("not_owner")
            else:
                raise AssertionError("a cancel by another account succeeded")
            assert self.book is before

    def _uncross(self) -> None:
        if self.phase is not Phase.CONTINUOUS:
            result = uncross(self.book, self.reference, height=self.height)
            self.book = result.book
            self._settle(result.fills)
            if self.check:
                assert not is_crossed(self.book)
                assert all(f.price == result.price and f.taker_side is None for f in result.fills)
            self.phase = Phase.CONTINUOUS

    # ------------------------------------------------------------ invariants

    def check_invariants(self) -> None:
        Book.validated(self.book)
        # no pocket is ever negative
        assert all(v >= 0 for v in self.ledger.values()), {k: v for k, v in self.ledger.items() if v < 0}
        # what is held is exactly what the resting orders escrow
        held: dict[tuple[str, str], int] = {}
        for order in self.book.orders():
            asset, amount = escrow_of(order)
            held[(order.owner, asset)] = held.get((order.owner, asset), 0) + amount
        for (account, asset, is_held), value in self.ledger.items():
            if is_held:
                assert value == held.get((account, asset), 0), (account, asset, value, held)
        # nothing created or destroyed
        totals: dict[str, int] = {}
        for (_, asset, _), value in self.ledger.items():
            totals[asset] = totals.get(asset, 0) + value
        assert totals == {CASH: self.cash * len(ACCOUNTS), INSTRUMENT: self.allowances * len(ACCOUNTS)}
        # every fill within both limits
        assert all(f.sell_limit <= f.price <= f.buy_limit for f in self.fills[-50:])


def random_actions(seed: int, count: int, *, spread_ticks: int = 60, calls: bool = True) -> list[tuple]:
    """A reproducible stream: mostly orders near the reference, some cancels, and call periods."""
    rng = random.Random(seed)
    out: list[tuple] = []
    for _ in range(count):
        roll = rng.random()
        if calls and roll < 0.004:
            out.append(("call",))
        elif calls and roll < 0.008:
            out.append(("uncross",))
        elif roll < 0.08:
            out.append(("cancel", rng.randrange(1 << 30), rng.random() < 0.9))
        else:
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            ticks = round(rng.triangular(-spread_ticks, spread_ticks, 0))
            if rng.random() < 0.01:
                ticks = rng.choice((-1, 1)) * rng.randint(190, 260)  # near or past the ±10 % band
            out.append(("order", rng.randrange(len(ACCOUNTS)), side, ticks, rng.randint(1, 60)))
    return out
