"""View keys, and block trades proposed, accepted, declined or cancelled.

A proposal is refused in a vintage past its surrender deadline (``VINTAGE_CLOSED``, at acceptance too), when its
price and salt do not open its commitment (``PRICE_OPENING_MISMATCH``) or its price lies outside the day's band
(``BLOCK_TRADE_OUT_OF_BAND``: the reference price ± ``market_band_bps``, as for orders), and when it would take
the buyer past its holding limit (``HOLDING_LIMIT_EXCEEDED``, at proposal and at settlement)."""

from __future__ import annotations

from datetime import date

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.blocktrades import BlockTradeAccept, BlockTradeCancel, BlockTradePropose, SetViewKey
from protocol.sealed import price_commitment

from ...view import BlockContext, View, account, add_int, day_of, get_json, put_json, require_company
from .. import check_incoming, check_outgoing
from ..accounts import keys as account_keys
from ..transfers import keys as ledger_keys
from ..trading import keys as trading_keys
from ..trading.market_state import market_rules, reference, refuse_closed_vintage
from ..transfers.ledger import move
from . import keys
from .events import VIEW_KEY

__all__ = ["handle_set_view_key", "handle_block_trade_propose", "handle_block_trade_accept", "handle_block_trade_cancel"]

_EPOCH = date(1970, 1, 1).toordinal()


def handle_set_view_key(view: View, signer: str, msg: SetViewKey, ctx: BlockContext) -> bytes:
    record = dict(account(view, signer))
    record["view_key"] = msg.public_key
    put_json(view, account_keys.account(signer), record)
    view.set(keys.view_key(signer), msg.public_key.encode())
    ctx.emit(VIEW_KEY(account=signer, public_key=msg.public_key))
    return canonical_json({"view_key": msg.public_key})


def _refuse_out_of_band(view: View, msg: BlockTradePropose) -> None:
    """The price opens the commitment and lies within the day's band, as a continuous-session order must."""
    if price_commitment(msg.price, msg.salt) != msg.price_commitment:
        raise TxRejected(Code.PRICE_OPENING_MISMATCH, "price and salt do not open price_commitment: seal the price and "
                                                      "send the same price and salt (ets clients do)")
    rules = market_rules(view)
    lower, upper = rules.price_band(reference(view, msg.instrument, rules))
    if not lower <= msg.price <= upper:
        raise TxRejected(Code.BLOCK_TRADE_OUT_OF_BAND, f"a {msg.instrument} block trade must be priced within today's band "
                                                       f"{lower:,}-{upper:,} KRW/t (reference ± market_band_bps)")


def handle_block_trade_propose(view: View, signer: str, msg: BlockTradePropose, ctx: BlockContext) -> bytes:
    if msg.counterparty == signer:
        raise TxRejected(Code.INVALID_MESSAGE, "a block trade needs another company as counterparty")
    require_company(view, msg.counterparty, "counterparty")
    refuse_closed_vintage(view, msg.instrument, ctx)
    _refuse_out_of_band(view, msg)
    readers = set(msg.sealed_price)
    missing = sorted({signer, msg.counterparty} - readers)
    if missing:
        raise TxRejected(Code.INVALID_MESSAGE, f"sealed_price must include both parties; missing {', '.join(missing)}")
    regulators = 0
    for reader in sorted(readers):
        acct = account(view, reader)
        if acct is None or view.get(keys.view_key(reader)) is None:
            raise TxRejected(Code.MISSING_VIEW_KEY, f"{reader} has no view key on chain; it must send set_view_key first")
        if reader not in (signer, msg.counterparty) and acct["role"] != "government":
            raise TxRejected(Code.INVALID_MESSAGE, f"{reader} may not read the price: only the parties and the regulator")
        regulators += acct["role"] == "government"
    if not regulators:
        raise TxRejected(Code.INVALID_MESSAGE, "sealed_price must also be readable by the regulator (a government account's view key)")
    seller, buyer = (signer, msg.counterparty) if msg.side == "sell" else (msg.counterparty, signer)
    if seller == signer:
        check_outgoing(view, signer, msg.instrument, ctx)
        move(view, signer, msg.instrument, -msg.quantity)
        add_int(view, ledger_keys.held(signer, msg.instrument), msg.quantity)
    else:
        check_incoming(view, signer, msg.instrument, msg.quantity)  # the buyer's holding limit, checked again at settlement
    trade_id = add_int(view, keys.TRADE_SEQ, 1)
    put_json(view, keys.block_trade(trade_id), {
        "id": trade_id, "proposer": signer, "counterparty": msg.counterparty, "seller": seller, "buyer": buyer,
        "instrument": msg.instrument, "quantity": msg.quantity, "price_commitment": msg.price_commitment,
        "sealed_price": msg.sealed_price, "status": "proposed", "proposed": {"height": ctx.height, "time": ctx.time},
    })
    for party in (signer, msg.counterparty):
        view.set(keys.trade_of_party(party, trade_id), b"1")
    return canonical_json({"trade_id": trade_id, "status": "proposed"})


def _open_trade(view: View, trade_id: int, signer: str) -> dict:
    """The open block trade ``trade_id`` of which ``signer`` is a party. Anyone else gets the same
    answer whether the trade exists or not, so a stranger learns nothing about other parties' trades."""
    trade = get_json(view, keys.block_trade(trade_id))
    if trade is None or signer not in (trade["proposer"], trade["counterparty"]):
        raise TxRejected(Code.ORDER_NOT_FOUND, f"block trade {trade_id} is not one of your block trades")
    if trade["status"] != "proposed":
        raise TxRejected(Code.ORDER_NOT_FOUND, f"block trade {trade_id} is already {trade['status']}")
    return trade


def _release(view: View, trade: dict) -> None:
    """The seller's held allowances come back (a release, not an arrival: no holding-limit check)."""
    if trade["seller"] == trade["proposer"]:
        add_int(view, ledger_keys.held(trade["seller"], trade["instrument"]), -trade["quantity"])
        add_int(view, ledger_keys.balance(trade["seller"], trade["instrument"]), trade["quantity"])


def handle_block_trade_accept(view: View, signer: str, msg: BlockTradeAccept, ctx: BlockContext) -> bytes:
    trade = _open_trade(view, msg.trade_id, signer)
    if trade["counterparty"] != signer:
        raise TxRejected(Code.UNAUTHORIZED, f"only the counterparty of block trade {msg.trade_id} may accept it")
    instrument, quantity = trade["instrument"], trade["quantity"]
    refuse_closed_vintage(view, instrument, ctx)
    if trade["seller"] == trade["proposer"]:
        add_int(view, ledger_keys.held(trade["seller"], instrument), -quantity)
    else:
        check_outgoing(view, trade["seller"], instrument, ctx)
        move(view, trade["seller"], instrument, -quantity)
    move(view, trade["buyer"], instrument, quantity)
    add_int(view, trading_keys.net_sold(trade["seller"], instrument), quantity)
    add_int(view, trading_keys.net_sold(trade["buyer"], instrument), -quantity)
    trade["status"] = "settled"
    trade["settled"] = {"height": ctx.height, "time": ctx.time}
    put_json(view, keys.block_trade(msg.trade_id), trade)
    day = date.fromordinal(day_of(ctx.time) + _EPOCH).isoformat()
    aggregate = get_json(view, keys.daily_volume(instrument, day)) or {"trades": 0, "volume": 0}
    put_json(view, keys.daily_volume(instrument, day), {"trades": aggregate["trades"] + 1, "volume": aggregate["volume"] + quantity})
    return canonical_json({"trade_id": msg.trade_id, "status": "settled"})


def handle_block_trade_cancel(view: View, signer: str, msg: BlockTradeCancel, ctx: BlockContext) -> bytes:
    trade = _open_trade(view, msg.trade_id, signer)
    _release(view, trade)
    trade["status"] = "cancelled" if signer == trade["proposer"] else "declined"
    trade["closed"] = {"height": ctx.height, "time": ctx.time}
    put_json(view, keys.block_trade(msg.trade_id), trade)
    return canonical_json({"trade_id": msg.trade_id, "status": trade["status"]})
