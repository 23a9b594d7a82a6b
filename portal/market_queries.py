"""The market's data layer: the chain's public market, a company's own trading, sealed block trades.

Pure functions of a ``ets.rpc.ChainClient`` returning pandas DataFrames (or small frozen
records), like ``portal.queries``; the pages cache the public ones and notebooks call them
directly::

    from ets.rpc import ChainClient
    from portal import market_queries as mq
    client = ChainClient("http://127.0.0.1:26657")
    mq.bars(client, "KAU25")

Who may read what (the chain enforces it; these functions only ask):

    public       instruments, order_limits, depth (aggregated), trades (no counterparties),
                 bars (daily OHLC, volume, VWAP), block_volume (daily count and tonnes only)
    signed       cash, orders, fills, holdings, block_trades: the account itself or the regulator
                 (``reader`` signs the query; the bank may also read cash)

Prices are whole KRW per tonne, quantities whole tonnes, values whole KRW (price × tonnes).
Block-trade prices travel sealed (``protocol.sealed``): ``block_trades`` opens each price with the
reader's own view key and checks it against the commitment on chain; a price the reader
cannot open stays empty with the reason beside it. The messages a page sends (an order, a
cancellation, a sealed block-trade proposal) are built here too, from what the chain says,
so the pages stay short and a notebook can send the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient, QueryError
from protocol.constants import MAX_SEALED_READERS
from protocol.sealed import open_price, seal_price, SealedPriceError, view_key_of, view_public_hex

from .queries import to_kst

__all__ = [
    "OPEN_STATUSES",
    "BLOCK_OPEN",
    "MAX_SEALED_READERS",
    "OrderLimits",
    "CashBalance",
    "BlockTradeError",
    "price_band",
    "market_params",
    "instruments",
    "order_limits",
    "depth",
    "trades",
    "bars",
    "block_volume",
    "cash",
    "orders",
    "fills",
    "holdings",
    "view_keys",
    "block_trades",
    "regulator_block_trades",
    "order_message",
    "block_trade_message",
]

OPEN_STATUSES = ("open", "partially_filled")  # orders still in the book
BLOCK_OPEN = "proposed"  # a block trade waiting for the counterparty
_NOT_FOUND = 20

ORDER_COLUMNS = ["order_id", "instrument", "side", "price", "quantity", "remaining", "filled", "status", "open",
                 "value_krw", "placed_height", "placed_time"]
FILL_COLUMNS = ["seq", "instrument", "side", "price", "quantity", "value_krw", "counterparty", "counterparty_name",
                "order_id", "auction", "height", "time"]
TRADE_COLUMNS = ["seq", "time", "price", "quantity", "value_krw", "auction", "height"]
BAR_COLUMNS = ["trading_day", "instrument", "open", "high", "low", "close", "volume", "value", "trades", "vwap"]
BLOCK_COLUMNS = ["trade_id", "status", "instrument", "quantity", "seller", "seller_name", "buyer", "buyer_name",
                 "proposer", "proposer_name", "counterparty", "counterparty_name", "price", "value_krw", "price_note",
                 "price_commitment", "sealed_for", "proposed_height", "proposed_time", "closed_height", "closed_time"]


class BlockTradeError(ValueError):
    """A block trade that cannot be proposed as asked (nothing was sent); the message says what to do."""


# ---------------------------------------------------------------- helpers


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _ints(df: pd.DataFrame, columns: list[str], nullable: bool = False) -> pd.DataFrame:
    for column in columns:
        df[column] = df[column].astype("Int64" if nullable else "int64")
    return df


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _names(client: ChainClient) -> dict[str, str]:
    return {r["address"]: r.get("name", "") for r in _list(client.query("/accounts"))}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------- rules of an order


def price_band(reference_price: int, tick: int, band_bps: int) -> tuple[int, int]:
    """Today's (lower, upper) limit prices on the tick grid: the chain's formula, in integers.

    lower = tick × ceil(ref × (10000 − bps) / (10000 × tick)); upper = tick × floor(ref × (10000 + bps) / (10000 × tick))."""
    if not all(_is_int(v) for v in (reference_price, tick, band_bps)) or reference_price < 1 or tick < 1 \
            or not 0 <= band_bps < 10_000:
        raise ValueError(f"price band needs whole numbers: reference ≥ 1, tick ≥ 1, 0 ≤ bps < 10000; got "
                         f"{reference_price!r}, {tick!r}, {band_bps!r}")
    scale = 10_000 * tick
    return tick * -(-(reference_price * (10_000 - band_bps)) // scale), tick * ((reference_price * (10_000 + band_bps)) // scale)


@dataclass(frozen=True)
class OrderLimits:
    """What an order for ``instrument`` must meet today, as the chain says, shown before an order is sent."""

    instrument: str
    reference_price: int  # KRW/t: the previous close, or the chain's initial reference before the first close
    band_low: int  # KRW/t, lowest accepted limit price today
    band_high: int  # KRW/t, highest
    tick: int  # KRW: prices are multiples of it
    max_quantity: int  # tonnes per order
    band_bps: int  # the band's half-width in basis points of the reference price
    phase: str | None = None  # closed | opening_call | continuous | closing_call (None: no order seen yet)
    best_bid: int | None = None
    best_ask: int | None = None

    def __post_init__(self) -> None:
        for name in ("reference_price", "band_low", "band_high", "tick", "max_quantity"):
            if not _is_int(getattr(self, name)) or getattr(self, name) < 1:
                raise ValueError(f"order limits: {name} must be a positive whole number, got {getattr(self, name)!r}")
        if not self.band_low <= self.band_high:
            raise ValueError(f"order limits: band {self.band_low}–{self.band_high} is empty")

    @property
    def band_pct(self) -> str:
        whole, frac = divmod(self.band_bps, 100)
        return f"±{whole}%" if frac == 0 else f"±{whole}.{frac:02d}".rstrip("0") + "%"

    def problems(self, side: str, price: Any, quantity: Any, *, available_cash: int | None = None,
                 available_tonnes: int | None = None) -> list[str]:
        """Everything wrong with this order, in words a trader can act on (empty: the order may be sent)."""
        out: list[str] = []
        if side not in ("buy", "sell"):
            out.append("Choose Buy or Sell.")
        if not _is_int(price) or price < 1:
            out.append(f"The price must be a whole number of KRW per tonne (got {price!r}).")
        else:
            if price % self.tick:
                below = price - price % self.tick
                near = f"{below + self.tick:,}" if below == 0 else f"{below:,} or {below + self.tick:,}"
                out.append(f"The price {price:,} KRW/t is not on the {self.tick:,} KRW tick grid: use {near}.")
            if not self.band_low <= price <= self.band_high:
                out.append(f"The price {price:,} KRW/t is outside today's band {self.band_low:,}–{self.band_high:,} KRW/t "
                           f"({self.band_pct} of the reference price {self.reference_price:,} KRW/t).")
        if not _is_int(quantity) or quantity < 1:
            out.append(f"The quantity must be a whole number of tonnes, at least 1 (got {quantity!r}).")
        elif quantity > self.max_quantity:
            out.append(f"The quantity {quantity:,} t exceeds the limit of {self.max_quantity:,} t per order: split it "
                       "into several orders.")
        if out:
            return out
        if side == "buy" and available_cash is not None and price * quantity > available_cash:
            out.append(f"A buy of {quantity:,} t at {price:,} KRW/t holds {price * quantity:,} KRW, but only "
                       f"{available_cash:,} KRW of your cash is available. Lower the quantity or ask your bank to fund "
                       "your cash account.")
        if side == "sell" and available_tonnes is not None and quantity > available_tonnes:
            out.append(f"A sell of {quantity:,} t {self.instrument} needs {quantity:,} t available, but you have "
                       f"{available_tonnes:,} t available (allowances behind open sells are held).")
        if self.phase == "closed":
            out.append("The market is closed now: orders are taken only during the trading session.")
        return out


def market_params(client: ChainClient) -> dict[str, int]:
    """The chain's market parameters: tick, max order size, band, initial reference price, session schedule."""
    p = client.query("/params")
    return {k: int(p[k]) for k in ("market_tick_size", "market_max_order_quantity", "market_band_bps",
                                   "market_initial_reference_price", "market_around_the_clock") if k in p}


def instruments(client: ChainClient) -> pd.DataFrame:
    """Instruments with a book on chain: reference price, today's band, session phase, best bid and ask."""
    rows = [{"instrument": r["instrument"], "reference_price": r["reference_price"], "band_low": r["band"][0],
             "band_high": r["band"][1], "phase": r["phase"], "best_bid": r.get("best_bid"), "best_ask": r.get("best_ask")}
            for r in _list(client.query("/market/instruments"))]
    df = _frame(rows, ["instrument", "reference_price", "band_low", "band_high", "phase", "best_bid", "best_ask"])
    df = _ints(df, ["reference_price", "band_low", "band_high"])
    return _ints(df, ["best_bid", "best_ask"], nullable=True).sort_values("instrument", ignore_index=True)


def order_limits(client: ChainClient, instrument: str) -> OrderLimits:
    """Today's band, tick and size limit for ``instrument``: from /market/instruments, or (before the
    instrument's first order) from the chain's parameters and its initial reference price."""
    p = market_params(client)
    tick, max_quantity, bps = p["market_tick_size"], p["market_max_order_quantity"], p["market_band_bps"]
    listed = instruments(client)
    row = listed[listed["instrument"] == instrument]
    phase = "continuous" if p.get("market_around_the_clock") else (listed["phase"].iloc[0] if not listed.empty else None)
    if row.empty:
        reference = p["market_initial_reference_price"]
        low, high = price_band(reference, tick, bps)
        return OrderLimits(instrument, reference, low, high, tick, max_quantity, bps, phase)
    r = row.iloc[0]
    bid, ask = r["best_bid"], r["best_ask"]
    return OrderLimits(instrument, int(r["reference_price"]), int(r["band_low"]), int(r["band_high"]), tick, max_quantity,
                       bps, str(r["phase"]), None if pd.isna(bid) else int(bid), None if pd.isna(ask) else int(ask))


# ---------------------------------------------------------------- public market data


def _market(client: ChainClient, path: str) -> Any:
    """A public market query; None when the chain has no market for the instrument yet."""
    try:
        return client.query(path)
    except QueryError as exc:
        if exc.code == _NOT_FOUND:
            return None
        raise


def depth(client: ChainClient, instrument: str) -> pd.DataFrame:
    """The aggregated book (best 10 levels a side): side, price, tonnes, cumulative tonnes. No owners."""
    book = _market(client, f"/market/depth/{instrument}") or {}
    rows = []
    for side, key in (("bid", "bids"), ("ask", "asks")):
        total = 0
        for price, quantity in book.get(key, []):
            total += int(quantity)
            rows.append({"side": side, "price": int(price), "quantity": int(quantity), "cumulative": total})
    return _ints(_frame(rows, ["side", "price", "quantity", "cumulative"]), ["price", "quantity", "cumulative"])


def trades(client: ChainClient, instrument: str) -> pd.DataFrame:
    """The latest trades (up to 200, newest first): time, price, tonnes, value. Counterparties are never public."""
    rows = [{"seq": t["seq"], "time": to_kst(t["time"]), "price": t["price"], "quantity": t["quantity"],
             "value_krw": t["price"] * t["quantity"], "auction": bool(t.get("auction")), "height": t["height"]}
            for t in _list(_market(client, f"/market/trades/{instrument}"))]
    df = _ints(_frame(rows, TRADE_COLUMNS), ["seq", "price", "quantity", "value_krw", "height"])
    return df.sort_values("seq", ascending=False, ignore_index=True)


def bars(client: ChainClient, instrument: str) -> pd.DataFrame:
    """Daily bars from the chain's own trades, oldest first: open/high/low/close, volume (t), value (KRW), VWAP."""
    rows = [{c: b.get(c) for c in BAR_COLUMNS} for b in _list(_market(client, f"/market/bars/{instrument}"))]
    df = _ints(_frame(rows, BAR_COLUMNS), ["open", "high", "low", "close", "volume", "value", "trades", "vwap"])
    return df.sort_values("trading_day", ignore_index=True)


def block_volume(client: ChainClient, instrument: str) -> pd.DataFrame:
    """Settled block (OTC) trades per KST day: count and tonnes only; their prices are confidential."""
    rows = [{"day": r["day"], "trades": r["trades"], "volume": r["volume"]}
            for r in _list(_market(client, f"/market/block_volume/{instrument}"))]
    return _ints(_frame(rows, ["day", "trades", "volume"]), ["trades", "volume"]).sort_values("day", ignore_index=True)


# ---------------------------------------------------------------- a company's own trading (signed)


@dataclass(frozen=True)
class CashBalance:
    """A company's KRW cash account: available to spend, and held behind open buy orders."""

    available: int
    held: int

    def __post_init__(self) -> None:
        if not (_is_int(self.available) and _is_int(self.held)) or self.available < 0 or self.held < 0:
            raise ValueError(f"cash must be whole KRW ≥ 0, got {self.available!r} / {self.held!r}")

    @property
    def total(self) -> int:
        return self.available + self.held


def cash(client: ChainClient, address: str, reader: Signer) -> CashBalance:
    """KRW available and held; ``reader`` must be the company, the bank or the regulator."""
    value = client.query(f"/cash/{address}", reader=reader)
    return CashBalance(int(value["available"]), int(value["held"]))


def _raw_orders(client: ChainClient, address: str, reader: Signer) -> list[dict[str, Any]]:
    return [o for o in _list(client.query(f"/orders/{address}", reader=reader)) if o]


def _order_rows(raw: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [{"order_id": o["id"], "instrument": o["instrument"], "side": o["side"], "price": o["price"],
             "quantity": o["quantity"], "remaining": o["remaining"], "filled": o["quantity"] - o["remaining"],
             "status": o["status"], "open": o["status"] in OPEN_STATUSES, "value_krw": o["price"] * o["quantity"],
             "placed_height": o["placed"]["height"], "placed_time": to_kst(o["placed"]["time"])} for o in raw]
    df = _ints(_frame(rows, ORDER_COLUMNS), ["order_id", "price", "quantity", "remaining", "filled", "value_krw",
                                             "placed_height"])
    df["open"] = df["open"].astype(bool)
    return df.sort_values("order_id", ascending=False, ignore_index=True)


def orders(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """The company's orders, newest first; ``open`` marks those still in the book (cancellable)."""
    return _order_rows(_raw_orders(client, address, reader))


def fills(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """The company's fills, newest first, seen from its side: bought or sold, price, tonnes, counterparty.

    Counterparties are shown to the parties and the regulator only (a signed query)."""
    names = _names(client)
    rows = []
    for f in _list(client.query(f"/fills/{address}", reader=reader)):
        if not f:
            continue
        bought = f["buyer"] == address
        other = f["seller"] if bought else f["buyer"]
        rows.append({"seq": f["seq"], "instrument": f["instrument"], "side": "buy" if bought else "sell", "price": f["price"],
                     "quantity": f["quantity"], "value_krw": f["price"] * f["quantity"], "counterparty": other,
                     "counterparty_name": names.get(other, ""), "order_id": f["buy_order"] if bought else f["sell_order"],
                     "auction": bool(f.get("auction")), "height": f["height"], "time": to_kst(f["time"])})
    df = _ints(_frame(rows, FILL_COLUMNS), ["seq", "price", "quantity", "value_krw", "order_id", "height"])
    return df.sort_values("seq", ascending=False, ignore_index=True)


def _raw_block_trades(client: ChainClient, address: str, reader: Signer) -> list[dict[str, Any]]:
    return [t for t in _list(client.query(f"/block_trades/{address}", reader=reader)) if t]


def holdings(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """Allowances per instrument: available, held (behind open sells and sell proposals of block trades), total."""
    rows = [{"instrument": i, "available": int(h["available"]), "held": int(h["held"]),
             "total": int(h["available"]) + int(h["held"])}
            for i, h in sorted(client.query(f"/holdings/{address}", reader=reader).items())]
    return _ints(_frame(rows, ["instrument", "available", "held", "total"]), ["available", "held", "total"])


# ---------------------------------------------------------------- block trades (sealed prices)


def view_keys(client: ChainClient, role: str | None = None) -> pd.DataFrame:
    """Registered accounts (optionally of one role) and the X25519 view key each has published (None if not)."""
    path = "/accounts" + (f"?role={role}" if role else "")
    rows = [{"address": r["address"], "role": r["role"], "name": r.get("name", ""), "company_id": r.get("company_id"),
             "view_key": r.get("view_key")} for r in _list(client.query(path))]
    return _frame(rows, ["address", "role", "name", "company_id", "view_key"]).sort_values(["role", "name", "address"],
                                                                                         ignore_index=True)


def _open_sealed(trade: dict[str, Any], reader: Signer) -> tuple[int | None, str]:
    """The price sealed to ``reader`` (checked against the commitment), or None and why not."""
    entry = (trade.get("sealed_price") or {}).get(reader.address)
    if entry is None:
        return None, "not sealed to your view key"
    try:
        return open_price(entry, view_key_of(reader), reader.address, trade["price_commitment"]), "opened, matches the commitment"
    except SealedPriceError as exc:
        return None, str(exc)


def _block_rows(raw: list[dict[str, Any]], reader: Signer, names: dict[str, str]) -> pd.DataFrame:
    rows = []
    for t in raw:
        price, note = _open_sealed(t, reader)
        closed = t.get("settled") or t.get("closed") or {}
        rows.append({
            "trade_id": t["id"], "status": t["status"], "instrument": t["instrument"], "quantity": t["quantity"],
            "seller": t["seller"], "seller_name": names.get(t["seller"], ""), "buyer": t["buyer"],
            "buyer_name": names.get(t["buyer"], ""), "proposer": t["proposer"], "proposer_name": names.get(t["proposer"], ""),
            "counterparty": t["counterparty"], "counterparty_name": names.get(t["counterparty"], ""), "price": price,
            "value_krw": price * t["quantity"] if price is not None else None, "price_note": note,
            "price_commitment": t["price_commitment"],
            "sealed_for": ", ".join(names.get(a, a[:10]) for a in sorted(t.get("sealed_price") or {})),
            "proposed_height": t["proposed"]["height"], "proposed_time": to_kst(t["proposed"]["time"]),
            "closed_height": closed.get("height"), "closed_time": to_kst(closed.get("time")),
        })
    df = _ints(_frame(rows, BLOCK_COLUMNS), ["trade_id", "quantity", "proposed_height"])
    df = _ints(df, ["price", "value_krw", "closed_height"], nullable=True)
    return df.sort_values("trade_id", ascending=False, ignore_index=True)


def block_trades(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """``address``'s block trades, newest first, each price opened with ``reader``'s view key when sealed to it.

    ``reader`` must be a party or the regulator (a government account)."""
    return _block_rows(_raw_block_trades(client, address, reader), reader, _names(client))


def regulator_block_trades(client: ChainClient, reader: Signer) -> pd.DataFrame:
    """Every block trade on chain as the regulator reads them (one signed query), newest first."""
    trades = sorted(_list(client.query("/block_trades", reader=reader)), key=lambda t: int(t["id"]))
    return _block_rows(trades, reader, _names(client))


# ---------------------------------------------------------------- messages a page sends


def order_message(instrument: str, side: str, price: int, quantity: int) -> dict[str, Any]:
    """A day limit order as the chain takes it."""
    return {"type": "place_order", "instrument": instrument, "side": side, "price": int(price), "quantity": int(quantity)}


def block_trade_message(client: ChainClient, proposer: Signer, counterparty: str, instrument: str, side: str,
                        quantity: int, price: int) -> dict[str, Any]:
    """A block-trade proposal with its price sealed to the proposer, the counterparty and the regulator.

    The regulator is every government account that has published a view key (up to the chain's
    limit of readers). Raises ``BlockTradeError`` (nothing sent) when a reader has no view key."""
    if counterparty == proposer.address:
        raise BlockTradeError("A block trade needs another company as counterparty.")
    if side not in ("buy", "sell"):
        raise BlockTradeError('Your side must be "buy" or "sell".')
    if not _is_int(quantity) or quantity < 1:
        raise BlockTradeError(f"The quantity must be a whole number of tonnes, at least 1 (got {quantity!r}).")
    if not _is_int(price) or price < 1:
        raise BlockTradeError(f"The price must be a whole number of KRW per tonne, at least 1 (got {price!r}).")
    keys = view_keys(client)
    by_address = keys.set_index("address")
    own = view_public_hex(proposer)
    if proposer.address not in by_address.index or by_address.at[proposer.address, "view_key"] != own:
        raise BlockTradeError("Your view key is not on chain yet: register it first (one transaction), so that you can "
                              "read the price of your own block trades.")
    if counterparty not in by_address.index or by_address.at[counterparty, "role"] != "company":
        raise BlockTradeError(f"{counterparty} is not a registered company.")
    theirs = by_address.at[counterparty, "view_key"]
    if not isinstance(theirs, str) or not theirs:
        raise BlockTradeError(f"{by_address.at[counterparty, 'name']} has not published a view key, so the price cannot be "
                              "sealed for them. Ask them to log in to the portal and register their view key.")
    regulators = keys[(keys["role"] == "government") & keys["view_key"].map(lambda v: isinstance(v, str) and bool(v))]
    if regulators.empty:
        raise BlockTradeError("No government account has published a view key, so the regulator could not read the "
                              "price; the chain refuses such a proposal. Ask the regulator to register a view key.")
    readers = {proposer.address: own, counterparty: theirs}
    for r in regulators.itertuples():
        if len(readers) >= MAX_SEALED_READERS:
            break
        readers.setdefault(r.address, r.view_key)
    try:
        commitment, sealed = seal_price(price, readers)
    except SealedPriceError as exc:
        raise BlockTradeError(str(exc)) from None
    return {"type": "block_trade_propose", "counterparty": counterparty, "instrument": instrument, "side": side,
            "quantity": int(quantity), "price_commitment": commitment, "sealed_price": sealed}
