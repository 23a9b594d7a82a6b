"""The market engine's values in state: rules and schedule from the parameters, escrow pockets, fills, bars
(the book itself is ``book_state``)."""

from __future__ import annotations

from typing import Iterable

from protocol.codes import Code, TxRejected
from protocol.compliance import vintage_year

from ...market import (
    DailyBar, Fill, MarketClosed, MarketError, MarketRules, Movement, NotOwner, Schedule, UnknownOrder, update_bar,
)
from ...market.escrow import CASH
from ...view import BlockContext, View, add_int, get_json, params, put_json
from ..compliance import keys as compliance_keys
from ..transfers import keys as ledger_keys
from . import keys

__all__ = ["market_rules", "market_schedule", "apply", "reference", "bar", "record_fills", "vintage_closed",
           "refuse_closed_vintage",
           "market_error"]


def market_rules(view: View) -> MarketRules:
    p = params(view)
    return MarketRules(p["market_tick_size"], p["market_max_order_quantity"], p["market_band_bps"], p["market_initial_reference_price"])


def market_schedule(view: View) -> Schedule:
    return Schedule.around_the_clock() if params(view)["market_around_the_clock"] else Schedule()


def _pocket(movement: Movement) -> str:
    if movement.asset == CASH:
        return (keys.cash_held if movement.held else keys.cash)(movement.account)
    return (ledger_keys.held if movement.held else ledger_keys.balance)(movement.account, movement.asset)


def apply(view: View, movements: Iterable[Movement]) -> None:
    """Apply escrow and settlement movements; no pocket may go below zero."""
    for m in movements:
        if add_int(view, _pocket(m), m.delta) < 0:
            what = "KRW cash" if m.asset == CASH else f"{m.asset} allowances"
            raise TxRejected(Code.INSUFFICIENT_BALANCE, f"not enough available {what} in {m.account} for this order")


def reference(view: View, instrument: str, rules: MarketRules) -> int:
    raw = view.get(keys.reference_price(instrument))
    return rules.reference_price(int(raw) if raw is not None else None)


def bar(view: View, instrument: str, trading_day: str) -> DailyBar | None:
    raw = get_json(view, keys.bar(instrument, trading_day))
    return DailyBar(**{k: v for k, v in raw.items() if k != "vwap"}) if raw else None  # vwap is derived


def record_fills(view: View, fills: tuple[Fill, ...], ctx: BlockContext, trading_day: str | None) -> None:
    by_instrument: dict[str, list[Fill]] = {}
    for fill in fills:
        seq = add_int(view, keys.FILL_SEQ, 1)
        put_json(view, keys.fill(seq), {
            "seq": seq, "instrument": fill.instrument, "price": fill.price, "quantity": fill.quantity,
            "buyer": fill.buyer, "seller": fill.seller, "buy_order": fill.buy_order_id, "sell_order": fill.sell_order_id,
            "auction": fill.taker_side is None, "height": ctx.height, "time": ctx.time,
        })
        for party in sorted({fill.buyer, fill.seller}):
            view.set(keys.fill_of_party(party, seq), b"1")
        if fill.buyer != fill.seller:
            add_int(view, keys.net_sold(fill.seller, fill.instrument), fill.quantity)
            add_int(view, keys.net_sold(fill.buyer, fill.instrument), -fill.quantity)
        for order_id in (fill.buy_order_id, fill.sell_order_id):
            record = get_json(view, keys.order(order_id))
            record["remaining"] -= fill.quantity
            record["status"] = "filled" if record["remaining"] == 0 else "partially_filled"
            put_json(view, keys.order(order_id), record)
        by_instrument.setdefault(fill.instrument, []).append(fill)
    day = trading_day or "0000-00-00"
    for instrument in sorted(by_instrument):
        new = update_bar(bar(view, instrument, day), by_instrument[instrument], trading_day=day, instrument=instrument)
        put_json(view, keys.bar(instrument, day), new.to_dict())


def market_error(exc: MarketError) -> TxRejected:
    if isinstance(exc, MarketClosed):
        return TxRejected(Code.MARKET_CLOSED, exc.message)
    if isinstance(exc, UnknownOrder):
        return TxRejected(Code.ORDER_NOT_FOUND, exc.message)
    if isinstance(exc, NotOwner):
        return TxRejected(Code.UNAUTHORIZED, exc.message)
    return TxRejected(Code.ORDER_REJECTED, exc.message)


def vintage_closed(view: View, instrument: str, time: int) -> bool:
    """Whether a KAU vintage has stopped trading: its year's surrender deadline, as the compliance module keeps it
    (a year record on chain: set by notice or made by the year's first compliance act), has come. A vintage whose
    year has no record yet trades on."""
    if not instrument.startswith("KAU"):
        return False
    calendar = get_json(view, compliance_keys.year(vintage_year(instrument)))
    return calendar is not None and (calendar["status"] != "open" or time >= calendar["surrender_due"])


def refuse_closed_vintage(view: View, instrument: str, ctx: BlockContext) -> None:
    if vintage_closed(view, instrument, ctx.time):
        raise TxRejected(Code.VINTAGE_CLOSED, f"{instrument} stopped trading at the {vintage_year(instrument)} surrender "
                                              "deadline: no new orders or block trades; it can still be surrendered")
