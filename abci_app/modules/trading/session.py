"""Before each block's txs: orders of closed vintages cancelled; the session transitions since the previous block
(call auctions, close of day)."""

from __future__ import annotations

from ...market import Event, MarketRules, next_reference_price, release_escrow, settle_fills, transitions_between
from ...view import BlockContext, View, get_int, get_json, put_json
from . import keys
from .events import AUCTION, MARKET_SESSION, REFERENCE_PRICE
from . import book_state
from .handlers import cancel_for
from .market_state import apply, bar, market_rules, market_schedule, record_fills, reference, vintage_closed

__all__ = ["market_begin_block"]


def _uncross_all(view: View, ctx: BlockContext, rules: MarketRules, trading_day: str, closing: bool) -> None:
    for instrument in get_json(view, keys.BOOKS) or []:
        if vintage_closed(view, instrument, ctx.time):
            continue  # its resting orders are being cancelled: no auction
        ref = reference(view, instrument, rules)
        if closing:
            today = get_json(view, keys.bar(instrument, trading_day))
            ref = today["close"] if today else ref
        fills, price = book_state.uncross(view, instrument, ref, height=ctx.height)
        apply(view, settle_fills(fills))
        record_fills(view, fills, ctx, trading_day)
        if price is not None:
            ctx.emit(AUCTION(instrument=instrument, trading_day=trading_day, session="close" if closing else "open",
                             price=price, volume=sum(f.quantity for f in fills)))


def _close_day(view: View, ctx: BlockContext, rules: MarketRules, trading_day: str) -> None:
    for instrument in get_json(view, keys.BOOKS) or []:
        expired = book_state.resting_orders(view, instrument)
        for order in expired:
            book_state.remove(view, order)
        apply(view, release_escrow(expired))
        for order in expired:
            record = get_json(view, keys.order(order.order_id))
            record["status"] = "expired"
            put_json(view, keys.order(order.order_id), record)
        day_bar = bar(view, instrument, trading_day)
        next_price = next_reference_price(reference(view, instrument, rules), day_bar)
        view.set(keys.reference_price(instrument), str(next_price).encode())
        ctx.emit(REFERENCE_PRICE(instrument=instrument, trading_day=trading_day, price=next_price))


SWEEP_PER_BLOCK = 1_000  # resting orders of a closed vintage cancelled per block (bounded work)


def _sweep_closed_vintages(view: View, ctx: BlockContext) -> None:
    """A vintage past its surrender deadline: cancel its resting orders and release their escrow, at most
    ``SWEEP_PER_BLOCK`` a block (bids first, then asks, each side in priority order)."""
    for instrument in get_json(view, keys.BOOKS) or []:
        if vintage_closed(view, instrument, ctx.time):
            cancel_for(view, book_state.resting_orders(view, instrument, SWEEP_PER_BLOCK), ctx, "vintage_closed")


def market_begin_block(view: View, ctx: BlockContext) -> None:
    """Cancel the resting orders of closed vintages; run the session transitions since the previous block."""
    last = get_int(view, keys.MARKET_CLOCK)  # set by the first order; no market, no work (and no state change)
    if not last:
        return
    _sweep_closed_vintages(view, ctx)
    if ctx.time <= last:
        return
    rules, schedule = market_rules(view), market_schedule(view)
    for transition in transitions_between(last, ctx.time, schedule):
        ctx.emit(MARKET_SESSION(event=transition.event.value, trading_day=transition.trading_day))
        if transition.event is Event.OPEN:
            _uncross_all(view, ctx, rules, transition.trading_day, closing=False)
        elif transition.event is Event.CLOSE:
            _uncross_all(view, ctx, rules, transition.trading_day, closing=True)
            _close_day(view, ctx, rules, transition.trading_day)
    view.set(keys.MARKET_CLOCK, str(ctx.time).encode())
