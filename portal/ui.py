"""Shared Streamlit pieces: the configuration, the cached chain client, cached queries, errors.

``st.cache_resource`` holds one ``ChainClient`` per node URL for the whole server; public
query results are cached with ``st.cache_data(ttl=ETS_PORTAL_TTL)`` keyed by the node URL, the
query's name and its arguments. Private reads (signed balance queries) are never cached: the
cache is shared by every session.

The validator's RPC address is never shown in the browser (block contents are visible to
whoever reaches it, so it stays private); errors name it only in the server's log.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import streamlit as st

from ets.rpc import ChainClient, QueryError, RpcUnavailable, TxRejectedError

from . import queries, reviews
from .config import PortalConfig

__all__ = ["config", "client", "cached", "account_record", "plan_review", "show_chain_error", "short", "tonnes",
           "kg_to_t_text", "table"]

_TTL = PortalConfig.from_env().ttl_seconds
_LOG = logging.getLogger(__name__)


@st.cache_resource
def config() -> PortalConfig:
    return PortalConfig.from_env()


@st.cache_resource
def _chain_client(node_url: str) -> ChainClient:
    return ChainClient(node_url)


def client() -> ChainClient:
    return _chain_client(config().node_url)


@st.cache_data(ttl=_TTL, show_spinner=False)
def _cached(node_url: str, name: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(_chain_client(node_url), *args, **dict(kwargs))


def cached(name: str, *args: Any, **kwargs: Any) -> Any:
    """``queries.<name>(client, *args, **kwargs)``, cached for ETS_PORTAL_TTL seconds (public data only)."""
    return _cached(config().node_url, name, args, tuple(sorted(kwargs.items())))


@st.cache_data(ttl=_TTL, show_spinner=False)
def _account(node_url: str, address: str) -> dict | None:
    from .auth import account_of

    return account_of(_chain_client(node_url), address)


def account_record(address: str) -> dict | None:
    """The registry record of an address (public), briefly cached."""
    return _account(config().node_url, address)


@st.cache_data(ttl=_TTL, show_spinner=False)
def _review(plans_dir: str, plan_hash: str, stamp: tuple) -> reviews.PlanReview | None:
    return reviews.find_review(plans_dir, plan_hash)


def plan_review(plan_hash: str) -> reviews.PlanReview | None:
    """The engine's review file for ``plan_hash`` from ETS_PORTAL_PLANS, if configured and present."""
    folder = config().plans_dir
    if folder is None or not folder.is_dir():
        return None
    return _review(str(folder), plan_hash, reviews.folder_stamp(folder))


def show_chain_error(exc: BaseException, doing: str) -> None:
    """Tell the user what the chain said, in full: code, meaning and log."""
    if isinstance(exc, TxRejectedError):
        st.error(f"The chain rejected the transaction while {doing} (code {exc.code}: {_describe(exc.code)}). "
                 f"{exc.log}" + (f"  \nTransaction {exc.hash}" if exc.hash else "") + "  \nNothing was changed.")
    elif isinstance(exc, QueryError):
        st.error(f"The chain refused the query {exc.path} while {doing} (code {exc.code}: {_describe(exc.code)}). {exc.log}")
    elif isinstance(exc, RpcUnavailable):
        _LOG.warning("chain node unreachable while %s: %s", doing, exc)  # names the RPC address: log only
        st.error(f"Cannot reach the chain node while {doing}. Try again in a moment; if this persists, the portal's "
                 "operator should check that the node is running and that ETS_PORTAL_NODE points at its RPC address "
                 "(the portal's log names the address it tried).")
    else:
        st.error(f"The chain client failed while {doing}: {exc}")


def _describe(code: int) -> str:
    try:
        from protocol.codes import describe
    except ImportError:  # the portal may run without the chain's package
        return "see the log"
    return describe(code)


def short(value: str | None, n: int = 12) -> str:
    return "" if not value else (value if len(value) <= n else value[:n] + "…")


def tonnes(value: int) -> str:
    return f"{int(value):,} t"


def kg_to_t_text(kg: int) -> str:
    """Kilograms as tonnes with three decimals (exact: 1 t = 1,000 kg)."""
    kg = int(kg)
    return f"{kg // 1000:,}.{kg % 1000:03d} t"


def table(df: pd.DataFrame, **kwargs: Any) -> None:
    """A read-only table (a searchable, sortable grid)."""
    st.dataframe(df, hide_index=True, width="stretch", **kwargs)

