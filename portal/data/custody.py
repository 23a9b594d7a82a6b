"""Account security as the portal shows it: whom a key acts for and the account's custody record as tables.
Every read here is private (signed by the account or one of its representatives) and never cached.

    acting_for(client, reader)      (account, "holder" | the representative's rights, its record or None)
    record(client, reader, account) the /custody answer
    representatives(record)         DataFrame: representative, name, rights, scheduled rights and from when
    trusted(record)                 DataFrame: account, status, effective from, added by, confirmed by
    transfers(record)               DataFrame: id, status, to, instrument, amount, initiator, initiated, expires
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.custody import acting_for as _acting_for, record as _record
from ets.keys import Signer
from ets.rpc import ChainClient

from ._base import frame, to_kst

__all__ = ["acting_for", "record", "representatives", "trusted", "transfers", "RIGHTS", "LIMITS"]

LIMITS = ("transaction", "daily", "weekly", "monthly")  # an account's own custody limits (catalogue: custody.period.*)
RIGHTS = ("initiate", "approve")  # a representative's rights; none: read-only (catalogue: custody.right.*, custody.read_only)


def acting_for(client: ChainClient, reader: Signer) -> tuple[str, str | list[str]]:
    return _acting_for(client, reader)


def record(client: ChainClient, reader: Signer, account: str) -> dict[str, Any]:
    return _record(client, reader, account)


def representatives(answer: dict[str, Any]) -> pd.DataFrame:
    """One row per representative; ``rights`` and ``scheduled`` (the rights waiting for their delay) are lists of
    right codes (``RIGHTS``), None when nothing is scheduled; the page names them."""
    rows = [{"representative": r["representative"], "name": r["name"], "rights": list(r["rights"] or []),
             "scheduled": list(r["next"]["rights"] or []) if r["next"] else None,
             "from": to_kst(r["next"]["from"]) if r["next"] else None} for r in answer.get("representatives", [])]
    return frame(rows, ["representative", "name", "rights", "scheduled", "from"])


def trusted(answer: dict[str, Any]) -> pd.DataFrame:
    rows = [{"account": t["account"], "status": t["status"], "from": to_kst(t.get("from")), "added by": t["by"],
             "confirmed by": t.get("confirmed_by", "")} for t in answer.get("trusted", [])]
    return frame(rows, ["account", "status", "from", "added by", "confirmed by"])


def transfers(answer: dict[str, Any]) -> pd.DataFrame:
    rows = [{"id": t["id"], "status": t["status"], "to": t["to"], "instrument": t["instrument"], "amount": t["amount"],
             "initiator": t["initiator"], "initiated": to_kst(t["initiated"]["time"]), "expires": to_kst(t["expires"])}
            for t in answer.get("transfers", [])]
    return frame(rows, ["id", "status", "to", "instrument", "amount", "initiator", "initiated", "expires"])


