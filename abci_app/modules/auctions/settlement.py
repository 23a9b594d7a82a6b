"""The chain's own work on the calendar: auctions open (reserve price fixed) at the first block at or after
``opens``; they clear and settle delivery versus payment at the first block at or after ``closes``.

Settlement of every bid, in one end-block hook (``auction_max_bids`` bounds the work):

    winner of q t at the uniform price P:  held KRW −price×quantity;  available KRW +(price×quantity − P×q);
                                           available allowances +q (issued: the instrument's supply rises)
    rejected or capped to 0:               held KRW −price×quantity;  available KRW +price×quantity
    the government:                        the treasury's takings +P×sold KRW; the KRW leaves the market's
                                           cash supply (paid out through the settlement bank)

A winner whose allowances the ledger refuses (a holding limit) is refunded in full and its tonnes count as
unsold, so the hook never fails. Unsold tonnes roll to the instrument's next scheduled auction (or wait in ``auc/carry/`` for one);
those of a reserve auction go back to the stabilisation reserve. The public result has no names: price,
sold, unsold, tonnes bid, bid and bidder counts, winners. Each bidder's
own outcome is in its private ``auc/mine/`` record.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from protocol.codes import TxRejected

from ...market.allowance_auction import Bid, Clearing, cap_tonnes, clear
from ...view import BlockContext, View, add_int, get_int, get_json, params, put_json
from ..trading import keys as trading_keys
from ..transfers import keys as ledger_keys
from ..transfers.ledger import move
from . import keys
from .calendar import announce, open_auction, pending

__all__ = ["open_due", "settle_due", "public_result"]


def open_due(view: View, ctx: BlockContext) -> None:
    """Begin-block: open every scheduled auction whose ``opens`` has come (reserve price fixed)."""
    for auction_id in pending(view):
        record = get_json(view, keys.auction(auction_id))
        if record["status"] == "scheduled" and record["opens"] <= ctx.time:
            open_auction(view, auction_id, ctx)


def settle_due(view: View, ctx: BlockContext) -> None:
    """End-block: clear and settle every open auction whose ``closes`` has come."""
    done = []
    for auction_id in pending(view):
        record = get_json(view, keys.auction(auction_id))
        if record["status"] == "open" and record["closes"] <= ctx.time:
            _settle(view, record, ctx)
            done.append(auction_id)
    if done:
        put_json(view, keys.PENDING, [i for i in pending(view) if i not in done])


def _bids(view: View, auction_id: int) -> list[dict[str, Any]]:
    return [get_json(view, keys.bid(auction_id, n)) for n in range(1, get_int(view, keys.bid_count(auction_id)) + 1)]


def public_result(clearing: Clearing, bids: list[dict[str, Any]], volume: int) -> dict[str, Any]:
    """What everyone may see of a clearing: figures and price levels, no bidders."""
    return {
        "price": clearing.price, "volume": volume, "sold": clearing.sold, "unsold": clearing.unsold,
        "bids": len(clearing.allocations), "cancelled": sum(1 for b in bids if b["status"] == "cancelled"),
        "bidders": len({a.bidder for a in clearing.allocations}), "winners": clearing.winners,
        "winning_bids": sum(1 for a in clearing.allocations if a.allocated),
        "demand": sum(a.quantity for a in clearing.allocations),
        "proceeds": (clearing.price or 0) * clearing.sold,
    }


def _settle(view: View, record: dict[str, Any], ctx: BlockContext) -> None:
    auction_id, instrument = record["id"], record["instrument"]
    volume = record["volume"] + record["carried_in"]
    bids = _bids(view, auction_id)
    live = [b for b in bids if b["status"] == "open"]
    cap = cap_tonnes(volume, params(view)["auction_bidder_cap_bps"])
    clearing = clear((Bid(b["id"], b["bidder"], b["price"], b["quantity"]) for b in live), volume, cap)
    price = clearing.price or 0
    by_id = {b["id"]: b for b in live}
    refused = 0
    for a in clearing.allocations:
        bid = by_id[a.sequence]
        allocated = a.allocated
        if allocated and not _deliver(view, a.bidder, instrument, allocated):
            bid["refused"] = "the allowances could not be credited (a holding limit): refunded in full"
            refused, allocated = refused + allocated, 0
        paid = price * allocated
        add_int(view, trading_keys.cash_held(a.bidder), -bid["escrow"])
        add_int(view, trading_keys.cash(a.bidder), bid["escrow"] - paid)
        bid.update(status="won" if allocated == a.quantity else "partly won" if allocated else "rejected",
                   eligible=a.eligible, allocated=allocated, price_paid=price if allocated else None, paid=paid,
                   refunded=bid["escrow"] - paid)
        put_json(view, keys.bid(auction_id, a.sequence), bid)
        _add_to_mine(view, a.bidder, auction_id, allocated, paid, bid["escrow"] - paid)
    if refused:
        clearing = replace(clearing, sold=clearing.sold - refused, unsold=clearing.unsold + refused)
    add_int(view, ledger_keys.supply(instrument), clearing.sold)
    add_int(view, trading_keys.CASH_SUPPLY, -price * clearing.sold)
    add_int(view, keys.TREASURY, price * clearing.sold)
    _roll_over(view, record, clearing.unsold)
    record.update(status="settled", result={**public_result(clearing, bids, volume), "cap": cap, "settled": {"height": ctx.height, "time": ctx.time}})
    put_json(view, keys.auction(auction_id), record)
    announce(ctx, record, "settled")


def _deliver(view: View, bidder: str, instrument: str, tonnes: int) -> bool:
    """Credit the won allowances; False (nothing written) if the ledger refuses them: a hook never fails."""
    inner = view.child()
    try:
        move(inner, bidder, instrument, tonnes)
    except TxRejected:
        return False
    inner.merge()
    return True


def _add_to_mine(view: View, bidder: str, auction_id: int, allocated: int, paid: int, refunded: int) -> None:
    mine = get_json(view, keys.mine(bidder, auction_id))
    mine.update(allocated=mine.get("allocated", 0) + allocated, paid=mine.get("paid", 0) + paid,
                refunded=mine.get("refunded", 0) + refunded, escrow=mine["escrow"] - paid - refunded, tonnes=0)
    put_json(view, keys.mine(bidder, auction_id), mine)


def _roll_over(view: View, record: dict[str, Any], unsold: int) -> None:
    if not unsold:
        return
    if record["source"] == "reserve":
        add_int(view, keys.RESERVE_USED, -unsold)
        return
    later = [get_json(view, keys.auction(i)) for i in pending(view) if i != record["id"]]
    later = [a for a in later if a["instrument"] == record["instrument"] and a["source"] == "calendar" and a["status"] == "scheduled"]
    if not later:
        add_int(view, keys.carry(record["instrument"]), unsold)
        return
    nxt = min(later, key=lambda a: (a["opens"], a["id"]))  # the instrument's next auction to open
    nxt["carried_in"] += unsold
    put_json(view, keys.auction(nxt["id"]), nxt)
