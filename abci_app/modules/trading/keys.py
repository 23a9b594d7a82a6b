"""State keys of the market: cash pockets, books, orders, fills, daily bars, reference prices, the market clock."""

from __future__ import annotations

__all__ = [
    "PREFIXES", "BARS", "REFERENCE_PRICES", "CASH_SUPPLY", "BOOKS", "MARKET_CLOCK", "ORDER_SEQ", "FILL_SEQ", "cash", "cash_held", "order",
    "RESTING", "OWN_RESTING", "LEVELS", "price_key", "price_of", "side_of_book", "resting", "own_side", "own_resting",
    "levels_of", "level", "upper",
    "order_of_owner", "orders_of", "fill", "fill_of_party", "fills_of", "bar", "bars_of", "reference_price", "id_in",
    "NET_SOLD", "net_sold",
]

PREFIXES = ("cash/", "cashheld/", "cashsupply", "bko/", "bkw/", "lvl/", "books", "order/", "ordersby/", "fill/", "fillsby/", "bar/",
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


RESTING, OWN_RESTING, LEVELS = "bko/", "bkw/", "lvl/"
_PRICE_WIDTH = 19  # digits of the largest price (2**63 - 1): fixed width, so text order is numeric order
_COMPLEMENT = 2**63 - 1


def price_key(side: str, price: int) -> str:
    """A price as fixed-width digits in priority order: asks ascending, bids complemented (highest first)."""
    return f"{_COMPLEMENT - price if side == 'b' else price:0{_PRICE_WIDTH}d}"


def price_of(side: str, key_segment: str) -> int:
    value = int(key_segment)
    return _COMPLEMENT - value if side == "b" else value


def side_of_book(instrument: str, side: str) -> str:
    """Prefix of one side's resting orders, in priority order (``side`` "b" bids, "s" asks)."""
    return f"{RESTING}{instrument}/{side}/"


def resting(instrument: str, side: str, price: int, sequence: int) -> str:
    """A resting order: {"id","owner","price","quantity","remaining"} (private; not readable raw)."""
    return f"{side_of_book(instrument, side)}{price_key(side, price)}/{sequence:012d}"


def own_side(owner: str, instrument: str, side: str) -> str:
    """Prefix of an owner's resting orders on one side, in priority order."""
    return f"{OWN_RESTING}{owner}/{instrument}/{side}/"


def own_resting(owner: str, instrument: str, side: str, price: int, sequence: int) -> str:
    """An owner's index of its resting order: its remaining tonnes."""
    return f"{own_side(owner, instrument, side)}{price_key(side, price)}/{sequence:012d}"


def levels_of(instrument: str, side: str) -> str:
    return f"{LEVELS}{instrument}/{side}/"


def level(instrument: str, side: str, price: int) -> str:
    """A price level's aggregate, "<tonnes> <orders>" (no owners: /market/depth answers from it)."""
    return f"{levels_of(instrument, side)}{price_key(side, price)}"


def upper(prefix: str) -> str:
    """The first key after every key that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


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
