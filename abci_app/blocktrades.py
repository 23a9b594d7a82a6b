"""Confidential block (OTC, 협의) trades: quantity on chain, price sealed to the parties and the regulator.

One company proposes (its side, the counterparty, instrument, quantity), with the price sealed
for itself, the counterparty and at least one government account (the regulator's view), and a
hash commitment of the price. The counterparty accepts (the allowances move at once) or
declines; the proposer may cancel while it is open. A selling proposer's allowances are held
from the proposal on, so an accepted trade always settles. Cash for block trades is settled by
the parties' banks outside the chain; the chain never sees the price. The public only ever sees
block trades as daily aggregates (count and tonnes per instrument).

    viewkey/<addr>                  the account's X25519 view key (hex); also shown in its record
    blocktrade/<id:012d>            {"id","proposer","counterparty","seller","buyer","instrument","quantity",
                                     "price_commitment","sealed_price","status","proposed",...}
    btby/<addr>/<id:012d>           a party's block trades;  seq/blocktrade
    blockagg/<instrument>/<day>     {"trades","volume"} of settled block trades (public)
"""

from __future__ import annotations

from datetime import date

from protocol.codec import canonical_json

from protocol.codes import Code, TxRejected
from protocol.messages import BlockTradeAccept, BlockTradeCancel, BlockTradePropose, SetViewKey
from .view import BlockContext, View, account, add_int, day_of, get_json, move, put_json, require_company

__all__ = ["handle_set_view_key", "handle_block_trade_propose", "handle_block_trade_accept", "handle_block_trade_cancel"]

_EPOCH = date(1970, 1, 1).toordinal()


def handle_set_view_key(view: View, signer: str, msg: SetViewKey, ctx: BlockContext) -> bytes:
    record = dict(account(view, signer))
    record["view_key"] = msg.public_key
    put_json(view, f"acct/{signer}", record)
    view.set(f"viewkey/{signer}", msg.public_key.encode())
    return canonical_json({"view_key": msg.public_key})


def handle_block_trade_propose(view: View, signer: str, msg: BlockTradePropose, ctx: BlockContext) -> bytes:
    if msg.counterparty == signer:
        raise TxRejected(Code.INVALID_MESSAGE, "a block trade needs another company as counterparty")
    require_company(view, msg.counterparty, "counterparty")
    readers = set(msg.sealed_price)
    missing = sorted({signer, msg.counterparty} - readers)
    if missing:
        raise TxRejected(Code.INVALID_MESSAGE, f"sealed_price must include both parties; missing {', '.join(missing)}")
    regulators = 0
    for reader in sorted(readers):
        acct = account(view, reader)
        if acct is None or view.get(f"viewkey/{reader}") is None:
            raise TxRejected(Code.MISSING_VIEW_KEY, f"{reader} has no view key on chain; it must send set_view_key first")
        if reader not in (signer, msg.counterparty) and acct["role"] != "government":
            raise TxRejected(Code.INVALID_MESSAGE, f"{reader} may not read the price: only the parties and the regulator")
        regulators += acct["role"] == "government"
    if not regulators:
        raise TxRejected(Code.INVALID_MESSAGE, "sealed_price must also be readable by the regulator (a government account's view key)")
    seller, buyer = (signer, msg.counterparty) if msg.side == "sell" else (msg.counterparty, signer)
    if seller == signer:
        move(view, signer, msg.instrument, -msg.quantity)
        add_int(view, f"held/{signer}/{msg.instrument}", msg.quantity)
    trade_id = add_int(view, "seq/blocktrade", 1)
    put_json(view, f"blocktrade/{trade_id:012d}", {
        "id": trade_id, "proposer": signer, "counterparty": msg.counterparty, "seller": seller, "buyer": buyer,
        "instrument": msg.instrument, "quantity": msg.quantity, "price_commitment": msg.price_commitment,
        "sealed_price": msg.sealed_price, "status": "proposed", "proposed": {"height": ctx.height, "time": ctx.time},
    })
    for party in (signer, msg.counterparty):
        view.set(f"btby/{party}/{trade_id:012d}", b"1")
    return canonical_json({"trade_id": trade_id, "status": "proposed"})


def _open_trade(view: View, trade_id: int, signer: str) -> dict:
    """The open block trade ``trade_id`` of which ``signer`` is a party. Anyone else gets the same
    answer whether the trade exists or not, so a stranger learns nothing about other parties' trades."""
    trade = get_json(view, f"blocktrade/{trade_id:012d}")
    if trade is None or signer not in (trade["proposer"], trade["counterparty"]):
        raise TxRejected(Code.ORDER_NOT_FOUND, f"block trade {trade_id} is not one of your block trades")
    if trade["status"] != "proposed":
        raise TxRejected(Code.ORDER_NOT_FOUND, f"block trade {trade_id} is already {trade['status']}")
    return trade


def _release(view: View, trade: dict) -> None:
    if trade["seller"] == trade["proposer"]:
        add_int(view, f"held/{trade['seller']}/{trade['instrument']}", -trade["quantity"])
        move(view, trade["seller"], trade["instrument"], trade["quantity"])


def handle_block_trade_accept(view: View, signer: str, msg: BlockTradeAccept, ctx: BlockContext) -> bytes:
    trade = _open_trade(view, msg.trade_id, signer)
    if trade["counterparty"] != signer:
        raise TxRejected(Code.UNAUTHORIZED, f"only the counterparty of block trade {msg.trade_id} may accept it")
    instrument, quantity = trade["instrument"], trade["quantity"]
    if trade["seller"] == trade["proposer"]:
        add_int(view, f"held/{trade['seller']}/{instrument}", -quantity)
    else:
        move(view, trade["seller"], instrument, -quantity)
    move(view, trade["buyer"], instrument, quantity)
    trade["status"] = "settled"
    trade["settled"] = {"height": ctx.height, "time": ctx.time}
    put_json(view, f"blocktrade/{msg.trade_id:012d}", trade)
    day = date.fromordinal(day_of(ctx.time) + _EPOCH).isoformat()
    aggregate = get_json(view, f"blockagg/{instrument}/{day}") or {"trades": 0, "volume": 0}
    put_json(view, f"blockagg/{instrument}/{day}", {"trades": aggregate["trades"] + 1, "volume": aggregate["volume"] + quantity})
    return canonical_json({"trade_id": msg.trade_id, "status": "settled"})


def handle_block_trade_cancel(view: View, signer: str, msg: BlockTradeCancel, ctx: BlockContext) -> bytes:
    trade = _open_trade(view, msg.trade_id, signer)
    _release(view, trade)
    trade["status"] = "cancelled" if signer == trade["proposer"] else "declined"
    trade["closed"] = {"height": ctx.height, "time": ctx.time}
    put_json(view, f"blocktrade/{msg.trade_id:012d}", trade)
    return canonical_json({"trade_id": msg.trade_id, "status": trade["status"]})
