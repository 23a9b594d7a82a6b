"""The government auctions' descriptor: sealed bids, the governed calendar, opening and settlement hooks."""

from __future__ import annotations

from protocol.codes import Code
from protocol.messages.auctions import AmendAuction, AuctionBid, AuctionCancelBid, ScheduleAuctions

from .. import GovernedAction, Hook, MessageRule, Module, Query, StateRead, private
from . import bids, calendar, keys, queries, settlement
from .events import GOVERNMENT_AUCTION

_MINE = private("government", what="auction bids")

MODULE = Module(
    name="auctions",
    summary="government auctions (유상할당): a governed calendar, sealed bids with cash escrow, a per-bidder cap, "
            "uniform-price clearing and DvP settlement at the close, unsold volume rolled over",
    messages=(
        MessageRule(AuctionBid, {"company"}, bids.handle_bid,
                    "a sealed bid (price, tonnes) in an open auction; price × tonnes KRW escrowed; within the "
                    "per-bidder cap, at or above the reserve price"),
        MessageRule(AuctionCancelBid, {"company"}, bids.handle_cancel_bid,
                    "withdraw a bid before the close; its escrow is released", who="bidder"),
    ),
    actions=(
        GovernedAction(ScheduleAuctions, calendar.check_schedule, calendar.execute_schedule,
                       "publish up to 24 auctions in the calendar (instrument, window, volume); each takes the "
                       "instrument's waiting unsold tonnes", events=(GOVERNMENT_AUCTION,)),
        GovernedAction(AmendAuction, calendar.check_amend, calendar.execute_amend,
                       "change an auction's window or volume by notice, until it opens", events=(GOVERNMENT_AUCTION,)),
    ),
    queries=(
        Query("auctions", queries.calendar, "/auctions",
              "the calendar (latest 200) with reserve prices and results, treasury takings, unsold tonnes waiting, "
              "the stabilisation reserve"),
        Query("auction", queries.auction, "/auction/<id>", "one auction: window, volume, reserve price and its "
                                                            "inputs, result (no bidders' names)"),
        Query("auction/bids", queries.my_bids, "/auction/bids/<addr>",
              "the company's bids per auction: escrow, allocation, paid, refunded", _MINE),
    ),
    hooks=(
        Hook("begin", settlement.open_due,
             "open the auctions whose opening time has come: fix the reserve price from the chain's daily bars",
             events=(GOVERNMENT_AUCTION,)),
        Hook("end", settlement.settle_due,
             "at an auction's close: clear the sealed bids at one uniform price, settle DvP (allowances to winners, "
             "KRW to the treasury, excess escrow refunded), roll unsold tonnes over, publish the result",
             events=(GOVERNMENT_AUCTION,)),
    ),
    codes=frozenset({
        Code.AUCTION_NOT_FOUND, Code.AUCTION_NOT_OPEN, Code.AUCTION_BELOW_RESERVE, Code.AUCTION_CAP_EXCEEDED,
        Code.AUCTION_BID_LIMIT, Code.AUCTION_BID_NOT_FOUND, Code.AUCTION_SCHEDULE_CONFLICT, Code.RESERVE_EXCEEDED,
    }),
    code_range=range(1400, 1500),
    keys=keys.PREFIXES,
    state_reads=tuple(StateRead(prefix) for prefix in keys.PUBLIC_PREFIXES) + (StateRead(keys.MINE, _MINE, owner=2),),
)
