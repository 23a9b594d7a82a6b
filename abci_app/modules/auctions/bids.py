"""Sealed bids: placed with their cash escrowed, cancelled before the close with the escrow released.

Both are private txs: the bid's price and quantity, the bidder and even the number of bids stay
sealed until the close. A bid is refused when the auction is not open (opens ≤ block time < closes),
when the price is below the reserve price or off the tick grid, when the bidder's open bids would
pass the per-bidder cap (``auction_bidder_cap_bps`` of the volume, carried-in tonnes included), when the
holding limit of its participant class would be passed if all its open bids won (``modules.check_incoming``), or
when the bidder (``MAX_BIDS_PER_BIDDER``) or the auction (``auction_max_bids``) has no bids left.
"""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.constants import MAX_BIDS_PER_BIDDER
from protocol.messages.auctions import AuctionBid, AuctionCancelBid

from ...market.allowance_auction import cap_tonnes
from ...view import BlockContext, View, add_int, get_json, params, put_json, require_company
from .. import check_incoming
from ..trading import keys as trading_keys
from . import keys

__all__ = ["handle_bid", "handle_cancel_bid", "open_record", "escrow_move"]


def open_record(view: View, auction_id: int, ctx: BlockContext) -> dict[str, Any]:
    """The auction's calendar record, if it takes bids in this block."""
    record = get_json(view, keys.auction(auction_id))
    if record is None:
        raise TxRejected(Code.AUCTION_NOT_FOUND, f"auction {auction_id} is not in the calendar")
    if record["status"] != "open" or ctx.time >= record["closes"]:
        when = "has not opened yet" if record["status"] == "scheduled" else "is closed"
        raise TxRejected(Code.AUCTION_NOT_OPEN, f"auction {auction_id} {when}: bids are taken from {record['opens']} "
                                                f"until {record['closes']} (unix seconds, block time)")
    return record


def escrow_move(view: View, bidder: str, amount: int) -> None:
    """Move ``amount`` KRW from the bidder's available cash to held (negative: back)."""
    if add_int(view, trading_keys.cash(bidder), -amount) < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"{bidder} has less than {amount:,} KRW available for this bid's escrow")
    if add_int(view, trading_keys.cash_held(bidder), amount) < 0:
        raise TxRejected(Code.INTERNAL, "escrow would go below zero")  # unreachable: releases match locks


def handle_bid(view: View, signer: str, msg: AuctionBid, ctx: BlockContext) -> bytes:
    require_company(view, signer, "bidder", "only companies bid in government auctions")
    record = open_record(view, msg.auction_id, ctx)
    p = params(view)
    if msg.price < record["reserve_price"] or msg.price % p["market_tick_size"]:
        raise TxRejected(Code.AUCTION_BELOW_RESERVE, f"the bid price must be at least the reserve price "
                                                     f"{record['reserve_price']:,} KRW and a multiple of {p['market_tick_size']}")
    mine = get_json(view, keys.mine(signer, msg.auction_id)) or {"auction": msg.auction_id, "bids": [], "tonnes": 0, "escrow": 0}
    cap = cap_tonnes(record["volume"] + record["carried_in"], p["auction_bidder_cap_bps"])
    if mine["tonnes"] + msg.quantity > cap:
        raise TxRejected(Code.AUCTION_CAP_EXCEEDED, f"your bids in auction {msg.auction_id} would total "
                                                    f"{mine['tonnes'] + msg.quantity:,} t; the per-bidder cap is {cap:,} t")
    check_incoming(view, signer, record["instrument"], mine["tonnes"] + msg.quantity)  # holding limits count open bids
    if len(mine["bids"]) >= MAX_BIDS_PER_BIDDER:
        raise TxRejected(Code.AUCTION_BID_LIMIT, f"at most {MAX_BIDS_PER_BIDDER} bids per company and auction")
    bid_id = add_int(view, keys.bid_count(msg.auction_id), 1)
    if bid_id > p["auction_max_bids"]:
        raise TxRejected(Code.AUCTION_BID_LIMIT, f"auction {msg.auction_id} has reached its limit of {p['auction_max_bids']:,} bids")
    escrow = msg.price * msg.quantity
    escrow_move(view, signer, escrow)
    put_json(view, keys.bid(msg.auction_id, bid_id), {
        "id": bid_id, "auction": msg.auction_id, "bidder": signer, "price": msg.price, "quantity": msg.quantity,
        "escrow": escrow, "status": "open", "placed": {"height": ctx.height, "time": ctx.time}})
    mine.update(bids=mine["bids"] + [bid_id], tonnes=mine["tonnes"] + msg.quantity, escrow=mine["escrow"] + escrow)
    put_json(view, keys.mine(signer, msg.auction_id), mine)
    return canonical_json({"auction_id": msg.auction_id, "bid_id": bid_id, "escrow": escrow, "cap": cap})


def handle_cancel_bid(view: View, signer: str, msg: AuctionCancelBid, ctx: BlockContext) -> bytes:
    open_record(view, msg.auction_id, ctx)
    bid = get_json(view, keys.bid(msg.auction_id, msg.bid_id))
    if bid is None or bid["bidder"] != signer or bid["status"] != "open":  # one answer: no oracle on others' bids
        raise TxRejected(Code.AUCTION_BID_NOT_FOUND, f"bid {msg.bid_id} is not an open bid of yours in auction {msg.auction_id}")
    escrow_move(view, signer, -bid["escrow"])
    bid.update(status="cancelled", cancelled={"height": ctx.height, "time": ctx.time})
    put_json(view, keys.bid(msg.auction_id, msg.bid_id), bid)
    mine = get_json(view, keys.mine(signer, msg.auction_id))
    mine.update(tonnes=mine["tonnes"] - bid["quantity"], escrow=mine["escrow"] - bid["escrow"])
    put_json(view, keys.mine(signer, msg.auction_id), mine)
    return canonical_json({"auction_id": msg.auction_id, "bid_id": msg.bid_id, "released": bid["escrow"]})
