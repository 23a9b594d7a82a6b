"""State keys of the market: cash pockets, books, orders, fills, daily bars, reference prices, the market clock."""

from __future__ import annotations

__all__ = [
    "PREFIXES", "BARS", "REFERENCE_PRICES", "CASH_SUPPLY", "BOOKS", "MARKET_CLOCK", "ORDER_SEQ", "FILL_SEQ", "cash", "cash_held", "book", "order",
    "order_of_owner", "orders_of", "fill", "fill_of_party", "fills_of", "bar", "bars_of", "reference_price", "id_in",
    "NET_SOLD", "net_sold",
]

PREFIXES = ("cash/", "cashheld/", "cashsupply", "book/", "books", "order/", "ordersby/", "fill/", "fillsby/", "bar/",
            "ref/", "market/clock", "seq/order", "seq/fill", "netsold/")

CASH, CASH_HELD = "cash/", "cashheld/"  # prefixes of KRW available and held, per account
BARS, REFERENCE_PRICES = "bar/", "ref/"  # public aggregates: daily bars and reference prices, per instrument
CASH_SUPPLY = "cashsupply"  # KRW the bank has funded and not withdrawn
BOOKS = "books"  # instruments with a book, sorted
MARKET_CLOCK = "market/clock"  # block time of the last block the market saw (from the first order on)
ORDER_SEQ = "seq/order"
FILL_SEQ = "seq/fill"
NET_SOLD = "netsold/"  # private: tonnes an account sold minus bought, per instrument (market and block trades)


def cash(address: str) -> str:
    """KRW available."""
    return f"cash/{address}"


def cash_held(address: str) -> str:
    """KRW held behind buy orders."""
    return f"cashheld/{address}"


def book(instrument: str) -> str:
    """The order book (market engine canonical JSON)."""
    return f"book/{instrument}"


def order(order_id: int) -> str:
    return f"order/{order_id:012d}"


def order_of_owner(owner: str, order_id: int) -> str:
    return f"ordersby/{owner}/{order_id:012d}"


def orders_of(owner: str) -> str:
    return f"ordersby/{owner}/"


def fill(seq: int) -> str:
    return f"fill/{seq:012d}"


def fill_of_party(party: str, seq: int) -> str:
    return f"fillsby/{party}/{seq:012d}"


def fills_of(party: str) -> str:
    return f"fillsby/{party}/"


def bar(instrument: str, trading_day: str) -> str:
    """Daily open/high/low/close, volume, value, VWAP, trades."""
    return f"bar/{instrument}/{trading_day}"


def bars_of(instrument: str) -> str:
    return f"bar/{instrument}/"


def reference_price(instrument: str) -> str:
    """The reference price for the band (previous close)."""
    return f"ref/{instrument}"


def id_in(index_key: str) -> int:
    """The order id or fill sequence at the end of an index key."""
    return int(index_key.rsplit("/", 1)[1])


def net_sold(party: str, instrument: str) -> str:
    """Tonnes of ``instrument`` the party sold minus those it bought (may be negative; absent = 0).
    The banking limit is a multiple of it (``abci_app/modules/compliance``)."""
    return f"{NET_SOLD}{party}/{instrument}"
