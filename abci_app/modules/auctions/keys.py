"""State keys of the government auctions. Public: the calendar, results, the rollover pools, the treasury's
takings and the reserve used. Private (no raw read for anyone): the sealed bids and their counters; a
bidder's own record under ``auc/mine/<addr>/`` (readable by that company and the regulator)."""

from __future__ import annotations

__all__ = [
    "PREFIXES", "PUBLIC_PREFIXES", "MINE", "AUCTION_SEQ", "PENDING", "TREASURY", "RESERVE_USED", "auction", "carry",
    "bid", "bid_count", "mine", "mine_of",
]

AUCTIONS = "auc/auction/"
AUCTION_SEQ = "auc/seq"  # the last auction id
PENDING = "auc/pending"  # ids of auctions not yet settled, ascending
CARRY = "auc/carry/"  # unsold tonnes per instrument waiting for the instrument's next auction
TREASURY = "auc/treasury"  # KRW paid to the government by every settled auction
RESERVE_USED = "auc/reserveused"  # tonnes of the market-stabilisation reserve put up, less unsold returned
BIDS = "auc/bids/"  # private: sealed bids
BID_COUNT = "auc/nbids/"  # private: bids received per auction (the count is sealed too until the close)
MINE = "auc/mine/"  # private: a bidder's bids, escrow and allocation per auction (owner = segment 2)

PUBLIC_PREFIXES = (AUCTIONS, AUCTION_SEQ, PENDING, CARRY, TREASURY, RESERVE_USED)
PREFIXES = PUBLIC_PREFIXES + (BIDS, BID_COUNT, MINE)


def auction(auction_id: int) -> str:
    """The calendar entry, its reserve price once open and its public result once settled."""
    return f"{AUCTIONS}{auction_id:06d}"


def carry(instrument: str) -> str:
    return f"{CARRY}{instrument}"


def bid(auction_id: int, bid_id: int) -> str:
    return f"{BIDS}{auction_id:06d}/{bid_id:06d}"


def bid_count(auction_id: int) -> str:
    return f"{BID_COUNT}{auction_id:06d}"


def mine(bidder: str, auction_id: int) -> str:
    return f"{MINE}{bidder}/{auction_id:06d}"


def mine_of(bidder: str) -> str:
    return f"{MINE}{bidder}/"
