"""The portal's one caching scheme (Streamlit), for every page.

    config(), client()    ``st.cache_resource``: the settings and one ``ChainClient`` per node URL,
                          shared by the whole server (the client learns the chain id once; each
                          signed query is then one RPC)
    cached(fn, *args)     ``st.cache_data(ttl=ETS_PORTAL_TTL)`` for a ``@public`` read of
                          ``portal.data`` (keyed by node URL, the function and its arguments);
                          anything else is refused: the cache is shared by every session, so
                          signed (private) reads are never cached
    forget_chain_data()   drop every cached chain answer (after a transaction changed the chain)
    light_client()        ``st.cache_resource``: the process's one light client (``portal.data.verified.
                          SharedLight``) trusting ETS_PORTAL_GENESIS, its headers kept in
                          ETS_PORTAL_LIGHT_STORE/<chain id>-<genesis digest>.json; None when no
                          genesis is configured
    verified_daily_totals(records)  the proof of shown daily totals (public), cached like ``cached``
    plan_review(hash)     the engine's review file of a plan (ETS_PORTAL_PLANS), by folder stamp
    krx_file / krx_upload a KRX daily export read once per file content
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path
from typing import Any, Callable

import streamlit as st

from ets.light import TrustOptions
from ets.rpc import ChainClient

from . import krx_history, reviews
from .config import PortalConfig
from .data import is_public, registry, verified

__all__ = ["config", "client", "cached", "account_record", "forget_chain_data", "light_client", "verified_daily_totals",
           "plan_review", "krx_file", "krx_upload"]

_TTL = PortalConfig.from_env().ttl_seconds


@st.cache_resource
def config() -> PortalConfig:
    return PortalConfig.from_env()


@st.cache_resource
def _chain_client(node_url: str) -> ChainClient:
    return ChainClient(node_url)


def client() -> ChainClient:
    return _chain_client(config().node_url)


@st.cache_data(ttl=_TTL, show_spinner=False)
def _public(node_url: str, module: str, name: str, args: tuple, kwargs: tuple) -> Any:
    read = getattr(importlib.import_module(module), name)
    return read(_chain_client(node_url), *args, **dict(kwargs))


def cached(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``read(client, *args, **kwargs)`` for a public read, cached for ETS_PORTAL_TTL seconds."""
    if not is_public(read):
        raise ValueError(f"{read.__module__}.{read.__name__} is not a public read; signed reads are never cached")
    return _public(config().node_url, read.__module__, read.__name__, args, tuple(sorted(kwargs.items())))


def account_record(address: str) -> dict | None:
    """The registry record of an address (public), briefly cached."""
    return cached(registry.account, address)


def forget_chain_data() -> None:
    """After a transaction: every session reads the chain afresh (plans, proposals, the market changed)."""
    _public.clear()


@st.cache_resource(show_spinner=False)
def _light_client(node_url: str, genesis: str, store_dir: str) -> verified.SharedLight:
    """The store is named by chain id and genesis digest: a network re-created under the same chain id
    (a local network's reset) must start again from its own genesis, not from the old network's headers."""
    document = Path(genesis).read_bytes()
    trust = TrustOptions.from_genesis(json.loads(document))
    store = Path(store_dir) / f"{trust.chain_id}-{hashlib.sha256(document).hexdigest()[:16]}.json"
    return verified.SharedLight(_chain_client(node_url), trust, store)


def light_client() -> verified.SharedLight | None:
    """The light client every session shares, or None without ETS_PORTAL_GENESIS.

    Raises ``OSError`` / ``ValueError`` (and ``KeyError``, ``TypeError``) when the genesis file
    cannot be read as one; nothing is cached then, so a fixed file is picked up."""
    settings = config()
    if settings.genesis is None:
        return None
    return _light_client(settings.node_url, str(settings.genesis), str(settings.light_store_dir))


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=256)
def _daily_totals_check(node_url: str, genesis: str, store_dir: str, records: tuple) -> verified.Verification:
    light = _light_client(node_url, genesis, store_dir)
    return verified.check_daily_totals(_chain_client(node_url), light, [dict(r) for r in records])


def verified_daily_totals(records: tuple) -> verified.Verification:
    """``verified.check_daily_totals`` of ``records`` (each a tuple of (column, value) pairs), cached
    for ETS_PORTAL_TTL s: daily totals are public and written once, so all sessions share the answer.
    Without ETS_PORTAL_GENESIS: the ``untrusted`` outcome; a bad genesis file raises as ``light_client``."""
    settings = config()
    if settings.genesis is None:
        return verified.untrusted()
    return _daily_totals_check(settings.node_url, str(settings.genesis), str(settings.light_store_dir), records)


@st.cache_data(ttl=_TTL, show_spinner=False)
def _review(plans_dir: str, plan_hash: str, stamp: tuple) -> reviews.PlanReview | None:
    return reviews.find_review(plans_dir, plan_hash)


def plan_review(plan_hash: str) -> reviews.PlanReview | None:
    """The engine's review file for ``plan_hash`` from ETS_PORTAL_PLANS, if configured and present."""
    folder = config().plans_dir
    if folder is None or not folder.is_dir():
        return None
    return _review(str(folder), plan_hash, reviews.folder_stamp(folder))


@st.cache_data(ttl=3600, show_spinner=False, max_entries=8)
def _krx_from_path(path: str, stamp: tuple[int, int]) -> krx_history.KrxHistory:
    return krx_history.load_krx_history(path)


@st.cache_data(ttl=3600, show_spinner=False, max_entries=8)
def krx_upload(data: bytes, name: str) -> krx_history.KrxHistory:
    """A KRX export uploaded in the browser, read once per content."""
    return krx_history.load_krx_history(data, name=name)


def krx_file(path: Any) -> krx_history.KrxHistory:
    """The KRX export at ``path`` (ETS_PORTAL_KRX), read again only when the file changes."""
    stat = path.stat()
    return _krx_from_path(str(path), (stat.st_mtime_ns, stat.st_size))


@st.cache_data(ttl=3600, show_spinner=False, max_entries=4)
def _auction_results(path: str, stamp: tuple[int, int]) -> list:
    from datasets.auctions import read_auction_results

    return read_auction_results(path)


def auction_results(path: Any) -> list:
    """The published auction results at ``path`` (ETS_PORTAL_AUCTION_RESULTS), read again only when the file changes."""
    stat = path.stat()
    return _auction_results(str(path), (stat.st_mtime_ns, stat.st_size))
