"""What an account holds (private: signed queries by the holder, the regulator, or for cash the bank).

``reader`` signs each query (``ets.rpc.ChainClient.query``: one RPC, dated by the local clock);
the answer is sealed to that query alone. None of these is ``public``: they are never cached
across sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient

from ._base import frame, ints, is_int

__all__ = ["CashBalance", "balances", "holdings", "cash"]


@dataclass(frozen=True)
class CashBalance:
    """A company's KRW cash account: available to spend, and held behind open buy orders."""

    available: int
    held: int

    def __post_init__(self) -> None:
        if not (is_int(self.available) and is_int(self.held)) or self.available < 0 or self.held < 0:
            raise ValueError(f"cash must be whole KRW ≥ 0, got {self.available!r} / {self.held!r}")

    @property
    def total(self) -> int:
        return self.available + self.held


def balances(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """Allowances held by ``address`` (available and held together); ``reader`` is the holder or an official.

    Raises ``ets.rpc.QueryError`` (``Code.UNAUTHORIZED``) for anyone else."""
    value = client.query(f"/balances/{address}", reader=reader)
    return ints(frame([{"instrument": k, "amount": int(v)} for k, v in sorted(value.items())],
                      ["instrument", "amount"]), ["amount"])


def holdings(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """Allowances per instrument: available, held (behind open sells and block-trade sell proposals), total."""
    rows = [{"instrument": i, "available": int(h["available"]), "held": int(h["held"]),
             "total": int(h["available"]) + int(h["held"])}
            for i, h in sorted(client.query(f"/holdings/{address}", reader=reader).items())]
    return ints(frame(rows, ["instrument", "available", "held", "total"]), ["available", "held", "total"])


def cash(client: ChainClient, address: str, reader: Signer) -> CashBalance:
    """KRW available and held; ``reader`` must be the company, the bank or the regulator."""
    value = client.query(f"/cash/{address}", reader=reader)
    return CashBalance(int(value["available"]), int(value["held"]))
