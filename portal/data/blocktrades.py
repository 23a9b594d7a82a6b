"""Block (OTC) trades with sealed prices (private: a party or the regulator), and the proposal a company sends.

A price travels sealed (``protocol.sealed``): ``block_trades`` opens each price with the reader's
own view key and checks it against the commitment on chain; a price the reader cannot open stays
empty with the reason beside it. ``block_trade_message`` seals a price to the proposer, the
counterparty and the regulator's view keys and returns the ``BlockTradePropose`` to sign.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient
from protocol.constants import MAX_SEALED_READERS
from protocol.messages import BlockTradePropose
from protocol.sealed import SealedPriceError, open_price, seal_price_opening, view_key_of, view_public_hex

from ._base import frame, ints, is_int, names, query_list, to_kst
from .registry import view_keys

__all__ = ["BLOCK_OPEN", "BLOCK_COLUMNS", "BlockTradeError", "block_trades", "regulator_block_trades",
           "block_trade_message"]

BLOCK_OPEN = "proposed"  # a block trade waiting for the counterparty
BLOCK_COLUMNS = ["trade_id", "status", "instrument", "quantity", "seller", "seller_name", "buyer", "buyer_name",
                 "proposer", "proposer_name", "counterparty", "counterparty_name", "price", "value_krw", "price_note",
                 "price_commitment", "sealed_for", "proposed_height", "proposed_time", "closed_height", "closed_time"]


class BlockTradeError(ValueError):
    """A block trade that cannot be proposed as asked (nothing was sent); the message says what to do."""


def _open_sealed(trade: dict[str, Any], reader: Signer) -> tuple[int | None, str]:
    """The price sealed to ``reader`` (checked against the commitment), or None and why not."""
    entry = (trade.get("sealed_price") or {}).get(reader.address)
    if entry is None:
        return None, "not sealed to your view key"
    try:
        return open_price(entry, view_key_of(reader), reader.address, trade["price_commitment"]), "opened, matches the commitment"
    except SealedPriceError as exc:
        return None, str(exc)


def _block_rows(raw: list[dict[str, Any]], reader: Signer, by_address: dict[str, str]) -> pd.DataFrame:
    rows = []
    for t in raw:
        price, note = _open_sealed(t, reader)
        closed = t.get("settled") or t.get("closed") or {}
        rows.append({
            "trade_id": t["id"], "status": t["status"], "instrument": t["instrument"], "quantity": t["quantity"],
            **{f"{who}{suffix}": (t[who] if not suffix else by_address.get(t[who], ""))
               for who in ("seller", "buyer", "proposer", "counterparty") for suffix in ("", "_name")},
            "price": price, "value_krw": price * t["quantity"] if price is not None else None, "price_note": note,
            "price_commitment": t["price_commitment"],
            "sealed_for": ", ".join(by_address.get(a, a[:10]) for a in sorted(t.get("sealed_price") or {})),
            "proposed_height": t["proposed"]["height"], "proposed_time": to_kst(t["proposed"]["time"]),
            "closed_height": closed.get("height"), "closed_time": to_kst(closed.get("time")),
        })
    df = ints(frame(rows, BLOCK_COLUMNS), ["trade_id", "quantity", "proposed_height"])
    df = ints(df, ["price", "value_krw", "closed_height"], nullable=True)
    return df.sort_values("trade_id", ascending=False, ignore_index=True)


def block_trades(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """``address``'s block trades, newest first, each price opened with ``reader``'s view key when sealed to it.

    ``reader`` must be a party or the regulator (a government account)."""
    raw = [t for t in query_list(client, f"/block_trades/{address}", reader) if t]
    return _block_rows(raw, reader, names(client))


def regulator_block_trades(client: ChainClient, reader: Signer) -> pd.DataFrame:
    """Every block trade on chain as the regulator reads them (one signed query), newest first."""
    raw = sorted(query_list(client, "/block_trades", reader), key=lambda t: int(t["id"]))
    return _block_rows(raw, reader, names(client))


def _check_terms(proposer: Signer, counterparty: str, side: str, quantity: Any, price: Any) -> None:
    if counterparty == proposer.address:
        raise BlockTradeError("A block trade needs another company as counterparty.")
    if side not in ("buy", "sell"):
        raise BlockTradeError('Your side must be "buy" or "sell".')
    if not is_int(quantity) or quantity < 1:
        raise BlockTradeError(f"The quantity must be a whole number of tonnes, at least 1 (got {quantity!r}).")
    if not is_int(price) or price < 1:
        raise BlockTradeError(f"The price must be a whole number of KRW per tonne, at least 1 (got {price!r}).")


def _readers(keys: pd.DataFrame, proposer: Signer, counterparty: str) -> dict[str, str]:
    """Who may open the price: the proposer, the counterparty, then officials with a view key (up to the limit)."""
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
    return readers


def block_trade_message(client: ChainClient, proposer: Signer, counterparty: str, instrument: str, side: str,
                        quantity: int, price: int) -> BlockTradePropose:
    """A block-trade proposal with its price sealed to the proposer, the counterparty and the regulator.

    The regulator is every government account that has published a view key (up to the chain's
    limit of readers). Raises ``BlockTradeError`` (nothing sent) when a reader has no view key."""
    _check_terms(proposer, counterparty, side, quantity, price)
    readers = _readers(view_keys(client), proposer, counterparty)
    try:
        commitment, sealed, salt = seal_price_opening(price, readers)
    except SealedPriceError as exc:
        raise BlockTradeError(str(exc)) from None
    return BlockTradePropose(counterparty, instrument, side, int(quantity), commitment, sealed, int(price), salt)
