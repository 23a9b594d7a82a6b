"""Government auctions and market stabilisation as the portal shows them.

    calendar(client)                 public   every auction: window (KST), volume with carried-in tonnes, status,
                                              reserve price, uniform price, sold, unsold, bids, winners
    summary(client)                  public   the treasury's takings, unsold tonnes waiting, the reserve, the cap
    stabilisation(client)            public   the latest day's evaluation, the measures in force, the series
    trigger_rows(day)                        each trigger of a published day: tripped, its inputs, recomputed here
    month_rows(day)                          the monthly statistics a day used, with their source
    measures(client)                 public   the latest measures
    my_bids(client, address, reader) private  the company's bids per auction (signed; never cached)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient
from protocol.stabilisation import evaluate

from ._base import frame, public, to_kst

__all__ = ["CALENDAR_COLUMNS", "BID_COLUMNS", "calendar", "summary", "stabilisation", "trigger_rows", "month_rows",
           "measures", "my_bids"]

CALENDAR_COLUMNS = ["id", "instrument", "opens", "closes", "volume", "carried_in", "status", "source", "reserve_price",
                    "price", "sold", "unsold", "bids", "winners"]
BID_COLUMNS = ["auction", "bid_id", "price", "quantity", "escrow", "status", "allocated", "paid", "refunded"]


def _calendar_row(a: dict[str, Any]) -> dict[str, Any]:
    result = a.get("result") or {}
    return {"id": a["id"], "instrument": a["instrument"], "opens": to_kst(a["opens"]), "closes": to_kst(a["closes"]),
            "volume": a["volume"] + a["carried_in"], "carried_in": a["carried_in"], "status": a["status"],
            "source": a["source"], "reserve_price": a.get("reserve_price"), "price": result.get("price"),
            "sold": result.get("sold"), "unsold": result.get("unsold"), "bids": result.get("bids"),
            "winners": result.get("winners")}


@public
def calendar(client: ChainClient) -> pd.DataFrame:
    return frame([_calendar_row(a) for a in client.query("/auctions")["auctions"]], CALENDAR_COLUMNS)


@public
def summary(client: ChainClient) -> dict[str, Any]:
    answer = client.query("/auctions")
    return {k: v for k, v in answer.items() if k != "auctions"}


@public
def stabilisation(client: ChainClient) -> dict[str, Any]:
    return client.query("/stabilisation")


@public
def measures(client: ChainClient) -> pd.DataFrame:
    columns = ["id", "kind", "trigger", "param", "value", "previous", "price", "volume", "status", "applied", "expires",
               "proposal_id"]
    rows = [{c: m.get(c) for c in columns} | {"applied": to_kst(m["applied"]["time"]), "expires": to_kst(m.get("expires"))}
            for m in client.query("/stabilisation/measures")]
    return frame(rows, columns)


def _inputs(t: dict[str, Any]) -> str:
    if t["trigger"] == "price_surge":
        return "; ".join(f"{r['month']}: {r['price'] or '-'} vs {t['multiple']}× {r['two_year'] or '-'}" for r in t["months"])
    if t["trigger"] == "volume_and_price":
        return (f"daily volume {t['daily_volume'] or '-'} t vs {t['volume_multiple']}× {t['same_month_volume'] or '-'} t; "
                f"price {t['price'] or '-'} vs {t['price_multiple']}× {t['two_year'] or '-'} KRW")
    return f"price {t['price'] or '-'} KRW vs {t['low_bps'] / 100:g}% of {t['two_year'] or '-'} KRW"


def trigger_rows(day: dict[str, Any]) -> pd.DataFrame:
    """Each trigger: tripped, its inputs in words, missing inputs, and the result recomputed from the inputs."""
    stats = {m: (s["value"], s["volume"], s["days"]) for m, s in day["stats"].items()}
    again = {t["trigger"]: t["tripped"] for t in evaluate(stats, day["month"], day["thresholds"])}
    rows = [{"trigger": t["trigger"], "tripped": t["tripped"], "inputs": _inputs(t), "missing": ", ".join(t["missing"]),
             "recomputed": again[t["trigger"]]} for t in day["triggers"]]
    return frame(rows, ["trigger", "tripped", "inputs", "missing", "recomputed"])


def month_rows(day: dict[str, Any]) -> pd.DataFrame:
    rows = [{"month": m, **{k: s[k] for k in ("source", "price", "daily_volume", "volume", "days", "value")}}
            for m, s in sorted(day["stats"].items(), reverse=True)]
    return frame(rows, ["month", "source", "price", "daily_volume", "volume", "days", "value"])


def my_bids(client: ChainClient, address: str, reader: Signer) -> tuple[pd.DataFrame, dict[int, dict[str, Any]]]:
    """The company's bids (newest auction first) and its record per auction (tonnes bid, escrow, allocation)."""
    records = client.query(f"/auction/bids/{address}", reader=reader)
    rows = [{"auction": r["auction"], "bid_id": b["id"], "price": b["price"], "quantity": b["quantity"],
             "escrow": b["escrow"], "status": b["status"], "allocated": b.get("allocated"), "paid": b.get("paid"),
             "refunded": b.get("refunded")} for r in records for b in r["bids"]]
    df = frame(rows, BID_COLUMNS)
    return df.sort_values(["auction", "bid_id"], ascending=False, ignore_index=True), {r["auction"]: r for r in records}
