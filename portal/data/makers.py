"""Market makers as the portal shows them: the public class list; a maker's monthly obligation report (signed by
the maker or an official).

    makers(client)                      public   accounts with a class: class, instrument, since
    report(client, address, reader)     private  per month: days met / trading days, each day's quoting seconds
    month_frame(month)                           one month's days as rows (day, seconds, met)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient

from ._base import frame, public, to_kst

__all__ = ["CLASSES", "makers", "report", "month_frame", "summary"]

CLASSES = ("market_maker", "third_party")  # a registered maker's class, as the chain names it (catalogue: makers.class.*)


@public
def makers(client: ChainClient) -> pd.DataFrame:
    rows = [{"account": r["account"], "class": r["class"], "instrument": r["instrument"] or "-",
             "since (KST)": to_kst(r["since"])} for r in client.query("/makers")]
    return frame(rows, ["account", "class", "instrument", "since (KST)"])


def report(client: ChainClient, address: str, reader: Signer) -> dict[str, Any]:
    """The maker's obligation report, month by month (private: the maker or an official; never cached)."""
    return client.query(f"/makers/report/{address}", reader=reader)


def month_frame(month: dict[str, Any]) -> pd.DataFrame:
    return frame([{"day": d["day"], "seconds quoted": d["seconds"], "met": "met 충족" if d["met"] else "-"}
                  for d in month["days"]], ["day", "seconds quoted", "met"])


def summary(month: dict[str, Any]) -> str:
    return (f"{month['month']} · {month['instrument']}: days met {month['days_met']} / {month['days_required']} trading "
            f"days (충족일) — a day counts with ≥ {month['min_seconds']:,} s of a two-sided quote, spread ≤ KRW "
            f"{month['max_spread_krw']:,}, ≥ {month['min_quote_tonnes']:,} t a side")
