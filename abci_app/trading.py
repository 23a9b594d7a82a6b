"""The emissions market on chain: KRW cash accounts, escrowed limit orders, call auctions.

The settlement bank funds and withdraws companies' KRW cash. A company's order first moves
its escrow (cash for a buy: price × quantity; allowances for a sell) from the available to the
held pocket, then enters the book through the market engine (``abci_app.market``): matched at
once in the continuous session, or resting during a call period. Every fill settles delivery
versus payment in the same transaction; a buyer's unused escrow is released. At the session's
transitions (block time, KST) the chain itself uncrosses the opening and closing call
auctions, expires day orders (releasing their escrow) and fixes the next reference price.
Nothing here ever lets a pocket go below zero.

    cash/<addr>                    KRW available;  cashheld/<addr>  KRW held behind buy orders
    held/<addr>/<instrument>       tonnes held behind sell orders (available tonnes: bal/...)
    book/<instrument>              the order book (market engine canonical JSON);  books  instruments
    order/<id:012d>                {"id","owner","instrument","side","price","quantity","remaining","status","placed"}
    ordersby/<owner>/<id:012d>     a company's orders;  fillsby/<addr>/<seq:012d>  its fills
    fill/<seq:012d>                {"seq","instrument","price","quantity","buyer","seller","buy_order","sell_order","height","time"}
    bar/<instrument>/<YYYY-MM-DD>  daily open/high/low/close, volume, value, VWAP, trades
    ref/<instrument>               the reference price for the band (previous close)
    market/clock                   block time of the last block the market saw (from the first order on)
    seq/order, seq/fill
"""

from __future__ import annotations

from typing import Iterable

from protocol.codec import canonical_json

from protocol.codes import Code, TxRejected
from .market import (
    Book,
    DailyBar,
    Event,
    Fill,
    MarketClosed,
    MarketError,
    MarketRules,
    Movement,
    NotOwner,
    Order,
    Schedule,
    Side,
    UnknownOrder,
    book_from_json,
    book_to_json,
    cancel_order,
    expire_day_orders,
    lock_escrow,
    next_reference_price,
    phase_at,
    place_order,
    release_escrow,
    settle_fills,
    trading_day_at,
    transitions_between,
    uncross,
    update_bar,
)
from .market.escrow import CASH
from protocol.messages import CancelOrder, FundCash, PlaceOrder, WithdrawCash
from .view import BlockContext, View, add_int, get_int, get_json, params, put_json, require_company

__all__ = [
    "handle_fund_cash", "handle_withdraw_cash", "handle_place_order", "handle_cancel_order",
    "market_begin_block", "market_rules", "market_schedule",
]


def market_rules(view: View) -> MarketRules:
    p = params(view)
    return MarketRules(p["market_tick_size"], p["market_max_order_quantity"], p["market_band_bps"], p["market_initial_reference_price"])


def market_schedule(view: View) -> Schedule:
    return Schedule.around_the_clock() if params(view)["market_around_the_clock"] else Schedule()


def _pocket(movement: Movement) -> str:
    if movement.asset == CASH:
        return f"{'cashheld' if movement.held else 'cash'}/{movement.account}"
    return f"{'held' if movement.held else 'bal'}/{movement.account}/{movement.asset}"


def _apply(view: View, movements: Iterable[Movement]) -> None:
    for m in movements:
        if add_int(view, _pocket(m), m.delta) < 0:
            what = "KRW cash" if m.asset == CASH else f"{m.asset} allowances"
            raise TxRejected(Code.INSUFFICIENT_BALANCE, f"not enough available {what} in {m.account} for this order")


def handle_fund_cash(view: View, signer: str, msg: FundCash, ctx: BlockContext) -> bytes:
    require_company(view, msg.to, "account", "cash accounts are for companies")
    add_int(view, f"cash/{msg.to}", msg.amount)
    add_int(view, "cashsupply", msg.amount)
    return canonical_json({"to": msg.to, "amount": msg.amount})


def handle_withdraw_cash(view: View, signer: str, msg: WithdrawCash, ctx: BlockContext) -> bytes:
    require_company(view, msg.account, "account", "cash accounts are for companies")
    if add_int(view, f"cash/{msg.account}", -msg.amount) < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"{msg.account} has less than {msg.amount:,} KRW available (cash behind open orders stays held)")
    add_int(view, "cashsupply", -msg.amount)
    return canonical_json({"account": msg.account, "amount": msg.amount})


_BOOKS: dict[bytes, Book] = {}  # parsed books by their exact bytes (books are immutable values)


def _book(view: View, instrument: str) -> Book:
    raw = view.get(f"book/{instrument}")
    if raw is None:
        return Book(instrument, (), (), 0)
    book = _BOOKS.get(raw)
    if book is None:
        if len(_BOOKS) > 64:
            _BOOKS.clear()
        book = _BOOKS[raw] = book_from_json(raw)
    return book


def _save_book(view: View, book: Book) -> None:
    if view.get(f"book/{book.instrument}") is None:
        put_json(view, "books", sorted(set(get_json(view, "books") or []) | {book.instrument}))
    raw = book_to_json(book)
    _BOOKS[raw] = book
    view.set(f"book/{book.instrument}", raw)


def _reference(view: View, instrument: str, rules: MarketRules) -> int:
    raw = view.get(f"ref/{instrument}")
    return rules.reference_price(int(raw) if raw is not None else None)


def _bar(view: View, instrument: str, trading_day: str) -> DailyBar | None:
    raw = get_json(view, f"bar/{instrument}/{trading_day}")
    return DailyBar(**{k: v for k, v in raw.items() if k != "vwap"}) if raw else None  # vwap is derived


def _record_fills(view: View, fills: tuple[Fill, ...], ctx: BlockContext, trading_day: str | None) -> None:
    by_instrument: dict[str, list[Fill]] = {}
    for fill in fills:
        seq = add_int(view, "seq/fill", 1)
        put_json(view, f"fill/{seq:012d}", {
            "seq": seq, "instrument": fill.instrument, "price": fill.price, "quantity": fill.quantity,
            "buyer": fill.buyer, "seller": fill.seller, "buy_order": fill.buy_order_id, "sell_order": fill.sell_order_id,
            "auction": fill.taker_side is None, "height": ctx.height, "time": ctx.time,
        })
        for party in sorted({fill.buyer, fill.seller}):
            view.set(f"fillsby/{party}/{seq:012d}", b"1")
        for order_id in (fill.buy_order_id, fill.sell_order_id):
            record = get_json(view, f"order/{order_id:012d}")
            record["remaining"] -= fill.quantity
            record["status"] = "filled" if record["remaining"] == 0 else "partially_filled"
            put_json(view, f"order/{order_id:012d}", record)
        by_instrument.setdefault(fill.instrument, []).append(fill)
    day = trading_day or "0000-00-00"
    for instrument in sorted(by_instrument):
        bar = update_bar(_bar(view, instrument, day), by_instrument[instrument], trading_day=day, instrument=instrument)
        put_json(view, f"bar/{instrument}/{day}", bar.to_dict())


def _market_error(exc: MarketError) -> TxRejected:
    if isinstance(exc, MarketClosed):
        return TxRejected(Code.MARKET_CLOSED, exc.message)
    if isinstance(exc, UnknownOrder):
        return TxRejected(Code.ORDER_NOT_FOUND, exc.message)
    if isinstance(exc, NotOwner):
        return TxRejected(Code.UNAUTHORIZED, exc.message)
    return TxRejected(Code.ORDER_REJECTED, exc.message)


def handle_place_order(view: View, signer: str, msg: PlaceOrder, ctx: BlockContext) -> bytes:
    rules, schedule = market_rules(view), market_schedule(view)
    if not get_int(view, "market/clock"):
        view.set("market/clock", str(ctx.time).encode())
    order_id = add_int(view, "seq/order", 1)
    try:
        order = Order(order_id, order_id, signer, msg.instrument, Side.BUY if msg.side == "buy" else Side.SELL, msg.price, msg.quantity)
        rules.check_order(order, _reference(view, msg.instrument, rules))
        _apply(view, lock_escrow(order))
        put_json(view, f"order/{order_id:012d}", {
            "id": order_id, "owner": signer, "instrument": msg.instrument, "side": msg.side, "price": msg.price,
            "quantity": msg.quantity, "remaining": msg.quantity, "status": "open", "placed": {"height": ctx.height, "time": ctx.time},
        })
        view.set(f"ordersby/{signer}/{order_id:012d}", b"1")
        result = place_order(_book(view, msg.instrument), order, phase_at(ctx.time, schedule), height=ctx.height)
    except MarketError as exc:
        raise _market_error(exc) from None
    _save_book(view, result.book)
    _apply(view, settle_fills(result.fills))
    _record_fills(view, result.fills, ctx, trading_day_at(ctx.time, schedule))
    record = get_json(view, f"order/{order_id:012d}")
    return canonical_json({"order_id": order_id, "status": record["status"], "filled": msg.quantity - record["remaining"],
                           "fills": len(result.fills)})


def handle_cancel_order(view: View, signer: str, msg: CancelOrder, ctx: BlockContext) -> bytes:
    record = get_json(view, f"order/{msg.order_id:012d}")
    if record is None or record["owner"] != signer:  # the same answer either way: no oracle on others' orders
        raise TxRejected(Code.ORDER_NOT_FOUND, f"order {msg.order_id} is not one of your orders")
    if record["status"] not in ("open", "partially_filled"):
        raise TxRejected(Code.ORDER_NOT_FOUND, f"order {msg.order_id} is already {record['status']}")
    try:
        book, order = cancel_order(_book(view, record["instrument"]), msg.order_id, signer)
    except MarketError as exc:
        raise _market_error(exc) from None
    _save_book(view, book)
    _apply(view, release_escrow([order]))
    record["status"] = "cancelled"
    record["cancelled"] = {"height": ctx.height, "time": ctx.time}
    put_json(view, f"order/{msg.order_id:012d}", record)
    return canonical_json({"order_id": msg.order_id, "status": "cancelled", "released": order.remaining})


def _uncross_all(view: View, ctx: BlockContext, rules: MarketRules, trading_day: str, closing: bool) -> None:
    for instrument in get_json(view, "books") or []:
        reference = _reference(view, instrument, rules)
        if closing:
            bar = get_json(view, f"bar/{instrument}/{trading_day}")
            reference = bar["close"] if bar else reference
        result = uncross(_book(view, instrument), reference, height=ctx.height)
        _save_book(view, result.book)
        _apply(view, settle_fills(result.fills))
        _record_fills(view, result.fills, ctx, trading_day)


def _close_day(view: View, ctx: BlockContext, rules: MarketRules, trading_day: str) -> None:
    for instrument in get_json(view, "books") or []:
        book, expired = expire_day_orders(_book(view, instrument))
        _save_book(view, book)
        _apply(view, release_escrow(expired))
        for order in expired:
            record = get_json(view, f"order/{order.order_id:012d}")
            record["status"] = "expired"
            put_json(view, f"order/{order.order_id:012d}", record)
        bar = _bar(view, instrument, trading_day)
        view.set(f"ref/{instrument}", str(next_reference_price(_reference(view, instrument, rules), bar)).encode())


def market_begin_block(view: View, ctx: BlockContext) -> None:
    """Before a block's txs: run the session transitions since the previous block (auctions, close)."""
    last = get_int(view, "market/clock")  # set by the first order; no market, no work (and no state change)
    if not last or ctx.time <= last:
        return
    rules, schedule = market_rules(view), market_schedule(view)
    for transition in transitions_between(last, ctx.time, schedule):
        if transition.event is Event.OPEN:
            _uncross_all(view, ctx, rules, transition.trading_day, closing=False)
        elif transition.event is Event.CLOSE:
            _uncross_all(view, ctx, rules, transition.trading_day, closing=True)
            _close_day(view, ctx, rules, transition.trading_day)
    view.set("market/clock", str(ctx.time).encode())
