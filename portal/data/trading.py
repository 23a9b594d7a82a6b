"""A company's own trading (private: signed queries by the company or the regulator): orders and fills."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient

from ._base import frame, ints, names, query_list, to_kst

__all__ = ["OPEN_STATUSES", "ORDER_COLUMNS", "FILL_COLUMNS", "orders", "fills"]

OPEN_STATUSES = ("open", "partially_filled")  # orders still in the book
ORDER_COLUMNS = ["order_id", "instrument", "side", "price", "quantity", "remaining", "filled", "status", "open",
                 "value_krw", "placed_height", "placed_time"]
FILL_COLUMNS = ["seq", "instrument", "side", "price", "quantity", "value_krw", "counterparty", "counterparty_name",
                "order_id", "auction", "height", "time"]


def _order_row(o: dict[str, Any]) -> dict[str, Any]:
    return {"order_id": o["id"], "instrument": o["instrument"], "side": o["side"], "price": o["price"],
            "quantity": o["quantity"], "remaining": o["remaining"], "filled": o["quantity"] - o["remaining"],
            "status": o["status"], "open": o["status"] in OPEN_STATUSES, "value_krw": o["price"] * o["quantity"],
            "placed_height": o["placed"]["height"], "placed_time": to_kst(o["placed"]["time"])}


def orders(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """The company's orders, newest first; ``open`` marks those still in the book (cancellable)."""
    rows = [_order_row(o) for o in query_list(client, f"/orders/{address}", reader) if o]
    df = ints(frame(rows, ORDER_COLUMNS), ["order_id", "price", "quantity", "remaining", "filled", "value_krw",
                                           "placed_height"])
    df["open"] = df["open"].astype(bool)
    return df.sort_values("order_id", ascending=False, ignore_index=True)


def fills(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """The company's fills, newest first, seen from its side: bought or sold, price, tonnes, counterparty.

    Counterparties are shown to the parties and the regulator only (a signed query)."""
    by_address = names(client)
    rows = []
    for f in query_list(client, f"/fills/{address}", reader):
        if not f:
            continue
        bought = f["buyer"] == address
        other = f["seller"] if bought else f["buyer"]
        rows.append({"seq": f["seq"], "instrument": f["instrument"], "side": "buy" if bought else "sell", "price": f["price"],
                     "quantity": f["quantity"], "value_krw": f["price"] * f["quantity"], "counterparty": other,
                     "counterparty_name": by_address.get(other, ""), "order_id": f["buy_order"] if bought else f["sell_order"],
                     "auction": bool(f.get("auction")), "height": f["height"], "time": to_kst(f["time"])})
    df = ints(frame(rows, FILL_COLUMNS), ["seq", "price", "quantity", "value_krw", "order_id", "height"])
    return df.sort_values("seq", ascending=False, ignore_index=True)
