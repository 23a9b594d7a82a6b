"""State keys of block trades: view keys, trade records, each party's index, daily public aggregates."""

from __future__ import annotations

__all__ = ["PREFIXES", "VIEW_KEYS", "DAILY_AGGREGATES", "BLOCK_TRADES", "TRADE_SEQ", "view_key", "block_trade", "trade_of_party", "trades_of",
           "id_in", "daily_volume", "daily_volumes_of"]

PREFIXES = ("viewkey/", "blocktrade/", "btby/", "seq/blocktrade", "blockagg/")

VIEW_KEYS, DAILY_AGGREGATES = "viewkey/", "blockagg/"  # public: view keys, daily block-trade counts and tonnes
BLOCK_TRADES = "blocktrade/"
TRADE_SEQ = "seq/blocktrade"


def view_key(address: str) -> str:
    """The account's X25519 view key (hex), that sealed prices go to."""
    return f"viewkey/{address}"


def block_trade(trade_id: int) -> str:
    return f"{BLOCK_TRADES}{trade_id:012d}"


def trade_of_party(party: str, trade_id: int) -> str:
    return f"btby/{party}/{trade_id:012d}"


def trades_of(party: str) -> str:
    return f"btby/{party}/"


def id_in(index_key: str) -> int:
    return int(index_key.rsplit("/", 1)[1])


def daily_volume(instrument: str, day: str) -> str:
    """{"trades","volume"} of settled block trades that KST day (public)."""
    return f"blockagg/{instrument}/{day}"


def daily_volumes_of(instrument: str) -> str:
    return f"blockagg/{instrument}/"
