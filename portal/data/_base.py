"""What every data module shares: the ``public`` mark, DataFrame and KST helpers, query helpers.

``@public`` marks a read whose answer is the same for everyone (no ``reader``): only those may
be cached across sessions (``portal.cache.cached`` refuses anything else). Signed reads take a
``reader`` and are never marked.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar
from urllib.parse import quote

import pandas as pd

from ets.rpc import ChainClient, QueryError
from protocol.calendar import KST_ZONE
from protocol.codes import Code

__all__ = ["KST", "UNASSIGNED_SECTOR", "PAGE", "public", "is_public", "to_kst", "frame", "ints", "is_int",
           "query_list", "query_or_none", "qs", "names", "company_info"]

KST = KST_ZONE
UNASSIGNED_SECTOR = "unassigned"  # the chain's sector for companies registered without one
PAGE = 5000  # the chain's row limit per query

F = TypeVar("F", bound=Callable[..., Any])


def public(fn: F) -> F:
    """Mark ``fn`` as a public read: its answer depends only on the chain, never on who asks."""
    fn.public = True  # type: ignore[attr-defined]
    return fn


def is_public(fn: Callable[..., Any]) -> bool:
    return getattr(fn, "public", False) is True


def to_kst(unix_seconds: Any) -> pd.Timestamp | None:
    """A block time (unix seconds) as a KST timestamp; None stays None."""
    if unix_seconds is None or (isinstance(unix_seconds, float) and pd.isna(unix_seconds)):
        return None
    return pd.Timestamp(int(unix_seconds), unit="s", tz="UTC").tz_convert(KST)


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def ints(df: pd.DataFrame, columns: list[str], nullable: bool = False) -> pd.DataFrame:
    for column in columns:
        df[column] = df[column].astype("Int64" if nullable else "int64")
    return df


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def query_list(client: ChainClient, path: str, reader: Any = None) -> list[Any]:
    value = client.query(path, reader=reader)
    return value if isinstance(value, list) else []


def query_or_none(client: ChainClient, path: str) -> Any:
    """A public query; None when nothing is stored under the path (``Code.NOT_FOUND``)."""
    try:
        return client.query(path)
    except QueryError as exc:
        if exc.code == Code.NOT_FOUND:
            return None
        raise


def qs(**params: str | None) -> str:
    """A query string of the given (non-empty) parameters, values percent-encoded (sectors may hold any text)."""
    pairs = [f"{k}={quote(str(v), safe='')}" for k, v in params.items() if v]
    return ("?" + "&".join(pairs)) if pairs else ""


def names(client: ChainClient) -> dict[str, str]:
    """Every registered address and its name."""
    return {r["address"]: r.get("name", "") for r in query_list(client, "/accounts")}


def company_info(client: ChainClient) -> dict[str, dict[str, Any]]:
    """Every company's registry record, by address."""
    return {r["address"]: r for r in query_list(client, "/accounts?role=company")}
