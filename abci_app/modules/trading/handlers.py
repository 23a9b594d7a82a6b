"""Cash funded and withdrawn by the bank; limit orders placed (escrow, then match or rest) and cancelled.

An order is refused in a vintage past its surrender deadline (``VINTAGE_CLOSED``), a sell by any module's
outgoing check, a buy by any incoming check (holding limits, counting the order's quantity). Before it
enters the book, the owner's resting orders it would cross are cancelled (self-trade prevention,
``book_state``); the result lists them as ``self_trade_cancelled``."""

from __future__ import annotations

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.trading import CancelOrder, FundCash, PlaceOrder, WithdrawCash

from ...market import MarketError, Order, Side, lock_escrow, phase_at, release_escrow, settle_fills, trading_day_at
from ...market.price_limits import price_limit_problem
from ...view import BlockContext, View, add_int, get_int, get_json, params, put_json, require_company
from .. import check_incoming, check_outgoing
from . import book_state, keys
from .market_state import apply, market_error, market_rules, market_schedule, record_fills, reference, refuse_closed_vintage

__all__ = ["handle_fund_cash", "handle_withdraw_cash", "handle_place_order", "handle_cancel_order", "cancel_for"]


def handle_fund_cash(view: View, signer: str, msg: FundCash, ctx: BlockContext) -> bytes:
    require_company(view, msg.to, "account", "cash accounts are for companies")
    add_int(view, keys.cash(msg.to), msg.amount)
    add_int(view, keys.CASH_SUPPLY, msg.amount)
    return canonical_json({"to": msg.to, "amount": msg.amount})


def handle_withdraw_cash(view: View, signer: str, msg: WithdrawCash, ctx: BlockContext) -> bytes:
    require_company(view, msg.account, "account", "cash accounts are for companies")
    if add_int(view, keys.cash(msg.account), -msg.amount) < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"{msg.account} has less than {msg.amount:,} KRW available (cash behind open orders stays held)")
    add_int(view, keys.CASH_SUPPLY, -msg.amount)
    return canonical_json({"account": msg.account, "amount": msg.amount})


def _cancel_resting(view: View, order: Order, ctx: BlockContext, reason: str | None = None) -> None:
    """Take a resting order off the book, release its escrow, record it cancelled."""
    book_state.remove(view, order)
    apply(view, release_escrow([order]))
    record = get_json(view, keys.order(order.order_id))
    record["status"] = "cancelled"
    record["cancelled"] = {"height": ctx.height, "time": ctx.time, **({"reason": reason} if reason else {})}
    put_json(view, keys.order(order.order_id), record)


def cancel_for(view: View, orders: list[Order], ctx: BlockContext, reason: str) -> None:
    """Cancel resting orders for a chain rule (self-trade prevention, a closed vintage), releasing their escrow."""
    for order in orders:
        _cancel_resting(view, order, ctx, reason)


def handle_place_order(view: View, signer: str, msg: PlaceOrder, ctx: BlockContext) -> bytes:
    rules, schedule = market_rules(view), market_schedule(view)
    refuse_closed_vintage(view, msg.instrument, ctx)
    if msg.side == "sell":
        check_outgoing(view, signer, msg.instrument, ctx)
    else:
        check_incoming(view, signer, msg.instrument, msg.quantity)  # holding limits count resting buys
    if not get_int(view, keys.MARKET_CLOCK):
        view.set(keys.MARKET_CLOCK, str(ctx.time).encode())
    order_id = add_int(view, keys.ORDER_SEQ, 1)
    try:
        order = Order(order_id, order_id, signer, msg.instrument, Side.BUY if msg.side == "buy" else Side.SELL, msg.price, msg.quantity)
        rules.check_order(order, reference(view, msg.instrument, rules))
        _check_price_limits(view, msg.price)
        apply(view, lock_escrow(order))
        put_json(view, keys.order(order_id), {
            "id": order_id, "owner": signer, "instrument": msg.instrument, "side": msg.side, "price": msg.price,
            "quantity": msg.quantity, "remaining": msg.quantity, "status": "open", "placed": {"height": ctx.height, "time": ctx.time},
        })
        view.set(keys.order_of_owner(signer, order_id), b"1")
        own = book_state.crossing_own(view, order)  # self-trade prevention: the owner's crossing resting orders go
        cancel_for(view, own, ctx, "self_trade")
        fills, _ = book_state.place(view, order, phase_at(ctx.time, schedule), height=ctx.height)
    except MarketError as exc:
        raise market_error(exc) from None
    apply(view, settle_fills(fills))
    record_fills(view, fills, ctx, trading_day_at(ctx.time, schedule))
    record = get_json(view, keys.order(order_id))
    return canonical_json({"order_id": order_id, "status": record["status"], "filled": msg.quantity - record["remaining"],
                           "fills": len(fills), **({"self_trade_cancelled": [o.order_id for o in own]} if own else {})})


def _check_price_limits(view: View, price: int) -> None:
    p = params(view)
    problem = price_limit_problem(price, p.get("market_price_floor", 0), p.get("market_price_ceiling", 0))
    if problem is not None:
        raise TxRejected(Code.ORDER_REJECTED, problem)


def handle_cancel_order(view: View, signer: str, msg: CancelOrder, ctx: BlockContext) -> bytes:
    record = get_json(view, keys.order(msg.order_id))
    if record is None or record["owner"] != signer:  # the same answer either way: no oracle on others' orders
        raise TxRejected(Code.ORDER_NOT_FOUND, f"order {msg.order_id} is not one of your orders")
    if record["status"] not in ("open", "partially_filled"):
        raise TxRejected(Code.ORDER_NOT_FOUND, f"order {msg.order_id} is already {record['status']}")
    side = Side.BUY if record["side"] == "buy" else Side.SELL
    raw = view.get(keys.resting(record["instrument"], book_state.SIDE[side], record["price"], msg.order_id))
    order = Order(msg.order_id, msg.order_id, signer, record["instrument"], side, record["price"], record["quantity"], record["remaining"])
    if raw is None:  # cannot happen while the order record and the book agree
        raise TxRejected(Code.ORDER_NOT_FOUND, f"order {msg.order_id} does not rest in the book")
    _cancel_resting(view, order, ctx)
    return canonical_json({"order_id": msg.order_id, "status": "cancelled", "released": order.remaining})
